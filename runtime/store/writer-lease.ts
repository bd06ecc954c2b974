/**
 * One writer per chain db, any number of readers. A process that records into a db (`theater run`, the Studio
 * running actors, `theater fork`/`import`/`branches --live`) first takes the db's writer lease, and holds it for as
 * long as it may write; a second writer is refused before it writes anything, told who holds the lease. Readers
 * never take it. The lease belongs to the process: whichever thread commits, the process holding the lease owns the
 * db's writing.
 *
 * The lease is an OS lock taken through SQLite: an exclusive transaction held open on a side file, `<db>-lease`,
 * which stays empty (nothing is ever written to it, so there is no journal and nothing to recover). Why this:
 * - The OS drops a process's fcntl locks when it dies, `kill -9` included: a crashed writer never leaves a lease
 *   behind, and nothing has to guess from a timeout or a pid whether it is still alive (a pid check needs a guard
 *   against pid reuse and means nothing across pid namespaces, e.g. two containers sharing a volume).
 * - SQLite tracks locks per file across all connections of a process and reports conflicts between them as
 *   SQLITE_BUSY, so a second writer inside the same process (a second ActorSystem, a Studio action) is refused
 *   exactly like one in another process. And it defers closing a file's descriptors while another connection of the
 *   process holds locks on it, so our own probes cannot drop the lock the way an `fs` open would.
 * - Node has no flock/fcntl API, and the db's own locks cannot serve: in WAL mode SQLite takes the write lock per
 *   transaction, and holding one open would block our own committing connection.
 *
 * Who holds the lease is announced in the db itself (tables `writer` and `listeners`, schema version 3), written by
 * the holder once it has the lock and deleted when it releases. Those rows are trusted only while the lock is held:
 * after a kill -9 they remain, the lock is free, readers see `live: false`, and the next writer overwrites them.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { trackOpen } from './open-files.ts';
import { hasTable, openChainDb, refuseForeignDb } from './schema.ts';
import { ChainStoreOpenError } from './types.ts';
import { makeDirs } from '../make-dirs.ts';

/** How long a writer waits for the lease file's lock when someone only probes it (a reader holds it for microseconds). */
const ACQUIRE_WAIT_MS = 1000;

export interface WriterInfo {
  /** Random id of one holding of the lease. */
  readonly lease: string;
  readonly pid: number;
  readonly host: string;
  /** What the holder is, e.g. `theater run counter/manifest.toml --db chain.db`. */
  readonly command: string;
  /** ms since the epoch when it took the lease. */
  readonly since: number;
}

export interface WriterStatus {
  /** The last announced holder; null when none is (or the file predates the writer table). */
  readonly holder: WriterInfo | null;
  /** Someone holds the lease right now. `holder` with `live` false is a writer that died without releasing. */
  readonly live: boolean;
}

export interface ListenerRow {
  readonly actor: string;
  readonly kind: 'http-server' | 'message-server';
  readonly host: string;
  readonly port: number;
}

/** The side file whose lock is the lease. */
export function leaseFile(db: string): string {
  return `${resolve(db)}-lease`;
}

/** Another process (or another part of this one) holds the db's writer lease. */
export class WriterBusyError extends Error {
  override readonly name = 'WriterBusyError';
  constructor(
    readonly db: string,
    readonly holder: WriterInfo | null,
  ) {
    super(
      `${db} is being written by ${describeHolder(holder)}. A chain database has one writer at a time: stop that ` +
        'process first (in the Studio: stop its actors), or use another --db. Reading it (theater events, state, ' +
        'verify, replay, export; the Studio) works while it runs.',
    );
  }
}

export function describeHolder(h: WriterInfo | null): string {
  if (!h) return 'another process (it does not say which: an older Theater?)';
  const where = h.host === hostname() ? '' : ` on ${h.host}`;
  return `pid ${h.pid}${where} (${h.command}), since ${new Date(h.since).toISOString()}`;
}

/** How this process describes itself as a holder: `theater run …`, `theater-studio …`, or its script and args. */
export function describeThisProcess(): string {
  const script = process.argv[1] ? basename(process.argv[1]) : 'node';
  const name = script === 'theater.js' ? 'theater' : script === 'studio.js' ? 'theater-studio' : script;
  const line = [name, ...process.argv.slice(2)].join(' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export class WriterLease {
  private released = false;

  private constructor(
    /** Absolute path of the db. */
    readonly db: string,
    readonly info: WriterInfo,
    private readonly lock: Database.Database,
    private readonly announce: Database.Database,
    private readonly stmts: ReturnType<typeof prepare>,
  ) {}

  /**
   * Takes the lease of `db` (created if missing, and migrated: only a lease holder migrates), or throws
   * WriterBusyError naming the holder. Nothing is written to the db before the lease is held.
   */
  static acquire(db: string, command: string = describeThisProcess()): WriterLease {
    const path = resolve(db);
    refuseForeignDb(path);
    try {
      makeDirs(dirname(path));
    } catch (e) {
      throw new ChainStoreOpenError(`cannot make the folder for the db ${path}: ${(e as Error).message}`, { cause: e });
    }
    const lock = new Database(leaseFile(path), { timeout: ACQUIRE_WAIT_MS });
    trackOpen(leaseFile(path), lock);
    try {
      // The transaction writes nothing; MEMORY keeps SQLite from creating a -journal file beside the lease file.
      lock.pragma('journal_mode = MEMORY');
      lock.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      lock.close();
      if (isBusy(e)) throw new WriterBusyError(path, readHolder(path));
      throw e;
    }
    let announce: Database.Database | undefined;
    try {
      announce = openChainDb(path, 'write');
      const info: WriterInfo = { lease: randomUUID(), pid: process.pid, host: hostname(), command, since: Date.now() };
      const stmts = prepare(announce);
      announce.transaction(() => {
        stmts.setWriter.run(info);
        stmts.clearListeners.run(); // a dead writer's ports are not ours
      })();
      return new WriterLease(path, info, lock, announce, stmts);
    } catch (e) {
      announce?.close();
      lock.close(); // closing ends the transaction: the lock is released
      throw e;
    }
  }

  get id(): string {
    return this.info.lease;
  }

  get held(): boolean {
    return !this.released;
  }

  /** Whether this lease is for the db at `path`. */
  covers(path: string): boolean {
    return this.held && resolve(path) === this.db;
  }

  /**
   * What another thread of this process is given so that it may open a writer's connection under this lease (the
   * store's writer thread): the lease itself is a connection and stays on the thread that took it.
   */
  claim(): LeaseClaim {
    if (!this.held) throw new Error(`the writer lease of ${this.db} was released`);
    return { db: this.db, lease: this.info.lease, pid: process.pid };
  }

  /** An actor of this process listens here: readers may fire requests at it. */
  recordListener(actor: string, l: Omit<ListenerRow, 'actor'>): void {
    if (this.held) this.stmts.addListener.run({ actor, ...l });
  }

  forgetListeners(actor: string): void {
    if (this.held) this.stmts.removeListeners.run(actor);
  }

  /** Withdraws the announcement and drops the lock. Idempotent; a process that dies drops the lock all the same. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      this.announce.transaction(() => {
        this.stmts.clearWriter.run(this.info.lease);
        this.stmts.clearListeners.run();
      })();
    } finally {
      this.announce.close();
      this.lock.close();
    }
  }
}

/** A lease held by another thread of this process, by its id (see WriterLease.claim). */
export interface LeaseClaim {
  readonly db: string;
  readonly lease: string;
  readonly pid: number;
}

/**
 * Throws unless this process holds, right now, the lease `claim` names on `path`: checked through SQLite (the lease
 * file's lock is held, and the holder announced in the db is that lease of this process). WriterBusyError names
 * the holder when someone else's lease it is.
 */
export function checkClaim(path: string, claim: LeaseClaim): void {
  const db = openChainDb(path, 'read');
  try {
    const { holder, live } = readWriterStatus(db, path);
    const ours = holder?.lease === claim.lease && holder.pid === process.pid && claim.pid === process.pid;
    if (live && ours && resolve(path) === claim.db) return;
    if (live && !ours) throw new WriterBusyError(resolve(path), holder);
    throw new Error(`the writer lease of ${path} this thread was given (${claim.lease}) is not held any more`);
  } finally {
    db.close();
  }
}

function prepare(db: Database.Database) {
  return {
    setWriter: db.prepare(`INSERT OR REPLACE INTO writer (id, lease, pid, host, command, since)
      VALUES (1, @lease, @pid, @host, @command, @since)`),
    clearWriter: db.prepare('DELETE FROM writer WHERE lease = ?'),
    addListener: db.prepare(
      'INSERT OR REPLACE INTO listeners (actor, kind, host, port) VALUES (@actor, @kind, @host, @port)',
    ),
    removeListeners: db.prepare('DELETE FROM listeners WHERE actor = ?'),
    clearListeners: db.prepare('DELETE FROM listeners'),
  };
}

function isBusy(e: unknown): boolean {
  return e instanceof Database.SqliteError && (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED');
}

/**
 * Whether someone holds the lease of `db` now (this process included). Takes a shared lock on the lease file for
 * the length of one read, which a holder's exclusive lock refuses.
 */
export function probeLease(db: string): boolean {
  const file = leaseFile(db);
  if (!existsSync(file)) return false;
  let probe: Database.Database;
  try {
    probe = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
  } catch {
    return false; // vanished between the stat and the open: nobody holds it
  }
  try {
    probe.prepare('SELECT count(*) FROM sqlite_schema').get();
    return false;
  } catch (e) {
    if (isBusy(e)) return true;
    throw e;
  } finally {
    probe.close();
  }
}

/**
 * Throws WriterBusyError, naming the holder, when someone holds the lease of `db` now; creates nothing. For a writer
 * that must check other things before it takes the lease (which creates the db): `theater run` is told that the db
 * is busy before it is told that its port is, and listens before it creates a db. Taking the lease still decides.
 */
export function refuseIfLeased(db: string): void {
  if (probeLease(db)) throw new WriterBusyError(resolve(db), readHolder(resolve(db)));
}

/** The announced holder and whether the lease is held, through an open connection to the db. */
export function readWriterStatus(db: Database.Database, path: string): WriterStatus {
  const live = probeLease(path);
  if (!hasTable(db, 'writer')) return { holder: null, live };
  const holder = (db.prepare('SELECT lease, pid, host, command, since FROM writer WHERE id = 1').get() ??
    null) as WriterInfo | null;
  return { holder, live };
}

/** The ports the holder's actors listen on (empty when the file predates the listeners table). */
export function readListeners(db: Database.Database): ListenerRow[] {
  if (!hasTable(db, 'listeners')) return [];
  return db.prepare('SELECT actor, kind, host, port FROM listeners ORDER BY actor, kind, port').all() as ListenerRow[];
}

/**
 * The holder named in a refusal. A holder that took the lease a moment ago may not have announced itself yet:
 * wait briefly for its row rather than name nobody.
 */
function readHolder(path: string): WriterInfo | null {
  for (let attempt = 0; attempt < 10; attempt++) {
    if (existsSync(path)) {
      let db: Database.Database | undefined;
      try {
        db = openChainDb(path, 'read');
        const s = readWriterStatus(db, path);
        if (s.holder) return s.holder;
      } catch {
        // not a readable chain db yet (being created): wait
      } finally {
        db?.close();
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  return null;
}
