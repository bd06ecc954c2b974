/**
 * Schema, migrations and the checks done when a file is opened. Together with chain-store.ts the only SQL.
 *
 * Size matters (a chain can hold millions of entries), so:
 * - repeated strings (actor names, interface+function pairs, branch names) are integer ids;
 * - entries point at their parent, blobs and branch by integer id (1–3 bytes) instead of 32-byte hashes, and the
 *   hashes are recovered with joins. The one exception is `cause`: it names an entry of another actor that may not
 *   be committed yet when this entry is (workers flush independently), so it stays a raw hash;
 * - hash lookups (an entry or blob by hash, calls by cause) do not go through a B-tree index on the hash: such an
 *   index takes a random key per row, so every commit rewrote pages all over it (~6 random page writes per recorded
 *   message, the largest part of the store's cost on the hot path). Instead the store's writer thread sorts the
 *   keys of rows already committed into runs, off the hot path, and lookups probe the runs plus a short scan of
 *   the rows not yet in a run (hash-index.ts). Queries always compare the full hash too, so a key collision costs
 *   a second row read, never a wrong answer;
 * - a small blob (≤ SMALL_BLOB bytes: states, log lines, most responses) keeps only the first 8 bytes of its hash;
 *   the full hash is SHA-256 of those few bytes, recomputed on read in about a microsecond. The 8 stored bytes
 *   still let verify tell a corrupted blob from a corrupted entry.
 * Together these bring a counter-like chain from ~245 to under 200 bytes per entry (see the store benchmark).
 *
 * Opening: nothing but SQLite ever opens a db file (or its -wal/-shm). SQLite's POSIX locks belong to the process
 * and vanish when *any* descriptor of the file is closed, so one `fs` open + close of the db in a process that holds
 * it lets another process delete the WAL from under it (SQLite's "How To Corrupt An SQLite Database File", §2.2;
 * runtime/store/lock-retention.test.ts shows it). The header is therefore checked by SQLite itself.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { trackOpen } from './open-files.ts';
import { ChainStoreOpenError, SqliteDriverError } from './types.ts';

/** "Thea" — PRAGMA application_id, so `file` and we can tell our databases from any other SQLite file. */
export const APPLICATION_ID = 0x54686561;

/** Blobs up to this size store an 8-byte hash prefix instead of the full hash (see above). */
export const SMALL_BLOB = 64;
export const SHORT_HASH = 8;
/** Bytes of a hash that the hash index's keys hold (hash-index.ts). */
export const KEY_BYTES = 6;

/** Entry kinds and origins as stored (small integers: 0 and 1 take no bytes in a SQLite record), shared with the hub. */
export { KIND_CODES, ORIGIN_CODES } from '../reader/codes.ts';

interface Migration {
  readonly version: number;
  readonly sql: string;
}

/** Append-only: a shipped migration is never edited, only followed by a new one. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE actors (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        live_branch TEXT NOT NULL DEFAULT 'main',
        component   TEXT,
        manifest    TEXT,
        status      TEXT,
        parent      TEXT,
        created     INTEGER NOT NULL
      );
      CREATE TABLE fns (
        id    INTEGER PRIMARY KEY,
        iface TEXT NOT NULL,
        fn    TEXT NOT NULL,
        UNIQUE (iface, fn)
      );
      -- Content-addressed: hash = SHA-256(bytes), or its first 8 bytes for blobs of at most 64 bytes.
      -- Deduplicated by lookup before insert (see the header comment).
      CREATE TABLE blobs (
        id    INTEGER PRIMARY KEY,
        hash  BLOB NOT NULL CHECK (length(hash) = 32 OR (length(hash) = 8 AND length(bytes) <= 64)),
        bytes BLOB NOT NULL
      );
      CREATE INDEX blobs_hash ON blobs (substr(hash, 1, 4));
      CREATE TABLE branches (
        id       INTEGER PRIMARY KEY,
        actor_id INTEGER NOT NULL REFERENCES actors (id),
        name     TEXT NOT NULL,
        head_id  INTEGER REFERENCES entries (id),
        base_id  INTEGER REFERENCES entries (id),
        created  INTEGER NOT NULL,
        UNIQUE (actor_id, name)
      );
      -- Hashed fields: hash (of parent + body), parent, actor, seq, kind, iface/fn, input, output, state, cause,
      -- origin. Not hashed: id (insertion order), ts, branch_id.
      CREATE TABLE entries (
        id        INTEGER PRIMARY KEY,
        hash      BLOB NOT NULL CHECK (length(hash) = 32),
        parent_id INTEGER REFERENCES entries (id),
        actor_id  INTEGER NOT NULL REFERENCES actors (id),
        seq       INTEGER NOT NULL,
        kind      INTEGER NOT NULL,
        fn_id     INTEGER NOT NULL REFERENCES fns (id),
        input_id  INTEGER REFERENCES blobs (id),
        output_id INTEGER REFERENCES blobs (id),
        state_id  INTEGER REFERENCES blobs (id),
        cause     BLOB,
        origin    INTEGER,
        ts        INTEGER NOT NULL,
        branch_id INTEGER NOT NULL REFERENCES branches (id)
      );
      CREATE INDEX entries_hash ON entries (substr(hash, 1, 4));
      -- (actor_id) implicitly ends with the rowid, so this also serves "an actor's entries in insertion order".
      CREATE INDEX entries_actor ON entries (actor_id);
    `,
  },
  {
    // Causal links (who received this message? who sent this one?) and child lookups (a call's return; a fork's
    // branches) must not scan a million-entry table: the Studio asks them for every selected entry. The cause
    // index is partial: only calls caused by another actor have one.
    version: 2,
    sql: `
      CREATE INDEX entries_parent ON entries (parent_id);
      CREATE INDEX entries_cause ON entries (cause) WHERE cause IS NOT NULL;
    `,
  },
  {
    // Who holds the writer lease (runtime/store/writer-lease.ts), and where that process's actors listen, so that
    // readers (the Studio watching a `theater run`) can say who writes and fire requests at the real ports. Ops data,
    // never hashed; trusted only while the lease is held (a kill -9 leaves the rows, the OS drops the lease).
    version: 3,
    sql: `
      CREATE TABLE writer (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        lease   TEXT NOT NULL,
        pid     INTEGER NOT NULL,
        host    TEXT NOT NULL,
        command TEXT NOT NULL,
        since   INTEGER NOT NULL
      );
      CREATE TABLE listeners (
        actor TEXT NOT NULL,
        kind  TEXT NOT NULL,
        host  TEXT NOT NULL,
        port  INTEGER NOT NULL,
        PRIMARY KEY (actor, kind, host, port)
      );
    `,
  },
  {
    // Hash lookups without a random-key B-tree write per row (header comment; hash-index.ts). The three indexes on
    // hashes go; their keys are copied into one sorted run per source, covering every row there is now. What is
    // appended later is sorted into runs by the writer thread as it goes.
    version: 4,
    sql: `
      DROP INDEX entries_hash;
      DROP INDEX blobs_hash;
      DROP INDEX entries_cause;
      -- One run: the keys of rows lo..hi of a source (0 = entries.hash, 1 = blobs.hash, 2 = entries.cause), sorted.
      -- Runs of a source cover consecutive id ranges from the first row on; rows after the last run are the tail.
      CREATE TABLE hash_runs (
        id    INTEGER PRIMARY KEY,
        src   INTEGER NOT NULL,
        level INTEGER NOT NULL,
        lo    INTEGER NOT NULL,
        hi    INTEGER NOT NULL
      );
      -- key = the first 6 bytes of the hash (KEY_BYTES); id = the row it came from. Level 99: never merged again.
      CREATE TABLE hash_keys (
        run INTEGER NOT NULL,
        key BLOB NOT NULL,
        id  INTEGER NOT NULL,
        PRIMARY KEY (run, key, id)
      ) WITHOUT ROWID;
      INSERT INTO hash_runs (src, level, lo, hi) SELECT 0, 99, 1, max(id) FROM entries HAVING count(*) > 0;
      INSERT INTO hash_runs (src, level, lo, hi) SELECT 1, 99, 1, max(id) FROM blobs HAVING count(*) > 0;
      INSERT INTO hash_runs (src, level, lo, hi) SELECT 2, 99, 1, max(id) FROM entries HAVING count(*) > 0;
      INSERT INTO hash_keys SELECT (SELECT id FROM hash_runs WHERE src = 0), substr(hash, 1, 6), id FROM entries
        ORDER BY 2, 3;
      INSERT INTO hash_keys SELECT (SELECT id FROM hash_runs WHERE src = 1), substr(hash, 1, 6), id FROM blobs
        ORDER BY 2, 3;
      INSERT INTO hash_keys SELECT (SELECT id FROM hash_runs WHERE src = 2), substr(cause, 1, 6), id FROM entries
        WHERE cause IS NOT NULL ORDER BY 2, 3;
    `,
  },
  {
    // Incremental verify (chain/verify-checkpoint.ts): "every entry up to entry_id and every blob up to blob_id
    // verified; what was stored then digests to digest". seal = SHA-256 of the row's canonical encoding, so that
    // the checkpoint is checked too. Not part of the chain: a verifier that ignores it loses speed, not safety.
    version: 5,
    sql: `
      CREATE TABLE verify_checkpoints (
        id       INTEGER PRIMARY KEY,
        entry_id INTEGER NOT NULL,
        head     BLOB,
        blob_id  INTEGER NOT NULL,
        actor_id INTEGER NOT NULL,
        fn_id    INTEGER NOT NULL,
        count    INTEGER NOT NULL,
        digest   BLOB NOT NULL,
        created  INTEGER NOT NULL,
        seal     BLOB NOT NULL
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type OpenMode = 'read' | 'write';

/**
 * Opens a chain db through SQLite only. `write` creates the file if needed, configures it and brings it to
 * SCHEMA_VERSION (only the writer-lease holder opens for writing, so only it migrates); `read` is a read-only
 * connection (SQLite refuses any write on it) to an existing file, which is never migrated: readers read an older
 * file as it is (every migration so far only adds indexes and tables that readers treat as optional).
 */
export function openChainDb(path: string, mode: OpenMode): Database.Database {
  const db = openChainDbRaw(path, mode === 'read' ? { readonly: true, fileMustExist: true } : {});
  try {
    // SQLite reads the header here: a file that is not SQLite fails with SQLITE_NOTADB before anything is written.
    db.pragma('schema_version');
    if (mode === 'write') {
      checkWritable(db, path);
      configure(db);
      migrate(db);
    } else {
      configureReader(db);
      checkReadable(db, path);
    }
    trackOpen(path, db);
    return db;
  } catch (e) {
    db.close();
    throw openError(path, e, false);
  }
}

/** The connection itself; a failure here is the file (missing, unreadable) or the SQLite driver. */
function openChainDbRaw(path: string, options: Database.Options): Database.Database {
  try {
    return new Database(path, options);
  } catch (e) {
    throw openError(path, e, true);
  }
}

/** What went wrong opening a file, said for a user: not SQLite, not ours, unreadable, or no SQLite driver at all. */
function openError(path: string, e: unknown, constructing: boolean): Error {
  if (e instanceof ChainStoreOpenError) return e;
  if (e instanceof Database.SqliteError) {
    if (e.code === 'SQLITE_NOTADB')
      return new ChainStoreOpenError(`${path} is not a Theater chain database: it is not a SQLite file`, { cause: e });
    if (e.code.startsWith('SQLITE_CANTOPEN'))
      return new ChainStoreOpenError(`cannot open ${path}: ${e.message} (check that it exists and is readable)`, {
        cause: e,
      });
    if (e.code.startsWith('SQLITE_CORRUPT'))
      return new ChainStoreOpenError(`${path} is damaged: ${e.message}`, { cause: e });
    return new ChainStoreOpenError(`cannot open ${path}: SQLite says ${e.message} (${e.code})`, { cause: e });
  }
  // Anything else thrown while constructing is better-sqlite3 failing to load its native binding (missing, or built
  // for another Node ABI): a broken install, not a broken file.
  if (constructing) return new SqliteDriverError(e);
  return e instanceof Error ? e : new Error(String(e));
}

function configure(db: Database.Database): void {
  // WAL + synchronous=NORMAL: a committed transaction survives a kill -9 of this process and the file is never
  // corrupted by one (the WAL is append-only and checksummed; recovery replays or drops whole transactions).
  // Not durable against power loss or an OS crash: the last transactions before the loss can roll back (the file
  // stays consistent). That trade buys ~10x append throughput and is out of scope by design.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Cheap (primary-key probes) and catches a runtime bug at the write instead of at the next verify.
  db.pragma('foreign_keys = ON');
  // The CLI may read while the runtime writes; wait for the writer's lock instead of failing at once.
  db.pragma('busy_timeout = 5000');
  // Throughput (measured by `npm run bench`, record_msgs_per_s +45%): the hash indexes take random keys, so every
  // commit dirties pages all over them. A 64 MB page cache keeps them in memory, and checkpointing every ~40 MB of
  // WAL instead of every 4 MB writes each hot page back once per many commits. Durability is unchanged: a commit
  // is in the WAL either way.
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 10000');
}

/** A reader's connection: it waits for the writer's short locks (WAL recovery, checkpoints) instead of failing. */
function configureReader(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
}

/** A reader accepts our files up to this build's version, never another application's, never an empty file. */
function checkReadable(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (version === 0 && appId === 0) {
    const tables = userTables(db);
    if (tables.length > 0)
      throw new ChainStoreOpenError(
        `${path} is not a Theater chain database: it is another application's SQLite database (tables: ${tables.join(', ')})`,
      );
    throw new ChainStoreOpenError(`${path} is an empty database: no actor has run on it yet`);
  }
  if (appId !== APPLICATION_ID)
    throw new ChainStoreOpenError(
      `${path} is not a Theater chain database: its application_id is 0x${appId.toString(16)}, not Theater's 0x${APPLICATION_ID.toString(16)}`,
    );
  if (version > SCHEMA_VERSION) throw newerThanUs(path, version);
}

function userTables(db: Database.Database): string[] {
  return db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .pluck()
    .all() as string[];
}

function newerThanUs(path: string, version: number): ChainStoreOpenError {
  return new ChainStoreOpenError(
    `${path} was written by a newer Theater (chain schema version ${version}; this build knows up to ` +
      `${SCHEMA_VERSION}). Upgrade Theater to open it.`,
  );
}

/** Whether a table exists (readers of an older file: tables added by later migrations may be absent). */
export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(name) !== undefined;
}

/** Refuses a file that is not ours (another application's, or newer than this build) before anything is written. */
function checkWritable(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const notOurs = (why: string) => new ChainStoreOpenError(`${path} is not a Theater chain database: ${why}`);
  if (version === 0 && appId === 0) {
    const tables = userTables(db);
    if (tables.length > 0) throw notOurs(`it is another application's SQLite database (tables: ${tables.join(', ')})`);
  } else if (appId !== APPLICATION_ID) {
    throw notOurs(`its application_id is 0x${appId.toString(16)}, not Theater's 0x${APPLICATION_ID.toString(16)}`);
  }
  if (version > SCHEMA_VERSION) throw newerThanUs(path, version);
}

/**
 * What a writer checks before it takes a db's lease (a lease file beside it) or opens it for writing: an existing
 * file must be ours. Read through a read-only connection, so that another application's file is left exactly as it
 * was (opening it for writing first turned it to WAL).
 */
export function refuseForeignDb(path: string): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st || st.size === 0) return;
  const db = openChainDbRaw(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('schema_version');
    checkWritable(db, path);
  } catch (e) {
    throw openError(path, e, false);
  } finally {
    db.close();
  }
}

/** Brings the file to SCHEMA_VERSION (checkWritable has vouched for it). */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (const m of MIGRATIONS) {
    if (m.version <= version) continue;
    // One transaction per migration: a crash mid-migration leaves the previous version intact.
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
