/**
 * A compact, incrementally built index of one actor's chain, per branch path (root → branch head, crossing fork
 * points), so the entry list and the graph can page and filter a million entries without shipping or re-reading
 * the chain. It keeps numbers only (entry id, kind code, interned interface#function, no-op flags): payloads are
 * read from the store per page, by id.
 *
 * Index i of a branch path is the entry with seq i (seq = parent's seq + 1, root 0), so "position" and "seq" agree.
 */
import { hashEquals, toHex, type EntryKind, type Hash } from '../../runtime/chain/entry.ts';
import type { ChainStore } from '../../runtime/store/index.ts';
import type { IndexRow } from '../../runtime/store/chain-store.ts';
import { kindName as storeKindName } from '../../runtime/store/rows.ts';
import { KIND_CODES } from '../../runtime/store/schema.ts';
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
  /** Entry id and state blob id of the last row (ids, not hashes: blobs are stored once, so equal ids = equal states). */
  lastId: number | null;
  lastState: number | null;
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

const PAGE = 20_000;
const STORE_KIND_NAMES = new Map<number, EntryKind>(Object.values(KIND_CODES).map((c) => [c, storeKindName(c)!]));

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
    // Bare integer rows (no joins, no hashes): a million entries index in about a second.
    let branchNames: Map<number, string> | undefined;
    let fnNames: Map<number, { iface: string; fn: string }> | undefined;
    for (;;) {
      const batch = this.store.indexRows(this.actor, this.lastId, PAGE);
      if (batch.length > 0) {
        branchNames ??= this.store.branchNames(this.actor);
        fnNames ??= this.store.fnNames();
        for (const r of batch) this.add(r, branchNames, fnNames);
        changed = true;
      }
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

  private add(r: IndexRow, branchNames: Map<number, string>, fnNames: Map<number, { iface: string; fn: string }>): void {
    const [id, parentId, branchId, kindCode, fnId, stateId] = r;
    this.lastId = id;
    const branch = branchNames.get(branchId) ?? this.store.branchNames(this.actor).get(branchId) ?? `#${branchId}`;
    let rows = this.own.get(branch);
    if (!rows) this.own.set(branch, (rows = emptyRows()));
    const kindName = STORE_KIND_NAMES.get(kindCode) ?? 'event';
    const kind = KIND_ORDER.indexOf(kindName);
    const names = fnNames.get(fnId) ?? this.store.fnNames().get(fnId);
    const key = `${names?.iface ?? ''}#${names?.fn ?? ''}`;
    let fn = this.fnIds.get(key);
    if (fn === undefined) {
      fn = this.fnKeys.push(key) - 1;
      this.fnIds.set(key, fn);
    }
    const i = rows.ids.length;
    rows.ids.push(id);
    rows.kinds.push(kind);
    rows.fns.push(fn);
    let noop = 0;
    if (kindName === 'return') {
      // The parent is normally the previous entry of this branch; after a fork it is the base on another branch.
      const parentState = parentId === null ? null : parentId === rows.lastId ? rows.lastState : (this.store.stateIdOf(parentId) ?? null);
      noop = parentState === stateId ? 1 : 0;
    }
    rows.noopReturn.push(noop);
    rows.hideable.push(0);
    if (kindName === 'call') rows.openCall = i;
    if (kindName === 'return' || kindName === 'error') {
      if (noop && rows.openCall >= 0) for (let j = rows.openCall; j <= i; j++) rows.hideable[j] = 1;
      rows.openCall = -1;
    }
    rows.lastId = id;
    rows.lastState = stateId;
  }
}

function emptyRows(): OwnRows {
  return { ids: [], kinds: [], fns: [], noopReturn: [], hideable: [], openCall: -1, lastId: null, lastState: null };
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
