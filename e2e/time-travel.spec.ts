import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, focusApp, openTab, rows, shot, stateText, stepBackUntilState } from './helpers/studio-ui.ts';

test('fire 3 increments, step back, diff, and continue from count 1 on a new branch', async ({ studio }, info) => {
  const { page } = studio;
  await expect(rows(page, /return .*actor\.init/)).toHaveCount(1);

  await test.step('fire 3 HTTP increments from the panel: 3 new request groups and {"count":3}', async () => {
    await fireIncrements(page, 3);
    await expect(rows(page, /call .*http-server\.handle-request/)).toHaveCount(3);
    await expect(rows(page, /return .*http-server\.handle-request/)).toHaveCount(3);
    await focusApp(page);
    await page.keyboard.press('End');
    await openTab(page, 'State');
    await expect(stateText(page)).toHaveText('{"count":3}');
    await shot(page, info, '01-three-increments');
  });

  await test.step('step back to count 1 with the keyboard', async () => {
    await stepBackUntilState(page, '{"count":1}');
    // "Who wrote this?" on the key points at the result of the first increment.
    await page.getByRole('button', { name: 'Who wrote count?' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'was last written by' })).toContainText('handle-request');
    await shot(page, info, '02-stepped-back-to-count-1');
  });

  await test.step('diff entry(count 1) vs entry(count 3)', async () => {
    await page.keyboard.press('d');
    // B: shift-click the newest result in the list (count 3).
    await rows(page, /return .*http-server\.handle-request/)
      .last()
      .click({ modifiers: ['Shift'] });
    await expect(page.getByRole('tab', { name: 'Diff' })).toHaveAttribute('aria-selected', 'true');
    const changes = page.getByRole('table', { name: 'State changes' });
    await expect(changes.getByRole('row', { name: /changed count 1 3/ })).toBeVisible();
    await shot(page, info, '03-diff-count-1-vs-3');
  });

  await test.step('rewind at count 1, fire one increment: a second branch and count 2', async () => {
    await rows(page, /return .*http-server\.handle-request/)
      .first()
      .click();
    await openTab(page, 'State');
    await expect(stateText(page)).toHaveText('{"count":1}');
    await openTab(page, 'Details');
    await page.getByRole('button', { name: 'Continue from here' }).click();
    const branch = page.getByLabel('Branch');
    await expect(branch.getByRole('option')).toHaveCount(2);
    await expect(branch.locator('option:checked')).toHaveText(/\(live\)/);
    await fireIncrements(page, 1);
    await focusApp(page);
    await page.keyboard.press('End');
    await openTab(page, 'State');
    await expect(stateText(page)).toHaveText('{"count":2}');
    await shot(page, info, '04-second-branch-count-2');
  });
});
