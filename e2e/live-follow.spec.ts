/**
 * Issue 13, item 1: while "Following head" is lit, the list, the selection and Details follow the live head through
 * a burst of real HTTP requests fired by curl at the actor's own port.
 */
import { expect, test } from './fixtures/studio.ts';
import { curlBurst, httpPort } from './helpers/curl.ts';
import { openTab, shot, stateText } from './helpers/studio-ui.ts';

const BURST = 500;

test('a live burst of 500 curl requests: the list, the selection and Details end on the head', async ({
  studio,
}, info) => {
  test.setTimeout(180_000);
  const { page, service } = studio;
  const follow = page.getByRole('button', { name: 'Follow live head' });
  await expect(follow).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Position')).toHaveText(/^(\d+) \/ \1\b/);

  const statuses = await curlBurst(await httpPort(service, 'counter'), BURST, { parallel: 8 });
  expect(statuses.filter((s) => s === 200)).toHaveLength(BURST);
  const head = (await service.branches({ actor: 'counter' })).find((b) => b.live)!;
  const total = head.headSeq + 1;

  // Still following, and everything that follows sits on the head.
  await expect(follow).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Position')).toHaveText(new RegExp(`^${total} / ${total} · seq ${head.headSeq}`), {
    timeout: 30_000,
  });
  const grid = page.getByRole('grid', { name: 'Entry list' });
  const selected = grid.locator('[role="row"][aria-selected="true"]');
  await expect(selected).toHaveAttribute('aria-rowindex', String(total));
  await expect(selected).toBeInViewport();
  await expect(selected).toHaveAccessibleName(new RegExp(`^#${head.headSeq} return`));
  const details = page.getByRole('tabpanel', { name: 'Details' });
  await expect(details.getByText(head.head!, { exact: true })).toBeVisible();
  await openTab(page, 'State');
  await expect(stateText(page)).toHaveText(`{"count":${BURST}}`);
  await shot(page, info, '01-after-burst-on-head');
});
