/**
 * A node's link to its hub, as the runtime's thread sees it: the shipper runs on a thread of its own
 * (ship-worker.ts) and reports its status here. Starting it reads nothing on this thread but the key file (so a
 * bad key fails at once, with its path); stopping it gives the shipper a bounded time to ship what was committed.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script.ts';
import type { ShipperStatus } from './shipper.ts';
import { loadNodeKey } from './signing.ts';

export interface ShipJob {
  readonly db: string;
  readonly hub: string;
  readonly node: string;
  readonly keyFile: string;
  readonly pageSize?: number;
}

export type LinkMessage =
  | { readonly t: 'status'; readonly status: ShipperStatus }
  | { readonly t: 'stopped'; readonly shipped: number; readonly caughtUp: boolean };

export class HubLink {
  private worker: Worker;
  private stopping = false;
  private stopped: Promise<{ shipped: number; caughtUp: boolean }> | undefined;

  private constructor(
    private readonly job: ShipJob,
    private readonly onStatus: (s: ShipperStatus) => void,
  ) {
    this.worker = this.spawn();
  }

  /** Starts shipping `db` to the hub; the key file is created (with its .pub) when missing. */
  static start(job: ShipJob, onStatus: (s: ShipperStatus) => void = () => {}): HubLink {
    loadNodeKey(job.keyFile, { create: true });
    return new HubLink(job, onStatus);
  }

  /**
   * The shipper's thread. Should it ever die (a bug, an uncaught error), it is started again a second later: it
   * resumes from the hub's watermark like after a restart, and the node goes on shipping.
   */
  private spawn(): Worker {
    const worker = new Worker(workerScript(import.meta.url, 'ship-worker'), { workerData: this.job });
    worker.on('message', (m: LinkMessage) => {
      if (m.t === 'status') this.onStatus(m.status);
    });
    worker.on('error', (e) =>
      this.onStatus({ kind: 'error', message: `shipper thread failed: ${e.message}`, fatal: false }),
    );
    worker.on('exit', () => {
      if (this.stopping) return;
      setTimeout(() => {
        if (!this.stopping) this.worker = this.spawn();
      }, 1000).unref();
    });
    worker.unref();
    return worker;
  }

  /**
   * Ships what is committed for up to `drainMs` more, then ends the thread. Resolves with what it shipped and
   * whether it caught up (what it did not ship, the next run ships).
   */
  stop(drainMs = 5000): Promise<{ shipped: number; caughtUp: boolean }> {
    this.stopping = true;
    const worker = this.worker;
    this.stopped ??= new Promise((resolve) => {
      const done = (r: { shipped: number; caughtUp: boolean }) => {
        clearTimeout(timer);
        void worker.terminate();
        resolve(r);
      };
      // The shipper honours drainMs itself; this is only for a thread that no longer answers at all.
      const timer = setTimeout(() => done({ shipped: 0, caughtUp: false }), drainMs + 5000);
      worker.on('message', (m: LinkMessage) => {
        if (m.t === 'stopped') done(m);
      });
      worker.once('exit', () => done({ shipped: 0, caughtUp: false }));
      worker.postMessage({ t: 'stop', drainMs });
    });
    return this.stopped;
  }
}
