/**
 * The store's writer thread: owns the SQLite connection that records, so the thread that dispatches calls never
 * waits on SQLite. It runs a plain loop, no event loop: take every request the main thread has posted, commit them
 * all in one transaction (group commit: whatever arrived while the last commit ran goes into the next), tell the
 * main thread which are committed, and sleep in Atomics.wait when there is nothing to do. When idle it keeps the
 * hash index's runs up to date (store/hash-index.ts), so that upkeep stays off the hot path.
 *
 * A reply to a caller is sent only after the notice for its request arrives: commit before reply holds here.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { RingReader } from '../chain/record-ring.ts';
import { encodedAppend, type EncodedAppend } from '../store/append.ts';
import { ChainStore } from '../store/chain-store.ts';
import type { ActorInfo } from '../store/types.ts';
import {
  COMMITTED,
  POSTED,
  STATE,
  STATE_FAILED,
  STATE_RUNNING,
  type FromWriter,
  type RequestError,
  type ToWriter,
  type WriteRequest,
  type WriterInit,
} from './protocol.ts';

/** Idle this long (no request) before the hash index's upkeep runs: a busy writer is often idle for a moment. */
const QUIET_MS = 20;
/** Under load, the hash index checks its tails after this many entries (see hash-index.ts, TAIL_MAX). */
const UPKEEP_EVERY = 4096;

const init = workerData as WriterInit;
const control = new Int32Array(init.control);
const notify = (m: FromWriter) => init.notices.postMessage(m);

let store: ChainStore;
try {
  store = ChainStore.open(init.db);
} catch (e) {
  fail(e);
}
Atomics.store(control, STATE, STATE_RUNNING);
Atomics.notify(control, STATE);

let closing = false;
/** Record rings by the number the main thread gave them. */
const rings = new Map<number, RingReader>();
/** Rings to forget once the requests taken with the request that said so are committed. */
let forget: number[] = [];
/** Entries committed since the hash index last checked its tails under load. */
let sinceUpkeep = 0;
for (;;) {
  // Read the counter before taking requests: one posted after this makes the wait below return at once.
  const seen = Atomics.load(control, POSTED);
  const items = take();
  if (items.length > 0) {
    sinceUpkeep += commit(items);
    // Under sustained load the writer is never idle: once the tail may be long enough to slow lookups, make a run.
    if (sinceUpkeep >= UPKEEP_EVERY) {
      sinceUpkeep = 0;
      upkeep(true);
    }
    continue;
  }
  if (closing) break;
  // Idle: after a quiet moment, one step of upkeep at a time, checking for requests between steps.
  if (sleep(seen, QUIET_MS) === 'timed-out') while (Atomics.load(control, POSTED) === seen && upkeep(false));
}
store.close();
init.notices.close();
init.requests.close();

/** Blocks until the main thread posts (or `ms` pass). Its own function, so profiles can tell waiting from work. */
function sleep(seen: number, ms: number): string {
  return Atomics.wait(control, POSTED, seen, ms);
}

function take(): WriteRequest[] {
  const items: WriteRequest[] = [];
  for (let m = receiveMessageOnPort(init.requests); m; m = receiveMessageOnPort(init.requests)) {
    const msg = m.message as ToWriter;
    if (msg.t === 'close') closing = true;
    else {
      for (const item of msg.items) {
        // A ring is known before the batches in it are applied; it is forgotten only after they are committed.
        if (item.t === 'ring') rings.set(item.ring, new RingReader(item.buffer));
        else if (item.t === 'forget') forget.push(item.ring);
        items.push(item);
      }
    }
  }
  return items;
}

/** One transaction for everything; if it fails, one per request, so one bad batch fails only its own callers. */
function commit(items: readonly WriteRequest[]): number {
  const errors: RequestError[] = [];
  let lastEntryId = 0;
  let entries = 0;
  for (const item of items) if (item.t === 'append' || item.t === 'ring-append') entries += item.entries;
  try {
    lastEntryId = apply(items);
  } catch {
    for (const item of items) {
      try {
        lastEntryId = Math.max(lastEntryId, apply([item]));
      } catch (err) {
        const { name, message } = err instanceof Error ? err : new Error(String(err));
        errors.push({ no: item.no, name, message });
      }
    }
  }
  // Committed or refused, a ring's range is done with: its worker may write there again.
  const released = new Map<number, number>();
  for (const item of items) if (item.t === 'ring-append') released.set(item.ring, item.to);
  for (const [ring, to] of released) rings.get(ring)?.release(to);
  for (const ring of forget) rings.delete(ring);
  forget = [];
  const through = items[items.length - 1]!.no;
  // The notice first, then the counter: a synchronous flush that sees the counter finds the notice queued.
  notify({ t: 'committed', through, lastEntryId, errors });
  Atomics.store(control, COMMITTED, through);
  Atomics.notify(control, COMMITTED);
  return entries;
}

function apply(items: readonly WriteRequest[]): number {
  const batches: EncodedAppend[] = [];
  const actors: ActorInfo[] = [];
  for (const item of items) {
    if (item.t === 'append') batches.push(encodedAppend(item.actor, item.branch, new Uint8Array(item.bytes)));
    else if (item.t === 'ring-append') {
      const ring = rings.get(item.ring);
      if (!ring) throw new Error(`batch for ${item.actor} names ring ${item.ring}, which was never registered`);
      const { from, to } = item;
      batches.push({
        actor: item.actor,
        branch: item.branch,
        bytes: ring.data,
        records: (visit) => ring.forEach(from, to, visit),
      });
    } else if (item.t === 'actor') actors.push(item.info);
  }
  if (batches.length === 0 && actors.length === 0) return 0;
  return store.appendEncoded(batches, actors).lastEntryId;
}

function upkeep(busy: boolean): boolean {
  try {
    return store.hashIndex.work(busy);
  } catch {
    // A lookup structure only (a busy database, a full disk): recording goes on; the next idle turn tries again.
    return false;
  }
}

function fail(e: unknown): never {
  notify({ t: 'failed', message: e instanceof Error ? e.message : String(e) });
  Atomics.store(control, STATE, STATE_FAILED);
  Atomics.notify(control, STATE);
  Atomics.notify(control, COMMITTED);
  process.exit(1);
}
