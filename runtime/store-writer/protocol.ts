/**
 * What the main thread (store-writer.ts) and the store's writer thread (writer-thread.ts) tell each other.
 *
 * Requests go through a queue of fixed-size descriptors in shared memory: the hot one, "commit this range of that
 * record ring", is eight integers written in place (no message, no structured clone). A request that carries
 * strings or buffers (a new ring, a new actor/branch, a batch in a buffer of its own, an actor's status, ...) is
 * posted on a MessagePort and its descriptor says "take the next message": the queue keeps the order. The writer
 * thread sleeps in Atomics.wait on CONTROL[POSTED] when the queue is empty. Notices come back on another port, one
 * per committed transaction; CONTROL[COMMITTED] holds the number of the last request committed, so a synchronous
 * flush can wait for it without the event loop.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ActorInfo } from '../store/types.ts';
import type { LeaseClaim } from '../store/writer-lease.ts';

/** Int32 slots of the control SharedArrayBuffer. Counters wrap at 2^32: compare them with `after`. */
export const POSTED = 0; // descriptors written (main thread)
export const TAKEN = 1; // descriptors read (writer thread)
export const COMMITTED = 2; // number of the last request committed (writer thread)
export const STATE = 3;
/** Never written: the writer thread waits on it to pause for a set time. */
export const GATHER = 4;
/** 1 while the writer thread sleeps waiting for POSTED: only then does the main thread need to wake it. */
export const SLEEPING = 5;
export const CONTROL_SLOTS = 6;
export const STATE_STARTING = 0;
export const STATE_RUNNING = 1;
export const STATE_FAILED = 2;

/** The descriptor queue: QUEUE_SLOTS descriptors of SLOT_INTS Int32s; descriptor n is at slot n % QUEUE_SLOTS. */
export const QUEUE_SLOTS = 4096;
export const SLOT_INTS = 8;
/** Descriptor kinds (int 0), then: [1] request number, and for RING_APPEND [2] target [3] ring [4] from [5] to
 *  [6] entries. */
export const KIND_MESSAGE = 1;
export const KIND_RING_APPEND = 2;

/** True when counter `a` comes after `b` (Int32 counters that wrap around). */
export function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export interface WriterInit {
  readonly db: string;
  /** The writer lease this process holds on `db` (store/writer-lease.ts): the thread opens under it. */
  readonly claim: LeaseClaim;
  readonly control: SharedArrayBuffer;
  readonly queue: SharedArrayBuffer;
  readonly requests: MessagePort;
  readonly notices: MessagePort;
}

/** What a descriptor or a message asks for, as the writer thread handles it. */
export type WriteRequest =
  /** A batch in wire form (chain/batch-codec.ts), a buffer of its own. */
  | {
      readonly t: 'append';
      readonly no: number;
      readonly actor: string;
      readonly branch: string;
      readonly bytes: ArrayBuffer;
      readonly entries: number;
    }
  /** A batch in a range of a record ring (chain/record-ring.ts) registered before; released once committed. */
  | {
      readonly t: 'ring-append';
      readonly no: number;
      readonly target: number;
      readonly ring: number;
      readonly from: number;
      readonly to: number;
      readonly entries: number;
    }
  /** An actor's branch that ring appends will name by `target`. */
  | {
      readonly t: 'target';
      readonly no: number;
      readonly target: number;
      readonly actor: string;
      readonly branch: string;
    }
  /** A record ring that ring appends will name by `ring`. */
  | { readonly t: 'ring'; readonly no: number; readonly ring: number; readonly buffer: SharedArrayBuffer }
  /** No ring append names this ring any more. */
  | { readonly t: 'forget'; readonly no: number; readonly ring: number }
  /** Display data about an actor (status, component, ...), written in order with the batches around it. */
  | { readonly t: 'actor'; readonly no: number; readonly info: ActorInfo }
  /** Writes nothing: its notice says that everything before it is committed. */
  | { readonly t: 'barrier'; readonly no: number }
  /** Commit what is queued, then stop. */
  | { readonly t: 'close'; readonly no: number };

/** The requests that travel as messages (everything but ring appends). */
export type MessageRequest = Exclude<WriteRequest, { readonly t: 'ring-append' }>;

export interface RequestError {
  readonly no: number;
  readonly name: string;
  readonly message: string;
}

export type FromWriter =
  /** Every request up to `through` is committed, except those in `errors`; `lastEntryId`: the highest entry id. */
  | {
      readonly t: 'committed';
      readonly through: number;
      readonly lastEntryId: number;
      readonly errors: readonly RequestError[];
    }
  /** The writer cannot go on (the database could not be opened, ...); every request after this fails. */
  | { readonly t: 'failed'; readonly message: string };
