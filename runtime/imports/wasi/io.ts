/**
 * wasi:io — streams, pollables and errors, the plumbing every other WASI interface hands out. The host objects here
 * are never seen by the guest: the interceptor gives it recorded stand-ins (chain/resources.ts), so a write, a poll
 * or a drop is a crossing on the chain like any other import.
 */
import type { ImportHandler } from '../types.ts';

/** How much one write may carry: check-write's answer. Larger writes are split by the guest's libc or engine. */
export const WRITE_BUDGET = 1024 * 1024;

/** wasi:io/error's resource: a host error a stream reports as last-operation-failed. */
export class IoError {
  constructor(readonly message: string) {}
  toDebugString(): string {
    return this.message;
  }
}

/** A pollable: ready now, or at a monotonic instant (ns). `block` blocks only this actor's worker. */
export class Pollable {
  private static readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  constructor(readonly readyAtNs: bigint = 0n) {}
  ready(): boolean {
    return process.hrtime.bigint() >= this.readyAtNs;
  }
  block(): void {
    const wait = this.readyAtNs - process.hrtime.bigint();
    // Past the call's time limit the watchdog ends it, as for any runaway call.
    if (wait > 0n) Atomics.wait(Pollable.sleeper, 0, 0, Math.ceil(Number(wait) / 1e6));
  }
}

/** An output stream that delivers what is written to `sink` (stdout and stderr: the actor's log). */
export class OutputStream {
  constructor(
    readonly label: string,
    private readonly sink: (bytes: Uint8Array) => void,
  ) {}
  checkWrite(): bigint {
    return BigInt(WRITE_BUDGET);
  }
  write(contents: Uint8Array): void {
    if (contents.length > WRITE_BUDGET)
      throw { tag: 'last-operation-failed', val: new IoError('write exceeds check-write') };
    this.sink(contents);
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }
  flush(): void {}
  blockingFlush(): void {}
  subscribe(): Pollable {
    return new Pollable();
  }
  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(): bigint {
    throw { tag: 'closed' };
  }
  blockingSplice(): bigint {
    throw { tag: 'closed' };
  }
}

/** An input stream with nothing in it: stdin. Actors get their input from calls, never from a stream. */
export class InputStream {
  readonly label = 'stdin';
  read(): Uint8Array {
    throw { tag: 'closed' };
  }
  blockingRead(): Uint8Array {
    throw { tag: 'closed' };
  }
  skip(): bigint {
    throw { tag: 'closed' };
  }
  blockingSkip(): bigint {
    throw { tag: 'closed' };
  }
  subscribe(): Pollable {
    return new Pollable();
  }
}

export const wasiIoHandlers: readonly ImportHandler[] = [
  { iface: 'wasi:io/error', grantedBy: null, imports: () => ({ Error: IoError }) },
  {
    iface: 'wasi:io/poll',
    grantedBy: null,
    imports: () => ({
      Pollable,
      /** Blocks until at least one is ready; returns the indexes of those that are. */
      poll: (list: readonly Pollable[]) => {
        if (list.length === 0) throw new Error('poll of an empty list');
        let ready = list.flatMap((p, i) => (p.ready() ? [i] : []));
        if (ready.length === 0) {
          list.reduce((a, b) => (a.readyAtNs <= b.readyAtNs ? a : b)).block();
          ready = list.flatMap((p, i) => (p.ready() ? [i] : []));
        }
        return new Uint32Array(ready);
      },
    }),
  },
  { iface: 'wasi:io/streams', grantedBy: null, imports: () => ({ InputStream, OutputStream }) },
];
