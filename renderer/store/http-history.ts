/**
 * The HTTP panel's history, kept in localStorage per chain db: a reload of the page (or the Studio restarted on the
 * same db) still has the requests the user was iterating on, and another db's requests are not mixed in. What is
 * stored stays small: a response's body, headers and entry list are cut to a few KiB, and a request body too long to
 * keep is cut and marked (it can no longer be sent again as it was). What is read back is checked item by item:
 * anything that is not a history item (bad JSON, another version's format, a hand edit) is left out, never shown.
 */
import * as z from 'zod/mini';
import type { HttpFire, HttpFireResult } from '../../studio/contract.ts';

export interface HttpHistoryItem {
  readonly req: HttpFire;
  readonly res: HttpFireResult | null;
  readonly error?: string;
  readonly at: number;
  /** Kept with its request body cut to REQ_BODY_MAX characters: it cannot be sent again as it was. */
  readonly reqTruncated?: true;
  /** Kept with its response body cut to RES_BODY_MAX characters (or some of its headers or entries left out). */
  readonly resTruncated?: true;
}

/** Newest first, at most this many. */
export const HTTP_HISTORY_MAX = 50;
/** Characters of a request body kept; a longer one is cut and its item marked. */
export const REQ_BODY_MAX = 8 * 1024;
/** Characters of a response body kept. */
export const RES_BODY_MAX = 2 * 1024;
const RES_HEADERS_MAX = 32;
const RES_HEADER_VALUE_MAX = 512;
const RES_ENTRIES_MAX = 32;
const ERROR_MAX = 1024;
/** The stored format's version: a value of another version is not read. */
const VERSION = 1;
const KEY_PREFIX = 'studio.httpHistory:';

/** The localStorage key of the history kept for the db at `db` (its path, as the service names it). */
export function httpHistoryKey(db: string): string {
  return KEY_PREFIX + db;
}

/** The items as stored: each cut to size (see above), newest HTTP_HISTORY_MAX only. */
export function serializeHttpHistory(items: readonly HttpHistoryItem[]): string {
  return JSON.stringify({ v: VERSION, items: items.slice(0, HTTP_HISTORY_MAX).map(shrink) });
}

/** The items in a stored value; those that are not history items are left out, and a value that is not one is []. */
export function parseHttpHistory(raw: string | null): HttpHistoryItem[] {
  if (raw === null) return [];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return [];
  }
  const r = stored.safeParse(v);
  if (!r.success) return [];
  return r.data.items
    .map(readItem)
    .filter((x): x is HttpHistoryItem => x !== null)
    .slice(0, HTTP_HISTORY_MAX);
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

function localStore(): Storage | null {
  return typeof localStorage !== 'undefined' ? localStorage : null;
}

/** The history kept for `db`; [] when there is none, no storage here, or it cannot be read. */
export function loadHttpHistory(db: string, storage: Storage | null = localStore()): HttpHistoryItem[] {
  try {
    return parseHttpHistory(storage?.getItem(httpHistoryKey(db)) ?? null);
  } catch {
    return []; // storage refused (disabled, sandboxed): nothing kept
  }
}

/**
 * Keeps the history for `db`. When storage is full, the newest few are kept instead; when even that is refused, the
 * history is not kept (it still holds in memory). Returns how many items were stored.
 */
export function saveHttpHistory(
  db: string,
  items: readonly HttpHistoryItem[],
  storage: Storage | null = localStore(),
): number {
  if (!storage) return 0;
  for (const n of [HTTP_HISTORY_MAX, 10]) {
    const kept = items.slice(0, n);
    try {
      storage.setItem(httpHistoryKey(db), serializeHttpHistory(kept));
      return kept.length;
    } catch {
      // over quota, or storage refused: try fewer
    }
  }
  return 0;
}

function shrink(h: HttpHistoryItem): HttpHistoryItem {
  const body = h.req.body;
  const reqCut = body !== undefined && body.length > REQ_BODY_MAX;
  const req: HttpFire = {
    actor: h.req.actor,
    method: h.req.method,
    path: h.req.path,
    headers: h.req.headers,
    ...(body !== undefined ? { body: reqCut ? body.slice(0, REQ_BODY_MAX) : body } : {}),
  };
  let resCut = false;
  let res: HttpFireResult | null = null;
  if (h.res) {
    const r = h.res;
    resCut =
      r.body.length > RES_BODY_MAX ||
      r.headers.length > RES_HEADERS_MAX ||
      r.headers.some(([, v]) => v.length > RES_HEADER_VALUE_MAX) ||
      r.entries.length > RES_ENTRIES_MAX;
    res = {
      status: r.status,
      headers: r.headers.slice(0, RES_HEADERS_MAX).map(([k, v]) => [k, v.slice(0, RES_HEADER_VALUE_MAX)] as const),
      body: r.body.slice(0, RES_BODY_MAX),
      ms: r.ms,
      entries: r.entries.slice(0, RES_ENTRIES_MAX),
    };
  }
  return {
    req,
    res,
    ...(h.error !== undefined ? { error: h.error.slice(0, ERROR_MAX) } : {}),
    at: h.at,
    ...(reqCut || h.reqTruncated ? { reqTruncated: true } : {}),
    ...(resCut || h.resTruncated ? { resTruncated: true } : {}),
  };
}

/** A history item as stored; what it does not name is dropped, and it has a response or the error it failed with. */
const pairs = z.array(z.tuple([z.string(), z.string()]));
const storedItem = z
  .object({
    req: z.object({
      actor: z.string().check(z.minLength(1)),
      method: z.string().check(z.minLength(1)),
      path: z.string().check(z.startsWith('/')),
      headers: pairs,
      body: z.optional(z.string()),
    }),
    res: z.nullable(
      z.object({ status: z.int(), headers: pairs, body: z.string(), ms: z.number(), entries: z.array(z.string()) }),
    ),
    error: z.optional(z.string()),
    at: z.number(),
    reqTruncated: z.optional(z.literal(true)),
    resTruncated: z.optional(z.literal(true)),
  })
  .check(z.refine((i) => i.res !== null || i.error !== undefined));
const stored = z.object({ v: z.literal(VERSION), items: z.array(z.unknown()) });

function readItem(v: unknown): HttpHistoryItem | null {
  const r = storedItem.safeParse(v);
  return r.success ? r.data : null;
}
