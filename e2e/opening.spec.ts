/**
 * The page comes with the opening's answers (studio/contract.ts §The opening): the actor list and its head's graph
 * window are shown without waiting for the WebSocket, and what is recorded after the page was served and before its
 * socket opened still reaches the screen.
 */
import { expect, test } from './fixtures/studio.ts';
import { openTab, paintedNodes, shot, stateText } from './helpers/studio-ui.ts';

test('entries recorded between serving the page and its socket opening are shown', async ({ studio }, info) => {
  const { page, service } = studio;
  const sent: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => sent.push((JSON.parse(String(f.payload)) as { method: string }).method)),
  );
  // The socket is made by the bundle, so a message sent while the bundle is on its way lands after the page (and
  // its opening) was served and before the socket opened.
  let fired = 0;
  await page.route('**/assets/*.js', async (route) => {
    for (let i = 0; i < 2; i++) {
      const r = await service.fireMessage({ actor: 'counter', kind: 'send', json: '{"op":"increment"}' });
      expect(r.ok).toBe(true);
      fired++;
    }
    await route.continue();
  });
  // The launch URL, not a reload: the address bar now links to the entry that was selected.
  await page.goto(studio.url);
  await expect.poll(() => fired).toBe(2);
  const head = (await service.branches({ actor: 'counter' })).find((b) => b.live)!;
  await expect(page.getByLabel('Position')).toHaveText(
    new RegExp(`^${head.headSeq + 1} / ${head.headSeq + 1} · seq ${head.headSeq}`),
  );
  // The graph too (its head window came with the page): every call, return and import is painted.
  const { items } = await service.entries({ actor: 'counter', offset: 0, limit: 100 });
  const crossings = items.filter((e) => e.kind !== 'event').length;
  await expect.poll(() => paintedNodes(page)).toBe(crossings);
  await openTab(page, 'State');
  await expect(stateText(page)).toHaveText('{"count":2}');
  // The page did not have to ask for the actor list before showing it: its first request is a later one.
  expect(sent[0]).toBeDefined();
  expect(sent[0]).not.toBe('listActors');
  await shot(page, info, '01-caught-up');
});
