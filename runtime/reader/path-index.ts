/**
 * A compact, incrementally built index of one actor's chain, per branch path (root → branch head, crossing fork
 * points), so the entry list and the graph can page and filter a million entries without shipping or re-reading
 * the chain. It keeps numbers only (entry id, kind code, interned interface#function, no-op flags): payloads are
 * read from the store per page, by id. It reads through ChainReader, so it indexes a SQLite store or a hub node alike.
 *
 * Index i of a branch path is the entry with seq i (seq = parent's seq + 1, root 0), so "position" and "seq" agree.
 */
import { CROSSING_IMPORTS, ENTRY_KINDS, hashEquals, type Hash } from '../chain/entry.ts';
import type { ChainReader, IndexRow } from './chain-reader.ts';
import { KIND_CODES, kindName } from './codes.ts';

/**
 * The entries appended on one branch, in order, as parallel typed arrays that double as they fill: a million
 * entries take ~15 MB instead of the ~50 MB of number[]s.
 */
class OwnRows {
  length = 0;
  /** Entry ids are SQLite rowids: Float64Array holds any of them exactly. */
  ids = new Float64Array(256);
  /** ENTRY_KINDS index. */
  kinds = new Uint8Array(256);
  /** Interned interface#function code. */
  fns = new Uint32Array(256);
  /** 1 = a `return` whose state equals its parent's and whose call reached no other actor (EntryView.noop). */
  noopReturn = new Uint8Array(256);
  /** 1 = part of a call group (call … return) that changed nothing: what "hide no-ops" hides. */
  hideable = new Uint8Array(256);
  /** Index of the open group's `call` in these rows, -1 when none. */
  openCall = -1;
  /** The open group made a crossing import (a message or a supervisor's order): it changed something elsewhere. */
  openCrossed = false;
  /** Entry id and state blob id of the last row (ids, not hashes: blobs are stored once, so equal ids = equal states). */
  lastId: number | null = null;
  lastState: number | null = null;

  /** Appends a row; returns its index. */
  push(id: number, kind: number, fn: number, noop: number): number {
    if (this.length === this.ids.length) {
      const n = this.length * 2;
      this.ids = grown(this.ids, new Float64Array(n));
      this.kinds = grown(this.kinds, new Uint8Array(n));
      this.fns = grown(this.fns, new Uint32Array(n));
      this.noopReturn = grown(this.noopReturn, new Uint8Array(n));
      this.hideable = grown(this.hideable, new Uint8Array(n));
    }
    const i = this.length++;
    this.ids[i] = id;
    this.kinds[i] = kind;
    this.fns[i] = fn;
    this.noopReturn[i] = noop;
    return i;
  }
}

function grown<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
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

/** Rows read per slice: ~10-25 ms of work, so requests are served between slices while a big chain is indexed. */
const PAGE = 10_000;
/** Stored kind code → its index in ENTRY_KINDS (the order the Studio's contract ships kinds in). */
const KINDS = new Map<number, number>(Object.values(KIND_CODES).map((c) => [c, ENTRY_KINDS.indexOf(kindName(c)!)]));
const EVENT = ENTRY_KINDS.indexOf('event');
const RETURN = ENTRY_KINDS.indexOf('return');
const CALL = ENTRY_KINDS.indexOf('call');
const ERROR = ENTRY_KINDS.indexOf('error');
const IMPORT = ENTRY_KINDS.indexOf('import');

export class ActorIndex {
  private lastId = 0;
  private readonly own = new Map<string, OwnRows>();
  private readonly fnKeys: string[] = [];
  /** Per fn code: a crossing import's function (CROSSING_IMPORTS). */
  private readonly crossing: boolean[] = [];
  private readonly fnIds = new Map<string, number>();
  /** Store fn id → our fn code, and store branch id → name: looked up once, not per row. */
  private readonly fnCodes = new Map<number, number>();
  private readonly branchById = new Map<number, string>();
  private bases = new Map<string, Hash | null>();
  /** Each fork point's own branch and seq (read when the branch list is, so that `path` needs no reads). */
  private baseEntries = new Map<string, { branch: string; seq: number }>();
  private paths = new Map<string, Path>();
  private building: Promise<void> | null = null;
  /** Reads that add rows run one at a time: two interleaved would both read after the same id. */
  private reading: Promise<unknown> = Promise.resolve();
  private isBuilt = false;
  private stopped = false;
  /** Bumped whenever rows are added: filter caches keyed on it stay valid until the chain grows. */
  version = 0;

  constructor(
    private readonly store: ChainReader,
    readonly actor: string,
  ) {}

  /** True once the whole chain has been read: `path` and `refresh` may be used. */
  get built(): boolean {
    return this.isBuilt;
  }

  /**
   * Reads the chain in slices, yielding to the event loop between them, so a million entries do not block the
   * service for seconds (the head's page and graph window are served from `tail` meanwhile). Idempotent.
   */
  build(): Promise<void> {
    this.building ??= (async () => {
      const slice = () => new Promise<void>((resolve) => setImmediate(resolve));
      await slice(); // not inside the request that asked first
      if (this.stopped) return;
      await this.exclusive(() => this.readBranches());
      while ((await this.exclusive(() => this.readRows())) === PAGE) {
        await slice();
        if (this.stopped) return;
      }
      this.isBuilt = true;
      this.version++;
      this.paths = new Map();
    })();
    return this.building;
  }

  /** Ends a build in progress at its next slice (the store is about to close); `build` then never resolves as built. */
  stop(): void {
    this.stopped = true;
  }

  /** Reads what was committed since the last call, once built. Cheap when nothing is new. */
  refresh(): Promise<void> {
    return this.exclusive(async () => {
      let changed = await this.readBranches();
      for (let n = PAGE; n === PAGE;) {
        n = await this.readRows();
        if (n > 0) changed = true;
      }
      if (changed) {
        this.version++;
        this.paths = new Map();
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.reading.then(fn, fn);
    this.reading = run.catch(() => {});
    return run;
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

  /**
   * The last `count` positions of the path ending at entry `headId` (seq `headSeq`), read by walking parent links:
   * what the head's list page and graph window need, without the rest of the chain. Its `noop` flags are exact;
   * `hideable` only sees groups that start inside the tail (hiding no-ops waits for the full index).
   */
  async tail(headId: number, headSeq: number, count: number): Promise<Path> {
    // One row more than asked: a return's no-op flag compares its state with its parent's.
    const walked = (await this.store.ancestorRows(headId, Math.min(count, headSeq + 1) + 1)).reverse();
    await this.learnFns(walked);
    const rows = new OwnRows();
    for (const r of walked) this.append(rows, r, rows.lastState);
    const skip = walked[0]?.[1] != null ? 1 : 0;
    return new Path([{ rows, start: skip, count: rows.length - skip }], headSeq + 1 - (rows.length - skip));
  }

  /** Re-reads the branch list; true when a branch or a fork point changed. */
  private async readBranches(): Promise<boolean> {
    const bases = new Map((await this.store.branches(this.actor)).map((b) => [b.name, b.base] as const));
    const changed =
      bases.size !== this.bases.size ||
      [...bases].some(([k, v]) => !this.bases.has(k) || !hashEquals(this.bases.get(k) ?? null, v));
    if (!changed) return false;
    const baseEntries = new Map<string, { branch: string; seq: number }>();
    for (const [name, base] of bases) {
      const e = base && (await this.store.entry(base, this.actor));
      if (e) baseEntries.set(name, { branch: e.branch, seq: e.seq });
    }
    this.bases = bases;
    this.baseEntries = baseEntries;
    return true;
  }

  /** Indexes up to PAGE committed rows; returns how many it read (PAGE: there may be more). */
  private async readRows(): Promise<number> {
    // Bare integer rows (no joins, no hashes).
    const batch = await this.store.indexRows(this.actor, this.lastId, PAGE);
    await this.learnFns(batch);
    if (batch.some((r) => !this.branchById.has(r[2]))) {
      for (const [id, n] of await this.store.branchNames(this.actor)) this.branchById.set(id, n);
    }
    for (const r of batch) {
      this.lastId = r[0];
      const branch = this.branchById.get(r[2]) ?? `#${r[2]}`;
      let rows = this.own.get(branch);
      if (!rows) this.own.set(branch, (rows = new OwnRows()));
      // The parent is normally the previous entry of this branch; after a fork it is the base on another branch.
      const parentId = r[1];
      const parentState =
        parentId === null
          ? null
          : parentId === rows.lastId
            ? rows.lastState
            : ((await this.store.stateIdOf(parentId)) ?? null);
      this.append(rows, r, parentState);
    }
    return batch.length;
  }

  /** Interns the interface/function names of rows whose fn ids are new to us (one read per page at most). */
  private async learnFns(rows: readonly IndexRow[]): Promise<void> {
    if (!rows.some((r) => !this.fnCodes.has(r[4]))) return;
    const names = await this.store.fnNames();
    for (const r of rows) {
      const fnId = r[4];
      if (this.fnCodes.has(fnId)) continue;
      const n = names.get(fnId);
      const key = `${n?.iface ?? ''}#${n?.fn ?? ''}`;
      let code = this.fnIds.get(key);
      if (code === undefined) {
        code = this.fnKeys.push(key) - 1;
        this.crossing[code] = CROSSING_IMPORTS.has(n?.fn ?? '');
        this.fnIds.set(key, code);
      }
      this.fnCodes.set(fnId, code);
    }
  }

  private segments(branch: string, seen: Set<string>): Segment[] {
    if (!this.bases.has(branch) || seen.has(branch)) return [];
    seen.add(branch);
    const rows = this.own.get(branch) ?? new OwnRows();
    const base = this.bases.get(branch) ?? null;
    const prefix: Segment[] = [];
    if (base) {
      const baseEntry = this.baseEntries.get(branch);
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
    return [...prefix, { rows, start: 0, count: rows.length }];
  }

  private append(rows: OwnRows, r: IndexRow, parentState: number | null): void {
    const [id, , , kindCode, fnId, stateId] = r;
    const kind = KINDS.get(kindCode) ?? EVENT;
    const fn = this.fnCodes.get(fnId) ?? 0;
    if (kind === IMPORT && this.crossing[fn]) rows.openCrossed = true;
    const noop = kind === RETURN && parentState === stateId && !rows.openCrossed ? 1 : 0;
    const i = rows.push(id, kind, fn, noop);
    if (kind === CALL) {
      rows.openCall = i;
      rows.openCrossed = false;
    }
    if (kind === RETURN || kind === ERROR) {
      if (noop && rows.openCall >= 0) for (let j = rows.openCall; j <= i; j++) rows.hideable[j] = 1;
      rows.openCall = -1;
      rows.openCrossed = false;
    }
    rows.lastId = id;
    rows.lastState = stateId;
  }
}

/**
 * One branch's path from the root: random access by position (= seq). A tail path holds only positions from
 * `first` on; the ones before it read as undefined.
 */
export class Path {
  readonly length: number;
  constructor(
    private readonly segs: readonly Segment[],
    readonly first = 0,
  ) {
    this.length = segs.reduce((n, s) => n + s.count, first);
  }

  at(i: number): PathRow | undefined {
    let found: PathRow | undefined;
    this.scan(i, i + 1, (_i, row) => ((found = row), false));
    return found;
  }

  /** Calls `visit` for positions from..to-1 in order (those held); stops early when it returns false. */
  scan(from: number, to: number, visit: (i: number, row: PathRow) => boolean): void {
    let base = this.first;
    for (const s of this.segs) {
      const lo = Math.max(from - base, 0);
      const hi = Math.min(to - base, s.count);
      for (let k = lo; k < hi; k++) {
        const j = s.start + k;
        const row = {
          id: s.rows.ids[j]!,
          kind: s.rows.kinds[j]!,
          fn: s.rows.fns[j]!,
          noop: s.rows.noopReturn[j] === 1,
          hideable: s.rows.hideable[j] === 1,
        };
        if (!visit(base + k, row)) return;
      }
      base += s.count;
      if (base >= to) return;
    }
  }
}
