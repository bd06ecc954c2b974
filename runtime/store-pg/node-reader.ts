/**
 * One node's chains in a hub, behind the ChainReader interface (reader/chain-reader.ts): what `theater verify`,
 * replay, diff, who-wrote, export, the path index and the Studio read locally, they read here the same way. Actor
 * names are the node's own; ids are the hub's. Every query is one round trip and pages are large, so a walk over a
 * million entries is a few hundred reads, not a million.
 */
import type pg from 'pg';
import { toHex, type Hash } from '../chain/entry.ts';
import type {
  AuditBlobRow,
  AuditBranchRow,
  AuditReader,
  ChainReader,
  EntryInput,
  EntryRange,
  FnName,
  IndexRow,
  LeanEntryRow,
  PathEntry,
  PathOptions,
} from '../reader/chain-reader.ts';
import { kindName, originName } from '../reader/codes.ts';
import { MAIN_BRANCH, storedStatus, type ActorRow, type BranchRow, type StoredEntry } from '../store/types.ts';

const ENTRY = `SELECT e.id, e.hash, p.hash AS parent, a.name AS actor, e.seq, e.kind, f.iface, f.fn,
    bi.hash AS input, bo.hash AS output, bs.hash AS state, e.cause, e.origin, e.ts, br.name AS branch
  FROM entries e
  JOIN actors a ON a.id = e.actor_id
  JOIN fns f ON f.id = e.fn_id
  JOIN branches br ON br.id = e.branch_id
  LEFT JOIN entries p ON p.id = e.parent_id
  LEFT JOIN blobs bi ON bi.id = e.input_id
  LEFT JOIN blobs bo ON bo.id = e.output_id
  LEFT JOIN blobs bs ON bs.id = e.state_id`;

interface EntryRow {
  readonly id: number;
  readonly hash: Buffer;
  readonly parent: Buffer | null;
  readonly actor: string;
  readonly seq: number;
  readonly kind: number;
  readonly iface: string;
  readonly fn: string;
  readonly input: Buffer | null;
  readonly output: Buffer | null;
  readonly state: Buffer | null;
  readonly cause: Buffer | null;
  readonly origin: number | null;
  readonly ts: number;
  readonly branch: string;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const u8n = (b: Buffer | null): Uint8Array | null => (b === null ? null : u8(b));
const buf = (h: Uint8Array): Buffer => Buffer.from(h.buffer, h.byteOffset, h.byteLength);

export function toEntry(r: EntryRow): StoredEntry {
  const kind = kindName(r.kind);
  if (kind === undefined) throw new Error(`hub entry #${r.id} has an unknown kind code ${r.kind}; run hub verify`);
  let origin = null;
  if (r.origin !== null) {
    origin = originName(r.origin) ?? null;
    if (origin === null) throw new Error(`hub entry #${r.id} has an unknown origin code ${r.origin}; run hub verify`);
  }
  return {
    id: r.id,
    hash: u8(r.hash),
    parent: u8n(r.parent),
    actor: r.actor,
    seq: r.seq,
    kind,
    iface: r.iface,
    fn: r.fn,
    input: u8n(r.input),
    output: u8n(r.output),
    state: u8n(r.state),
    cause: u8n(r.cause),
    origin,
    ts: r.ts,
    branch: r.branch,
  };
}

/** Rows of an entries page, as one read: ids, hashes and references, no joins. */
const LEAN = `SELECT id, hash, parent_id, actor_id, seq, kind, fn_id, input_id, output_id, state_id, cause, origin
  FROM entries`;
const CHUNK = 4096;
const BLOB_PAGE = 2048;

export class NodeReader implements ChainReader {
  readonly audit: AuditReader;

  constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: number,
    readonly node: string,
    private readonly where: string,
  ) {
    this.audit = this.auditReader();
  }

  get source(): string {
    return `node ${this.node} of the hub ${this.where}`;
  }

  /**
   * No snapshot: reads go through a pool (no one connection to hold a transaction on). Verify bounds what it reads
   * by the last entry id instead; a node ships an entry's blobs before the entry, and heads after it.
   */
  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  private async rows<T extends pg.QueryResultRow>(text: string, values: unknown[], name?: string): Promise<T[]> {
    return (await this.pool.query<T>({ text, values, name })).rows;
  }

  private async arrays<T extends unknown[]>(text: string, values: unknown[], name?: string): Promise<T[]> {
    return (await this.pool.query<T>({ text, values, name, rowMode: 'array' })).rows as T[];
  }

  async actors(): Promise<ActorRow[]> {
    const rows = await this.rows<Omit<ActorRow, 'status'> & { status: string | null }>(
      `SELECT name AS id, live_branch AS "liveBranch", component, manifest, status, parent, created
       FROM actors WHERE node_id = $1 ORDER BY name`,
      [this.nodeId],
    );
    return rows.map((r) => ({ ...r, status: storedStatus(r.status) }));
  }

  async branches(actor: string): Promise<BranchRow[]> {
    const rows = await this.rows<{
      actor: string;
      name: string;
      head: Buffer | null;
      base: Buffer | null;
      created: number;
    }>(
      `SELECT a.name AS actor, b.name, h.hash AS head, bs.hash AS base, b.created
       FROM branches b JOIN actors a ON a.id = b.actor_id LEFT JOIN entries h ON h.id = b.head_id
       LEFT JOIN entries bs ON bs.id = b.base_id WHERE a.node_id = $1 AND a.name = $2 ORDER BY b.id`,
      [this.nodeId, actor],
    );
    return rows.map((r) => ({ ...r, head: u8n(r.head), base: u8n(r.base) }));
  }

  async liveBranch(actor: string): Promise<string> {
    const r = await this.rows<{ live_branch: string }>(
      'SELECT live_branch FROM actors WHERE node_id = $1 AND name = $2',
      [this.nodeId, actor],
    );
    return r[0]?.live_branch ?? MAIN_BRANCH;
  }

  async head(actor: string, branch?: string): Promise<StoredEntry | undefined> {
    const b = branch ?? (await this.liveBranch(actor));
    const r = await this.rows<EntryRow>(
      `${ENTRY} WHERE e.id = (SELECT x.head_id FROM branches x JOIN actors y ON y.id = x.actor_id
         WHERE y.node_id = $1 AND y.name = $2 AND x.name = $3)`,
      [this.nodeId, actor, b],
      'hub-head',
    );
    return r[0] && toEntry(r[0]);
  }

  async entry(hash: Hash, actor?: string): Promise<StoredEntry | undefined> {
    const r = await this.rows<EntryRow>(
      `${ENTRY} WHERE e.hash = $1 AND e.node_id = $2 AND ($3::text IS NULL OR a.name = $3) ORDER BY e.id LIMIT 1`,
      [buf(hash), this.nodeId, actor ?? null],
      'hub-entry',
    );
    return r[0] && toEntry(r[0]);
  }

  async entriesByIds(ids: readonly number[]): Promise<(StoredEntry | undefined)[]> {
    if (ids.length === 0) return [];
    const r = await this.rows<EntryRow>(`${ENTRY} WHERE e.id = ANY($1::bigint[]) AND e.node_id = $2`, [
      ids,
      this.nodeId,
    ]);
    const byId = new Map(r.map((row) => [row.id, toEntry(row)]));
    return ids.map((id) => byId.get(id));
  }

  async entryInputs(ids: readonly number[]): Promise<(EntryInput | undefined)[]> {
    if (ids.length === 0) return [];
    const r = await this.arrays<[number, Buffer, number, string, string, Buffer | null]>(
      `SELECT e.id, e.hash, e.ts, f.iface, f.fn, bi.bytes FROM entries e JOIN fns f ON f.id = e.fn_id
       LEFT JOIN blobs bi ON bi.id = e.input_id WHERE e.id = ANY($1::bigint[]) AND e.node_id = $2`,
      [ids, this.nodeId],
      'hub-entry-inputs',
    );
    const byId = new Map(
      r.map(([id, hash, ts, iface, fn, input]) => [id, { id, hash: u8(hash), ts, iface, fn, input: u8n(input) }]),
    );
    return ids.map((id) => byId.get(id));
  }

  async entriesByPrefix(hexPrefix: string, actor?: string): Promise<StoredEntry[]> {
    const p = hexPrefix.toLowerCase();
    if (!/^[0-9a-f]{4,64}$/.test(p)) throw new Error(`not a hash prefix (4 to 64 hex digits): ${hexPrefix}`);
    const lo = Buffer.from(p.padEnd(64, '0'), 'hex');
    const hi = Buffer.from(p.padEnd(64, 'f'), 'hex');
    const r = await this.rows<EntryRow>(
      `${ENTRY} WHERE e.hash BETWEEN $1 AND $2 AND e.node_id = $3 AND ($4::text IS NULL OR a.name = $4) ORDER BY e.id`,
      [lo, hi, this.nodeId, actor ?? null],
    );
    return r.map(toEntry);
  }

  async entries(range: EntryRange): Promise<StoredEntry[]> {
    const r = await this.rows<EntryRow>(
      `${ENTRY} WHERE e.node_id = $1 AND e.id > $2 AND ($3::text IS NULL OR a.name = $3)
         AND ($4::text IS NULL OR br.name = $4) ORDER BY e.id LIMIT $5`,
      [this.nodeId, range.afterId ?? 0, range.actor ?? null, range.branch ?? null, range.limit ?? null],
    );
    return r.map(toEntry);
  }

  async countEntries(actor?: string): Promise<number> {
    const r = await this.rows<{ n: number }>(
      actor === undefined
        ? 'SELECT count(*)::bigint AS n FROM entries WHERE node_id = $1'
        : `SELECT count(*)::bigint AS n FROM entries
           WHERE actor_id = (SELECT id FROM actors WHERE node_id = $1 AND name = $2)`,
      actor === undefined ? [this.nodeId] : [this.nodeId, actor],
    );
    return r[0]!.n;
  }

  async blob(hash: Hash): Promise<Uint8Array | undefined> {
    return (await this.blobs([hash])).get(toHex(hash));
  }

  async blobs(hashes: readonly Hash[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const want = [...new Map(hashes.map((h) => [toHex(h), buf(h)])).values()];
    if (want.length === 0) return out;
    const r = await this.rows<{ hash: Buffer; bytes: Buffer }>('SELECT hash, bytes FROM blobs WHERE hash = ANY($1)', [
      want,
    ]);
    for (const row of r) out.set(row.hash.toString('hex'), u8(row.bytes));
    return out;
  }

  async indexRows(actor: string, afterId: number, limit: number): Promise<IndexRow[]> {
    return this.arrays<IndexRow>(
      `SELECT id, parent_id, branch_id, kind, fn_id, state_id FROM entries
       WHERE actor_id = (SELECT id FROM actors WHERE node_id = $1 AND name = $2) AND id > $3 ORDER BY id LIMIT $4`,
      [this.nodeId, actor, afterId, limit],
      'hub-index-rows',
    );
  }

  async ancestorRows(id: number, count: number): Promise<IndexRow[]> {
    return this.arrays<IndexRow>(
      `WITH RECURSIVE up(id, parent_id, branch_id, kind, fn_id, state_id, n) AS (
         SELECT id, parent_id, branch_id, kind, fn_id, state_id, 1 FROM entries WHERE id = $1 AND node_id = $3
         UNION ALL SELECT e.id, e.parent_id, e.branch_id, e.kind, e.fn_id, e.state_id, up.n + 1
           FROM up JOIN entries e ON e.id = up.parent_id WHERE up.n < $2)
       SELECT id, parent_id, branch_id, kind, fn_id, state_id FROM up ORDER BY n`,
      [id, count, this.nodeId],
      'hub-ancestor-rows',
    );
  }

  async fnNames(): Promise<Map<number, FnName>> {
    const r = await this.rows<{ id: number; iface: string; fn: string }>('SELECT id, iface, fn FROM fns', []);
    return new Map(r.map((x) => [x.id, { iface: x.iface, fn: x.fn }]));
  }

  async branchNames(actor: string): Promise<Map<number, string>> {
    const r = await this.rows<{ id: number; name: string }>(
      'SELECT b.id, b.name FROM branches b JOIN actors a ON a.id = b.actor_id WHERE a.node_id = $1 AND a.name = $2',
      [this.nodeId, actor],
    );
    return new Map(r.map((x) => [x.id, x.name]));
  }

  async hashesOf(ids: readonly number[]): Promise<(Hash | undefined)[]> {
    if (ids.length === 0) return [];
    const r = await this.rows<{ id: number; hash: Buffer }>(
      'SELECT id, hash FROM entries WHERE id = ANY($1::bigint[]) AND node_id = $2',
      [ids, this.nodeId],
    );
    const byId = new Map(r.map((x) => [x.id, u8(x.hash)]));
    return ids.map((id) => byId.get(id));
  }

  async stateIdOf(entryId: number): Promise<number | null | undefined> {
    const r = await this.rows<{ state_id: number | null }>(
      'SELECT state_id FROM entries WHERE id = $1 AND node_id = $2',
      [entryId, this.nodeId],
    );
    return r[0] === undefined ? undefined : r[0].state_id;
  }

  async *path(headId: number, opts: PathOptions = {}): AsyncGenerator<readonly PathEntry[]> {
    const fromSeq = opts.fromSeq ?? 0;
    const ids = (
      await this.arrays<[number]>(
        `WITH RECURSIVE path(id, pid, seq) AS (
           SELECT id, parent_id, seq FROM entries WHERE id = $1 AND node_id = $3
           UNION ALL SELECT e.id, e.parent_id, e.seq FROM entries e JOIN path ON e.id = path.pid WHERE path.seq > $2)
         SELECT id FROM path WHERE seq >= $2`,
        [headId, fromSeq, this.nodeId],
      )
    )
      .map((r) => r[0])
      .reverse(); // root first
    if (ids.length === 0) return;
    const [actors, fns, branches] = await Promise.all([
      this.rows<{ id: number; name: string }>('SELECT id, name FROM actors WHERE node_id = $1', [this.nodeId]),
      this.fnNames(),
      this.rows<{ id: number; name: string }>(
        'SELECT b.id, b.name FROM branches b JOIN actors a ON a.id = b.actor_id WHERE a.node_id = $1',
        [this.nodeId],
      ),
    ]);
    const actorName = new Map(actors.map((a) => [a.id, a.name]));
    const branchName = new Map(branches.map((b) => [b.id, b.name]));
    const chunks: number[][] = [];
    for (let i = 0; i < ids.length; i += CHUNK) chunks.push(ids.slice(i, i + CHUNK));
    if (opts.descending) chunks.reverse();
    for (const chunk of chunks) {
      const rows = await this.arrays<RawRow>(
        `SELECT id, parent_id, actor_id, seq, kind, fn_id, origin, ts, branch_id, input_id, output_id, state_id,
           hash, cause FROM entries WHERE id = ANY($1::bigint[]) ORDER BY id`,
        [chunk],
        'hub-path-chunk',
      );
      const blobIds = new Set<number>();
      for (const r of rows) for (const b of [r[9], r[10], r[11]]) if (b !== null) blobIds.add(b);
      const blobRows =
        blobIds.size === 0
          ? []
          : await this.arrays<[number, Buffer, Buffer]>(
              'SELECT id, hash, bytes FROM blobs WHERE id = ANY($1::bigint[])',
              [[...blobIds]],
            );
      const blobs = new Map(blobRows.map(([id, hash, bytes]) => [id, [u8(hash), u8(bytes)] as const]));
      const first = rows[0]?.[1];
      let parent: Buffer | null = null;
      if (first !== null && first !== undefined) {
        parent = (await this.arrays<[Buffer]>('SELECT hash FROM entries WHERE id = $1', [first]))[0]?.[0] ?? null;
      }
      const out = rows.map((r) => {
        const e = toPathEntry(r, parent, blobs, actorName, fns, branchName);
        parent = r[12];
        return e;
      });
      if (opts.descending) out.reverse();
      if (out.length > 0) yield out;
    }
  }

  async causedBy(hash: Hash): Promise<StoredEntry[]> {
    const r = await this.rows<EntryRow>(`${ENTRY} WHERE e.cause = $1 AND e.node_id = $2 ORDER BY e.id`, [
      buf(hash),
      this.nodeId,
    ]);
    return r.map(toEntry);
  }

  async children(id: number): Promise<StoredEntry[]> {
    const r = await this.rows<EntryRow>(`${ENTRY} WHERE e.parent_id = $1 AND e.node_id = $2 ORDER BY e.id`, [
      id,
      this.nodeId,
    ]);
    return r.map(toEntry);
  }

  private auditReader(): AuditReader {
    const node = this.nodeId;
    return {
      leanEntries: (actor, afterId, limit) =>
        actor === undefined
          ? this.arrays<LeanEntryRow>(`${LEAN} WHERE node_id = $1 AND id > $2 ORDER BY id LIMIT $3`, [
              node,
              afterId,
              limit,
            ])
          : this.arrays<LeanEntryRow>(
              `${LEAN} WHERE actor_id = (SELECT id FROM actors WHERE node_id = $1 AND name = $2) AND id > $3
               ORDER BY id LIMIT $4`,
              [node, actor, afterId, limit],
            ),
      entryById: async (id) =>
        (
          await this.rows<{ hash: Buffer; seq: number; actorId: number }>(
            'SELECT hash, seq, actor_id AS "actorId" FROM entries WHERE id = $1',
            [id],
          )
        )[0],
      blobById: async (id) =>
        (await this.rows<AuditBlobRow>('SELECT id, hash, bytes FROM blobs WHERE id = $1', [id]))[0],
      lastEntryId: async (actor) =>
        (
          await this.rows<{ n: number }>(
            `SELECT coalesce(max(id), 0)::bigint AS n FROM entries WHERE node_id = $1
               AND ($2::text IS NULL OR actor_id = (SELECT id FROM actors WHERE node_id = $1 AND name = $2))`,
            [node, actor ?? null],
          )
        )[0]!.n,
      maxBlobId: async () =>
        (await this.rows<{ n: number }>('SELECT coalesce(max(id), 0)::bigint AS n FROM blobs', []))[0]!.n,
      actorNames: async () =>
        new Map(
          (await this.rows<{ id: number; name: string }>('SELECT id, name FROM actors WHERE node_id = $1', [node])).map(
            (r) => [r.id, r.name],
          ),
        ),
      fnNames: () => this.fnNames(),
      // Every blob of the hub, not only this node's: verify checks the ones its entries reference (a blob is
      // content-addressed and shared), and listing a node's own would cost a pass over its entries per page. A
      // corrupt one that none of this node's entries or components uses is not this node's (hub verify reports it
      // once for the hub: hub/hub-verify.ts).
      blobs: () => this.blobPages(),
      sharedBlobs: true,
      branches: (actor) =>
        this.rows<AuditBranchRow>(
          `SELECT a.name AS actor, b.name AS branch, b.head_id AS "headId", h.hash AS head,
             h.actor_id AS "headActorId", b.actor_id AS "actorId",
             CASE WHEN b.head_id IS NULL THEN (b.base_id IS NOT NULL
               OR EXISTS (SELECT 1 FROM entries e WHERE e.branch_id = b.id))::int END AS headless
           FROM branches b JOIN actors a ON a.id = b.actor_id LEFT JOIN entries h ON h.id = b.head_id
           WHERE a.node_id = $1 AND ($2::text IS NULL OR a.name = $2) ORDER BY b.id`,
          [node, actor ?? null],
        ),
      actorId: async (actor) =>
        (await this.rows<{ id: number }>('SELECT id FROM actors WHERE node_id = $1 AND name = $2', [node, actor]))[0]
          ?.id,
    };
  }

  private async *blobPages(): AsyncGenerator<readonly AuditBlobRow[]> {
    for (let afterId = 0; ;) {
      const page = await this.rows<AuditBlobRow>(
        'SELECT id, hash, bytes FROM blobs WHERE id > $1 ORDER BY id LIMIT $2',
        [afterId, BLOB_PAGE],
      );
      if (page.length > 0) yield page;
      if (page.length < BLOB_PAGE) return;
      afterId = page[page.length - 1]!.id;
    }
  }
}

type RawRow = [
  id: number,
  parentId: number | null,
  actorId: number,
  seq: number,
  kind: number,
  fnId: number,
  origin: number | null,
  ts: number,
  branchId: number,
  inputId: number | null,
  outputId: number | null,
  stateId: number | null,
  hash: Buffer,
  cause: Buffer | null,
];

type BlobRef = readonly [hash: Uint8Array, bytes: Uint8Array];
const NO_BLOB = [null, null] as const;

function toPathEntry(
  r: RawRow,
  parent: Buffer | null,
  blobs: ReadonlyMap<number, BlobRef>,
  actors: ReadonlyMap<number, string>,
  fns: ReadonlyMap<number, FnName>,
  branches: ReadonlyMap<number, string>,
): PathEntry {
  const [id, , actorId, seq, kindCode, fnId, originCode, ts, branchId, inputId, outputId, stateId, hash, cause] = r;
  const kind = kindName(kindCode);
  if (kind === undefined) throw new Error(`hub entry #${id} has an unknown kind code ${kindCode}; run hub verify`);
  const origin = originCode === null ? null : (originName(originCode) ?? null);
  const names = fns.get(fnId);
  // A missing blob reads as none, as the SQLite store's walk does; verify reports it.
  const [input, inputBytes] = (inputId !== null && blobs.get(inputId)) || NO_BLOB;
  const [output, outputBytes] = (outputId !== null && blobs.get(outputId)) || NO_BLOB;
  const [state, stateBytes] = (stateId !== null && blobs.get(stateId)) || NO_BLOB;
  return {
    id,
    hash: u8(hash),
    parent: u8n(parent),
    actor: actors.get(actorId) ?? `#${actorId}`,
    seq,
    kind,
    iface: names?.iface ?? '?',
    fn: names?.fn ?? '?',
    input,
    output,
    state,
    cause: u8n(cause),
    origin,
    ts,
    branch: branches.get(branchId) ?? `#${branchId}`,
    inputBytes,
    outputBytes,
    stateBytes,
  };
}
