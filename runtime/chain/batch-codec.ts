/**
 * The binary form of a batch — entries, the blobs they reference, and the call's log lines — as it travels between
 * threads: written once where it is made (the actor's worker, or the runtime for its own events), read by the main
 * thread only on the rare paths that need it (a worker that died mid-call), and turned into rows by the store's
 * writer thread. Structured clone of the same batch as objects cost the worker ~40 µs per message (the profile in
 * docs/record-path.md); these bytes are written as the entries are made and travel as one transferable buffer.
 *
 * A batch is a sequence of records, each `u32 length` (of what follows) then a tag byte:
 *   blob  (1): hash[32] bytes…
 *   entry (2): flags u8, kind u8, origin u8, seq f64, ts f64, hash[32], then the present ones of parent[32]
 *              input[32] output[32] state[32] cause[32] (flags bits 0–4, in that order), then iface and fn as
 *              u16 length + UTF-8 each
 *   log   (3): UTF-8 text
 *   pad   (0): nothing (skipped; only in a ring, chain/record-ring.ts)
 * Integers are little-endian. Kind and origin are indexes into ENTRY_KINDS and ORIGINS (255: no origin).
 * Not a storage or exchange format: both sides are this build, in one process.
 */
import type { Batch, Blob, TimedEntry } from './builder.ts';

/** What encoding reads of a batch (a drained Batch, or a store AppendBatch). */
export interface Records {
  readonly entries: readonly TimedEntry[];
  readonly blobs: readonly Blob[];
}
import { ENTRY_KINDS, ORIGINS, type EntryKind, type Hash, type Origin } from './entry.ts';

/** Skipped by readers: fills the end of a ring (chain/record-ring.ts) where the next record does not fit. */
export const TAG_PAD = 0;
export const TAG_BLOB = 1;
export const TAG_ENTRY = 2;
export const TAG_LOG = 3;

const NO_ORIGIN = 255;
const KIND_INDEX = new Map<EntryKind, number>(ENTRY_KINDS.map((k, i) => [k, i]));
const ORIGIN_INDEX = new Map<Origin, number>(ORIGINS.map((o, i) => [o, i]));
/** Entry record offsets, after the length and the tag. */
export const ENTRY_FIXED = 1 + 1 + 1 + 8 + 8 + 32;
export const F_PARENT = 1;
export const F_INPUT = 2;
export const F_OUTPUT = 4;
export const F_STATE = 8;
export const F_CAUSE = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
/** iface and fn names repeat on every entry: encoded once. */
const nameBytes = new Map<string, Uint8Array>();
function encodedName(s: string): Uint8Array {
  let b = nameBytes.get(s);
  if (!b) {
    b = utf8.encode(s);
    if (b.length > 0xffff) throw new Error(`interface or function name longer than 65535 bytes: ${s.slice(0, 40)}…`);
    if (nameBytes.size < 4096) nameBytes.set(s, b);
  }
  return b;
}

/**
 * Appends records to a byte area (of a SharedArrayBuffer or an ArrayBuffer) from `used` up to `limit`; a write that
 * would pass `limit` returns false and writes nothing.
 */
export class RecordWriter {
  private readonly view: DataView;
  /** Where the next record goes. */
  used = 0;
  /** Where writing must stop. */
  limit: number;
  /** Where the last entry record written starts (after its tag), -1 before the first. */
  lastEntry = -1;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limit = bytes.length;
  }

  reset(): void {
    this.used = 0;
  }

  blob(b: Blob): boolean {
    const n = 1 + 32 + b.bytes.length;
    if (this.used + 4 + n > this.limit) return false;
    let at = this.header(n, TAG_BLOB);
    this.bytes.set(b.hash, at);
    at += 32;
    this.bytes.set(b.bytes, at);
    this.used = at + b.bytes.length;
    return true;
  }

  entry(e: TimedEntry): boolean {
    const iface = encodedName(e.iface);
    const fn = encodedName(e.fn);
    const flags =
      (e.parent ? F_PARENT : 0) |
      (e.input ? F_INPUT : 0) |
      (e.output ? F_OUTPUT : 0) |
      (e.state ? F_STATE : 0) |
      (e.cause ? F_CAUSE : 0);
    let n = 1 + ENTRY_FIXED + 2 + iface.length + 2 + fn.length;
    for (let f = flags; f; f &= f - 1) n += 32;
    if (this.used + 4 + n > this.limit) return false;
    let at = this.header(n, TAG_ENTRY);
    this.lastEntry = at;
    const v = this.view;
    v.setUint8(at, flags);
    v.setUint8(at + 1, KIND_INDEX.get(e.kind)!);
    v.setUint8(at + 2, e.origin === null ? NO_ORIGIN : ORIGIN_INDEX.get(e.origin)!);
    v.setFloat64(at + 3, e.seq, true);
    v.setFloat64(at + 11, e.ts, true);
    this.bytes.set(e.hash, at + 19);
    at += ENTRY_FIXED;
    at = this.hash(e.parent, at);
    at = this.hash(e.input, at);
    at = this.hash(e.output, at);
    at = this.hash(e.state, at);
    at = this.hash(e.cause, at);
    at = this.name(iface, at);
    this.used = this.name(fn, at);
    return true;
  }

  private hash(h: Hash | null, at: number): number {
    if (!h) return at;
    this.bytes.set(h, at);
    return at + 32;
  }

  private name(s: Uint8Array, at: number): number {
    this.view.setUint16(at, s.length, true);
    this.bytes.set(s, at + 2);
    return at + 2 + s.length;
  }

  log(line: string): boolean {
    const room = this.limit - this.used - 5;
    if (room < 0) return false;
    const { read, written } = utf8.encodeInto(line, this.bytes.subarray(this.used + 5, this.limit));
    if (read < line.length) return false;
    this.header(1 + written, TAG_LOG);
    this.used += written;
    return true;
  }

  /** Appends a whole batch; false (and nothing of it written) when it does not fit. */
  batch(b: Records, logs: readonly string[] = []): boolean {
    const start = this.used;
    for (const x of b.blobs) if (!this.blob(x)) return this.undo(start);
    for (const e of b.entries) if (!this.entry(e)) return this.undo(start);
    for (const l of logs) if (!this.log(l)) return this.undo(start);
    return true;
  }

  private undo(to: number): false {
    this.used = to;
    return false;
  }

  /** Fills the bytes from `used` to `end` with one padding record (at least 5 bytes). */
  pad(end: number): void {
    this.view.setUint32(this.used, end - this.used - 4, true);
    this.view.setUint8(this.used + 4, TAG_PAD);
    this.used = end;
  }

  private header(n: number, tag: number): number {
    this.view.setUint32(this.used, n, true);
    this.view.setUint8(this.used + 4, tag);
    this.used += 5;
    return this.used;
  }
}

/** Bytes needed to encode a batch (to size a buffer for one that does not fit the usual one). */
export function encodedSize(b: Records, logs: readonly string[] = []): number {
  let n = 0;
  for (const x of b.blobs) n += 4 + 1 + 32 + x.bytes.length;
  for (const e of b.entries) {
    n += 4 + 1 + ENTRY_FIXED + 4 + encodedName(e.iface).length + encodedName(e.fn).length;
    for (const h of [e.parent, e.input, e.output, e.state, e.cause]) if (h) n += 32;
  }
  for (const l of logs) n += 5 + 3 * l.length;
  return n;
}

/** A batch as one standalone buffer (the runtime's own events; a batch too big for a worker's record area). */
export function encodeBatch(b: Records, logs: readonly string[] = []): ArrayBuffer {
  const w = new RecordWriter(new Uint8Array(encodedSize(b, logs)));
  if (!w.batch(b, logs)) throw new Error('batch encoding overflowed its computed size');
  return w.bytes.buffer.slice(0, w.used) as ArrayBuffer;
}

/** Calls `visit` with each record's tag, start (after the tag) and end. Throws on a malformed buffer. */
export function forEachRecord(bytes: Uint8Array, visit: (tag: number, at: number, end: number) => void): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length;) {
    if (at + 5 > bytes.length) throw new Error(`truncated record at byte ${at}`);
    const n = v.getUint32(at, true);
    const end = at + 4 + n;
    if (n < 1 || end > bytes.length) throw new Error(`record at byte ${at} runs past the end (${n} bytes)`);
    const tag = v.getUint8(at + 4);
    if (tag !== TAG_PAD) visit(tag, at + 5, end);
    at = end;
  }
}

/** One entry record's fields, read in place (hashes are views into `bytes`). */
export interface EntryView {
  readonly flags: number;
  readonly kind: EntryKind;
  readonly origin: Origin | null;
  readonly seq: number;
  readonly ts: number;
  readonly hash: Hash;
  readonly parent: Hash | null;
  readonly input: Hash | null;
  readonly output: Hash | null;
  readonly state: Hash | null;
  readonly cause: Hash | null;
  readonly iface: string;
  readonly fn: string;
}

/** Where one of an entry record's hashes is (`bit`: F_PARENT ... F_CAUSE), or -1 when it has none. */
export function entryHashAt(bytes: Uint8Array, at: number, bit: number): number {
  const flags = bytes[at]!;
  if (!(flags & bit)) return -1;
  let p = at + ENTRY_FIXED;
  for (let b = 1; b < bit; b <<= 1) if (flags & b) p += 32;
  return p;
}

/** An entry record's own hash starts here. */
export const ENTRY_HASH_AT = 19;

export function readEntry(bytes: Uint8Array, at: number, end: number): EntryView {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = v.getUint8(at);
  const kind = ENTRY_KINDS[v.getUint8(at + 1)];
  const o = v.getUint8(at + 2);
  const origin = o === NO_ORIGIN ? null : ORIGINS[o];
  if (kind === undefined || origin === undefined)
    throw new Error(`entry record at byte ${at} has a bad kind or origin`);
  let p = at + ENTRY_FIXED;
  const hash = (bit: number): Hash | null => {
    if (!(flags & bit)) return null;
    p += 32;
    return bytes.subarray(p - 32, p);
  };
  const parent = hash(F_PARENT);
  const input = hash(F_INPUT);
  const output = hash(F_OUTPUT);
  const state = hash(F_STATE);
  const cause = hash(F_CAUSE);
  const text = () => {
    const n = v.getUint16(p, true);
    p += 2 + n;
    if (p > end) throw new Error(`entry record at byte ${at} runs past its end`);
    return fromUtf8.decode(bytes.subarray(p - n, p));
  };
  const iface = text();
  const fn = text();
  return {
    flags,
    kind,
    origin,
    seq: v.getFloat64(at + 3, true),
    ts: v.getFloat64(at + 11, true),
    hash: bytes.subarray(at + 19, at + 19 + 32),
    parent,
    input,
    output,
    state,
    cause,
    iface,
    fn,
  };
}

/** The whole buffer as objects (copies): the main thread's view of a dead worker's records, and tests. */
export function decodeBatch(bytes: Uint8Array, actor: string): { batch: Batch; logs: string[] } {
  const entries: TimedEntry[] = [];
  const blobs: Blob[] = [];
  const logs: string[] = [];
  forEachRecord(bytes, (tag, at, end) => {
    if (tag === TAG_BLOB) blobs.push({ hash: bytes.slice(at, at + 32), bytes: bytes.slice(at + 32, end) });
    else if (tag === TAG_LOG) logs.push(fromUtf8.decode(bytes.subarray(at, end)));
    else if (tag === TAG_ENTRY) {
      const e = readEntry(bytes, at, end);
      const copy = (h: Hash | null) => h && h.slice();
      entries.push({
        actor,
        seq: e.seq,
        kind: e.kind,
        iface: e.iface,
        fn: e.fn,
        input: copy(e.input),
        output: copy(e.output),
        state: copy(e.state),
        cause: copy(e.cause),
        origin: e.origin,
        parent: copy(e.parent),
        hash: e.hash.slice(),
        ts: e.ts,
      });
    } else throw new Error(`unknown record tag ${tag} at byte ${at - 1}`);
  });
  return { batch: { entries, blobs }, logs };
}
