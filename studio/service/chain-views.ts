/**
 * The reading half of the StudioApi over one ChainReader: entry pages, the graph, entry details with their causal
 * links, state, diffs, who-wrote, branches and bundle export. The StudioService uses one over its SQLite store; the
 * hub Studio one per node. Actor names here are the reader's own; `name` turns them into the contract's ids.
 */
import { join } from 'node:path';
import {
  ActorIndex,
  causalLinks,
  diffBranches,
  diffEntries,
  exportBundle,
  followFrom,
  toHex,
  whoWrote,
  type ChainReader,
  type FarSide,
  type Path,
  type StoredEntry,
  makeDirs,
} from '../../runtime/index.ts';
import type {
  BranchView,
  DiffView,
  EntryDetail,
  EntryPage,
  EntryQuery,
  EntryView,
  GraphWindow,
  Hex,
  LogPage,
  LogQuery,
  PathSegment,
  StateView,
} from '../contract.ts';
import { notFound } from './api-error.ts';
import { EntryQueries } from './entry-query.ts';
import { LogHistory } from './log-history.ts';
import {
  entryDetail,
  entryView,
  parseHash,
  payloads,
  requireEntry,
  sameName,
  stateView,
  type ActorName,
  type CausalLinks,
} from './entry-views.ts';
import { diffView, engine } from './time-travel.ts';

/** How far back from a branch head requests are served before the index is built: a list page and graph windows. */
const TAIL = 8192;
/**
 * A longer chain's index build (~0.5 s of CPU per million entries) starts this long after its actor is first asked
 * for: a Studio opening on it paints the head's graph window from the tail meanwhile, and the build does not take the
 * CPU from the browser's first render (2 cores, 1M entries, 10 interleaved openings: first paint median 1,299 ms
 * with the build at once, 956 ms deferred). A request that needs the whole chain (a filter, a far position) starts
 * it at once; the log panel's, sent at every opening, waits for it.
 */
const BUILD_AFTER_MS = 1500;

export interface ChainViewsOptions {
  /** The contract's id for an actor of this reader (default: the same). */
  readonly name?: ActorName;
  /** Lookups on other chains, for causal links that leave this one (a hub's other nodes). */
  readonly farSide?: FarSide;
  /** The contract's id for the actor of an entry a causal link points at (default: `name(e.actor)`). */
  readonly linkName?: (e: StoredEntry) => string;
}

export class ChainViews {
  private readonly indexes = new Map<string, ActorIndex>();
  /** Per actor: settles when its index build has started (see BUILD_AFTER_MS). */
  private readonly buildStarts = new Map<string, Promise<void>>();
  private readonly queries: EntryQueries;
  private readonly logs: LogHistory;
  private readonly name: ActorName;
  private known = new Set<string>();

  constructor(
    readonly reader: ChainReader,
    private readonly opts: ChainViewsOptions = {},
  ) {
    this.name = opts.name ?? sameName;
    this.queries = new EntryQueries(reader, this.name);
    this.logs = new LogHistory(reader);
  }

  /** Ends index builds in progress (the reader is about to close). */
  stop(): void {
    for (const ix of this.indexes.values()) ix.stop();
  }

  /** Whether the reader has this actor (re-reads the actor list when it is not known yet). */
  async has(actor: string): Promise<boolean> {
    if (!this.known.has(actor)) this.known = new Set((await this.reader.actors()).map((a) => a.id));
    return this.known.has(actor);
  }

  /**
   * The actor's index, its build started (in slices: see ActorIndex.build) or, for a long chain, scheduled (see
   * BUILD_AFTER_MS). Refuses unknown actors.
   */
  async index(actor: string): Promise<ActorIndex> {
    let ix = this.indexes.get(actor);
    if (!ix) {
      if (!(await this.has(actor))) throw notFound(`no actor ${this.name(actor)}`);
      ix = this.indexes.get(actor); // another request may have made it meanwhile
      if (!ix) {
        const built = new ActorIndex(this.reader, actor);
        ix = built;
        this.indexes.set(actor, built);
        this.buildStarts.set(
          actor,
          this.reader.head(actor).then((head) => {
            if (!head || head.seq < TAIL) return void built.build();
            // A stopped index's build ends at once.
            return new Promise<void>((resolve) => setTimeout(() => resolve(void built.build()), BUILD_AFTER_MS));
          }),
        );
      }
    }
    return ix;
  }

  /** Reads what was committed since, for every index already built (new entries arrived). */
  async refresh(actor: string): Promise<void> {
    const ix = this.indexes.get(actor);
    if (ix?.built) await ix.refresh();
  }

  /** The actor's index once it holds the whole chain (filters, positions far from the head). */
  async fullIndex(actor: string): Promise<ActorIndex> {
    const ix = await this.index(actor);
    await ix.build();
    await ix.refresh();
    return ix;
  }

  /**
   * The path of `branch` holding positions `from` and after. Until the index is built, positions near the head are
   * read straight from the store (so the Studio opens on the head of a million entries at once); others wait.
   */
  private async pathFrom(actor: string, branch: string, from: number): Promise<Path> {
    const ix = await this.index(actor);
    if (!ix.built) {
      const head = await this.reader.head(actor, branch);
      if (head && from > head.seq - TAIL) return ix.tail(head.id, head.seq, head.seq + 1 - Math.max(0, from));
    }
    return (await this.fullIndex(actor)).path(branch);
  }

  /** `branch`, or the live one, checked to exist. */
  async branchOf(actor: string, branch: string | undefined): Promise<string> {
    const b = branch ?? (await this.reader.liveBranch(actor));
    if (!(await this.reader.branches(actor)).some((x) => x.name === b))
      throw notFound(`actor ${this.name(actor)} has no branch ${b}`);
    return b;
  }

  async entries(q: EntryQuery, branch: string): Promise<EntryPage> {
    const actor = q.actor;
    if (EntryQueries.filtered(q)) return this.queries.filteredPage(await this.fullIndex(actor), q, branch);
    return this.queries.page(actor, await this.pathFrom(actor, branch, q.offset), q);
  }

  /** Where an entry is in the list as filtered (null: the filter hides it, or it is not on that branch). */
  async listPosition(q: Omit<EntryQuery, 'offset' | 'limit'> & { hash: Hex }, branch: string): Promise<number | null> {
    const e = await this.reader.entry(parseHash(q.hash), q.actor);
    if (!e || (await this.pathFrom(q.actor, branch, e.seq)).at(e.seq)?.id !== e.id) return null;
    const query = { ...q, offset: 0, limit: 1 };
    if (!EntryQueries.filtered(query)) return e.seq;
    return this.queries.position(await this.fullIndex(q.actor), query, branch, e.seq);
  }

  /** Entries whose hash starts with the prefix, oldest first (a 6-digit prefix is almost always unique). */
  async findEntries(prefix: string, limit: number): Promise<EntryView[]> {
    const found = (await this.reader.entriesByPrefix(prefix)).slice(0, limit);
    const blobs = await payloads(this.reader, found);
    const noops = await Promise.all(
      found.map(async (e) => (await this.pathFrom(e.actor, e.branch, e.seq)).at(e.seq)?.noop ?? false),
    );
    return found.map((e, k) => entryView(e, noops[k]!, blobs, this.name));
  }

  /** The actor's log as its chain recorded it on `branch` (runtime.log lines and stdout/stderr), paged. */
  async logHistory(q: LogQuery, branch: string): Promise<LogPage> {
    await this.index(q.actor);
    await this.buildStarts.get(q.actor);
    return this.logs.page(await this.fullIndex(q.actor), branch, q);
  }

  /** The actor's branches whose path passes through `e` (its own, and forks made at or after it). */
  async branchesThrough(e: { readonly id: number; readonly actor: string; readonly seq: number }): Promise<string[]> {
    const out: string[] = [];
    for (const b of await this.reader.branches(e.actor)) {
      if ((await this.pathFrom(e.actor, b.name, e.seq)).at(e.seq)?.id === e.id) out.push(b.name);
    }
    return out;
  }

  async entryIndex(actor: string, branch: string, hash: Hex): Promise<number> {
    const e = await this.reader.entry(parseHash(hash), actor);
    const onPath = e && (await this.pathFrom(actor, branch, e.seq)).at(e.seq)?.id === e.id;
    if (!e || !onPath) throw notFound(`entry ${hash} is not on that branch of ${this.name(actor)}`);
    return e.seq;
  }

  /** `actor`: that actor's entry with this hash if it has one (identical histories share hashes), else any. */
  async entry(hash: Hex, actor?: string): Promise<EntryDetail> {
    const e =
      (actor !== undefined && (await this.reader.entry(parseHash(hash), actor))) ||
      (await requireEntry(this.reader, hash));
    const path = await this.pathFrom(e.actor, e.branch, e.seq);
    return entryDetail(this.reader, e, path.at(e.seq)?.noop ?? false, await this.links(e), this.name);
  }

  /**
   * Where this entry's effect went in other actors (a message's call; a child's start, stop or restart; a
   * supervisor's handle-child-error/exit) and what caused it there. A message that crossed nodes has its other end
   * on another chain of the hub (farSide).
   */
  private async links(e: StoredEntry): Promise<CausalLinks> {
    const link = (x: StoredEntry) => ({ actor: this.opts.linkName?.(x) ?? this.name(x.actor), hash: toHex(x.hash) });
    let { effects, causedBy } = await causalLinks(this.reader, e);
    const sends = e.kind === 'import' && (e.fn === 'send' || e.fn === 'request');
    const caused = e.kind === 'call' && e.cause !== null;
    if (this.opts.farSide && ((sends && effects.length === 0) || (caused && !causedBy))) {
      const m = await followFrom(this.reader, e, this.opts.farSide);
      if (sends && m.received) effects = [m.received];
      if (caused && m.sent) causedBy = m.sent;
    }
    return { effects: effects.map(link), causedBy: causedBy ? link(causedBy) : null };
  }

  async graph(actor: string, branch: string, fromSeq: number, toSeq: number): Promise<GraphWindow> {
    return this.queries.graph(actor, branch, await this.pathFrom(actor, branch, fromSeq), fromSeq, toSeq);
  }

  async stateAt(hash: Hex, actor?: string): Promise<StateView> {
    // By design every entry carries the state as of it: a lookup, not a recomputation.
    return stateView(this.reader, (await requireEntry(this.reader, hash, actor)).state);
  }

  diff(a: Hex, b: Hex): Promise<DiffView> {
    return engine(async () => diffView(a, b, (await diffEntries(this.reader, parseHash(a), parseHash(b))).diff));
  }

  diffBranches(actor: string, a: string, b: string): Promise<DiffView & { readonly mergeBase: Hex | null }> {
    return engine(async () => {
      const d = await diffBranches(this.reader, actor, a, b);
      return {
        ...diffView(toHex(d.a.head.hash), toHex(d.b.head.hash), d.diff),
        mergeBase: d.base ? toHex(d.base.hash) : null,
      };
    });
  }

  async whoWrote(hash: Hex, path: readonly PathSegment[]): Promise<EntryView | null> {
    const w = (await engine(() => whoWrote(this.reader, parseHash(hash), path))).writer;
    return w ? entryView(w, false, await payloads(this.reader, [w]), this.name) : null;
  }

  async branches(actor: string, live: string): Promise<BranchView[]> {
    const rows = await this.reader.branches(actor);
    const ends = await Promise.all(
      rows.map(async (b) => [b.head && (await this.reader.entry(b.head)), b.base && (await this.reader.entry(b.base))]),
    );
    return rows.map((b, i) => {
      const [head, base] = ends[i]!;
      return {
        name: b.name,
        head: b.head ? toHex(b.head) : null,
        headSeq: head ? head.seq : -1,
        base: b.base ? toHex(b.base) : null,
        baseSeq: base ? base.seq : null,
        live: b.name === live,
      };
    });
  }

  /** Writes a bundle of the actor's branch into `dir`; `label` names the file (the contract's actor id). */
  exportBundle(dir: string, label: string, p: { actor: string; branch?: string; withComponent?: boolean }) {
    return engine(async () => {
      makeDirs(dir);
      const file = join(dir, `${label.replace(/[^\w.-]/g, '_')}-${p.branch ?? 'live'}-${Date.now()}.theater-bundle`);
      const r = await exportBundle(this.reader, file, {
        actor: p.actor,
        branch: p.branch,
        withComponent: p.withComponent,
      });
      return { file, bytes: r.bytes };
    });
  }
}
