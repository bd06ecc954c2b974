/**
 * The hub's write side: a node's shipped pages go in here, one PostgreSQL transaction each. Idempotent by hash: an
 * entry the hub already holds for the node is not inserted again (a resend after a lost acknowledgement, a restart,
 * or a replaced local db), and the node's watermark moves in the same transaction as its entries, so a crash or a
 * dropped connection at any moment leaves either the whole page or none of it.
 *
 * Ids are allocated from the `entry_ids` sequence in page order (local id order), so a parent's hub id is always
 * below its child's, as verify requires. One shipper per node: the node row is locked for the transaction, and a
 * watermark that moved since the shipper read it (two processes shipping under one name) aborts the page.
 */
import type pg from 'pg';
import { toHex, type Hash } from '../chain/entry.ts';
import { inTransaction } from './connect.ts';
import type { PathEntry } from '../reader/chain-reader.ts';
import { KIND_CODES, ORIGIN_CODES } from '../reader/codes.ts';
import type { ActorRow } from '../store/types.ts';

/** A branch head as the node signed it (hub/signing.ts). */
export interface SignedHead {
  readonly actor: string;
  readonly branch: string;
  readonly head: Hash | null;
  readonly base: Hash | null;
  readonly signature: Uint8Array | null;
}

export interface ShipPage {
  /** The watermark this page continues (the hub's, as the shipper last read it). */
  readonly after: number;
  /** Committed local entries after it, in local id order (`id` is the local id), with their blobs' bytes. */
  readonly entries: readonly PathEntry[];
  /** The new watermark: the last local id covered (entries or not) and that entry's hash. */
  readonly through: { readonly id: number; readonly hash: Hash | null };
  /** Actor rows to create or update (every actor the entries belong to is among them). */
  readonly actors: readonly ActorRow[];
  /** Branch heads to move (only heads whose entries are shipped, by this page or before). */
  readonly heads: readonly SignedHead[];
  /** The node's own heads, for lag (`theater hub status`). */
  readonly local: readonly { readonly actor: string; readonly branch: string; readonly seq: number }[];
  /** Component bytes by their sha256, so any node can replay from the hub alone. */
  readonly components: readonly { readonly hash: Hash; readonly bytes: Uint8Array }[];
}

export interface ShipResult {
  readonly inserted: number;
  /** Entries the hub already held (a resend). */
  readonly existing: number;
}

/** The hub's watermark moved under us: someone else ships under this node's name, or the hub was restored. */
export class WatermarkMoved extends Error {
  override readonly name = 'WatermarkMoved';
}

/** The node name is taken by another key. */
export class NodeKeyMismatch extends Error {
  override readonly name = 'NodeKeyMismatch';
}

export const NOTIFY_CHANNEL = 'theater_hub';

export class HubWriter {
  /** Ids of rows committed in earlier transactions (never of a rolled-back one). */
  private readonly fnIds = new Map<string, number>();
  private readonly actorIds = new Map<string, number>();
  private readonly branchIds = new Map<string, number>();

  private constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: number,
    readonly node: string,
  ) {}

  /**
   * Registers the node (its name and public key) or finds it. The first key to ship under a name claims it; another
   * key is refused, so two machines cannot interleave their chains under one name by mistake. `nameOption`: the
   * command's option that gave the name, for the message (`theater run --node`, `theater hub attest --as`).
   */
  static async register(pool: pg.Pool, node: string, publicKey: Uint8Array, nameOption = '--node'): Promise<HubWriter> {
    const key = Buffer.from(publicKey);
    const ins = await pool.query<{ id: number }>(
      'INSERT INTO nodes (name, public_key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id',
      [node, key],
    );
    if (ins.rows[0]) return new HubWriter(pool, ins.rows[0].id, node);
    const found = await pool.query<{ id: number; public_key: Buffer }>(
      'SELECT id, public_key FROM nodes WHERE name = $1',
      [node],
    );
    const row = found.rows[0]!;
    if (!row.public_key.equals(key)) {
      throw new NodeKeyMismatch(
        `the hub already has a node named ${node} with another key: pick another node name (${nameOption}), ` +
          `or use that node's key file`,
      );
    }
    return new HubWriter(pool, row.id, node);
  }

  /** What the hub holds of this node: local entries up to `id`, the last of which has `hash`. */
  async watermark(): Promise<{ id: number; hash: Hash | null }> {
    const r = await this.pool.query<{ shipped_id: number; shipped_hash: Buffer | null }>(
      'SELECT shipped_id, shipped_hash FROM nodes WHERE id = $1',
      [this.nodeId],
    );
    const row = r.rows[0]!;
    return { id: row.shipped_id, hash: row.shipped_hash && new Uint8Array(row.shipped_hash) };
  }

  /** Ships one page in one transaction. */
  async ship(page: ShipPage): Promise<ShipResult> {
    const learned = {
      fns: new Map<string, number>(),
      actors: new Map<string, number>(),
      branches: new Map<string, number>(),
    };
    const result = await inTransaction(this.pool, async (c) => {
      const w = await c.query<{ shipped_id: number }>('SELECT shipped_id FROM nodes WHERE id = $1 FOR UPDATE', [
        this.nodeId,
      ]);
      if (w.rows[0]?.shipped_id !== page.after) {
        throw new WatermarkMoved(
          `node ${this.node}: the hub holds its entries up to local #${w.rows[0]?.shipped_id}, not #${page.after} ` +
            'as this shipper read: is another process shipping under the same node name?',
        );
      }
      const actorIds = await this.upsertActors(c, page.actors, learned.actors);
      const fnIds = await this.fns(c, page.entries, learned.fns);
      const branchIds = await this.branches(c, page, actorIds, learned.branches);
      const blobIds = await this.blobs(c, page);
      const r = await this.entries(c, page, { actorIds, fnIds, branchIds, blobIds });
      await this.moveHeads(c, page, branchIds);
      await c.query(`UPDATE nodes SET shipped_id = $2, shipped_hash = $3, last_seen = now() WHERE id = $1`, [
        this.nodeId,
        page.through.id,
        page.through.hash && Buffer.from(page.through.hash),
      ]);
      const touched = [...new Set([...page.entries.map((e) => e.actor), ...page.heads.map((h) => h.actor)])];
      if (touched.length > 0) {
        const payload = JSON.stringify({ node: this.node, actors: touched.length > 100 ? null : touched });
        await c.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]);
      }
      return r;
    });
    // Only ids of rows that are now committed are remembered.
    for (const [k, v] of learned.fns) this.fnIds.set(k, v);
    for (const [k, v] of learned.actors) this.actorIds.set(k, v);
    for (const [k, v] of learned.branches) this.branchIds.set(k, v);
    return result;
  }

  /** Which of these blobs (by hash) the hub lacks, as hex: large ones (components) are sent only then. */
  async missingBlobs(hashes: readonly Hash[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    const r = await this.pool.query<{ hash: Buffer }>('SELECT hash FROM blobs WHERE hash = ANY($1)', [
      hashes.map((h) => Buffer.from(h)),
    ]);
    const have = new Set(r.rows.map((x) => x.hash.toString('hex')));
    return hashes.map((h) => toHex(h)).filter((h) => !have.has(h));
  }

  /** Reports the node is alive (and its heads, for lag) when it has nothing to ship. */
  async report(local: ShipPage['local']): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await this.reportLocal(c, local);
      await c.query('UPDATE nodes SET last_seen = now() WHERE id = $1', [this.nodeId]);
    });
  }

  private async upsertActors(
    c: pg.PoolClient,
    actors: readonly ActorRow[],
    learned: Map<string, number>,
  ): Promise<Map<string, number>> {
    const ids = new Map(this.actorIds);
    if (actors.length === 0) return ids;
    const r = await c.query<{ id: number; name: string }>(
      `INSERT INTO actors (node_id, name, live_branch, component, manifest, status, parent, created)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
       ON CONFLICT (node_id, name) DO UPDATE SET live_branch = excluded.live_branch,
         component = coalesce(excluded.component, actors.component),
         manifest = coalesce(excluded.manifest, actors.manifest),
         status = coalesce(excluded.status, actors.status), parent = coalesce(excluded.parent, actors.parent)
       RETURNING id, name`,
      [
        this.nodeId,
        actors.map((a) => a.id),
        actors.map((a) => a.liveBranch),
        actors.map((a) => a.component),
        actors.map((a) => a.manifest),
        actors.map((a) => a.status),
        actors.map((a) => a.parent),
        actors.map((a) => a.created),
      ],
    );
    for (const row of r.rows) {
      ids.set(row.name, row.id);
      learned.set(row.name, row.id);
    }
    return ids;
  }

  private async fns(
    c: pg.PoolClient,
    entries: readonly PathEntry[],
    learned: Map<string, number>,
  ): Promise<Map<string, number>> {
    const ids = new Map(this.fnIds);
    const missing = new Map<string, [string, string]>();
    for (const e of entries) {
      const key = `${e.iface}#${e.fn}`;
      if (!ids.has(key)) missing.set(key, [e.iface, e.fn]);
    }
    if (missing.size === 0) return ids;
    const ifaces = [...missing.values()].map((m) => m[0]);
    const fns = [...missing.values()].map((m) => m[1]);
    await c.query(
      `INSERT INTO fns (iface, fn) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (iface, fn) DO NOTHING`,
      [ifaces, fns],
    );
    const r = await c.query<{ id: number; iface: string; fn: string }>(
      `SELECT f.id, f.iface, f.fn FROM fns f JOIN unnest($1::text[], $2::text[]) AS w(iface, fn)
       ON f.iface = w.iface AND f.fn = w.fn`,
      [ifaces, fns],
    );
    for (const row of r.rows) {
      ids.set(`${row.iface}#${row.fn}`, row.id);
      learned.set(`${row.iface}#${row.fn}`, row.id);
    }
    return ids;
  }

  private async branches(
    c: pg.PoolClient,
    page: ShipPage,
    actorIds: ReadonlyMap<string, number>,
    learned: Map<string, number>,
  ): Promise<Map<string, number>> {
    const ids = new Map(this.branchIds);
    const want = new Map<string, [number, string]>();
    const add = (actor: string, branch: string) => {
      const key = `${actor}\0${branch}`;
      if (ids.has(key) || want.has(key)) return;
      const actorId = actorIds.get(actor);
      if (actorId === undefined) throw new Error(`ship: actor ${actor} is not in the page's actor rows`);
      want.set(key, [actorId, branch]);
    };
    for (const e of page.entries) add(e.actor, e.branch);
    for (const h of page.heads) add(h.actor, h.branch);
    for (const l of page.local) add(l.actor, l.branch);
    if (want.size === 0) return ids;
    const actors = [...want.values()].map((w) => w[0]);
    const names = [...want.values()].map((w) => w[1]);
    await c.query(
      `INSERT INTO branches (actor_id, name, created)
       SELECT a, n, $3 FROM unnest($1::bigint[], $2::text[]) AS w(a, n) ON CONFLICT (actor_id, name) DO NOTHING`,
      [actors, names, Date.now()],
    );
    const r = await c.query<{ id: number; actor_id: number; name: string }>(
      `SELECT b.id, b.actor_id, b.name FROM branches b JOIN unnest($1::bigint[], $2::text[]) AS w(a, n)
       ON b.actor_id = w.a AND b.name = w.n`,
      [actors, names],
    );
    const actorName = new Map([...actorIds].map(([name, id]) => [id, name]));
    for (const row of r.rows) {
      const key = `${actorName.get(row.actor_id)}\0${row.name}`;
      ids.set(key, row.id);
      learned.set(key, row.id);
    }
    return ids;
  }

  /** Blob ids by hex hash: the page's payloads and components, inserted where the hub lacks them. */
  private async blobs(c: pg.PoolClient, page: ShipPage): Promise<Map<string, number>> {
    const bytes = new Map<string, [Hash, Uint8Array]>();
    const add = (h: Hash | null, b: Uint8Array | null) => {
      if (h && b && !bytes.has(toHex(h))) bytes.set(toHex(h), [h, b]);
    };
    for (const e of page.entries) {
      add(e.input, e.inputBytes);
      add(e.output, e.outputBytes);
      add(e.state, e.stateBytes);
    }
    for (const comp of page.components) add(comp.hash, comp.bytes);
    const ids = new Map<string, number>();
    if (bytes.size === 0) return ids;
    const all = [...bytes.values()];
    const byHash = (rows: { id: number; hash: Buffer }[]) => {
      for (const row of rows) ids.set(row.hash.toString('hex'), row.id);
    };
    byHash(
      await blobIdsOf(
        c,
        all.map(([h]) => h),
      ),
    );
    const missing = all.filter(([h]) => !ids.has(toHex(h)));
    if (missing.length > 0) {
      // Another node may insert the same content meanwhile: ON CONFLICT waits for it, then the re-read finds it.
      const hashes = packed(missing.map(([h]) => h));
      const data = packed(missing.map(([, b]) => b));
      const ins = await c.query<{ id: number; hash: Buffer }>(
        `INSERT INTO blobs (hash, bytes)
         SELECT substring($1::bytea FROM t.hoff + 1 FOR t.hlen), substring($2::bytea FROM t.off + 1 FOR t.len)
         FROM unnest($3::int[], $4::int[], $5::int[], $6::int[]) AS t(hoff, hlen, off, len)
         ON CONFLICT (hash) DO NOTHING RETURNING id, hash`,
        [hashes.data, data.data, hashes.offsets, hashes.lengths, data.offsets, data.lengths],
      );
      byHash(ins.rows);
      const still = missing.filter(([h]) => !ids.has(toHex(h)));
      if (still.length > 0)
        byHash(
          await blobIdsOf(
            c,
            still.map(([h]) => h),
          ),
        );
    }
    return ids;
  }

  private async entries(
    c: pg.PoolClient,
    page: ShipPage,
    ids: {
      actorIds: ReadonlyMap<string, number>;
      fnIds: ReadonlyMap<string, number>;
      branchIds: ReadonlyMap<string, number>;
      blobIds: ReadonlyMap<string, number>;
    },
  ): Promise<ShipResult> {
    if (page.entries.length === 0) return { inserted: 0, existing: 0 };
    // The hub ids of the page's entries already there, and of parents shipped by earlier pages.
    const known = await this.entryIds(c, [...page.entries.map((e) => e.hash), ...page.entries.map((e) => e.parent)]);
    const fresh = page.entries.filter((e) => !known.has(key(e.actor, e.hash)));
    const seq = await c.query<{ id: number }>(`SELECT nextval('entry_ids') AS id FROM generate_series(1, $1)`, [
      fresh.length,
    ]);
    const newIds = seq.rows.map((r) => r.id).sort((a, b) => a - b);
    fresh.forEach((e, i) => known.set(key(e.actor, e.hash), newIds[i]!));
    const blob = (h: Hash | null, what: string, e: PathEntry) => {
      if (h === null) return null;
      const id = ids.blobIds.get(toHex(h));
      if (id === undefined) throw new Error(`ship: entry ${toHex(e.hash)}'s ${what} blob was not in the page`);
      return id;
    };
    const cols = {
      id: [] as number[],
      hash: [] as Uint8Array[],
      parent: [] as (number | null)[],
      actor: [] as number[],
      seq: [] as number[],
      kind: [] as number[],
      fn: [] as number[],
      input: [] as (number | null)[],
      output: [] as (number | null)[],
      state: [] as (number | null)[],
      cause: [] as (Uint8Array | null)[],
      origin: [] as (number | null)[],
      ts: [] as number[],
      branch: [] as number[],
    };
    for (const e of fresh) {
      const parent = e.parent === null ? null : known.get(key(e.actor, e.parent));
      if (parent === undefined) {
        throw new Error(`ship: the parent of ${toHex(e.hash)} is neither in the hub nor in the page`);
      }
      cols.id.push(known.get(key(e.actor, e.hash))!);
      cols.hash.push(e.hash);
      cols.parent.push(parent);
      cols.actor.push(ids.actorIds.get(e.actor)!);
      cols.seq.push(e.seq);
      cols.kind.push(KIND_CODES[e.kind]);
      cols.fn.push(ids.fnIds.get(`${e.iface}#${e.fn}`)!);
      cols.input.push(blob(e.input, 'input', e));
      cols.output.push(blob(e.output, 'output', e));
      cols.state.push(blob(e.state, 'state', e));
      cols.cause.push(e.cause);
      cols.origin.push(e.origin === null ? null : ORIGIN_CODES[e.origin]);
      cols.ts.push(e.ts);
      cols.branch.push(ids.branchIds.get(`${e.actor}\0${e.branch}`)!);
    }
    if (fresh.length > 0) {
      // Hashes and causes travel as one binary value each (pg sends a Buffer as binary; an array of them as hex
      // text, which cost more CPU here than everything else a page does), cut apart by offset in SQL.
      const hashes = packed(cols.hash);
      const causes = packed(cols.cause);
      await c.query(
        `INSERT INTO entries (id, node_id, hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id, state_id,
           cause, origin, ts, branch_id)
         SELECT id, $1, substring($2::bytea FROM hoff + 1 FOR 32), parent, actor, seq, kind, fn, input, output, state,
           CASE WHEN clen = 0 THEN NULL ELSE substring($3::bytea FROM coff + 1 FOR clen) END, origin, ts, branch
         FROM unnest($4::bigint[], $5::int[], $6::bigint[], $7::bigint[], $8::bigint[], $9::smallint[], $10::int[],
           $11::bigint[], $12::bigint[], $13::bigint[], $14::int[], $15::int[], $16::smallint[], $17::bigint[],
           $18::bigint[])
           AS t(id, hoff, parent, actor, seq, kind, fn, input, output, state, coff, clen, origin, ts, branch)`,
        [
          this.nodeId,
          hashes.data,
          causes.data,
          cols.id,
          hashes.offsets,
          cols.parent,
          cols.actor,
          cols.seq,
          cols.kind,
          cols.fn,
          cols.input,
          cols.output,
          cols.state,
          causes.offsets,
          causes.lengths,
          cols.origin,
          cols.ts,
          cols.branch,
        ],
      );
    }
    return { inserted: fresh.length, existing: page.entries.length - fresh.length };
  }

  /** Hub ids of this node's entries with these hashes, keyed by actor and hash. */
  private async entryIds(c: pg.PoolClient, hashes: readonly (Hash | null)[]): Promise<Map<string, number>> {
    const want = [...new Map(hashes.filter((h) => h !== null).map((h) => [toHex(h), h])).values()];
    const out = new Map<string, number>();
    if (want.length === 0) return out;
    const p = packed(want);
    const r = await c.query<{ id: number; hash: Buffer; name: string }>(
      `SELECT e.id, e.hash, a.name FROM entries e JOIN actors a ON a.id = e.actor_id
       WHERE e.hash = ANY(ARRAY(SELECT substring($1::bytea FROM o + 1 FOR 32) FROM unnest($2::int[]) AS o))
         AND e.node_id = $3`,
      [p.data, p.offsets, this.nodeId],
    );
    for (const row of r.rows) out.set(key(row.name, row.hash), row.id);
    return out;
  }

  private async moveHeads(c: pg.PoolClient, page: ShipPage, branchIds: ReadonlyMap<string, number>): Promise<void> {
    if (page.heads.length > 0) {
      const ends = await this.entryIds(
        c,
        page.heads.flatMap((h) => [h.head, h.base]),
      );
      const at = (actor: string, h: Hash | null, what: string) => {
        if (h === null) return null;
        const id = ends.get(key(actor, h));
        if (id === undefined) throw new Error(`ship: ${actor}'s ${what} ${toHex(h)} is not in the hub`);
        return id;
      };
      await c.query(
        `UPDATE branches AS b SET head_id = v.head, base_id = v.base, head_sig = v.sig
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bytea[]) AS v(id, head, base, sig)
         WHERE b.id = v.id`,
        [
          page.heads.map((h) => branchIds.get(`${h.actor}\0${h.branch}`)!),
          page.heads.map((h) => at(h.actor, h.head, 'head')),
          page.heads.map((h) => at(h.actor, h.base, 'fork point')),
          page.heads.map((h) => h.signature && Buffer.from(h.signature)),
        ],
      );
    }
    await this.reportLocal(c, page.local, branchIds);
  }

  private async reportLocal(
    c: pg.PoolClient,
    local: ShipPage['local'],
    branchIds?: ReadonlyMap<string, number>,
  ): Promise<void> {
    if (local.length === 0) return;
    const known = branchIds ?? this.branchIds;
    const rows = local.filter((l) => known.has(`${l.actor}\0${l.branch}`));
    if (rows.length === 0) return;
    await c.query(
      `UPDATE branches AS b SET local_seq = v.seq, reported = now()
       FROM unnest($1::bigint[], $2::bigint[]) AS v(id, seq) WHERE b.id = v.id`,
      [rows.map((l) => known.get(`${l.actor}\0${l.branch}`)!), rows.map((l) => l.seq)],
    );
  }
}

function key(actor: string, hash: Uint8Array): string {
  return `${actor}\0${toHex(hash)}`;
}

/**
 * Byte strings as one binary parameter: their concatenation, with each one's offset and length (a null is length
 * 0; offsets are int: substring takes no bigint, and one page's bytes stay far below 2 GiB). `substring(data FROM offset + 1 FOR length)` gets one back in SQL; lookups wrap the pieces in ARRAY(...) so
 * that `= ANY` probes the hash index instead of joining against the table.
 */
function packed(items: readonly (Uint8Array | null)[]): { data: Buffer; offsets: number[]; lengths: number[] } {
  const offsets: number[] = new Array(items.length);
  const lengths: number[] = new Array(items.length);
  let total = 0;
  items.forEach((b, i) => {
    offsets[i] = total;
    lengths[i] = b ? b.length : 0;
    total += lengths[i]!;
  });
  const data = Buffer.allocUnsafe(total);
  items.forEach((b, i) => b && data.set(b, offsets[i]));
  return { data, offsets, lengths };
}

/** Ids of the blobs with these hashes (those the hub has). */
async function blobIdsOf(c: pg.PoolClient, hashes: readonly Uint8Array[]): Promise<{ id: number; hash: Buffer }[]> {
  const p = packed(hashes);
  const r = await c.query<{ id: number; hash: Buffer }>(
    `SELECT id, hash FROM blobs
     WHERE hash = ANY(ARRAY(SELECT substring($1::bytea FROM o + 1 FOR l) FROM unnest($2::int[], $3::int[]) AS t(o, l)))`,
    [p.data, p.offsets, p.lengths],
  );
  return r.rows;
}
