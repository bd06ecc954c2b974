/**
 * The record ring: one per actor instance, in shared memory. Its worker writes each entry and blob once, in the
 * batch wire format (batch-codec.ts), as the call makes them; the store's writer thread reads them in place and
 * turns them into rows; the main thread only passes positions along. So a recorded call's bytes are never copied,
 * cloned or transferred between threads — measured, a result message carrying its batch as a transferred buffer
 * and a few typed arrays cost the worker about as much CPU as the message itself (docs/record-path.md).
 *
 * The same bytes are the in-flight log: after each import crossing the worker *publishes* how far it has written,
 * so if it dies mid-call (timeout, crash, out of memory) the main thread reads what the call did so far and
 * commits it.
 *
 * Layout: an Int32 header (PUBLISHED, CONSUMED), then `capacity` bytes, a power of two. Positions are byte counts
 * that only grow (Int32 arithmetic: they wrap at 2^32, so compare them with `distance`); position p's byte is at
 * p & (capacity - 1). A record never straddles the end: where the next one does not fit, the writer pads to the end
 * (a pad record, or nothing when fewer than 5 bytes are left) and goes on at the start. The writer thread stores
 * CONSUMED once it has committed (or refused) a range; the worker reuses space only behind it, waiting if it has to.
 */
import {
  ENTRY_HASH_AT,
  F_PARENT,
  F_STATE,
  RecordWriter,
  type Records,
  TAG_BLOB,
  TAG_ENTRY,
  TAG_LOG,
  TAG_PAD,
  decodeBatch,
  entryHashAt,
} from './batch-codec.ts';
import type { Batch, ChainHead } from './builder.ts';
import { hashEquals, type Hash } from './entry.ts';

const PUBLISHED = 0;
const CONSUMED = 1;
const HEADER = 16;
/** Bytes a record header takes: what must be left before the end for a pad record. */
const MIN_RECORD = 5;
/** Each instance's ring. A counter message records ~600 bytes: hundreds of calls fit while the writer commits. */
export const RING_BYTES = 256 * 1024;
/** How long a worker waiting for space sleeps between checks (the writer notifies; this only bounds a lost wake). */
const SPACE_WAIT_MS = 50;

export function ringBuffer(capacity = RING_BYTES): SharedArrayBuffer {
  if (capacity & (capacity - 1)) throw new Error(`ring capacity ${capacity} is not a power of two`);
  return new SharedArrayBuffer(HEADER + capacity);
}

/** Bytes from position `from` to position `to` (positions wrap around 2^32). */
export function distance(from: number, to: number): number {
  return (to - from) >>> 0;
}

/** A range of a ring holding one batch: its positions, and where its first and last entries are (-1: none). */
export interface RingRange {
  readonly from: number;
  readonly to: number;
  readonly entries: number;
  /** Index in the ring's bytes of the first entry record (after its tag): what the main thread reads of it. */
  readonly first: number;
  readonly last: number;
}

/** The worker's side. */
export class RingWriter {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  private readonly view: DataView;
  private readonly records: RecordWriter;
  private readonly mask: number;
  /** Next position to write. */
  private pos = 0;
  /** Start of what has not been handed to the main thread yet. */
  private taken = 0;
  /** Where the first and last entry records since then are (-1: none yet). */
  private first = -1;
  private last = -1;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER / 4);
    this.data = new Uint8Array(buffer, HEADER);
    this.view = new DataView(buffer, HEADER);
    this.records = new RecordWriter(this.data);
    this.mask = this.data.length - 1;
  }

  /** Bytes written and not yet taken. */
  get pending(): number {
    return distance(this.taken, this.pos);
  }

  /**
   * Appends a batch's records, contiguously. When the ring is full of records still being committed, first calls
   * `flush` (which must take and hand over what is pending, so the writer can commit it) and waits for space.
   * False, with nothing written, when the batch can never fit (more than half the ring): send it another way.
   */
  append(batch: Records, logs: readonly string[], flush: () => void): boolean {
    const capacity = this.data.length;
    for (let flushed = false; ;) {
      const free = capacity - distance(Atomics.load(this.header, CONSUMED), this.pos);
      const at = this.pos & this.mask;
      const w = this.records;
      w.used = at;
      w.limit = Math.min(capacity, at + free);
      w.lastEntry = -1;
      if (w.batch(batch, logs)) {
        this.pos = (this.pos + (w.used - at)) | 0;
        this.noteEntries(batch, w.lastEntry, at);
        return true;
      }
      // Not here: at the start of the ring, if the space before the end is not all there is.
      const toEnd = capacity - at;
      if (free > toEnd) {
        w.used = 0;
        w.limit = free - toEnd;
        w.lastEntry = -1;
        if (w.batch(batch, logs)) {
          const written = w.used;
          this.noteEntries(batch, w.lastEntry, 0);
          if (toEnd >= MIN_RECORD) {
            w.used = at;
            w.pad(capacity);
          }
          this.pos = (this.pos + toEnd + written) | 0;
          return true;
        }
      }
      // An empty ring has half of it contiguous on one side of any point: a batch that still does not fit never will.
      if (free === capacity) return false;
      // Full of earlier batches: make sure ours are on their way to the writer, then wait for it.
      if (!flushed && this.pending > 0) {
        flush();
        flushed = true;
      }
      Atomics.wait(this.header, CONSUMED, Atomics.load(this.header, CONSUMED), SPACE_WAIT_MS);
    }
  }

  /** Records where a batch just written put its entries (blobs come first in a batch, then entries). */
  private noteEntries(batch: Records, lastEntry: number, start: number): void {
    if (batch.entries.length === 0) return;
    if (this.first < 0) {
      // The first entry record follows the batch's blobs: walk their headers.
      let at = start;
      for (let i = 0; i < batch.blobs.length; i++) at += 4 + this.view.getUint32(at, true);
      this.first = at + 5;
    }
    this.last = lastEntry;
  }

  /** After an import crossing: what is written so far is on record even if this worker dies. */
  publish(): void {
    Atomics.store(this.header, PUBLISHED, this.pos);
  }

  /** The range written since the last take, now handed to the main thread. */
  take(entries: number): RingRange {
    const range = { from: this.taken, to: this.pos, entries, first: this.first, last: this.last };
    this.taken = this.pos;
    this.first = this.last = -1;
    return range;
  }
}

/** Reads records of one ring (the writer thread, and the main thread for summaries and dead workers). */
export class RingReader {
  readonly header: Int32Array;
  readonly data: Uint8Array;
  private readonly view: DataView;
  private readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER / 4);
    this.data = new Uint8Array(buffer, HEADER);
    this.view = new DataView(buffer, HEADER);
    this.mask = this.data.length - 1;
  }

  /** Calls `visit` with each record's tag, and its start (after the tag) and end in `data`. */
  forEach(from: number, to: number, visit: (tag: number, at: number, end: number) => void): void {
    const capacity = this.data.length;
    for (let p = from; p !== to;) {
      const at = p & this.mask;
      const toEnd = capacity - at;
      if (toEnd < MIN_RECORD) {
        p = (p + toEnd) | 0;
        continue;
      }
      const n = this.view.getUint32(at, true);
      if (n < 1 || n + 4 > toEnd || distance(p, to) < n + 4) throw new Error(`ring record at ${p} is malformed`);
      const tag = this.view.getUint8(at + 4);
      if (tag !== TAG_PAD) visit(tag, at + 5, at + 4 + n);
      p = (p + 4 + n) | 0;
    }
  }

  /** What the main thread keeps of a batch: the first entry's parent, and the head after its last entry (copies). */
  summary(range: RingRange): { parent: Hash | null; head: ChainHead } | undefined {
    const { first, last } = range;
    if (first < 0 || last < 0) return undefined;
    return {
      parent: this.hash(entryHashAt(this.data, first, F_PARENT)),
      head: {
        hash: this.hash(last + ENTRY_HASH_AT)!,
        seq: this.view.getFloat64(last + 3, true),
        state: this.hash(entryHashAt(this.data, last, F_STATE)),
      },
    };
  }

  /** The hashes of the range's entries, in order (copies): what a call reports it recorded. */
  entryHashes(range: RingRange): Hash[] {
    const out: Hash[] = [];
    if (range.entries === 0) return out;
    this.forEach(range.from, range.to, (tag, at) => {
      if (tag === TAG_ENTRY) out.push(this.hash(at + ENTRY_HASH_AT)!);
    });
    return out;
  }

  /** A copy of the 32 bytes at `at` (none when at < 0). */
  private hash(at: number): Hash | null {
    if (at < 0) return null;
    // slice copies natively: 0.10 vs 0.17 µs per hash for a byte loop (micro-measure, load 24).
    return this.data.slice(at, at + 32);
  }

  /** The bytes of the blob with this hash in the range (a copy), if it holds one. */
  blob(range: RingRange, hash: Hash): Uint8Array | undefined {
    let found: Uint8Array | undefined;
    this.forEach(range.from, range.to, (tag, at, end) => {
      if (found || tag !== TAG_BLOB) return;
      if (hashEquals(this.data.subarray(at, at + 32), hash)) found = this.data.slice(at + 32, end);
    });
    return found;
  }

  /** A range as one standalone buffer, and as objects (a dead worker's records: the rare path). */
  copy(from: number, to: number, actor: string): { bytes: ArrayBuffer; batch: Batch; logs: string[] } {
    const parts: Uint8Array[] = [];
    let size = 0;
    this.forEach(from, to, (tag, at, end) => {
      if (tag !== TAG_BLOB && tag !== TAG_ENTRY && tag !== TAG_LOG) return;
      parts.push(this.data.subarray(at - 5, end));
      size += end - at + 5;
    });
    const out = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return { bytes: out.buffer, ...decodeBatch(out, actor) };
  }

  /** Where published records end (a dead worker's in-flight log ends there). */
  get published(): number {
    return Atomics.load(this.header, PUBLISHED);
  }

  /** The writer thread: everything up to `to` is committed (or refused); the worker may reuse the space. */
  release(to: number): void {
    Atomics.store(this.header, CONSUMED, to);
    Atomics.notify(this.header, CONSUMED);
  }
}
