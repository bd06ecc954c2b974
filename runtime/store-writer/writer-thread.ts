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
  GATHER,
  KIND_MESSAGE,
  KIND_RING_APPEND,
  POSTED,
  QUEUE_SLOTS,
  SLEEPING,
  SLOT_INTS,
  STATE,
  STATE_FAILED,
  STATE_RUNNING,
  TAKEN,
  type FromWriter,
  type MessageRequest,
  type RequestError,
  type WriteRequest,
  type WriterInit,
} from './protocol.ts';

/** Idle this long (no request) before the hash index's upkeep runs: a busy writer is often idle for a moment, and
 *  a loaded machine stalls the threads that feed it for tens of ms; upkeep then would sort keys twice (hash-index.ts). */
const QUIET_MS = 250;
/**
 * Group commit: a commit has a fixed cost (the write lock, a WAL frame per page touched), so while concurrent traffic
 * flows (the last commit ended less than BUSY_MS ago and held more than one request) a small group waits GATHER_MS
 * for more before committing. A lone request after a pause, and a client that sends one call at a time (each call
 * waits for the last one's reply, so nothing more would come), commit at once.
 */
const GATHER_BELOW = 256;
const GATHER_MS = 1;
const BUSY_MS = 2;
/** Under load, the hash index checks its tails after this many entries (see hash-index.ts, TAIL_MAX). */
const UPKEEP_EVERY = 4096;

const init = workerData as WriterInit;
const control = new Int32Array(init.control);
const queue = new Int32Array(init.queue);
const notify = (m: FromWriter) => init.notices.postMessage(m);

let store: ChainStore;
try {
  store = ChainStore.open(init.db, { claim: init.claim });
} catch (e) {
  fail(e);
}
Atomics.store(control, STATE, STATE_RUNNING);
Atomics.notify(control, STATE);

let closing = false;
/** Descriptors taken so far. */
let taken = 0;
/** Record rings and actor branches by the numbers the main thread gave them. */
const rings = new Map<number, RingReader>();
const targets = new Map<number, { readonly actor: string; readonly branch: string }>();
/** Rings to forget once the requests taken with the request that said so are committed. */
let forget: number[] = [];
/** Entries committed since the hash index last checked its tails under load. */
let sinceUpkeep = 0;
/** When the last commit ended (performance.now()), and how many requests it held. */
let lastCommit = -Infinity;
let lastGroup = 0;
for (;;) {
  // Read the counter before taking requests: one posted after this makes the wait below return at once.
  const seen = Atomics.load(control, POSTED);
  const items = take();
  if (items.length > 0) {
    if (items.length < GATHER_BELOW && lastGroup > 1 && performance.now() - lastCommit < BUSY_MS) {
      gather(GATHER_MS);
      for (const more of take()) items.push(more);
    }
    sinceUpkeep += commit(items);
    lastCommit = performance.now();
    lastGroup = items.length;
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
// Closing: leave the hash index's tails sorted, so that whoever opens the store next looks up fast. Tiered merges
// (seconds on a big store) are left to the next writer's idle moments: closing stays quick.
while (upkeep(false, false));
store.close();
init.notices.close();
init.requests.close();

/** Blocks until the main thread posts (or `ms` pass). Its own function, so profiles can tell waiting from work. */
function sleep(seen: number, ms: number): string {
  Atomics.store(control, SLEEPING, 1);
  const r = Atomics.wait(control, POSTED, seen, ms);
  Atomics.store(control, SLEEPING, 0);
  return r;
}

/** Blocks for `ms` whatever is posted meanwhile (named for profiles, as sleep). */
function gather(ms: number): void {
  Atomics.wait(control, GATHER, 0, ms);
}

/** Every descriptor posted so far, as requests; rings and targets are registered as they come. */
function take(): WriteRequest[] {
  const items: WriteRequest[] = [];
  const posted = Atomics.load(control, POSTED);
  for (; taken !== posted; taken = (taken + 1) | 0) {
    const at = (taken & (QUEUE_SLOTS - 1)) * SLOT_INTS;
    const kind = queue[at]!;
    if (kind === KIND_RING_APPEND) {
      const [no, target, ring, from, to, entries] = [1, 2, 3, 4, 5, 6].map((i) => queue[at + i]!) as number[];
      items.push({ t: 'ring-append', no: no!, target: target!, ring: ring!, from: from!, to: to!, entries: entries! });
      continue;
    }
    if (kind !== KIND_MESSAGE) throw new Error(`descriptor ${taken} has an unknown kind ${kind}`);
    const m = receiveMessageOnPort(init.requests);
    if (!m) throw new Error(`descriptor ${taken} announces a message that is not there`);
    const req = m.message as MessageRequest;
    // A ring or target is known before the batches naming it are applied; a ring is forgotten only after they are
    // committed.
    if (req.t === 'ring') rings.set(req.ring, new RingReader(req.buffer));
    else if (req.t === 'target') targets.set(req.target, { actor: req.actor, branch: req.branch });
    else if (req.t === 'forget') forget.push(req.ring);
    else if (req.t === 'close') closing = true;
    items.push(req);
  }
  // The slots are free again for the main thread.
  Atomics.store(control, TAKEN, taken);
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
      const target = targets.get(item.target);
      if (!ring || !target) throw new Error(`ring append ${item.no} names an unknown ring or target`);
      const { from, to } = item;
      batches.push({
        actor: target.actor,
        branch: target.branch,
        bytes: ring.data,
        records: (visit) => ring.forEach(from, to, visit),
      });
    } else if (item.t === 'actor') actors.push(item.info);
  }
  if (batches.length === 0 && actors.length === 0) return 0;
  return store.appendEncoded(batches, actors).lastEntryId;
}

function upkeep(busy: boolean, merge = true): boolean {
  try {
    return store.hashIndex.work(busy, undefined, merge);
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
