/**
 * What the main thread (store-writer.ts) and the store's writer thread (writer-thread.ts) tell each other.
 *
 * Requests travel on a MessagePort, many per message (one message per event-loop turn of the main thread); the
 * writer thread takes them with receiveMessageOnPort and sleeps in Atomics.wait on CONTROL[POSTED] when there are
 * none. Notices come back on another port, one per committed transaction; CONTROL[COMMITTED] holds the number of
 * the last request committed, so a synchronous flush can wait for it without the event loop.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ActorInfo } from '../store/types.ts';

/** Int32 slots of the control SharedArrayBuffer. Request numbers wrap at 2^32: compare them with `after`. */
export const POSTED = 0;
export const COMMITTED = 1;
export const STATE = 2;
export const CONTROL_SLOTS = 3;
export const STATE_STARTING = 0;
export const STATE_RUNNING = 1;
export const STATE_FAILED = 2;

/** True when request number `a` comes after `b` (numbers are Int32 and wrap around). */
export function after(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export interface WriterInit {
  readonly db: string;
  readonly control: SharedArrayBuffer;
  readonly requests: MessagePort;
  readonly notices: MessagePort;
}

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
      readonly actor: string;
      readonly branch: string;
      readonly ring: number;
      readonly from: number;
      readonly to: number;
      readonly entries: number;
    }
  /** A record ring that batches will name by `ring`. */
  | { readonly t: 'ring'; readonly no: number; readonly ring: number; readonly buffer: SharedArrayBuffer }
  /** No batch names this ring any more. */
  | { readonly t: 'forget'; readonly no: number; readonly ring: number }
  /** Display data about an actor (status, component, ...), written in order with the batches around it. */
  | { readonly t: 'actor'; readonly no: number; readonly info: ActorInfo }
  /** Writes nothing: its notice says that everything posted before it is committed. */
  | { readonly t: 'barrier'; readonly no: number };

export type ToWriter = { readonly t: 'requests'; readonly items: readonly WriteRequest[] } | { readonly t: 'close' };

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
