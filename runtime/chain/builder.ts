/**
 * Appends entries to one actor's linear chain and collects the blobs they reference, ready to hand to the store.
 * Used wherever entries are made: the recorder inside an actor's worker, the runtime for events it records itself
 * (start, timeout, crash), and replay.
 */
import { encode, type Value } from './canonical.ts';
import { ZERO_HASH, entryHash, sha256, type Entry, type EntryKind, type Hash, type Origin } from './entry.ts';

export interface ChainHead {
  readonly hash: Hash | null;
  /** seq of the head entry; -1 when the chain is empty. */
  readonly seq: number;
  /** The state hash as of the head. */
  readonly state: Hash | null;
}

export const EMPTY_HEAD: ChainHead = { hash: null, seq: -1, state: null };

export interface Blob {
  readonly hash: Hash;
  readonly bytes: Uint8Array;
}

export interface TimedEntry extends Entry {
  /** Milliseconds since the epoch when recorded: stored beside the entry, never hashed. */
  readonly ts: number;
}

export interface Batch {
  readonly entries: TimedEntry[];
  readonly blobs: Blob[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface AppendFields {
  readonly input?: Hash | null;
  readonly output?: Hash | null;
  readonly cause?: Hash | null;
  readonly origin?: Origin | null;
}

/** Small byte strings hashed lately, by an FNV-1a of their bytes (direct-mapped, confirmed byte for byte). */
const MEMO_SLOTS = 64;
const MEMO_MAX_BYTES = 64;

export class ChainBuilder {
  private entries: TimedEntry[] = [];
  private blobs: Blob[] = [];
  /** Blobs already handed out in this batch (by their hash's first bits), so a repeated one is sent once. */
  private seen = new Map<number, Hash>();
  /**
   * The hashes of small payloads seen lately: a call's input, a log's `{return: null}` and a response repeat call
   * after call, and one SHA-256 call costs more than comparing a few dozen bytes.
   */
  private readonly memo: ({ readonly bytes: Uint8Array; readonly hash: Hash } | undefined)[] = new Array(MEMO_SLOTS);
  private stateBytes: Uint8Array | null;

  constructor(
    readonly actor: string,
    private current: ChainHead,
    state: Uint8Array | null,
    private readonly clock: () => number = Date.now,
  ) {
    this.stateBytes = state;
  }

  get head(): ChainHead {
    return this.current;
  }

  /** The actor's state bytes as of the head. */
  get state(): Uint8Array | null {
    return this.stateBytes;
  }

  blob(bytes: Uint8Array): Hash {
    const hash = this.hashOf(bytes);
    const key = prefix30(hash);
    const seen = this.seen.get(key);
    if (!seen || !sameHash(seen, hash)) {
      this.seen.set(key, hash);
      this.blobs.push({ hash, bytes });
    }
    return hash;
  }

  private hashOf(bytes: Uint8Array): Hash {
    if (bytes.length > MEMO_MAX_BYTES) return sha256(bytes);
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const slot = (h >>> 0) % MEMO_SLOTS;
    const hit = this.memo[slot];
    if (hit && hit.bytes.length === bytes.length) {
      let same = true;
      for (let i = 0; i < bytes.length && same; i++) same = hit.bytes[i] === bytes[i];
      if (same) return hit.hash;
    }
    const hash = sha256(bytes);
    this.memo[slot] = { bytes, hash };
    return hash;
  }

  value(v: Value): Hash {
    return this.blob(encode(v));
  }

  /** Sets the state that the next entry (a `return`) records. */
  setState(bytes: Uint8Array | null): void {
    this.stateBytes = bytes;
    this.current = { ...this.current, state: bytes === null ? null : this.blob(bytes) };
  }

  /** Moves the head to entries recorded elsewhere (by the actor's worker). */
  sync(head: ChainHead, state: Uint8Array | null): void {
    this.current = head;
    this.stateBytes = state;
  }

  append(kind: EntryKind, iface: string, fn: string, f: AppendFields = {}): TimedEntry {
    const { hash: parent, seq, state } = this.current;
    // One object per entry, hashed as its own body (entryHash reads only the body's fields): no body copy.
    const entry: Mutable<TimedEntry> = {
      actor: this.actor,
      seq: seq + 1,
      kind,
      iface,
      fn,
      input: f.input ?? null,
      output: f.output ?? null,
      state,
      cause: f.cause ?? null,
      origin: f.origin ?? null,
      parent,
      hash: ZERO_HASH,
      ts: this.clock(),
    };
    entry.hash = entryHash(parent, entry);
    this.entries.push(entry);
    this.current = { hash: entry.hash, seq: entry.seq, state };
    return entry;
  }

  /** What was appended since the last drain, without taking it (the worker mirrors it into its in-flight log). */
  get pending(): Batch {
    return { entries: this.entries, blobs: this.blobs };
  }

  /** Takes everything appended since the last drain. */
  drain(): Batch {
    const batch = { entries: this.entries, blobs: this.blobs };
    this.entries = [];
    this.blobs = [];
    this.seen.clear();
    return batch;
  }
}

/** A hash's first 30 bits: a small integer key (the bytes are uniformly distributed already). */
function prefix30(h: Hash): number {
  return ((h[0]! << 22) | (h[1]! << 14) | (h[2]! << 6) | (h[3]! >> 2)) & 0x3fffffff;
}

function sameHash(a: Hash, b: Hash): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}
