/**
 * The hub's schema and migrations: a PostgreSQL database holding the chains of many nodes. With the other files of
 * store-pg/ the only PostgreSQL SQL in the tree (store/ holds SQLite's).
 *
 * The model is the SQLite store's, with a node above the actors: each node's entries, branches and actors are the
 * image of its own chain db (so that the same verify gives the same count and heads on both), blobs are shared by
 * content address. What differs, and why:
 * - everything lives in the schema `theater` (search_path is set per connection), so a hub can share a database;
 * - entries are unique per (hash, actor): two nodes running the same actor from the same start record identical
 *   first entries, and each node's chain must stay whole on its own. Lookups by hash use the same index;
 * - blobs keep their full 32-byte hash (no small-blob prefixes: a hub's size is not a laptop's);
 * - ids are bigints, allocated by the shipper in its page order so a parent's id is always below its child's;
 * - no foreign keys on entries (as the SQLite store turns them off for appends): verify is the integrity check,
 *   and it reports a dangling reference as data.
 * Node-side bookkeeping (what was shipped, the node's public key, signed heads, lag) and attestations are hub-only.
 */
import type { PoolClient } from 'pg';

export const SCHEMA = 'theater';

interface Migration {
  readonly version: number;
  readonly sql: string;
}

/** Append-only: a shipped migration is never edited, only followed by a new one. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE nodes (
        id          serial PRIMARY KEY,
        name        text NOT NULL UNIQUE,
        -- Ed25519 public key, SPKI DER: the first node to ship under a name claims it (see docs/hub.md).
        public_key  bytea NOT NULL,
        created     timestamptz NOT NULL DEFAULT now(),
        last_seen   timestamptz,
        -- What the node has shipped: its local entries up to this id, the last of which has this hash.
        shipped_id  bigint NOT NULL DEFAULT 0,
        shipped_hash bytea
      );
      CREATE TABLE actors (
        id          bigserial PRIMARY KEY,
        node_id     integer NOT NULL REFERENCES nodes (id),
        name        text NOT NULL,
        live_branch text NOT NULL DEFAULT 'main',
        component   text,
        manifest    text,
        status      text,
        parent      text,
        created     bigint NOT NULL,
        UNIQUE (node_id, name)
      );
      CREATE TABLE fns (
        id    serial PRIMARY KEY,
        iface text NOT NULL,
        fn    text NOT NULL,
        UNIQUE (iface, fn)
      );
      CREATE TABLE blobs (
        id    bigserial PRIMARY KEY,
        hash  bytea NOT NULL UNIQUE,
        bytes bytea NOT NULL
      );
      CREATE TABLE branches (
        id        bigserial PRIMARY KEY,
        actor_id  bigint NOT NULL REFERENCES actors (id),
        name      text NOT NULL,
        head_id   bigint,
        base_id   bigint,
        created   bigint NOT NULL,
        -- The node's Ed25519 signature of its head statement (store-pg/../hub/signing.ts), made as it shipped it.
        head_sig  bytea,
        -- The node's own head as it last reported it (shipping lag = local_seq - the head's seq).
        local_seq bigint,
        reported  timestamptz,
        UNIQUE (actor_id, name)
      );
      -- Hashed fields as in the SQLite store; node_id, ts and branch_id are not hashed.
      CREATE TABLE entries (
        id        bigint PRIMARY KEY,
        node_id   integer NOT NULL,
        hash      bytea NOT NULL,
        parent_id bigint,
        actor_id  bigint NOT NULL,
        seq       bigint NOT NULL,
        kind      smallint NOT NULL,
        fn_id     integer NOT NULL,
        input_id  bigint,
        output_id bigint,
        state_id  bigint,
        cause     bytea,
        origin    smallint,
        ts        bigint NOT NULL,
        branch_id bigint NOT NULL,
        UNIQUE (hash, actor_id)
      );
      CREATE SEQUENCE entry_ids OWNED BY entries.id;
      CREATE INDEX entries_node ON entries (node_id, id);
      CREATE INDEX entries_actor ON entries (actor_id, id);
      CREATE INDEX entries_parent ON entries (parent_id);
      CREATE INDEX entries_cause ON entries (cause) WHERE cause IS NOT NULL;
      -- "Replayed actor A, branch B through head H: verified" (or the divergence), signed by the node that replayed.
      CREATE TABLE attestations (
        id          bigserial PRIMARY KEY,
        attester_id integer NOT NULL REFERENCES nodes (id),
        actor_id    bigint NOT NULL REFERENCES actors (id),
        branch      text NOT NULL,
        head        bytea NOT NULL,
        seq         bigint NOT NULL,
        verdict     text NOT NULL CHECK (verdict IN ('verified', 'diverged', 'failed')),
        -- The canonical statement that was signed (it repeats the columns above, which are for querying).
        statement   bytea NOT NULL,
        signature   bytea NOT NULL,
        created     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX attestations_actor ON attestations (actor_id, branch);
    `,
  },
];

export const HUB_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Thrown when the database cannot be used as a hub (a newer schema, or not reachable as one). */
export class HubOpenError extends Error {
  override readonly name = 'HubOpenError';
}

/**
 * Brings the hub to HUB_SCHEMA_VERSION, refusing one written by a newer Theater; runs inside the caller's
 * transaction. Several nodes may connect at once: an advisory lock makes one of them migrate while the others wait,
 * then find nothing to do.
 */
export async function migrate(client: PoolClient, where: string): Promise<void> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('theater-hub-migrate'))`);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL)`);
  const r = await client.query<{ value: string }>(`SELECT value FROM ${SCHEMA}.meta WHERE key = 'schema_version'`);
  const version = r.rows[0] ? Number(r.rows[0].value) : 0;
  if (version > HUB_SCHEMA_VERSION) {
    throw new HubOpenError(
      `${where} holds a hub written by a newer Theater (hub schema version ${version}; this build knows up to ` +
        `${HUB_SCHEMA_VERSION}). Upgrade Theater to use it.`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= version) continue;
    await client.query(`SET LOCAL search_path = ${SCHEMA}`);
    await client.query(m.sql);
  }
  await client.query(
    `INSERT INTO ${SCHEMA}.meta (key, value) VALUES ('schema_version', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(HUB_SCHEMA_VERSION)],
  );
}
