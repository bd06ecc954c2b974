/**
 * The entry list is vertical: ↑ and ↓ step the selection to the previous and next entry, as ← and → do, with the
 * list focused (after clicking a row) or nothing focused. Arrows typed into a field stay the field's.
 */
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, focusApp, rows } from './helpers/studio-ui.ts';

test('↑ and ↓ step through the entry list; in a field they stay the field’s', async ({ studio }) => {
  const { page } = studio;
  await fireIncrements(page, 1);
  const position = page.getByLabel('Position');
  const selectedRow = page.getByRole('grid', { name: 'Entry list' }).getByRole('row', { selected: true });

  // Click an entry in the middle of the list, then walk it with the arrows.
  await rows(page, /call .*http-server\.handle-request/)
    .first()
    .click();
  await expect(position).toHaveText(/^5 \/ \d+ · seq 4/);
  await expect(selectedRow).toHaveAccessibleName(/^#4 call .*handle-request/);
  await page.keyboard.press('ArrowDown');
  await expect(position).toHaveText(/^6 \/ \d+ · seq 5/);
  await expect(selectedRow).toHaveAccessibleName(/^#5 /);
  await page.keyboard.press('ArrowDown');
  await expect(position).toHaveText(/^7 \/ \d+ · seq 6/);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(position).toHaveText(/^4 \/ \d+ · seq 3/);
  await expect(selectedRow).toHaveAccessibleName(/^#3 /);

  // With nothing focused too, like ← and →.
  await focusApp(page);
  await page.keyboard.press('ArrowDown');
  await expect(position).toHaveText(/^5 \/ \d+ · seq 4/);

  // In the search field, a text area, a select or a radio group the arrows are the control's own.
  const search = page.locator('#entry-search');
  await search.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await expect(search).toBeFocused();
  const headers = page.getByLabel('Request headers');
  await headers.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  const method = page.getByLabel('HTTP method');
  await method.selectOption('GET');
  await method.focus();
  await page.keyboard.press('ArrowDown');
  await expect(method).not.toHaveValue('GET');
  await page.getByRole('tablist', { name: 'Request panels' }).getByRole('tab', { name: 'Message' }).click();
  const kind = page.getByRole('radiogroup', { name: 'Message kind' });
  await kind.getByRole('radio', { name: 'request' }).check();
  await kind.getByRole('radio', { name: 'request' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(kind.getByRole('radio', { name: 'send' })).toBeChecked();
  await expect(position).toHaveText(/^5 \/ \d+ · seq 4/);
});
