/**
 * What the inspector shows stays about the selection the user sees: switching the branch moves the selection onto
 * that branch (the same entry when it is shared history, else the branch's head), and a "Who wrote?" answer goes when
 * the selection moves.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, focusApp, openTab, rows, shot, stateText, stepBackUntilState } from './helpers/studio-ui.ts';

const position = (page: Page) => page.getByLabel('Position');
const detailsBranch = (page: Page) =>
  page.getByRole('tabpanel', { name: 'Details' }).locator('dt:text-is("branch") + dd');
const followButton = (page: Page) => page.getByRole('button', { name: 'Follow live head' });
const selectedRows = (page: Page) =>
  page.getByRole('grid', { name: 'Entry list' }).locator('[role="row"][aria-selected="true"]');

async function press(page: Page, key: string): Promise<void> {
  await focusApp(page);
  await page.keyboard.press(key);
}

test("switching branches moves the selection onto the branch: its head, or the same entry if it's shared", async ({
  studio,
}, info) => {
  const { page } = studio;
  const branch = page.getByRole('combobox', { name: 'Branch' });
  await expect(rows(page, /return .*actor\.init/)).toHaveCount(1);
  await fireIncrements(page, 3);
  await press(page, 'End');
  await openTab(page, 'State');
  await stepBackUntilState(page, '{"count":1}');
  // Continue from count 1 on a fork, and count to 2 there.
  await openTab(page, 'Details');
  await page.getByRole('button', { name: 'Continue from here' }).click();
  await expect(branch.getByRole('option')).toHaveCount(2);
  const fork = await branch.inputValue();
  expect(fork).not.toBe('main');
  await fireIncrements(page, 1);
  await press(page, 'End');
  await openTab(page, 'State');
  await expect(stateText(page)).toHaveText('{"count":2}');

  // On main, at its head (count 3).
  await branch.selectOption('main');
  await press(page, 'End');
  await expect(position(page)).toHaveText(/^(\d+) \/ \1 · seq \d+ · main$/);
  await expect(stateText(page)).toHaveText('{"count":3}');

  // Main's head is not on the fork: the fork opens on its own head, and follows it.
  await branch.selectOption(fork);
  await expect(position(page)).toHaveText(new RegExp(`^(\\d+) / \\1 · seq \\d+ · ${fork}$`));
  await expect(stateText(page)).toHaveText('{"count":2}');
  await expect(selectedRows(page)).toHaveCount(1);
  await expect(followButton(page)).toHaveAttribute('aria-pressed', 'true');
  await openTab(page, 'Details');
  await expect(detailsBranch(page)).toHaveText(fork);
  await shot(page, info, '01-fork-head-after-switch');

  // The first entry is shared history: it stays selected on main, at its row, not following.
  await press(page, 'Home');
  await expect(position(page)).toHaveText(new RegExp(`^1 / \\d+ · seq 0 · ${fork}$`));
  await branch.selectOption('main');
  await expect(position(page)).toHaveText(/^1 \/ \d+ · seq 0 · main$/);
  await expect(detailsBranch(page)).toHaveText('main');
  await expect(selectedRows(page)).toHaveCount(1);
  await expect(followButton(page)).toHaveAttribute('aria-pressed', 'false');
});

test('a "Who wrote?" answer goes away when the selection moves', async ({ studio }, info) => {
  const { page } = studio;
  await expect(rows(page, /return .*actor\.init/)).toHaveCount(1);
  await fireIncrements(page, 3);
  await press(page, 'End');
  await openTab(page, 'State');
  await stepBackUntilState(page, '{"count":1}');
  await page.getByRole('button', { name: 'Who wrote count?' }).click();
  const answer = page.getByRole('status').filter({ hasText: 'was last written by' });
  await expect(answer).toContainText('{"count":1}');

  await press(page, 'End');
  await expect(stateText(page)).toHaveText('{"count":3}');
  await expect(answer).toHaveCount(0);
  await shot(page, info, '01-answer-gone-after-end');
  // Asked again, it answers for the entry now selected.
  await page.getByRole('button', { name: 'Who wrote count?' }).click();
  await expect(answer).toContainText('{"count":3}');
});
