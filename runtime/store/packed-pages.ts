/**
 * Reading the chain sequentially in large packed pages, for a full verify (chain/verify.ts). SQLite packs a page
 * of rows into a handful of values — the numbers as one JSON array of rows (SQLite's JSON writer was the fastest of
 * the textual forms measured: int-to-text is the cost), the hashes and causes each concatenated into one blob — and
 * the JSON is scanned by hand into typed arrays reused page after page. better-sqlite3 hands over one value of one
 * row in about the time SHA-256 takes for a whole entry; JSON.parse made an array per row for the collector; this
 * makes none.
 *
 * A page is *plain* when every value has the type and shape the store writes (hashes 32-byte blobs, numbers
 * non-negative integers or NULL). A page that is not plain is returned as undefined and the caller reads it row by
 * row (store/audit.ts), so that verify reports exactly what is stored, however odd: SQL checks the blobs (a blob
 * where a number belongs is passed to JSON as NULL, which would hide it), the scan rejects anything in the JSON
 * that is not a plain integer or null (a real, a text, a negative number).
 */
import type Database from 'better-sqlite3';
import { SMALL_BLOB } from './schema.ts';

/** The numbers of an entry row in a page, in this order (NULL is -1). */
export const E_ID = 0;
export const E_PARENT = 1;
export const E_ACTOR = 2;
export const E_SEQ = 3;
export const E_KIND = 4;
export const E_FN = 5;
export const E_INPUT = 6;
export const E_OUTPUT = 7;
export const E_STATE = 8;
export const E_HAS_CAUSE = 9;
export const E_ORIGIN = 10;
export const E_COLS = 11;

/** Whole-store pages cover fixed id ranges: [k × PAGE_IDS + 1, (k + 1) × PAGE_IDS]. Fixed, so that a digest of
 *  "every page up to entry N" (chain/verify-checkpoint.ts) reads the same pages whenever it is recomputed. */
export const PAGE_IDS = 8192;

export interface EntryPage {
  /** Rows in the page. */
  n: number;
  /** Whether `nums` holds them: false when the JSON holds a value the store never writes (read row by row). */
  plain: boolean;
  /** The page as SQLite packed it (JSON of the numbers): with the hashes and causes, what a digest covers. */
  text: string;
  /** n × E_COLS numbers. */
  readonly nums: Float64Array;
  /** The rows' hashes, 32 bytes each, in row order. */
  hashes: Uint8Array;
  /** The causes of the rows that have one, 32 bytes each, in row order. */
  causes: Uint8Array;
}

export interface BlobPage {
  n: number;
  plain: boolean;
  text: string;
  /** Per row: id, stored hash length, bytes length. */
  readonly nums: Float64Array;
  readonly hashes: Uint8Array;
  readonly bytes: Uint8Array;
}

/** The numeric columns, in E_* order; `cause IS NOT NULL` stands for the cause (its bytes come apart). */
const ENTRY_NUMBERS = ['id', 'parent_id', 'actor_id', 'seq', 'kind', 'fn_id', 'input_id', 'output_id', 'state_id'];

function entryPageSql(where: string, limit: string): string {
  return `
    SELECT count(*), json_group_array(json_array(${ENTRY_NUMBERS.join(', ')}, cause IS NOT NULL, origin)),
      CAST(group_concat(hash, '') AS BLOB), CAST(group_concat(cause, '') AS BLOB)
    FROM (SELECT * FROM entries ${where} ORDER BY id ${limit})`;
}

/** SQLite refuses to put a blob into JSON: a blob where a number belongs. The page is then not plain. */
function blobInJson(e: unknown): boolean {
  return e instanceof Error && /JSON cannot hold BLOB/i.test(e.message);
}

export interface PackedPages {
  /** Entries with ids in [lo, hi]; undefined when SQLite refuses to pack them (a blob where a number belongs). */
  entryRange(lo: number, hi: number, into: EntryPage): EntryPage | undefined;
  /** One actor's entries after `afterId`, up to `limit` of them; undefined as above. */
  actorEntries(actorId: number, afterId: number, limit: number, into: EntryPage): EntryPage | undefined;
  /** Small blobs (bytes ≤ SMALL_BLOB) with ids in [lo, hi]; undefined as above. */
  smallBlobRange(lo: number, hi: number, into: BlobPage): BlobPage | undefined;
}

export function openPackedPages(db: Database.Database): PackedPages {
  const range = db.prepare(entryPageSql('WHERE id BETWEEN ? AND ?', '')).raw();
  const ofActor = db.prepare(entryPageSql('INDEXED BY entries_actor WHERE actor_id = ? AND id > ?', 'LIMIT ?')).raw();
  const blobs = db
    .prepare(
      `SELECT count(*), json_group_array(json_array(id, length(CAST(hash AS BLOB)), length(CAST(bytes AS BLOB)))),
        CAST(group_concat(hash, '') AS BLOB), CAST(group_concat(bytes, '') AS BLOB)
      FROM (SELECT * FROM blobs WHERE id BETWEEN ? AND ? AND length(bytes) <= ${SMALL_BLOB} ORDER BY id)`,
    )
    .raw();
  const entries = (get: () => unknown, into: EntryPage): EntryPage | undefined => {
    const row = packed(get);
    if (!row) return undefined;
    const [n, text, hashes, causes] = row;
    Object.assign(into, { n, text: text ?? '', hashes: hashes ?? EMPTY, causes: causes ?? EMPTY });
    into.plain = n === 0 || parseNumbers(into.text, into.nums, n * E_COLS, E_COLS);
    return into;
  };
  return {
    entryRange: (lo, hi, into) => entries(() => range.get(lo, hi), into),
    actorEntries: (actorId, afterId, limit, into) => entries(() => ofActor.get(actorId, afterId, limit), into),
    smallBlobRange(lo, hi, into) {
      const row = packed(() => blobs.get(lo, hi));
      if (!row) return undefined;
      const [n, text, hashes, bytes] = row;
      Object.assign(into, { n, text: text ?? '', hashes: hashes ?? EMPTY, bytes: bytes ?? EMPTY });
      into.plain = n === 0 || parseNumbers(into.text, into.nums, n * 3, 3);
      return into;
    },
  };
}

function packed(get: () => unknown): PageRow | undefined {
  try {
    return get() as PageRow;
  } catch (e) {
    if (blobInJson(e)) return undefined;
    throw e;
  }
}

type PageRow = [n: number, numbers: string | null, a: Buffer | null, b: Buffer | null];

/** Room for `rows` rows of an entry page. */
export function entryPage(rows: number): EntryPage {
  return { n: 0, plain: true, text: '', nums: new Float64Array(rows * E_COLS), hashes: EMPTY, causes: EMPTY };
}

export function blobPage(rows: number): BlobPage {
  return { n: 0, plain: true, text: '', nums: new Float64Array(rows * 3), hashes: EMPTY, bytes: EMPTY };
}

/**
 * Scans a JSON array of rows of `stride` numbers (non-negative integers or null: -1) into `out`. False when the text
 * holds anything else, or has the wrong count, or when the first number of each row (the row id) does not
 * increase: SQLite aggregates in the subquery's order in practice but does not promise it, and verify must not
 * trust a page that is not in id order.
 */
function parseNumbers(text: string, out: Float64Array, count: number, stride: number): boolean {
  let k = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      let v = 0;
      for (let d = c; d >= 48 && d <= 57; d = text.charCodeAt(++i)) v = v * 10 + (d - 48);
      if (k >= count || v > Number.MAX_SAFE_INTEGER) return false;
      out[k++] = v;
    } else if (c === 110 /* n */ && text.startsWith('null', i)) {
      if (k >= count) return false;
      out[k++] = -1;
      i += 4;
    } else if (c === 91 /* [ */ || c === 93 /* ] */ || c === 44 /* , */) i++;
    else return false; // a real, a text, a negative number, ...: not what the store writes
  }
  if (k !== count) return false;
  for (let r = stride; r < count; r += stride) if (out[r]! <= out[r - stride]!) return false;
  return true;
}

const EMPTY = new Uint8Array(0);
