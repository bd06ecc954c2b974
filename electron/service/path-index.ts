/**
 * A compact, incrementally built index of one actor's chain, per branch path (root → branch head, crossing fork
 * points), so the entry list and the graph can page and filter a million entries without shipping or re-reading
 * the chain. It keeps numbers only (entry id, kind code, interned interface#function, no-op flags): payloads are
 * read from the store per page, by id.
 *
 * Index i of a branch path is the entry with seq i (seq = parent's seq + 1, root 0), so "position" and "seq" agree.
 */
import { hashEquals, toHex, type EntryKind, type Hash } from '../../runtime/chain/entry.ts';
import type { ChainStore, StoredEntry } from '../../runtime/store/index.ts';
import { KIND_ORDER } from '../shared/contract.ts';

/** The entries appended on one branch, in order, as parallel arrays. */
interface OwnRows {
  readonly ids: number[];
  readonly kinds: number[];
  readonly fns: number[];
  /** 1 = a `return` whose state equals its parent's (EntryView.noop). */
  readonly noopReturn: number[];
  /** 1 = part of a call group (call … return) that changed nothing: what "hide no-ops" hides. */
  readonly hideable: number[];
  /** Index of the open group's `call` in these rows, -1 when none. */
  openCall: number;
  lastHash: Hash | null;
  lastState: Hash | null;
}

/** A contiguous run of one branch's own rows on a path. */
interface Segment {
  readonly rows: OwnRows;
  readonly start: number;
  readonly count: number;
}

export interface PathRow {
  readonly id: number;
  readonly kind: number;
  readonly fn: number;
  readonly noop: boolean;
  readonly hideable: boolean;
}

const PAGE = 5000;

export class ActorIndex {
  private lastId = 0;
  private readonly own = new Map<string, OwnRows>();
  private readonly fnKeys: string[] = [];
  private readonly fnIds = new Map<string, number>();
  private bases = new Map<string, Hash | null>();
  private paths = new Map<string, Path>();
  /** Bumped whenever rows are added: filter caches keyed on it stay valid until the chain grows. */
  version = 0;

  constructor(
    private readonly store: ChainStore,
    readonly actor: string,
  ) {}

  /** Reads what was committed since the last call. Cheap when nothing is new. */
  refresh(): void {
    const branches = this.store.branches(this.actor);
    const bases = new Map(branches.map((b) => [b.name, b.base] as const));
    let changed = bases.size !== this.bases.size || [...bases].some(([k, v]) => !this.bases.has(k) || !hashEquals(this.bases.get(k) ?? null, v));
    this.bases = bases;
    for (;;) {
      const batch = this.store.entries({ actor: this.actor, afterId: this.lastId, limit: PAGE });
      for (const e of batch) this.add(e);
      if (batch.length > 0) changed = true;
      if (batch.length < PAGE) break;
    }
    if (changed) {
      this.version++;
      this.paths = new Map();
    }
  }

  fnKey(code: number): string {
    return this.fnKeys[code] ?? '';
  }

  branchNames(): string[] {
    return [...this.bases.keys()];
  }

  path(branch: string): Path {
    let p = this.paths.get(branch);
    if (!p) {
      p = new Path(this.segments(branch, new Set()));
      this.paths.set(branch, p);
    }
    return p;
  }

  private segments(branch: string, seen: Set<string>): Segment[] {
    if (!this.bases.has(branch) || seen.has(branch)) return [];
    seen.add(branch);
    const rows = this.own.get(branch) ?? emptyRows();
    const base = this.bases.get(branch) ?? null;
    const prefix: Segment[] = [];
    if (base) {
      const baseEntry = this.store.entry(base, this.actor);
      if (baseEntry) {
        // The base's own branch path, cut right after the base entry.
        const full = this.segments(baseEntry.branch, seen);
        let remaining = baseEntry.seq + 1;
        for (const s of full) {
          if (remaining <= 0) break;
          const count = Math.min(s.count, remaining);
          prefix.push({ rows: s.rows, start: s.start, count });
          remaining -= count;
        }
      }
    }
    return [...prefix, { rows, start: 0, count: rows.ids.length }];
  }

  private add(e: StoredEntry): void {
    this.lastId = e.id;
    let rows = this.own.get(e.branch);
    if (!rows) this.own.set(e.branch, (rows = emptyRows()));
    const kind = KIND_ORDER.indexOf(e.kind);
    const key = `${e.iface}#${e.fn}`;
    let fn = this.fnIds.get(key);
    if (fn === undefined) {
      fn = this.fnKeys.push(key) - 1;
      this.fnIds.set(key, fn);
    }
    const i = rows.ids.length;
    rows.ids.push(e.id);
    rows.kinds.push(kind);
    rows.fns.push(fn);
    let noop = 0;
    if (e.kind === 'return') {
      // The parent is normally the previous entry of this branch; after a fork it is the base on another branch.
      const parentState = hashEquals(e.parent, rows.lastHash) ? rows.lastState : e.parent ? (this.store.entry(e.parent)?.state ?? null) : null;
      noop = hashEquals(parentState, e.state) ? 1 : 0;
    }
    rows.noopReturn.push(noop);
    rows.hideable.push(0);
    if (e.kind === 'call') rows.openCall = i;
    if (e.kind === 'return' || e.kind === 'error') {
      if (noop && rows.openCall >= 0) for (let j = rows.openCall; j <= i; j++) rows.hideable[j] = 1;
      rows.openCall = -1;
    }
    rows.lastHash = e.hash;
    rows.lastState = e.state;
  }
}

function emptyRows(): OwnRows {
  return { ids: [], kinds: [], fns: [], noopReturn: [], hideable: [], openCall: -1, lastHash: null, lastState: null };
}

/** One branch's path from the root: random access by position (= seq). */
export class Path {
  readonly length: number;
  constructor(private readonly segs: readonly Segment[]) {
    this.length = segs.reduce((n, s) => n + s.count, 0);
  }

  at(i: number): PathRow | undefined {
    if (i < 0 || i >= this.length) return undefined;
    let k = i;
    for (const s of this.segs) {
      if (k < s.count) {
        const j = s.start + k;
        return { id: s.rows.ids[j]!, kind: s.rows.kinds[j]!, fn: s.rows.fns[j]!, noop: s.rows.noopReturn[j] === 1, hideable: s.rows.hideable[j] === 1 };
      }
      k -= s.count;
    }
    return undefined;
  }

  /** Calls `visit` for positions from..to-1 in order; stops early when it returns false. */
  scan(from: number, to: number, visit: (i: number, row: PathRow) => boolean): void {
    let base = 0;
    for (const s of this.segs) {
      const lo = Math.max(from - base, 0);
      const hi = Math.min(to - base, s.count);
      for (let k = lo; k < hi; k++) {
        const j = s.start + k;
        const row = { id: s.rows.ids[j]!, kind: s.rows.kinds[j]!, fn: s.rows.fns[j]!, noop: s.rows.noopReturn[j] === 1, hideable: s.rows.hideable[j] === 1 };
        if (!visit(base + k, row)) return;
      }
      base += s.count;
      if (base >= to) return;
    }
  }
}

export function kindCode(k: EntryKind): number {
  return KIND_ORDER.indexOf(k);
}

export const hex = toHex;
