/**
 * Right after "Continue from here", the toolbar and the graph say what is true of the new branch and the old one:
 * the integrity badge does not call the fork verified before a check has seen it (it showed "✓ N entries on every
 * branch verified" from the check before the fork), and "Following head" is not lit on a branch that is no longer
 * live, where nothing new will arrive.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/studio.ts';
import { fireIncrements, focusApp, rows, shot } from './helpers/studio-ui.ts';

/** Every (branch on screen, badge text) pair the page shows, frame by frame, until stopped. */
async function watchBadge(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { seen: string[]; watching: boolean };
    w.seen = [];
    w.watching = true;
    const tick = () => {
      const branch = (document.querySelector('select[aria-label="Branch"]') as HTMLSelectElement | null)?.value;
      const badge = document.querySelector('[aria-label="Integrity"]')?.textContent;
      const pair = `${branch} | ${badge}`;
      if (w.seen.at(-1) !== pair) w.seen.push(pair);
      if (w.watching) requestAnimationFrame(tick);
    };
    tick();
  });
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { seen: string[]; watching: boolean };
      w.watching = false;
      return w.seen;
    });
}

test('after a fork: no verdict for the fork before it is checked; "Following head" only on the live branch', async ({
  studio,
}, info) => {
  const { page } = studio;
  // Checks take as long as on a big chain (the counter's takes milliseconds): the fork is on screen before the
  // check after it answers, every time, which is when the badge used to call it verified.
  await page.routeWebSocket(/\/api/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((msg) => {
      const slow = typeof msg === 'string' && (JSON.parse(msg) as { method?: string }).method === 'verify';
      if (slow) setTimeout(() => server.send(msg), 2000);
      else server.send(msg);
    });
  });
  await page.reload();
  const branch = page.getByRole('combobox', { name: 'Branch' });
  const badge = page.getByRole('button', { name: 'Re-check integrity' });
  const follow = page.getByRole('button', { name: 'Follow live head' });
  await fireIncrements(page, 3);
  await expect(badge).toHaveText(/^✓ verified through #12$/);

  // Continue from count 1 (#6, the first increment's return).
  const stop = await watchBadge(page);
  await rows(page, /^#6 return/).click();
  await page.getByRole('button', { name: 'Continue from here' }).click();
  await expect(branch.getByRole('option')).toHaveCount(2);
  // The new branch is listed a moment before the view switches to it.
  await expect(branch).not.toHaveValue('main');
  const fork = await branch.inputValue();
  await expect(badge).toHaveText(/^✓ verified through #\d+$/);
  const seen = await stop();
  const onFork = seen.filter((p) => p.startsWith(`${fork} | `)).map((p) => p.slice(fork.length + 3));
  // Before the check that saw the fork, it is said to be unchecked (or being checked), never verified.
  expect(onFork.length, seen.join('\n')).toBeGreaterThan(1);
  expect(onFork[0], seen.join('\n')).toMatch(/not checked yet|verifying/);
  expect(onFork.filter((t) => t.startsWith('✓')).slice(0, 1), seen.join('\n')).toEqual([onFork.at(-1)]);
  expect(
    onFork.filter((t) => /every branch/.test(t)),
    seen.join('\n'),
  ).toEqual([]);
  await shot(page, info, '01-fork-checked');

  // The fork is live: following its head is real.
  await focusApp(page);
  await page.keyboard.press('End');
  await expect(follow).toHaveAttribute('aria-pressed', 'true');
  await expect(follow).toHaveText('● Following head');

  // main is not live any more: at its head too, nothing is followed, and the button says why.
  await branch.selectOption('main');
  await focusApp(page);
  await page.keyboard.press('End');
  await expect(page.getByLabel('Position')).toHaveText(/^(\d+) \/ \1 · seq \d+ · main$/);
  await expect(follow).toHaveAttribute('aria-pressed', 'false');
  await expect(follow).toHaveText('○ Not live');
  await expect(follow).toBeDisabled();
  await expect(follow).toHaveAttribute('title', `main is not live: nothing new is recorded on it. ${fork} is live.`);
  await shot(page, info, '02-main-not-live');

  await branch.selectOption(fork);
  await expect(follow).toBeEnabled();
  await expect(follow).toHaveAttribute('aria-pressed', 'true');
});
