/**
 * The HTTP history kept across reloads: what is stored (cut to size), what is read back (only what is a history
 * item), per db, and the store's history following the db the service names.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStudioStore } from './create-store.ts';
import {
  HTTP_HISTORY_MAX,
  httpHistoryKey,
  loadHttpHistory,
  parseHttpHistory,
  REQ_BODY_MAX,
  RES_BODY_MAX,
  saveHttpHistory,
  serializeHttpHistory,
  type HttpHistoryItem,
} from './http-history.ts';

/** A localStorage stand-in; `quota`: setItem refuses values longer than that. */
function memoryStorage(quota = Infinity) {
  const m = new Map<string, string>();
  return {
    map: m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (v.length > quota) throw new DOMException('quota', 'QuotaExceededError');
      m.set(k, v);
    },
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    get length() {
      return m.size;
    },
  };
}

const item = (n: number, over: Partial<HttpHistoryItem> = {}): HttpHistoryItem => ({
  req: { actor: 'counter', method: 'POST', path: `/increment?n=${n}`, headers: [['content-type', 'application/json']] },
  res: { status: 200, headers: [['content-type', 'application/json']], body: `{"count":${n}}`, ms: 3, entries: ['ab'] },
  at: 1_700_000_000_000 + n,
  ...over,
});

describe('stored and read back', () => {
  it('round-trips items as they were', () => {
    const items = [item(2, { req: { ...item(2).req, body: '{"by":2}' } }), item(1, { res: null, error: 'refused' })];
    expect(parseHttpHistory(serializeHttpHistory(items))).toEqual(items);
  });

  it('keeps the newest 50', () => {
    const items = Array.from({ length: 60 }, (_, i) => item(60 - i));
    const back = parseHttpHistory(serializeHttpHistory(items));
    expect(back).toHaveLength(HTTP_HISTORY_MAX);
    expect(back[0]).toEqual(items[0]);
    expect(back.at(-1)).toEqual(items[49]);
  });

  it('cuts a long response body and a long request body, and marks them', () => {
    const big = 'x'.repeat(100_000);
    const h = item(1, {
      req: { ...item(1).req, body: big },
      res: { ...item(1).res!, body: big, entries: Array.from({ length: 500 }, (_, i) => i.toString(16)) },
    });
    const raw = serializeHttpHistory([h]);
    expect(raw.length).toBeLessThan(REQ_BODY_MAX + RES_BODY_MAX + 2_000);
    const [back] = parseHttpHistory(raw);
    expect(back!.req.body).toBe(big.slice(0, REQ_BODY_MAX));
    expect(back!.res!.body).toBe(big.slice(0, RES_BODY_MAX));
    expect(back!.res!.entries.length).toBeLessThan(500);
    expect(back).toMatchObject({ reqTruncated: true, resTruncated: true });
    // Stored again (another request was pushed): still marked.
    expect(parseHttpHistory(serializeHttpHistory([back!]))[0]).toMatchObject({
      reqTruncated: true,
      resTruncated: true,
    });
  });

  it('does not mark what fits', () => {
    const [back] = parseHttpHistory(serializeHttpHistory([item(1)]));
    expect(back).not.toHaveProperty('reqTruncated');
    expect(back).not.toHaveProperty('resTruncated');
  });
});

describe('what is read back is checked', () => {
  it.each([
    ['nothing stored', null],
    ['not JSON', '{"v":1,"items":['],
    ['JSON of another shape', '[1,2,3]'],
    ['another version', JSON.stringify({ v: 99, items: [item(1)] })],
    ['items not a list', JSON.stringify({ v: 1, items: { 0: item(1) } })],
    ['null', 'null'],
  ])('%s: an empty history', (_, raw) => {
    expect(parseHttpHistory(raw)).toEqual([]);
  });

  it('leaves out the items that are not history items, keeps the others', () => {
    const good = item(1);
    const bad: unknown[] = [
      null,
      'POST /increment',
      { ...good, at: 'yesterday' },
      { ...good, req: { ...good.req, method: 7 } },
      { ...good, req: { ...good.req, path: 'no-slash' } },
      { ...good, req: { ...good.req, headers: [['only-name']] } },
      { ...good, req: { ...good.req, body: { json: true } } },
      { ...good, res: { ...good.res, status: '200' } },
      { ...good, res: { ...good.res, entries: [1, 2] } },
      { ...good, res: null }, // no response and no error
      { ...good, error: 42 },
    ];
    const raw = JSON.stringify({ v: 1, items: [bad[0], good, ...bad.slice(1)] });
    expect(parseHttpHistory(raw)).toEqual([good]);
  });

  it('passes on nothing it does not know', () => {
    const raw = JSON.stringify({
      v: 1,
      items: [
        { ...item(1), extra: 'x', req: { ...item(1).req, extra: 'y' } },
        // a cut marker it cannot read: whether the body was cut is unknown, so the item is left out
        { ...item(2), reqTruncated: 'yes' },
      ],
    });
    expect(parseHttpHistory(raw)).toEqual([item(1)]);
  });
});

describe('kept per db in storage', () => {
  it('saves and loads each db under its own key', () => {
    const s = memoryStorage();
    saveHttpHistory('/a/chain.db', [item(1)], s);
    saveHttpHistory('/b/chain.db', [item(2), item(3)], s);
    expect(loadHttpHistory('/a/chain.db', s)).toEqual([item(1)]);
    expect(loadHttpHistory('/b/chain.db', s)).toEqual([item(2), item(3)]);
    expect(loadHttpHistory('/c/chain.db', s)).toEqual([]);
    expect([...s.map.keys()]).toEqual([httpHistoryKey('/a/chain.db'), httpHistoryKey('/b/chain.db')]);
  });

  it('storage full: keeps the newest few; refused altogether: keeps nothing, and does not throw', () => {
    const items = Array.from({ length: 50 }, (_, i) => item(i, { req: { ...item(i).req, body: 'y'.repeat(1000) } }));
    const small = memoryStorage(20_000);
    expect(saveHttpHistory('/a.db', items, small)).toBe(10);
    expect(loadHttpHistory('/a.db', small)).toHaveLength(10);
    expect(saveHttpHistory('/a.db', items, memoryStorage(10))).toBe(0);
    expect(saveHttpHistory('/a.db', items, null)).toBe(0);
  });

  it('storage that throws on reading: an empty history', () => {
    const broken = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {},
    };
    expect(loadHttpHistory('/a.db', broken)).toEqual([]);
  });
});

describe('the store', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the db’s kept history once the db is known, and keeps what is fired for it', () => {
    const s = memoryStorage();
    vi.stubGlobal('localStorage', s);
    saveHttpHistory('/a.db', [item(1)], s);
    const store = createStudioStore();
    // Fired before the service said which db it serves: in memory, then kept with the db's history.
    store.getState().pushHttp(item(2));
    expect(s.map.size).toBe(1);
    store.getState().setHttpHistoryDb('/a.db');
    expect(store.getState().httpHistory).toEqual([item(2), item(1)]);
    store.getState().pushHttp(item(3));
    expect(loadHttpHistory('/a.db', s)).toEqual([item(3), item(2), item(1)]);
    // Told the same db again (a reconnection): nothing changes.
    store.getState().setHttpHistoryDb('/a.db');
    expect(store.getState().httpHistory).toHaveLength(3);

    // A reload: a new store reads it back.
    const after = createStudioStore();
    expect(after.getState().httpHistory).toEqual([]);
    after.getState().setHttpHistoryDb('/a.db');
    expect(after.getState().httpHistory).toEqual([item(3), item(2), item(1)]);

    // Another db: its own history, not this one's.
    after.getState().setHttpHistoryDb('/b.db');
    expect(after.getState().httpHistory).toEqual([]);
    expect(loadHttpHistory('/a.db', s)).toHaveLength(3);
  });

  it('keeps at most 50, in memory and in storage', () => {
    const s = memoryStorage();
    vi.stubGlobal('localStorage', s);
    const store = createStudioStore();
    store.getState().setHttpHistoryDb('/a.db');
    for (let i = 0; i < 60; i++) store.getState().pushHttp(item(i));
    expect(store.getState().httpHistory).toHaveLength(HTTP_HISTORY_MAX);
    expect(store.getState().httpHistory[0]).toEqual(item(59));
    expect(loadHttpHistory('/a.db', s)).toHaveLength(HTTP_HISTORY_MAX);
  });
});
