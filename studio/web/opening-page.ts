/**
 * The Studio's page as the web host serves it: the built index.html with the opening's replies in it (studio/
 * contract.ts §The opening): the actor list, and the branches and head graph window of the actor shown first, as
 * the service answers them now, so that the renderer paints the graph without waiting for its WebSocket. The replies
 * go in a JSON data block, which the page's CSP does not treat as a script.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { OPENING_ELEMENT_ID, firstActor, headWindow, type ActorView, type OpeningReply } from '../contract.ts';
import type { ServedApi } from '../service/served.ts';

/** The opening's replies: the actor list, then the branches and head window of the actor the renderer shows first. */
export async function openingReplies(service: ServedApi): Promise<OpeningReply[]> {
  const actors = (await service.invoke('listActors', {})) as readonly ActorView[];
  const first = firstActor(actors);
  const asked: OpeningReply[] = [{ method: 'listActors', params: {}, result: actors }];
  if (!first) return asked;
  const window = headWindow(first);
  const asks = [
    { method: 'branches', params: { actor: first.id } },
    ...(window ? [{ method: 'graph', params: window }] : []),
  ];
  const results = await Promise.all(asks.map((q) => service.invoke(q.method, q.params)));
  return [...asked, ...asks.map((q, i) => ({ ...q, result: results[i] }) as OpeningReply)];
}

/** How long the page waits for the replies (they take a few ms): past it, the page goes without and asks. */
const OPENING_WAIT_MS = 250;

/** index.html with the replies before `</head>`; without them when the service cannot answer soon (the page asks). */
export async function openingPage(indexFile: string, service: ServedApi): Promise<string> {
  const html = await readFile(indexFile, 'utf8');
  const wait = new AbortController();
  const late = delay(OPENING_WAIT_MS, undefined, { signal: wait.signal }).catch(() => undefined);
  const replies = await Promise.race([openingReplies(service).catch(() => undefined), late]);
  wait.abort();
  if (!replies) return html;
  // `<` escaped: no text in a reply can close the element (`</script>`) or open a comment.
  const json = JSON.stringify(replies).replace(/</g, '\\u003c');
  const block = `<script type="application/json" id="${OPENING_ELEMENT_ID}">${json}</script>`;
  return html.replace('</head>', `${block}\n</head>`);
}
