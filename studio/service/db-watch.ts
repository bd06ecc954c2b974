/**
 * Notices what other processes commit to the Studio's db (the common case: a headless `theater run` writing, the
 * Studio watching). Every POLL_MS it asks its read connection for PRAGMA data_version, which changes when another
 * connection commits; only then does it read the actors' live heads and report what moved. Who writes is checked
 * every WRITER_EVERY polls as well: a writer killed with kill -9 commits nothing, but its lease is gone.
 */
import type { ChainStore } from '../../runtime/index.ts';
import { toHex } from '../../runtime/index.ts';

/** A commit shows up in the Studio within this, plus the time to fetch it. */
const POLL_MS = 250;
const WRITER_EVERY = 4;

export interface DbChanges {
  /**
   * An actor's live head moved (not for actors this Studio runs: their events come from its runtime). `afterId`:
   * the row id of the head seen before (0 when none), so that what is new can be read.
   */
  entries(e: { actor: string; branch: string; count: number; head: string; seq: number }, afterId: number): void;
  /** Actors, their statuses or their ports changed. */
  actors(): void;
  /** Who writes the db may have changed. */
  writer(): void;
}

interface Seen {
  readonly branch: string;
  readonly id: number;
  readonly seq: number;
}

export class DbWatch {
  private version: number;
  private readonly heads = new Map<string, Seen>();
  private actorsKey = '';
  private writerKey = '';
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: ChainStore,
    /** Actors whose events the Studio gets first-hand (it runs them). */
    private readonly ownActor: (id: string) => boolean,
    private readonly on: DbChanges,
  ) {
    this.version = store.dataVersion();
    this.scan(false);
    this.writerKey = this.writerSignature();
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    try {
      if (++this.ticks % WRITER_EVERY === 0) {
        const key = this.writerSignature();
        if (key !== this.writerKey) {
          this.writerKey = key;
          this.on.writer();
          this.on.actors(); // statuses and ports are only trusted while their writer lives
        }
      }
      const v = this.store.dataVersion();
      if (v === this.version) return;
      this.version = v;
      this.scan(true);
    } catch {
      // The store was closed under us (shutdown): the next tick will not come.
    }
  }

  private writerSignature(): string {
    const w = this.store.writer();
    return w.live ? (w.holder?.lease ?? 'unknown') : '';
  }

  private scan(report: boolean): void {
    const actors = this.store.actors();
    const listeners = this.store.listeners();
    const key = JSON.stringify([actors.map((a) => [a.id, a.status, a.liveBranch]), listeners]);
    if (key !== this.actorsKey) {
      this.actorsKey = key;
      if (report) this.on.actors();
    }
    for (const a of actors) {
      const head = this.store.head(a.id, a.liveBranch);
      if (!head) continue;
      const before = this.heads.get(a.id);
      if (before && before.id === head.id && before.branch === a.liveBranch) continue;
      this.heads.set(a.id, { branch: a.liveBranch, id: head.id, seq: head.seq });
      if (!report || this.ownActor(a.id)) continue;
      const count = before && before.branch === a.liveBranch ? Math.max(1, head.seq - before.seq) : head.seq + 1;
      this.on.entries(
        { actor: a.id, branch: a.liveBranch, count, head: toHex(head.hash), seq: head.seq },
        before?.id ?? 0,
      );
    }
  }
}
