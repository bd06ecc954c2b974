/**
 * Issue 13, item 2: a stopped supervised child is brought back from the actor tree, under its supervisor, resuming
 * its own chain; so is a child whose supervisor was stopped too.
 */
import { resolve } from 'node:path';
import { expect, test } from './fixtures/studio.ts';
import { rows, shot } from './helpers/studio-ui.ts';

const SUPERVISOR = resolve('assets/examples/supervisor/manifest.toml');

test('stop a supervised child, then start it again from the actor tree', async ({ studio }, info) => {
  const { page } = studio;
  await page.getByRole('button', { name: 'Open manifest' }).click();
  await page.getByLabel('Manifest path').fill(SUPERVISOR);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const tree = page.getByRole('tree', { name: 'Actor tree' });
  const supervisor = tree.getByRole('treeitem', { name: /^supervisor running/ });
  const child = supervisor.getByRole('treeitem', { name: /^counter / });
  await expect(child).toHaveAccessibleName('counter running');

  await child.getByRole('button', { name: 'Stop counter', exact: true }).click();
  await expect(child).toHaveAccessibleName('counter stopped');
  await child.getByRole('button', { name: 'Start counter', exact: true }).click();
  await expect(child).toHaveAccessibleName('counter running');
  await expect(page.getByRole('alert')).toHaveCount(0);
  // It resumed its own chain: the newest entry is a resume event.
  await child
    .getByRole('button', { name: /^counter/ })
    .first()
    .click();
  await expect(page.getByLabel('Actor', { exact: true })).toHaveText('supervisor/counter');
  await expect(rows(page, /event .*resume/).last()).toHaveAttribute('aria-selected', 'true');
  await shot(page, info, '01-child-started-again');

  // Supervisor and children stopped: starting a child starts its supervisor first.
  await supervisor.getByRole('button', { name: 'Stop supervisor' }).first().click();
  const flaky = tree.getByRole('treeitem', { name: /^flaky / });
  await expect(flaky).toHaveAccessibleName('flaky stopped');
  await flaky.getByRole('button', { name: 'Start flaky', exact: true }).click();
  await expect(flaky).toHaveAccessibleName('flaky running');
  await expect(tree.getByRole('treeitem', { name: /^supervisor / })).toHaveAccessibleName('supervisor running');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await shot(page, info, '02-supervisor-and-child-started');
});
