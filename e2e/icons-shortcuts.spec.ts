/**
 * Issue 13, item 7: icons that do not depend on system fonts ("⑂" was an empty box with Debian's defaults), the C
 * shortcut the tooltip promises, and one-key shortcuts that keep working after an Import (focus stayed in the hidden
 * file input).
 */
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, focusApp, rows, shot } from './helpers/studio-ui.ts';

test('the fork icon is drawn, C continues from here, and shortcuts work after an import', async ({ studio }, info) => {
  const { page, service } = studio;
  await fireIncrements(page, 2);

  // Continue from here: an icon drawn by the page itself, beside a label that needs no special glyph.
  const cont = page.getByRole('button', { name: 'Continue from here' });
  await expect(cont).toHaveAttribute('title', /\(C\)/);
  await expect(cont).not.toContainText('⑂');
  const icon = cont.locator('svg');
  await expect(icon).toBeVisible();
  expect((await icon.boundingBox())!.width).toBeGreaterThanOrEqual(12);
  // No button anywhere relies on that glyph.
  await expect(page.getByRole('button', { name: /⑂/ })).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText('⑂');
  await shot(page, info, '01-continue-icon');

  // C on an older entry forks there and makes the fork live.
  await rows(page, /return .*http-server\.handle-request/)
    .first()
    .click();
  await focusApp(page);
  await page.keyboard.press('c');
  const branch = page.getByLabel('Branch');
  await expect(branch.getByRole('option')).toHaveCount(2);
  await expect(branch.locator('option:checked')).toHaveText(/fork-1 \(live\)/);

  // Import a bundle through the file picker; then the one-key shortcuts still answer.
  const exported = await service.exportBundle({ actor: 'counter' });
  // As a person does it: click Import, pick the file in the chooser (focus goes to the input behind the button).
  const chooser = page.waitForEvent('filechooser');
  await page.getByTitle('Import a bundle').click();
  await (await chooser).setFiles(exported.file);
  await expect(page.getByRole('status').filter({ hasText: /Imported/ })).toBeVisible();
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type ?? null)).not.toBe('file');
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toContainText('Continue from here');
  await shot(page, info, '02-help-after-import');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Home');
  await expect(page.getByLabel('Position')).toHaveText(/^1 \//);
});
