/**
 * The canonical encoding: one byte string per value, so that equal values hash equally on any machine.
 * docs/chain-format.md is the specification; this file must match it byte for byte.
 *
 * Values are what crosses the component boundary once jco has lifted it to JS: none, booleans, integers
 * (number or bigint), floats, strings, bytes (Uint8Array), lists and string-keyed maps.
 */

export type Value =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly Value[]
  | { readonly [key: string]: Value };

export const TAG = {
  none: 0x00,
  false: 0x01,
  true: 0x02,
  uint: 0x03,
  nint: 0x04,
  float: 0x05,
  string: 0x06,
  bytes: 0x07,
  list: 0x08,
  map: 0x09,
} as const;

export class CanonicalError extends Error {
  override readonly name = 'CanonicalError';
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Grows as needed; one writer per encode call keeps encode() re-entrant. */
class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Unsigned LEB128, minimal length. */
  uvarint(n: number | bigint): void {
    if (typeof n === 'number') {
      // Plain arithmetic: safe integers never need BigInt, and this is the hot path (lengths, seq numbers).
      this.ensure(8);
      while (n >= 0x80) {
        this.buf[this.length++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
      this.buf[this.length++] = n;
      return;
    }
    let v = n;
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      this.byte(b);
    } while (v !== 0n);
  }

  /** Writes a string's UTF-8 bytes in place (`n` = its UTF-8 length). */
  utf8(s: string, n: number): void {
    this.ensure(n);
    utf8.encodeInto(s, this.buf.subarray(this.length, this.length + n));
    this.length += n;
  }

  float64(f: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, f, false);
    this.length += 8;
  }

  /** The bytes written so far, not copied: the next write reuses them. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  result(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    // Don't hold on to the memory of one huge value for the life of the process.
    if (this.buf.length > 1 << 20) {
      this.buf = new Uint8Array(256);
      this.view = new DataView(this.buf.buffer);
    }
    return out;
  }
}

/** One scratch buffer for every encode: encoding never re-enters itself, and the result is copied out. */
const scratch = new Writer();

export function encode(value: Value): Uint8Array {
  scratch.length = 0;
  write(scratch, value, 0);
  return scratch.result();
}

/**
 * A map whose keys never change (an entry body): the keys are checked and encoded once, so encoding one needs no
 * key sort, no key lookups and no intermediate object. The bytes are exactly encode()'s for the same map.
 */
export class MapShape {
  /** 09, the key count, then per key: uvarint(key length) and its UTF-8 bytes, ready to copy. */
  private readonly header: Uint8Array;
  private readonly keyHeads: readonly Uint8Array[];
  /** String values repeat too (an entry's actor, kind, interface, function, origin): their encodings, bounded. */
  private readonly strings = new Map<string, Uint8Array>();

  /** `keys` in encoding order: strictly ascending UTF-8 bytes, as the format requires (checked here, once). */
  constructor(readonly keys: readonly string[]) {
    const bytes = keys.map(keyUtf8);
    for (let i = 1; i < bytes.length; i++) {
      if (compareBytes(bytes[i - 1]!, bytes[i]!) >= 0)
        throw new CanonicalError(`map shape keys not strictly ascending at ${keys[i]}`);
    }
    const w = new Writer();
    w.byte(TAG.map);
    w.uvarint(keys.length);
    this.header = w.result();
    this.keyHeads = bytes.map((kb) => {
      const k = new Writer();
      k.uvarint(kb.length);
      k.bytes(kb);
      return k.result();
    });
  }

  /**
   * Encodes {keys[i]: values[i]} after `prefix` into the shared scratch buffer and returns a view of it, valid only
   * until the next encode: for hashing at once (an entry hash is SHA-256(parent ‖ body)) without copying.
   */
  encodeTransient(values: readonly Value[], prefix?: Uint8Array): Uint8Array {
    if (values.length !== this.keyHeads.length)
      throw new CanonicalError(`map shape has ${this.keyHeads.length} keys, got ${values.length} values`);
    scratch.length = 0;
    if (prefix) scratch.bytes(prefix);
    scratch.bytes(this.header);
    for (let i = 0; i < values.length; i++) {
      scratch.bytes(this.keyHeads[i]!);
      const v = values[i];
      if (typeof v === 'string') scratch.bytes(this.string(v));
      else write(scratch, v, 1);
    }
    return scratch.written();
  }

  private string(s: string): Uint8Array {
    let b = this.strings.get(s);
    if (b === undefined) {
      const w = new Writer();
      write(w, s, 1);
      b = w.result();
      if (this.strings.size < KEY_CACHE_MAX) this.strings.set(s, b);
    }
    return b;
  }
}

/** Map keys repeat endlessly (every entry body has the same eleven), so their UTF-8 bytes are kept. */
const keyBytes = new Map<string, Uint8Array>();
const KEY_CACHE_MAX = 4096;

function keyUtf8(k: string): Uint8Array {
  let b = keyBytes.get(k);
  if (!b) {
    b = utf8.encode(checkWellFormed(k));
    if (keyBytes.size < KEY_CACHE_MAX) keyBytes.set(k, b);
  }
  return b;
}

const MAX_DEPTH = 256;

function write(w: Writer, v: Value, depth: number): void {
  if (depth > MAX_DEPTH) throw new CanonicalError(`value nested deeper than ${MAX_DEPTH}`);
  if (v === null || v === undefined) return w.byte(TAG.none);
  switch (typeof v) {
    case 'boolean':
      return w.byte(v ? TAG.true : TAG.false);
    case 'bigint':
      return writeInt(w, v);
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return writeInt(w, v);
      w.byte(TAG.float);
      return w.float64(Number.isNaN(v) ? NaN : v);
    case 'string':
      w.byte(TAG.string);
      return writeString(w, v);
    case 'object':
      break;
    default:
      throw new CanonicalError(`cannot encode a ${typeof v}`);
  }
  if (v instanceof Uint8Array) {
    w.byte(TAG.bytes);
    w.uvarint(v.length);
    return w.bytes(v);
  }
  if (Array.isArray(v)) {
    w.byte(TAG.list);
    w.uvarint(v.length);
    for (const item of v) write(w, item, depth + 1);
    return;
  }
  if (ArrayBuffer.isView(v)) throw new CanonicalError(`cannot encode a ${v.constructor.name}; use Uint8Array`);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalError(`cannot encode an instance of ${proto?.constructor?.name ?? 'unknown'}`);
  }
  const obj = v as { readonly [key: string]: Value };
  const keys = Object.keys(obj).map((k) => [k, keyUtf8(k)] as const);
  keys.sort((a, b) => compareBytes(a[1], b[1]));
  w.byte(TAG.map);
  w.uvarint(keys.length);
  for (const [k, kb] of keys) {
    w.uvarint(kb.length);
    w.bytes(kb);
    write(w, obj[k], depth + 1);
  }
}

function writeInt(w: Writer, n: number | bigint): void {
  if (n >= 0) {
    w.byte(TAG.uint);
    w.uvarint(typeof n === 'bigint' && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n);
  } else if (typeof n === 'number') {
    w.byte(TAG.nint);
    w.uvarint(-n - 1);
  } else {
    w.byte(TAG.nint);
    w.uvarint(-BigInt(n) - 1n);
  }
}

function writeString(w: Writer, s: string): void {
  checkWellFormed(s);
  const n = Buffer.byteLength(s, 'utf8');
  w.uvarint(n);
  w.utf8(s, n);
}

function checkWellFormed(s: string): string {
  // A lone surrogate would silently become U+FFFD, making two different strings share one encoding.
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new CanonicalError('string contains a lone surrogate (not Unicode scalar values)');
  }
  return s;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Decodes exactly one canonical value; anything non-canonical (or trailing bytes) is an error. */
export function decode(bytes: Uint8Array): Value {
  const r = { pos: 0, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  const v = read(bytes, r, 0);
  if (r.pos !== bytes.length) throw new CanonicalError(`${bytes.length - r.pos} trailing bytes at offset ${r.pos}`);
  return v;
}

interface Reader {
  pos: number;
  readonly view: DataView;
}

function need(b: Uint8Array, r: Reader, n: number): void {
  if (r.pos + n > b.length) throw new CanonicalError(`truncated at offset ${r.pos}: need ${n} more bytes`);
}

function readUvarint(b: Uint8Array, r: Reader): bigint {
  let result = 0n;
  let shift = 0n;
  const start = r.pos;
  for (;;) {
    need(b, r, 1);
    const byte = b[r.pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && r.pos - start > 1) throw new CanonicalError(`non-minimal varint at offset ${start}`);
      return result;
    }
    shift += 7n;
    if (shift > 70n) throw new CanonicalError(`varint too long at offset ${start}`);
  }
}

function readLength(b: Uint8Array, r: Reader): number {
  const n = readUvarint(b, r);
  if (n > BigInt(b.length - r.pos) * 1n && n > 0n) {
    // Every element takes at least one byte, so a count above the remaining bytes is a lie.
    throw new CanonicalError(`length ${n} exceeds the remaining ${b.length - r.pos} bytes at offset ${r.pos}`);
  }
  return Number(n);
}

function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function read(b: Uint8Array, r: Reader, depth: number): Value {
  if (depth > MAX_DEPTH) throw new CanonicalError(`value nested deeper than ${MAX_DEPTH}`);
  need(b, r, 1);
  const at = r.pos;
  const tag = b[r.pos++];
  switch (tag) {
    case TAG.none:
      return null;
    case TAG.false:
      return false;
    case TAG.true:
      return true;
    case TAG.uint:
      return intValue(readUvarint(b, r));
    case TAG.nint:
      return intValue(-readUvarint(b, r) - 1n);
    case TAG.float: {
      need(b, r, 8);
      const f = r.view.getFloat64(r.pos, false);
      const bits = r.view.getBigUint64(r.pos, false);
      r.pos += 8;
      if (Number.isNaN(f) && bits !== 0x7ff8000000000000n)
        throw new CanonicalError(`non-canonical NaN at offset ${at}`);
      if (Number.isSafeInteger(f) && !Object.is(f, -0))
        throw new CanonicalError(`integer ${f} encoded as float at offset ${at}`);
      return f;
    }
    case TAG.string:
      return readString(b, r);
    case TAG.bytes: {
      const n = readLength(b, r);
      need(b, r, n);
      const out = b.slice(r.pos, r.pos + n);
      r.pos += n;
      return out;
    }
    case TAG.list: {
      const n = readLength(b, r);
      const out: Value[] = [];
      for (let i = 0; i < n; i++) out.push(read(b, r, depth + 1));
      return out;
    }
    case TAG.map: {
      const n = readLength(b, r);
      const out: Record<string, Value> = Object.create(null);
      let prev: Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        const klen = readLength(b, r);
        need(b, r, klen);
        const kb = b.subarray(r.pos, r.pos + klen);
        if (prev && compareBytes(prev, kb) >= 0)
          throw new CanonicalError(`map keys not strictly ascending at offset ${r.pos}`);
        prev = kb;
        const key = decodeUtf8(kb, r.pos);
        r.pos += klen;
        out[key] = read(b, r, depth + 1);
      }
      return { ...out };
    }
    default:
      throw new CanonicalError(`unknown tag 0x${(tag ?? 0).toString(16).padStart(2, '0')} at offset ${at}`);
  }
}

function readString(b: Uint8Array, r: Reader): string {
  const n = readLength(b, r);
  need(b, r, n);
  const s = decodeUtf8(b.subarray(r.pos, r.pos + n), r.pos);
  r.pos += n;
  return s;
}

function decodeUtf8(b: Uint8Array, at: number): string {
  try {
    return utf8Strict.decode(b);
  } catch {
    throw new CanonicalError(`invalid UTF-8 at offset ${at}`);
  }
}
