import { expect, test } from './fixtures/studio.ts';
import { focusApp, openTab, rows, shot, stateText } from './helpers/studio-ui.ts';

test('open the counter example: actor running, chain drawn and listed, state at the head', async ({ studio }, info) => {
  const { page } = studio;
  await expect(page.getByRole('treeitem', { name: /counter running/ })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Connection' })).toHaveText(/connected/);
  await expect(page.getByRole('img', { name: /Chain graph canvas/ })).toBeVisible();
  // init is recorded as an export call, the log it made, and its result.
  await expect(rows(page, /call .*actor\.init/)).toHaveCount(1);
  await expect(rows(page, /return .*actor\.init/)).toHaveCount(1);
  await expect(page.getByRole('status', { name: 'Integrity' })).toHaveText(/verified through #\d+/);
  await focusApp(page);
  await page.keyboard.press('End');
  await openTab(page, 'State');
  await expect(stateText(page)).toHaveText('{"count":0}');
  await shot(page, info, '01-counter-open');

  // The keyboard help lists the shortcuts.
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await shot(page, info, '02-help');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);

  // Both themes: the toggle flips the whole page (and the canvas) and says which one is on.
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).not.toBe(before);
  await shot(page, info, '03-other-theme');
});
