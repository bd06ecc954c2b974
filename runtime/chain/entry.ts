/**
 * A chain entry: one crossing of the host↔wasm boundary (or one runtime event), linked to its parent by hash.
 *
 *   hash = SHA-256(parent_hash || canonical(body))      parent_hash = 32 zero bytes for the first entry
 *
 * Payloads (inputs, outputs, states) are not inside the body: the body holds their SHA-256 ("blob hashes") and the
 * bytes live in the store's content-addressed blob table. Wall-clock time and other display data are stored
 * beside the entry and never hashed. See docs/chain-format.md.
 */
import { hash } from 'node:crypto';
import { MapShape, type Value } from './canonical.ts';

export const FORMAT_VERSION = 1;
export const HASH_BYTES = 32;
export const ZERO_HASH = new Uint8Array(HASH_BYTES);

export type Hash = Uint8Array;

/**
 * - call:   the runtime calls an actor export (input = canonical params tuple, state param implied by the parent)
 * - return: the export returned ok (output = canonical response tuple, state = the new state)
 * - error:  the export returned err, trapped or was terminated (output = canonical {kind, message})
 * - import: the actor called a host function (input = canonical args, output = canonical {return: v} | {throw: e})
 * - event:  a runtime event that is not a crossing: start, resume, stop, fork (input = canonical details)
 */
export const ENTRY_KINDS = ['call', 'return', 'error', 'import', 'event'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/**
 * Imports that reach another actor: a message, or a supervisor's order about a child. The receiving side records
 * the sender's chain head just before the import as its `cause` (the host call runs before the import is recorded).
 * A call that made one changed something outside its own state, so it is never a no-op.
 */
export const CROSSING_IMPORTS: ReadonlySet<string> = new Set([
  'send',
  'request',
  'spawn',
  'stop-child',
  'restart-child',
]);

/** Where an export call's input came from. Hashed: provenance is part of what happened. */
export const ORIGINS = ['runtime', 'http', 'message-port', 'actor', 'studio', 'cli'] as const;
export type Origin = (typeof ORIGINS)[number];

/** The interface name used for `event` entries: not a WIT interface, the runtime's own. */
export const RUNTIME_EVENTS = 'theater:runtime';

export interface EntryBody {
  readonly actor: string;
  /** Height in the chain: parent's seq + 1, 0 for the first entry. */
  readonly seq: number;
  readonly kind: EntryKind;
  /** Versionless interface name, e.g. "theater:simple/http-server", or RUNTIME_EVENTS. */
  readonly iface: string;
  /** WIT function name (kebab-case), e.g. "handle-request", or the event name. */
  readonly fn: string;
  readonly input: Hash | null;
  readonly output: Hash | null;
  /** The actor's state as of this entry (after it, for `return`). null: no state yet. */
  readonly state: Hash | null;
  /** `call` entries caused by another actor: that actor's chain head when it sent (its send/request import
   *  entry is that head's child). */
  readonly cause: Hash | null;
  /** `call` entries: where the input came from; null on other kinds. */
  readonly origin: Origin | null;
}

export interface Entry extends EntryBody {
  readonly hash: Hash;
  readonly parent: Hash | null;
}

/**
 * One-shot: a createHash object per call costs more than hashing a small blob or an entry. The digest comes back as
 * a 'binary' (latin1) string, one character per byte, copied into a small array: a Buffer result is a new off-heap
 * ArrayBuffer each time, and allocating and sweeping those cost ~2.5x the hash itself (1.3 vs 0.5 µs CPU per
 * 150-byte entry, measured; docs/record-path.md).
 */
export function sha256(bytes: Uint8Array): Hash {
  return digestBytes(hash('sha256', bytes, 'binary'));
}

function digestBytes(s: string): Hash {
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The map that is canonically encoded and hashed. Key names are part of the format: never rename. */
export function bodyValue(b: EntryBody): Value {
  return {
    v: FORMAT_VERSION,
    actor: b.actor,
    seq: b.seq,
    kind: b.kind,
    iface: b.iface,
    fn: b.fn,
    input: b.input,
    output: b.output,
    state: b.state,
    cause: b.cause,
    origin: b.origin,
  };
}

/** bodyValue's keys in encoding order (docs/chain-format.md §2); canonical.test.ts checks both give equal bytes. */
const BODY = new MapShape(['actor', 'cause', 'fn', 'iface', 'input', 'kind', 'origin', 'output', 'seq', 'state', 'v']);

function bodyValues(b: EntryBody): Value[] {
  return [b.actor, b.cause, b.fn, b.iface, b.input, b.kind, b.origin, b.output, b.seq, b.state, FORMAT_VERSION];
}

export function canonicalBody(b: EntryBody): Uint8Array {
  return BODY.encodeTransient(bodyValues(b)).slice();
}

/** Every entry is hashed through here (recording, verify, replay, import): parent ‖ body in one buffer, one hash. */
export function entryHash(parent: Hash | null, body: EntryBody): Hash {
  return digestBytes(hash('sha256', BODY.encodeTransient(bodyValues(body), parent ?? ZERO_HASH), 'binary'));
}

/**
 * Whether SHA-256(parent ‖ canonical(body)) equals the 32 bytes of `stored` at `at`, allocating nothing: verify's
 * inner check. `values` holds the body's values in encoding order (BODY_ORDER), filled in place by the caller.
 */
export function bodyHashMatches(
  values: readonly Value[],
  parent: Hash | null,
  stored: Uint8Array,
  at: number,
): boolean {
  const digest = hash('sha256', BODY.encodeTransient(values, parent ?? ZERO_HASH), 'binary');
  for (let i = 0; i < HASH_BYTES; i++) if (digest.charCodeAt(i) !== stored[at + i]) return false;
  return true;
}

/** The body's keys in encoding order: where bodyHashMatches expects each value. */
export const BODY_ORDER = BODY.keys;

/** SHA-256 of `bytes` written into `out` at `at` (verify's blob table), allocating no buffer. */
export function sha256Into(bytes: Uint8Array, out: Uint8Array, at: number): void {
  const digest = hash('sha256', bytes, 'binary');
  for (let i = 0; i < HASH_BYTES; i++) out[at + i] = digest.charCodeAt(i);
}

export function toHex(h: Uint8Array): string {
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
}

export function fromHex(s: string): Hash {
  if (!/^[0-9a-f]{64}$/i.test(s)) throw new Error(`not a 64-character hex hash: ${s}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function hashEquals(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * Whether `bytes` are the blob `hash` names: their SHA-256, or its first bytes for a short blob known by a prefix.
 * The one check of blob bytes read back from a store, whoever reads them (a lookup by hash, a walk that joins them
 * by row id): bytes changed since they were stored must never pass for what the chain recorded.
 */
export function blobMatches(hash: Hash, bytes: Uint8Array): boolean {
  const digest = sha256(bytes);
  return hashEquals(hash.length === digest.length ? digest : digest.subarray(0, hash.length), hash);
}
