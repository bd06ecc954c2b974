/**
 * The Studio's hold on its db. It reads through one read-only connection, always. It writes only while it has
 * something to write: starting an actor opens a runtime, which takes the db's writer lease, and stopping the last
 * one closes it again, so that a `theater run` in a terminal can take over the db; one-shot writes (fork, import,
 * switching the live branch of a stopped actor) take the lease for their duration. While another process holds the
 * lease the Studio only reads: anything that would write is refused, naming that process.
 */
import { existsSync } from 'node:fs';
import {
  ActorSystem,
  ChainStore,
  ChainStoreOpenError,
  WriterBusyError,
  WriterLease,
  describeHolder,
  type WriterStatus,
} from '../../runtime/index.ts';
import type { DbView } from '../contract.ts';
import { readOnly } from './api-error.ts';

export interface DbAccessOptions {
  readonly db: string;
  readonly ephemeralPorts?: boolean;
  /** How the Studio names itself to other would-be writers. */
  readonly writer: string;
  /** A runtime was opened (wire its events). */
  readonly onRuntime: (system: ActorSystem) => void;
  /** Who writes the db may have changed (this Studio took or dropped the lease). */
  readonly onWriterChange: () => void;
}

export class DbAccess {
  /** Every read of the Studio goes through this connection (never through the runtime's writer). */
  readonly store: ChainStore;
  private system: ActorSystem | undefined;
  /** The lease of a one-shot write in progress. */
  private oneShot: WriterLease | undefined;
  /** Serialises opening and closing the runtime. */
  private transition: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: DbAccessOptions) {
    this.store = openReader(opts.db, opts.writer);
  }

  /** The runtime while this Studio runs actors of the db. */
  get runtime(): ActorSystem | undefined {
    return this.system;
  }

  /** Who writes the db, as the Studio shows it. */
  view(status: WriterStatus = this.store.writer()): DbView {
    const path = this.store.path;
    if (!status.live) return { path, readOnly: false, writer: null };
    const h = status.holder;
    const own = this.system?.lease.id ?? this.oneShot?.id;
    const self = h !== null && own !== undefined && h.lease === own;
    return {
      path,
      readOnly: !self,
      writer: h && { pid: h.pid, host: h.host, command: h.command, since: h.since, self },
    };
  }

  /** Refuses (read-only) when another process writes the db. */
  assertWritable(what: string): void {
    const s = this.store.writer();
    if (this.view(s).readOnly) throw refusal(what, s);
  }

  /** The runtime to start actors in, opened (taking the writer lease) if the Studio has none yet. */
  runtimeForStart(what: string): Promise<ActorSystem> {
    return this.serialise(async () => {
      if (this.system) return this.system;
      this.assertWritable(what);
      try {
        this.system = ActorSystem.open({
          db: this.opts.db,
          ephemeralPorts: this.opts.ephemeralPorts,
          writer: this.opts.writer,
        });
      } catch (e) {
        if (e instanceof WriterBusyError) throw refusal(what, { holder: e.holder, live: true });
        throw e;
      }
      this.opts.onRuntime(this.system);
      this.opts.onWriterChange();
      return this.system;
    });
  }

  /** Closes the runtime (dropping the lease) once it runs no actor: the db is free for another writer again. */
  releaseIfIdle(): Promise<void> {
    return this.serialise(async () => {
      const s = this.system;
      if (!s || s.list().length > 0) return;
      this.system = undefined;
      await s.close();
      this.opts.onWriterChange();
    });
  }

  /**
   * A one-shot write: through the runtime when the Studio has one (its store is the one writer here), else under
   * the writer lease for the write's duration. Refused while another process writes.
   */
  write<T>(what: string, fn: (store: ChainStore, system: ActorSystem | undefined) => T | Promise<T>): Promise<T> {
    return this.serialise(async () => {
      if (this.system) return fn(this.system.store, this.system);
      this.assertWritable(what);
      let lease: WriterLease;
      try {
        lease = WriterLease.acquire(this.opts.db, this.opts.writer);
      } catch (e) {
        if (e instanceof WriterBusyError) throw refusal(what, { holder: e.holder, live: true });
        throw e;
      }
      this.oneShot = lease;
      try {
        const store = ChainStore.open(this.opts.db, { lease });
        try {
          return await fn(store, undefined);
        } finally {
          store.close();
        }
      } finally {
        this.oneShot = undefined;
        lease.release();
      }
    });
  }

  async close(): Promise<void> {
    await this.transition.catch(() => {});
    const s = this.system;
    this.system = undefined;
    try {
      await s?.close();
    } finally {
      this.store.close();
    }
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.transition.catch(() => {}).then(fn);
    this.transition = run;
    return run;
  }
}

function refusal(what: string, s: WriterStatus): Error {
  return readOnly(
    `cannot ${what}: ${describeHolder(s.holder)} is writing this db, so the Studio only reads it. ` +
      'Stop that process to run, fork or import here; meanwhile its new entries show up live.',
  );
}

/**
 * The Studio's read connection. A db that does not exist yet (a fresh Studio db) is created first, briefly under
 * the writer lease, so that there is something to read; if another process is creating it right now, wait for it.
 */
function openReader(db: string, writer: string): ChainStore {
  for (let attempt = 0; ; attempt++) {
    try {
      if (!existsSync(db)) WriterLease.acquire(db, writer).release();
      return ChainStore.openReadOnly(db);
    } catch (e) {
      const creating =
        e instanceof WriterBusyError || (e instanceof ChainStoreOpenError && /empty database/.test(e.message));
      if (!creating || attempt >= 20) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}
