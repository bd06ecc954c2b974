/**
 * A hub as a whole: its nodes, each node's chains as a ChainReader (node-reader.ts), shipping status, the signed
 * heads `hub verify` checks, lookups across nodes (a message that crossed nodes through a message-server port
 * links a call on one node to a send on another), attestations, and LISTEN for new entries.
 */
import pg from 'pg';
import { type Hash } from '../chain/entry.ts';
import type { StoredEntry } from '../store/types.ts';
import { describeUrl, openHubPool } from './connect.ts';
import { NOTIFY_CHANNEL } from './hub-writer.ts';
import { NodeReader, toEntry } from './node-reader.ts';
import { HubOpenError, SCHEMA } from './schema.ts';

export interface NodeRow {
  readonly id: number;
  readonly name: string;
  /** SPKI DER of its Ed25519 public key, as registered in the hub. */
  readonly publicKey: Uint8Array;
  readonly created: Date;
  readonly lastSeen: Date | null;
  /** Its local entries up to this id are in the hub. */
  readonly shippedId: number;
  /** How many actors it has shipped (0 for a node that only attests). */
  readonly actors: number;
}

/** One branch of one node: what the hub holds against what the node last said it has. */
export interface BranchStatus {
  readonly node: string;
  readonly actor: string;
  readonly branch: string;
  /** The hub's head seq (-1: nothing shipped yet). */
  readonly seq: number;
  /** The node's own head seq as it last reported it (null: never reported). */
  readonly localSeq: number | null;
  readonly reported: Date | null;
  readonly lastSeen: Date | null;
}

/** A branch head as the hub holds it, with the node's signature of it. */
export interface HeadRow {
  readonly actor: string;
  readonly branch: string;
  /** The branch's head row in the hub's entries (null: the branch has none); `head` is null when that row is gone. */
  readonly headId: number | null;
  readonly head: Uint8Array | null;
  readonly seq: number;
  readonly signature: Uint8Array | null;
}

/** An entry and the node whose chain holds it. */
export interface NodeEntry {
  readonly node: string;
  readonly entry: StoredEntry;
}

export interface HubNotification {
  readonly node: string;
  /** Actors with new entries or heads; null: many. */
  readonly actors: readonly string[] | null;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const buf = (h: Uint8Array): Buffer => Buffer.from(h.buffer, h.byteOffset, h.byteLength);

const ENTRY_ACROSS = `SELECT n.name AS node, e.id, e.hash, p.hash AS parent, a.name AS actor, e.seq, e.kind, f.iface,
    f.fn, bi.hash AS input, bo.hash AS output, bs.hash AS state, e.cause, e.origin, e.ts, br.name AS branch
  FROM entries e
  JOIN nodes n ON n.id = e.node_id
  JOIN actors a ON a.id = e.actor_id
  JOIN fns f ON f.id = e.fn_id
  JOIN branches br ON br.id = e.branch_id
  LEFT JOIN entries p ON p.id = e.parent_id
  LEFT JOIN blobs bi ON bi.id = e.input_id
  LEFT JOIN blobs bo ON bo.id = e.output_id
  LEFT JOIN blobs bs ON bs.id = e.state_id`;

export class Hub {
  private readonly readers = new Map<string, NodeReader>();

  private constructor(
    readonly pool: pg.Pool,
    readonly url: string,
  ) {}

  static async open(url: string, opts: { max?: number; applicationName?: string } = {}): Promise<Hub> {
    return new Hub(await openHubPool(url, { max: opts.max ?? 8, applicationName: opts.applicationName }), url);
  }

  /** The URL without its password. */
  get where(): string {
    return describeUrl(this.url);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async nodes(): Promise<NodeRow[]> {
    const r = await this.pool.query<{
      id: number;
      name: string;
      public_key: Buffer;
      created: Date;
      last_seen: Date | null;
      shipped_id: number;
      actors: number;
    }>(
      `SELECT n.id, n.name, n.public_key, n.created, n.last_seen, n.shipped_id,
         (SELECT count(*) FROM actors a WHERE a.node_id = n.id)::bigint AS actors
       FROM nodes n ORDER BY n.name`,
    );
    return r.rows.map((x) => ({
      id: x.id,
      name: x.name,
      publicKey: u8(x.public_key),
      created: x.created,
      lastSeen: x.last_seen,
      shippedId: x.shipped_id,
      actors: x.actors,
    }));
  }

  /** A node's chains as a ChainReader. */
  async node(name: string): Promise<NodeReader> {
    let r = this.readers.get(name);
    if (r) return r;
    const found = await this.pool.query<{ id: number }>('SELECT id FROM nodes WHERE name = $1', [name]);
    if (!found.rows[0]) {
      const names = (await this.nodes()).map((n) => n.name);
      throw new HubOpenError(`the hub ${this.where} has no node ${name}; it has: ${names.join(', ') || 'none yet'}`);
    }
    r = new NodeReader(this.pool, found.rows[0].id, name, this.where);
    this.readers.set(name, r);
    return r;
  }

  /** Every branch of every node (or one node): the hub's head seq against the node's reported one. */
  async status(node?: string): Promise<BranchStatus[]> {
    const r = await this.pool.query<{
      node: string;
      actor: string;
      branch: string;
      seq: number | null;
      local_seq: number | null;
      reported: Date | null;
      last_seen: Date | null;
    }>(
      `SELECT n.name AS node, a.name AS actor, b.name AS branch, h.seq, b.local_seq, b.reported, n.last_seen
       FROM branches b JOIN actors a ON a.id = b.actor_id JOIN nodes n ON n.id = a.node_id
       LEFT JOIN entries h ON h.id = b.head_id
       WHERE $1::text IS NULL OR n.name = $1 ORDER BY n.name, a.name, b.id`,
      [node ?? null],
    );
    return r.rows.map((x) => ({
      node: x.node,
      actor: x.actor,
      branch: x.branch,
      seq: x.seq ?? -1,
      localSeq: x.local_seq,
      reported: x.reported,
      lastSeen: x.last_seen,
    }));
  }

  /** A node's branch heads with the signatures it shipped them with. */
  async signedHeads(nodeId: number): Promise<HeadRow[]> {
    const r = await this.pool.query<{
      actor: string;
      branch: string;
      head_id: number | null;
      head: Buffer | null;
      seq: number | null;
      head_sig: Buffer | null;
    }>(
      `SELECT a.name AS actor, b.name AS branch, b.head_id, h.hash AS head, h.seq, b.head_sig
       FROM branches b JOIN actors a ON a.id = b.actor_id LEFT JOIN entries h ON h.id = b.head_id
       WHERE a.node_id = $1 ORDER BY b.id`,
      [nodeId],
    );
    return r.rows.map((x) => ({
      actor: x.actor,
      branch: x.branch,
      headId: x.head_id,
      head: x.head && u8(x.head),
      seq: x.seq ?? -1,
      signature: x.head_sig && u8(x.head_sig),
    }));
  }

  /** Every blob of the hub (shared by all nodes) in id order, a page at a time. */
  async *blobPages(pageSize = 2048): AsyncGenerator<readonly { id: number; hash: Buffer; bytes: Buffer }[]> {
    for (let afterId = 0; ;) {
      const r = await this.pool.query<{ id: number; hash: Buffer; bytes: Buffer }>(
        'SELECT id, hash, bytes FROM blobs WHERE id > $1 ORDER BY id LIMIT $2',
        [afterId, pageSize],
      );
      if (r.rows.length > 0) yield r.rows;
      if (r.rows.length < pageSize) return;
      afterId = r.rows[r.rows.length - 1]!.id;
    }
  }

  /**
   * Which of these blob ids some node uses: an entry's input, output or state, or an actor's component. For the
   * few corrupt blobs hub verify found (entries have no index on their blob ids: a scan per blob).
   */
  async usedBlobs(ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const r = await this.pool.query<{ id: number }>(
      `SELECT b.id FROM blobs b WHERE b.id = ANY($1::bigint[]) AND (
         EXISTS (SELECT 1 FROM entries e WHERE e.input_id = b.id OR e.output_id = b.id OR e.state_id = b.id)
         OR EXISTS (SELECT 1 FROM actors a WHERE a.component = encode(b.hash, 'hex')))`,
      [ids],
    );
    return new Set(r.rows.map((x) => Number(x.id)));
  }

  /** Entries with this hash on any node (identical histories hash identically: more than one is possible). */
  async entriesByHash(hash: Hash): Promise<NodeEntry[]> {
    return this.across(`${ENTRY_ACROSS} WHERE e.hash = $1 ORDER BY e.id`, [buf(hash)]);
  }

  /** Calls on any node caused by a message sent when the sender's head was `hash`. */
  async causedBy(hash: Hash): Promise<NodeEntry[]> {
    return this.across(`${ENTRY_ACROSS} WHERE e.cause = $1 ORDER BY e.id`, [buf(hash)]);
  }

  /** The children, on any node, of entries with this hash. */
  async childrenOf(hash: Hash): Promise<NodeEntry[]> {
    return this.across(`${ENTRY_ACROSS} WHERE e.parent_id IN (SELECT id FROM entries WHERE hash = $1) ORDER BY e.id`, [
      buf(hash),
    ]);
  }

  private async across(text: string, values: unknown[]): Promise<NodeEntry[]> {
    const r = await this.pool.query<Parameters<typeof toEntry>[0] & { node: string }>(text, values);
    return r.rows.map((row) => ({ node: row.node, entry: toEntry(row) }));
  }

  /**
   * Calls `onNotify` as nodes ship (PostgreSQL LISTEN/NOTIFY: the shipper notifies in the transaction that commits
   * its entries, so a notification always finds them). A dedicated connection; reconnects after the hub restarts,
   * calling `onNotify(null)` then so the listener re-reads what it may have missed. Returns the unsubscribe.
   */
  async listen(onNotify: (n: HubNotification | null) => void): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url, application_name: 'theater-listen' });
      c.on('error', () => {}); // 'end' follows; reconnecting is handled there
      c.on('notification', (m) => {
        if (m.channel !== NOTIFY_CHANNEL || !m.payload) return;
        try {
          onNotify(JSON.parse(m.payload) as HubNotification);
        } catch {
          onNotify(null);
        }
      });
      c.on('end', () => {
        if (stopped) return;
        client = undefined;
        retry = setTimeout(() => void connect().catch(() => schedule()), 500);
      });
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}`);
      client = c;
      onNotify(null);
    };
    const schedule = () => {
      if (!stopped) retry = setTimeout(() => void connect().catch(() => schedule()), 1000);
    };
    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    };
  }

  /** The search path the pool's sessions use (for tools that talk SQL to a hub directly, e.g. tests). */
  static readonly schema = SCHEMA;
}
