/**
 * Issue 13, item 9: supervision has causal links like messages do. A supervisor's spawn leads to its child's start
 * event and back; a child's crash leads to the supervisor's handle-child-error; a call that crashed a child through
 * a message is not labelled no-op.
 */
import { resolve } from 'node:path';
import { expect, test } from './fixtures/studio.ts';
import { rows, shot } from './helpers/studio-ui.ts';

const SUPERVISOR = resolve('assets/examples/supervisor/manifest.toml');

test("spawn → the child's start and back; a child's crash → handle-child-error; crash-flaky is no no-op", async ({
  studio,
}, info) => {
  const { page } = studio;
  await page.getByRole('button', { name: 'Open manifest' }).click();
  await page.getByLabel('Manifest path').fill(SUPERVISOR);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const actorLabel = page.getByLabel('Actor', { exact: true });
  await expect(actorLabel).toHaveText('supervisor');
  const details = page.getByRole('tabpanel', { name: 'Details' });

  // The supervisor's first spawn: its effect is supervisor/counter's start event.
  await rows(page, /^#\d+ import .*\.spawn /)
    .first()
    .click();
  const effect = details.getByRole('button', { name: /^Go to entry/ }).filter({ hasText: 'supervisor/counter' });
  await expect(effect).toBeVisible();
  await shot(page, info, '01-spawn-effects');
  await effect.click();
  await expect(actorLabel).toHaveText('supervisor/counter');
  await expect(rows(page, /^#\d+ event .*\.start /).first()).toHaveAttribute('aria-selected', 'true');
  const cause = details.getByRole('button', { name: /^Go to entry/ }).filter({ hasText: /^supervisor · / });
  await expect(cause).toBeVisible();
  await shot(page, info, '02-start-caused-by-spawn');
  await cause.click();
  await expect(actorLabel).toHaveText('supervisor');
  await expect(rows(page, /^#\d+ import .*\.spawn /).first()).toHaveAttribute('aria-selected', 'true');

  // crash-flaky: the supervisor's state does not change, but its child crashes.
  await page.getByRole('tablist', { name: 'Request panels' }).getByRole('tab', { name: 'Message' }).click();
  await page.getByLabel('Target actor').selectOption('supervisor');
  await page.getByRole('radiogroup', { name: 'Message kind' }).getByText('send').click();
  await page.getByLabel('Message JSON').fill('{"op":"crash-flaky"}');
  await page.getByRole('button', { name: 'Send message' }).click();
  const handled = rows(page, /^#\d+ call .*\.handle-child-error /);
  await expect(handled).toHaveCount(1);
  await expect(rows(page, /^#\d+ return .*\.handle-send /)).toHaveCount(1);
  await expect(rows(page, /^#\d+ return .*\.handle-send /)).not.toContainText('no-op');
  await handled.click();
  const crash = details.getByRole('button', { name: /^Go to entry/ }).filter({ hasText: 'supervisor/flaky' });
  await expect(crash).toBeVisible();
  await shot(page, info, '03-child-error-caused-handle-child-error');
  await crash.click();
  await expect(actorLabel).toHaveText('supervisor/flaky');
  await expect(rows(page, /^#\d+ error .*\.handle-send /)).toHaveAttribute('aria-selected', 'true');
});
