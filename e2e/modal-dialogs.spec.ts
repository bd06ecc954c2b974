/**
 * The Studio's four modal dialogs (Save as test, Open hub, Open manifest, the keyboard help) behave as modals: no
 * one-key shortcut reaches the page behind them, Escape closes them, Tab keeps the focus inside them, and a click
 * beside them closes them.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, focusApp, rows, shot } from './helpers/studio-ui.ts';

const theme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme);

test('no shortcut fires behind Save as test: C does not fork, T does not switch the theme', async ({
  studio,
}, info) => {
  const { page } = studio;
  await fireIncrements(page, 1);
  await rows(page, /return .*http-server\.handle-request/)
    .first()
    .click();
  const branch = page.getByLabel('Branch');
  await expect(branch.getByRole('option')).toHaveCount(1);
  const before = await theme(page);

  await page.getByRole('button', { name: 'Save as test' }).click();
  const dialog = page.getByRole('dialog', { name: 'Save as test' });
  await dialog.getByRole('radio', { name: 'The whole branch' }).click();
  await expect(dialog.getByRole('radio', { name: 'The whole branch' })).toBeChecked();
  for (const key of ['c', 't', 'o', '?']) await page.keyboard.press(key);
  await shot(page, info, '01-keys-behind-save-as-test');
  expect(await theme(page)).toBe(before);
  await expect(dialog).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(1); // neither the help nor Open manifest opened behind it

  // Closed, the same keys work again: C forks once (had the C above forked too, there would be two forks).
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await focusApp(page);
  await page.keyboard.press('c');
  await expect(branch.locator('option:checked')).toHaveText(/fork-1 \(live\)/);
  await expect(branch.getByRole('option')).toHaveCount(2);
  await page.keyboard.press('t');
  await expect.poll(() => theme(page)).not.toBe(before);
});

const DIALOGS: readonly { name: string; opener: string }[] = [
  { name: 'Save as test', opener: 'Save as test' },
  { name: 'Open hub', opener: 'Open hub' },
  { name: 'Open manifest', opener: 'Open manifest' },
  { name: 'Keyboard shortcuts', opener: 'Keyboard shortcuts' },
];

for (const { name, opener } of DIALOGS) {
  test(`${name}: Tab stays inside, no shortcut fires, Escape closes it, a click beside it closes it`, async ({
    studio,
  }, info) => {
    const { page } = studio;
    await expect(page.getByRole('treeitem', { name: /^counter/ })).toBeVisible();
    const open = async () => {
      await page.getByRole('button', { name: opener, exact: true }).click();
      await expect(page.getByRole('dialog', { name })).toBeVisible();
    };
    const dialog = page.getByRole('dialog', { name });
    await open();

    // Tab and Shift+Tab go round the dialog's own controls, never to the page behind it. (Past the last control the
    // browser may give the focus to its own UI, outside the document, as it does for every modal <dialog>; the next
    // Tab comes back to the dialog.)
    const whereFocus = () =>
      dialog.evaluate((d) =>
        d.contains(document.activeElement) ? 'dialog' : document.hasFocus() ? 'page' : 'browser',
      );
    expect(await whereFocus()).toBe('dialog');
    for (const key of ['Tab', 'Shift+Tab']) {
      const seen: string[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press(key);
        seen.push(await whereFocus());
      }
      expect(seen, key).not.toContain('page');
      expect(seen.filter((w) => w === 'dialog').length, key).toBeGreaterThanOrEqual(6);
    }

    // A one-key shortcut with the focus on one of the dialog's buttons: nothing happens behind it.
    await dialog.getByRole('button', { name: 'Close' }).focus();
    const before = await theme(page);
    await page.keyboard.press('t');
    expect(await theme(page)).toBe(before);
    await shot(page, info, '01-open');

    // Escape closes it, and the focus goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('button', { name: opener, exact: true })).toBeFocused();

    // A click on the dimmed page beside the dialog closes it too; a click inside it (here on its padding) does not.
    await open();
    await dialog.click({ position: { x: 6, y: 6 } });
    await expect(dialog).toBeVisible();
    await page.mouse.click(8, 890);
    await expect(dialog).toHaveCount(0);
  });
}
