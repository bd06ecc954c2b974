/**
 * Paging and filtering of one branch path for the entry list and the graph. Filters on kind, interface/function
 * and no-ops run on the compact index; full-text search decodes payloads, so its matches are cached per query and
 * extended incrementally as the chain grows (a second page, or a new entry, does not rescan what was scanned).
 */
import { toHex, type ActorIndex, type ChainStore, type Path, type PathRow } from '../../runtime/index.ts';
import { KIND_ORDER, type EntryPage, type EntryQuery, type EntryView, type GraphWindow } from '../contract.ts';
import { notFound } from './api-error.ts';
import { entryById, entryView, searchText } from './entry-views.ts';

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

export class EntryQueries {
  private readonly caches = new Map<string, FilterCache>();

  constructor(private readonly store: ChainStore) {}

  /** Whether the query filters: filtered pages need the whole index (`filteredPage`), plain ones only their rows. */
  static filtered(q: EntryQuery): boolean {
    return (q.kinds !== undefined && q.kinds.length > 0) || !!q.iface || !!q.fn || !!q.search?.trim() || !!q.hideNoops;
  }

  /** An unfiltered page: positions offset.. of the path. */
  page(actor: string, path: Path, q: EntryQuery): EntryPage {
    const positions: number[] = [];
    for (let i = q.offset; i < Math.min(path.length, q.offset + q.limit); i++) positions.push(i);
    return { total: path.length, offset: q.offset, items: this.views(actor, path, positions) };
  }

  filteredPage(index: ActorIndex, q: EntryQuery, branch: string): EntryPage {
    const path = index.path(branch);
    const matches = this.matches(index, path, q, branch);
    return {
      total: matches.length,
      offset: q.offset,
      items: this.views(index.actor, path, matches.slice(q.offset, q.offset + q.limit)),
    };
  }

  /** Where path position `at` is among the filter's matches; null when the filter hides it. */
  position(index: ActorIndex, q: EntryQuery, branch: string, at: number): number | null {
    const matches = this.matches(index, index.path(branch), q, branch);
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

  graph(actor: string, branch: string, path: Path, fromSeq: number, toSeq: number): GraphWindow {
    const kinds: number[] = [];
    const hashes: string[] = [];
    const end = Math.min(toSeq + 1, path.length);
    path.scan(fromSeq, end, (_i, row) => {
      kinds.push(row.kind);
      const hash = this.store.hashOf(row.id);
      hashes.push(hash ? toHex(hash) : '');
      return true;
    });
    return { actor, branch, fromSeq, kinds, hashes };
  }

  private views(actor: string, path: Path, positions: readonly number[]): EntryView[] {
    return positions.map((i) => {
      const row = path.at(i)!;
      const e = entryById(this.store, actor, row.id);
      if (!e) throw notFound(`entry #${row.id} of ${actor} vanished from the store`);
      return entryView(this.store, e, row.noop);
    });
  }

  private matches(index: ActorIndex, path: Path, q: EntryQuery, branch: string): number[] {
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
    path.scan(cache.scanned, path.length, (i, row) => {
      if (keep(index, row, q, kinds) && (needle === null || this.matchesText(index.actor, row, needle)))
        cache.matches.push(i);
      return true;
    });
    cache.scanned = path.length;
    return cache.matches;
  }

  private matchesText(actor: string, row: PathRow, needle: string): boolean {
    const e = entryById(this.store, actor, row.id);
    if (!e) return false;
    // A typed hash, or its first 6+ digits, finds its entry too.
    if (HASH_PREFIX.test(needle) && toHex(e.hash).startsWith(needle)) return true;
    return searchText(this.store, e).includes(needle);
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
