import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, shot } from './helpers/studio-ui.ts';

const BY_TWO = fileURLToPath(new URL('../assets/examples/counter-by-two/counter-by-two.wasm', import.meta.url));

test('replay the chain: verified', async ({ studio }, info) => {
  const { page } = studio;
  await fireIncrements(page, 2);
  await page.getByRole('button', { name: 'Replay', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Replay result' })).toHaveText(/Replay verified/);
  await shot(page, info, '01-replay-verified');
});

test('replay against the counter-by-two build: divergence shown', async ({ studio }, info) => {
  const { page } = studio;
  await fireIncrements(page, 2);
  await page.getByRole('tablist', { name: 'Inspector' }).getByRole('tab', { name: 'Replay' }).click();
  await page.getByLabel('Component path to replay against').fill(BY_TWO);
  await page.getByRole('button', { name: 'Replay against build' }).click();
  const verdict = page.getByRole('status', { name: 'Replay result' });
  await expect(verdict).toHaveText(/Diverged at/);
  await expect(verdict.getByLabel('Expected')).toBeVisible();
  await expect(verdict.getByLabel('Got')).toBeVisible();
  await shot(page, info, '01-replay-diverged');
});
