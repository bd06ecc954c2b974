/**
 * The Studio's reads of a hub: every node's actors, each read through the same ChainViews the Studio uses on its own
 * db (one per node, over the node's ChainReader), plus what only a hub has: nodes, causal links across them, signed
 * heads in the integrity verdict, attestations, and LISTEN/NOTIFY so new entries stream in as nodes ship them.
 * Read-only: nothing here starts, stops, forks or fires.
 *
 * A hub actor's id is `<actor>@<node>` (actor and node names never contain '@').
 */
import {
  attestationsOf,
  checkHeads,
  checkSignature,
  decode,
  fingerprint,
  Hub,
  hubFarSide,
  replay,
  toHex,
  verifyOffThread,
  type ActorRow,
  type NodeRow,
  type StoredEntry,
} from '../../../runtime/index.ts';
import type {
  ActorStatus,
  ActorView,
  AttestationView,
  BranchView,
  DiffView,
  EntryDetail,
  EntryPage,
  EntryQuery,
  EntryView,
  GraphWindow,
  Hex,
  HubView,
  LogPage,
  LogQuery,
  PathSegment,
  ReplayResultView,
  StateView,
  StudioEvents,
  VerifyView,
} from '../../contract.ts';
import { notFound } from '../api-error.ts';
import { ChainViews } from '../chain-views.ts';
import { parseHash } from '../entry-views.ts';
import * as tt from '../time-travel.ts';

export const HUB_ID = /^(.+)@([A-Za-z0-9][A-Za-z0-9._-]*)$/;

export function hubActorId(actor: string, node: string): string {
  return `${actor}@${node}`;
}

export function isHubActor(id: string): boolean {
  return HUB_ID.test(id);
}

type Emit = <E extends keyof StudioEvents>(event: E, payload: StudioEvents[E]) => void;

export class HubStudio {
  private readonly views = new Map<string, ChainViews>();
  /** Each actor's last announced head seq per branch, to say how many entries arrived. */
  private readonly heads = new Map<string, number>();
  private unlisten: (() => Promise<void>) | undefined;

  private constructor(
    private readonly hub: Hub,
    private readonly emit: Emit,
  ) {}

  /** Opens the hub (throws, naming the URL without its password, when it cannot) and starts listening. */
  static async open(url: string, emit: Emit): Promise<HubStudio> {
    const hub = await Hub.open(url, { applicationName: 'theater-studio' });
    const h = new HubStudio(hub, emit);
    try {
      h.unlisten = await hub.listen((n) => void h.onShipped(n?.node ?? null, n?.actors ?? null).catch(() => {}));
    } catch (e) {
      await hub.close();
      throw e;
    }
    return h;
  }

  get url(): string {
    return this.hub.url;
  }

  async close(): Promise<void> {
    for (const v of this.views.values()) v.stop();
    await this.unlisten?.();
    await this.hub.close();
  }

  async describe(): Promise<HubView> {
    const nodes = await this.hub.nodes();
    return {
      url: this.hub.where,
      nodes: nodes.map((n) => ({
        name: n.name,
        key: fingerprint(n.publicKey),
        lastSeen: n.lastSeen ? n.lastSeen.getTime() : null,
        actors: n.actors,
      })),
    };
  }

  /** The node's views, made on first use. */
  private async nodeViews(node: string): Promise<ChainViews> {
    let v = this.views.get(node);
    if (!v) {
      const reader = await this.hub.node(node).catch((e: Error) => {
        throw notFound(e.message);
      });
      v = this.views.get(node); // another request may have made them meanwhile
      if (!v) {
        v = new ChainViews(reader, {
          name: (a) => hubActorId(a, node),
          farSide: hubFarSide(this.hub),
          linkName: (e) => hubActorId(e.actor, (e as StoredEntry & { node?: string }).node ?? node),
        });
        this.views.set(node, v);
      }
    }
    return v;
  }

  /** A hub actor id's node, the node's own name for the actor, and the node's views. */
  async resolve(id: string): Promise<{ node: string; actor: string; views: ChainViews }> {
    const m = HUB_ID.exec(id);
    if (!m) throw notFound(`${id} is not a hub actor (<actor>@<node>)`);
    return { actor: m[1]!, node: m[2]!, views: await this.nodeViews(m[2]!) };
  }

  async listActors(): Promise<ActorView[]> {
    const out: ActorView[] = [];
    for (const n of await this.hub.nodes()) {
      if (n.actors === 0) continue;
      const reader = await this.hub.node(n.name);
      const rows = await reader.actors();
      for (const row of rows) out.push(await this.actorView(reader, n, row, rows));
    }
    return out;
  }

  private async actorView(
    reader: Awaited<ReturnType<Hub['node']>>,
    n: NodeRow,
    row: ActorRow,
    all: readonly ActorRow[],
  ): Promise<ActorView> {
    const head = await reader.head(row.id, row.liveBranch);
    const status: ActorStatus =
      row.status === 'running' || row.status === 'starting' || row.status === 'failed' ? row.status : 'stopped';
    return {
      id: hubActorId(row.id, n.name),
      name: row.id.split('/').at(-1) ?? row.id,
      parent: row.parent === null ? null : hubActorId(row.parent, n.name),
      children: all.filter((c) => c.parent === row.id).map((c) => hubActorId(c.id, n.name)),
      status,
      manifest: row.manifest ?? '',
      component: row.component ?? '',
      exports: [],
      liveBranch: row.liveBranch,
      head: head ? toHex(head.hash) : null,
      seq: head?.seq ?? -1,
      listeners: [],
      node: n.name,
    };
  }

  // ---- reads, by actor ----------------------------------------------------------------------------------------------

  async entries(q: EntryQuery): Promise<EntryPage> {
    const { actor, views } = await this.resolve(q.actor);
    await views.index(actor);
    return views.entries({ ...q, actor }, await views.branchOf(actor, q.branch));
  }

  async entryIndex(p: { actor: string; branch?: string; hash: Hex }): Promise<number> {
    const { actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    return views.entryIndex(actor, await views.branchOf(actor, p.branch), p.hash);
  }

  async logHistory(p: LogQuery): Promise<LogPage> {
    const { actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    return views.logHistory({ ...p, actor }, await views.branchOf(actor, p.branch));
  }

  async listPosition(p: Omit<EntryQuery, 'offset' | 'limit'> & { hash: Hex }): Promise<number | null> {
    const { actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    return views.listPosition({ ...p, actor }, await views.branchOf(actor, p.branch));
  }

  async graph(p: { actor: string; branch: string; fromSeq: number; toSeq: number }): Promise<GraphWindow> {
    const { actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    return views.graph(actor, await views.branchOf(actor, p.branch), p.fromSeq, p.toSeq);
  }

  async diffBranches(p: {
    actor: string;
    a: string;
    b: string;
  }): Promise<DiffView & { readonly mergeBase: Hex | null }> {
    const { actor, views } = await this.resolve(p.actor);
    return views.diffBranches(actor, p.a, p.b);
  }

  async branches(p: { actor: string }): Promise<readonly BranchView[]> {
    const { actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    return views.branches(actor, await views.reader.liveBranch(actor));
  }

  async exportBundle(dir: string, p: { actor: string; branch?: string; withComponent?: boolean }) {
    const { actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    return views.exportBundle(dir, p.actor, { ...p, actor });
  }

  /** Replays from the hub on a worker thread of this process: the component comes from the hub if not at hand. */
  async replay(
    p: { actor: string; branch?: string; componentPath?: string },
    onProgress: (done: number, total: number) => void,
  ): Promise<ReplayResultView> {
    const { node, actor, views } = await this.resolve(p.actor);
    await views.index(actor);
    const req = { hub: this.hub.url, node, actor, branch: p.branch, component: p.componentPath };
    return tt.replayView(() => replay(req, onProgress));
  }

  /** The chain rules on a worker, as for a db; then the actor's heads against its node's signatures. */
  async verify(id: string, onProgress: (done: number, total: number) => void): Promise<VerifyView> {
    const { node, actor, views } = await this.resolve(id);
    await views.index(actor);
    const r = await verifyOffThread({ hub: this.hub.url, node, actor }, onProgress);
    if (!r.ok) {
      // Where the first bad entry sits, so the Studio can mark what follows it as unverified.
      const bad = r.entry ? await views.reader.entry(parseHash(r.entry), actor) : undefined;
      return {
        ok: false,
        count: r.count,
        entry: r.entry,
        reason: r.reason,
        ...(bad ? { actor: id, seq: bad.seq, through: await views.branchesThrough(bad) } : {}),
      };
    }
    const row = (await this.hub.nodes()).find((n) => n.name === node)!;
    const heads = await checkHeads(this.hub, row, { actor });
    if (heads.signatures.length > 0) {
      return { ok: false, count: r.count, entry: null, reason: `signed heads: ${heads.signatures[0]}` };
    }
    const live = await views.reader.liveBranch(actor);
    // Each branch's head as verified, with its seq: the badge speaks of the branch on screen.
    const branches = await Promise.all(
      r.heads
        .filter((h) => h.actor === actor)
        .map(async (h) => ({
          branch: h.branch,
          head: h.hash,
          seq: h.hash ? ((await views.reader.entry(parseHash(h.hash), actor))?.seq ?? -1) : -1,
        })),
    );
    return {
      ok: true,
      count: r.count,
      head: r.heads.find((h) => h.actor === actor && h.branch === live)?.hash ?? null,
      branches,
    };
  }

  async attestations(id: string): Promise<AttestationView[]> {
    const { node, actor } = await this.resolve(id);
    const rows = await attestationsOf(this.hub.pool, node, actor);
    return rows.map((r) => {
      const s = decode(r.statement) as { detail?: unknown; at?: unknown; node?: unknown; actor?: unknown };
      // The statement must say what the row says: a row edited after signing does not count as signed.
      const matches = s.node === node && s.actor === actor;
      return {
        attester: r.attester,
        branch: r.branch,
        head: toHex(r.head),
        seq: r.seq,
        verdict: r.verdict,
        detail: typeof s.detail === 'string' ? s.detail : '',
        signed: matches && checkSignature(r.attesterKey, r.statement, r.signature),
        at: typeof s.at === 'number' ? s.at : r.created.getTime(),
      };
    });
  }

  // ---- reads, by hash (across nodes) ------------------------------------------------------------------------------

  /** The views of the node holding `hash`, preferring `actor`'s node (identical histories share hashes). */
  private async holder(hash: Hex, prefer?: string): Promise<{ views: ChainViews; actor: string } | undefined> {
    if (prefer && isHubActor(prefer)) {
      const { actor, views } = await this.resolve(prefer);
      if (await views.reader.entry(Buffer.from(hash, 'hex'), actor)) return { views, actor };
    }
    const found = (await this.hub.entriesByHash(Buffer.from(hash, 'hex')))[0];
    return found && { views: await this.nodeViews(found.node), actor: found.entry.actor };
  }

  /** Entries whose hash starts with the prefix, node by node (a typed hash in the Studio's search). */
  async findEntries(p: { prefix: string; limit: number }): Promise<EntryView[]> {
    const out: EntryView[] = [];
    for (const n of await this.hub.nodes()) {
      if (out.length >= p.limit) break;
      if (n.actors > 0) out.push(...(await (await this.nodeViews(n.name)).findEntries(p.prefix, p.limit - out.length)));
    }
    return out;
  }

  async has(hash: Hex): Promise<boolean> {
    return (await this.holder(hash)) !== undefined;
  }

  async entry(p: { hash: Hex; actor?: string }): Promise<EntryDetail> {
    const h = await this.holder(p.hash, p.actor);
    if (!h) throw notFound(`no entry ${p.hash}`);
    return h.views.entry(p.hash, h.actor);
  }

  async stateAt(p: { hash: Hex }): Promise<StateView> {
    const h = await this.holder(p.hash);
    if (!h) throw notFound(`no entry ${p.hash}`);
    return h.views.stateAt(p.hash, h.actor);
  }

  async diff(p: { a: Hex; b: Hex }): Promise<DiffView> {
    const h = await this.holder(p.a);
    if (!h) throw notFound(`no entry ${p.a}`);
    return h.views.diff(p.a, p.b);
  }

  async whoWrote(p: { hash: Hex; path: readonly PathSegment[] }): Promise<EntryView | null> {
    const h = await this.holder(p.hash);
    if (!h) throw notFound(`no entry ${p.hash}`);
    return h.views.whoWrote(p.hash, p.path);
  }

  // ---- streaming ----------------------------------------------------------------------------------------------------

  /** A node shipped: its actors' indexes read what is new and the renderer hears of the new heads. */
  private async onShipped(node: string | null, actors: readonly string[] | null): Promise<void> {
    if (node === null) return this.emit('actors', {}); // (re)connected: anything may have changed
    const views = this.views.get(node);
    const reader = views?.reader ?? (await this.hub.node(node));
    const names = actors ?? (await reader.actors()).map((a) => a.id);
    let fresh = false;
    for (const a of names) {
      const id = hubActorId(a, node);
      const branch = await reader.liveBranch(a);
      const head = await reader.head(a, branch);
      if (!head) continue;
      const key = `${id}\0${branch}`;
      const before = this.heads.get(key);
      if (before === undefined) fresh = true;
      if (before === head.seq) continue;
      this.heads.set(key, head.seq);
      await views?.refresh(a);
      this.emit('entries', {
        actor: id,
        branch,
        count: head.seq - (before ?? -1),
        head: toHex(head.hash),
        seq: head.seq,
      });
    }
    if (fresh) this.emit('actors', {});
  }
}
