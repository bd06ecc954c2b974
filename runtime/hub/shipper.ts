/**
 * The shipper: copies what a node's SQLite store has committed to a hub, page by page, in local id order (so in
 * order per branch, parents first), idempotently by hash, signing each branch head it moves. It only reads the
 * store, through its own connection (ship-worker.ts runs it on its own thread), so the runtime's commits and
 * replies never wait for it; the store stays the source of truth and the hub trails it.
 *
 * Resuming: the hub keeps the node's watermark (the last local id it holds, and that entry's hash) in the same
 * transaction as the entries. After a disconnect, a hub restart or a `kill -9` of the node, the shipper reads the
 * watermark and goes on from there; a page whose commit it never heard about is found committed (the watermark
 * moved) or not (it is sent again), so nothing is lost and nothing is doubled. A watermark that does not match the
 * local db (it was replaced) starts over from the first entry, and the hub skips what it has by hash.
 */
import { readFileSync } from 'node:fs';
import { hashEquals, sha256, toHex, type Hash } from '../chain/entry.ts';
import { loadManifest } from '../manifest/index.ts';
import type { PathEntry } from '../reader/chain-reader.ts';
import type { ActorRow, BranchHead, ChainStore } from '../store/index.ts';
import {
  describeUrl,
  HubWriter,
  NodeKeyMismatch,
  openHubPool,
  WatermarkMoved,
  type ShipPage,
  type SignedHead,
} from '../store-pg/index.ts';
import { fingerprint, headStatement, signStatement, type NodeKey } from './signing.ts';

export interface ShipperOptions {
  readonly store: ChainStore;
  readonly hub: string;
  readonly node: string;
  readonly key: NodeKey;
  /** Entries per transaction (default 2000). */
  readonly pageSize?: number;
  /** How often an idle shipper looks for new commits (default 50 ms). */
  readonly pollMs?: number;
  /** How often an idle shipper tells the hub it is alive, with its heads (default 2 s). */
  readonly heartbeatMs?: number;
  readonly onStatus?: (s: ShipperStatus) => void;
}

export type ShipperStatus =
  | { readonly kind: 'connected'; readonly message: string }
  | { readonly kind: 'shipped'; readonly entries: number; readonly existing: number; readonly through: number }
  /** Once per connection: everything committed when it connected is in the hub. */
  | { readonly kind: 'caught-up'; readonly through: number }
  | { readonly kind: 'error'; readonly message: string; readonly fatal: boolean };

const MAX_BACKOFF_MS = 5000;

export class Shipper {
  private writer: HubWriter | undefined;
  private pool: Awaited<ReturnType<typeof openHubPool>> | undefined;
  /** The hub's watermark as last read or set by us, and where our reading resumes (they differ after a replaced db). */
  private hubThrough = 0;
  private readFrom = 0;
  private readonly shippedHeads = new Map<string, string>();
  private readonly shippedActors = new Map<string, string>();
  private readonly shippedComponents = new Set<string>();
  private readonly warned = new Set<string>();
  private lastReport = 0;
  private lastLocal = '';
  private stopping = false;
  private announced = false;
  private drainUntil = 0;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Entries sent to the hub by this shipper (inserted or found there): for tests and benchmarks. */
  shipped = 0;
  caughtUp = false;

  constructor(private readonly o: ShipperOptions) {}

  /** Starts shipping in the background. */
  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /**
   * Stops: ships what is committed until caught up or `drainMs` passes (a hub that is down must not hold up the
   * node's exit; whatever is left is shipped by the next run), then closes the connection.
   */
  async stop(drainMs = 5000): Promise<void> {
    this.drainUntil = Date.now() + drainMs;
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private status(s: ShipperStatus): void {
    this.o.onStatus?.(s);
  }

  private async run(): Promise<void> {
    let backoff = 250;
    while (!this.done()) {
      try {
        if (!this.writer) await this.connect();
        const progressed = await this.shipOnce();
        backoff = 250;
        if (!progressed) {
          if (!this.announced) this.status({ kind: 'caught-up', through: this.hubThrough });
          this.announced = true;
          this.caughtUp = true;
          if (this.stopping) break;
          await this.heartbeat();
          await this.sleep(this.o.pollMs ?? 50);
        } else this.caughtUp = false;
      } catch (e) {
        const fatal = e instanceof NodeKeyMismatch;
        this.status({ kind: 'error', message: (e as Error).message, fatal });
        if (fatal) break;
        if (e instanceof WatermarkMoved)
          this.writer = undefined; // re-read it, then go on
        else await this.disconnect(); // a broken connection: reconnect and re-read the watermark
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    await this.disconnect();
  }

  private done(): boolean {
    return this.stopping && Date.now() >= this.drainUntil;
  }

  private sleep(ms: number): Promise<void> {
    // Stopping: never sleep past the drain deadline (a backoff of seconds would hold up the exit).
    const wait = this.stopping ? Math.min(ms, Math.max(0, this.drainUntil - Date.now())) : ms;
    return new Promise((resolve) => {
      const t = setTimeout(resolve, wait);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async connect(): Promise<void> {
    this.pool ??= await openHubPool(this.o.hub, { max: 2, applicationName: `theater-ship:${this.o.node}` });
    this.writer = await HubWriter.register(this.pool, this.o.node, this.o.key.publicDer);
    const w = await this.writer.watermark();
    this.hubThrough = w.id;
    // Our own db must hold the entry the hub says it ends at; otherwise the db was replaced: start over.
    const local = w.id === 0 ? undefined : this.o.store.entryById(w.id);
    const same = w.id === 0 || (local !== undefined && w.hash !== null && hashEquals(local.hash, w.hash));
    this.readFrom = same ? w.id : 0;
    this.shippedHeads.clear();
    this.shippedActors.clear();
    this.announced = false;
    this.status({
      kind: 'connected',
      message:
        `shipping to ${describeUrl(this.o.hub)} as node ${this.o.node} (key ${fingerprint(this.o.key.publicDer)}), ` +
        `from local #${this.readFrom}${same ? '' : ' (the hub held another db under this name: resending, the hub skips what it has)'}`,
    });
  }

  private async disconnect(): Promise<void> {
    this.writer = undefined;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => {});
  }

  /** Ships one page if there is anything to ship; false when caught up. */
  private async shipOnce(): Promise<boolean> {
    const store = this.o.store;
    const entries = store.committedSince(this.readFrom, this.o.pageSize ?? 2000);
    const last = entries[entries.length - 1];
    const through = last ? { id: last.id, hash: last.hash } : this.watermarkHere();
    const branchHeads = store.branchHeads();
    const heads = this.headsThrough(branchHeads, entries, through.id);
    const actorRows = store.actors();
    const actors = this.actorsToShip(actorRows, entries, heads);
    if (entries.length === 0 && heads.length === 0 && actors.length === 0 && this.hubThrough === through.id) {
      return false;
    }
    const page: ShipPage = {
      after: this.hubThrough,
      entries,
      through,
      actors,
      heads,
      local: this.localHeads(branchHeads),
      components: await this.components(actors),
    };
    const r = await this.writer!.ship(page);
    this.hubThrough = through.id;
    this.readFrom = through.id;
    for (const h of heads) this.shippedHeads.set(`${h.actor}\0${h.branch}`, h.head ? toHex(h.head) : '');
    for (const a of actors) this.shippedActors.set(a.id, JSON.stringify(a));
    for (const c of page.components) this.shippedComponents.add(toHex(c.hash));
    this.shipped += entries.length;
    this.lastLocal = JSON.stringify(page.local);
    this.lastReport = Date.now();
    this.status({ kind: 'shipped', entries: r.inserted, existing: r.existing, through: through.id });
    return true;
  }

  /** The watermark when nothing new was read: where we are (its hash, for a db replaced with a shorter one). */
  private watermarkHere(): { id: number; hash: Hash | null } {
    if (this.readFrom === 0) return { id: 0, hash: null };
    return { id: this.readFrom, hash: this.o.store.entryById(this.readFrom)?.hash ?? null };
  }

  /**
   * The heads to move in the hub with this page, signed: a branch whose local head is shipped (by this page or an
   * earlier one) moves to it; one whose head is still ahead moves to its newest entry in this page, so that what
   * the hub holds is always covered by a signed head.
   */
  private headsThrough(branches: readonly BranchHead[], entries: readonly PathEntry[], through: number): SignedHead[] {
    const newest = new Map<string, PathEntry>();
    for (const e of entries) {
      const k = `${e.actor}\0${e.branch}`;
      const seen = newest.get(k);
      if (!seen || e.seq > seen.seq) newest.set(k, e);
    }
    const out: SignedHead[] = [];
    for (const b of branches) {
      const k = `${b.actor}\0${b.branch}`;
      let head: Hash | null;
      let seq: number;
      if (b.headId === null || b.headId <= through) [head, seq] = [b.head, b.seq ?? -1];
      else {
        const e = newest.get(k);
        if (!e) continue;
        [head, seq] = [e.hash, e.seq];
      }
      const hex = head ? toHex(head) : '';
      if (this.shippedHeads.get(k) === hex) continue;
      const statement = headStatement({ node: this.o.node, actor: b.actor, branch: b.branch, head, seq });
      out.push({
        actor: b.actor,
        branch: b.branch,
        head,
        base: b.base,
        signature: signStatement(this.o.key, statement),
      });
    }
    return out;
  }

  /** Actor rows that changed, and those the page's entries and heads need. */
  private actorsToShip(
    rows: readonly ActorRow[],
    entries: readonly PathEntry[],
    heads: readonly SignedHead[],
  ): ActorRow[] {
    const needed = new Set([...entries.map((e) => e.actor), ...heads.map((h) => h.actor)]);
    return rows.filter((a) => needed.has(a.id) || this.shippedActors.get(a.id) !== JSON.stringify(a));
  }

  private localHeads(branches: readonly BranchHead[]): ShipPage['local'] {
    return branches.filter((b) => b.seq !== null).map((b) => ({ actor: b.actor, branch: b.branch, seq: b.seq! }));
  }

  /** Tells the hub the node is alive and where its heads are, every heartbeat or when they move. */
  private async heartbeat(): Promise<void> {
    const local = this.localHeads(this.o.store.branchHeads());
    const text = JSON.stringify(local);
    if (text === this.lastLocal && Date.now() - this.lastReport < (this.o.heartbeatMs ?? 2000)) return;
    await this.writer!.report(local);
    this.lastLocal = text;
    this.lastReport = Date.now();
  }

  /** The component bytes of actors whose component the hub may lack: read from the manifest's file, checked. */
  private async components(actors: readonly ActorRow[]): Promise<{ hash: Hash; bytes: Uint8Array }[]> {
    const wanted = [...new Set(actors.map((a) => a.component).filter((c): c is string => !!c))].filter(
      (c) => !this.shippedComponents.has(c),
    );
    if (wanted.length === 0) return [];
    const missing = new Set(await this.writer!.missingBlobs(wanted.map((c) => Buffer.from(c, 'hex'))));
    const out: { hash: Hash; bytes: Uint8Array }[] = [];
    for (const sha of wanted) {
      if (!missing.has(sha)) {
        this.shippedComponents.add(sha);
        continue;
      }
      const bytes = this.componentBytes(sha, actors);
      if (bytes) out.push({ hash: sha256(bytes), bytes });
      else if (!this.warned.has(sha)) {
        this.warned.add(sha);
        this.status({
          kind: 'error',
          fatal: false,
          message: `component ${sha.slice(0, 12)} is not at hand (its manifest moved?): other nodes replay it only with --component`,
        });
      }
    }
    return out;
  }

  private componentBytes(sha: string, actors: readonly ActorRow[]): Uint8Array | undefined {
    for (const a of actors) {
      if (a.component !== sha || !a.manifest) continue;
      try {
        const bytes = new Uint8Array(readFileSync(loadManifest(a.manifest).componentPath));
        if (toHex(sha256(bytes)) === sha) return bytes;
      } catch {
        // moved or unreadable: try the store below
      }
    }
    return this.o.store.blob(Buffer.from(sha, 'hex'));
  }
}
