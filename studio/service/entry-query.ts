/**
 * Paging and filtering of one branch path for the entry list and the graph. Filters on kind, interface/function
 * and no-ops run on the compact index; full-text search decodes payloads, so its matches are cached per query and
 * extended incrementally as the chain grows (a second page, or a new entry, does not rescan what was scanned).
 * Entries and their payloads are read a window at a time, so a hub serves a page in a few round trips.
 */
import { toHex, type ActorIndex, type ChainReader, type Path, type PathRow } from '../../runtime/index.ts';
import { KIND_ORDER, type EntryPage, type EntryQuery, type EntryView, type GraphWindow } from '../contract.ts';
import { notFound } from './api-error.ts';
import { entryView, payloads, sameName, searchText, type ActorName } from './entry-views.ts';

interface FilterCache {
  readonly key: string;
  /** Path positions that matched, in order. */
  readonly matches: number[];
  /** Positions below this were examined. */
  scanned: number;
  pathRef: Path;
}

const MAX_CACHED_FILTERS = 16;
const HASH_PREFIX = /^[0-9a-f]{6,64}$/;
/** Positions a text search decodes per read. */
const SEARCH_WINDOW = 1024;

export class EntryQueries {
  private readonly caches = new Map<string, FilterCache>();

  constructor(
    private readonly reader: ChainReader,
    private readonly name: ActorName = sameName,
  ) {}

  /** Whether the query filters: filtered pages need the whole index (`filteredPage`), plain ones only their rows. */
  static filtered(q: EntryQuery): boolean {
    return (q.kinds !== undefined && q.kinds.length > 0) || !!q.iface || !!q.fn || !!q.search?.trim() || !!q.hideNoops;
  }

  /** An unfiltered page: positions offset.. of the path. `actor` is the reader's own name for it. */
  async page(actor: string, path: Path, q: EntryQuery): Promise<EntryPage> {
    const positions: number[] = [];
    for (let i = q.offset; i < Math.min(path.length, q.offset + q.limit); i++) positions.push(i);
    return { total: path.length, offset: q.offset, items: await this.views(actor, path, positions) };
  }

  async filteredPage(index: ActorIndex, q: EntryQuery, branch: string): Promise<EntryPage> {
    const path = index.path(branch);
    const matches = await this.matches(index, path, q, branch);
    return {
      total: matches.length,
      offset: q.offset,
      items: await this.views(index.actor, path, matches.slice(q.offset, q.offset + q.limit)),
    };
  }

  /** Where path position `at` is among the filter's matches; null when the filter hides it. */
  async position(index: ActorIndex, q: EntryQuery, branch: string, at: number): Promise<number | null> {
    const matches = await this.matches(index, index.path(branch), q, branch);
    let [lo, hi] = [0, matches.length - 1];
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = matches[mid]!;
      if (m === at) return mid;
      if (m < at) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  async graph(actor: string, branch: string, path: Path, fromSeq: number, toSeq: number): Promise<GraphWindow> {
    const kinds: number[] = [];
    const ids: number[] = [];
    const end = Math.min(toSeq + 1, path.length);
    path.scan(fromSeq, end, (_i, row) => {
      kinds.push(row.kind);
      ids.push(row.id);
      return true;
    });
    const hashes = (await this.reader.hashesOf(ids)).map((h) => (h ? toHex(h) : ''));
    return { actor: this.name(actor), branch, fromSeq, kinds, hashes };
  }

  private async views(actor: string, path: Path, positions: readonly number[]): Promise<EntryView[]> {
    const rows = positions.map((i) => path.at(i)!);
    const entries = await this.reader.entriesByIds(rows.map((r) => r.id));
    const found = entries.map((e, k) => {
      if (!e || e.actor !== actor) throw notFound(`entry #${rows[k]!.id} of ${actor} vanished from the store`);
      return e;
    });
    const blobs = await payloads(this.reader, found);
    return found.map((e, k) => entryView(e, rows[k]!.noop, blobs, this.name));
  }

  private async matches(index: ActorIndex, path: Path, q: EntryQuery, branch: string): Promise<number[]> {
    const key = JSON.stringify([
      index.actor,
      branch,
      q.kinds ?? null,
      q.iface ?? null,
      q.fn ?? null,
      q.search ?? null,
      !!q.hideNoops,
    ]);
    let c = this.caches.get(key);
    // A new path object means the branch was rebuilt (fork, new branch): start over.
    if (!c || c.pathRef !== path) {
      if (c && c.pathRef.length <= path.length && samePrefix(c.pathRef, path, c.scanned)) c.pathRef = path;
      else c = { key, matches: [], scanned: 0, pathRef: path };
    }
    this.caches.delete(key);
    this.caches.set(key, c); // most recently used last
    while (this.caches.size > MAX_CACHED_FILTERS) this.caches.delete(this.caches.keys().next().value!);

    const kinds = q.kinds ? new Set(q.kinds.map((k) => KIND_ORDER.indexOf(k))) : null;
    const needle = q.search?.trim().toLowerCase() || null;
    const cache = c;
    const end = path.length;
    while (cache.scanned < end) {
      const to = needle === null ? end : Math.min(end, cache.scanned + SEARCH_WINDOW);
      const kept: [number, PathRow][] = [];
      path.scan(cache.scanned, to, (i, row) => {
        if (keep(index, row, q, kinds)) kept.push([i, row]);
        return true;
      });
      if (needle === null) for (const [i] of kept) cache.matches.push(i);
      else {
        // Another request may have scanned this window meanwhile: only the first to finish records it.
        const from = cache.scanned;
        const hits = await this.textMatches(kept, needle);
        if (cache.scanned !== from) continue;
        cache.matches.push(...hits);
      }
      cache.scanned = to;
    }
    return cache.matches;
  }

  private async textMatches(kept: readonly [number, PathRow][], needle: string): Promise<number[]> {
    const entries = await this.reader.entriesByIds(kept.map(([, r]) => r.id));
    const blobs = await payloads(
      this.reader,
      entries.filter((e) => e !== undefined),
    );
    const out: number[] = [];
    entries.forEach((e, k) => {
      if (!e) return;
      // A typed hash, or its first 6+ digits, finds its entry too.
      const byHash = HASH_PREFIX.test(needle) && toHex(e.hash).startsWith(needle);
      if (byHash || searchText(e, blobs).includes(needle)) out.push(kept[k]![0]);
    });
    return out;
  }
}

function keep(index: ActorIndex, row: PathRow, q: EntryQuery, kinds: Set<number> | null): boolean {
  if (kinds && kinds.size > 0 && !kinds.has(row.kind)) return false;
  if (q.hideNoops && row.hideable) return false;
  if (q.iface || q.fn) {
    const key = index.fnKey(row.fn);
    const hash = key.lastIndexOf('#');
    if (q.iface && key.slice(0, hash) !== q.iface) return false;
    if (q.fn && key.slice(hash + 1) !== q.fn) return false;
  }
  return true;
}

/** The old path is a prefix of the new one up to `n` (the chain grew; nothing was rewritten). */
function samePrefix(a: Path, b: Path, n: number): boolean {
  if (n === 0) return true;
  const last = n - 1;
  return a.at(last)?.id === b.at(last)?.id && a.at(0)?.id === b.at(0)?.id;
}
