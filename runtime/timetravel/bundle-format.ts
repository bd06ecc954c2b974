/**
 * The bundle file (docs/chain-format.md, "Bundles"): an 8-byte magic, then records, each a uvarint length followed
 * by one canonical map with a `t` key — header, component?, blob*, entry*, end. Blobs come before the first entry
 * that references them. The end record carries SHA-256 of every byte before it, so truncation is always caught.
 * Synchronous I/O on purpose: import runs inside one SQLite transaction, which cannot span an await.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { createHash, type Hash as Hasher } from 'node:crypto';
import { type CanonicalError, decode, encode, type Value } from '../chain/canonical.ts';
import { liveDbFileAt } from '../store/open-files.ts';
import { TimeTravelError } from './state.ts';

export const BUNDLE_MAGIC = Buffer.from('THTRBDL1', 'latin1');
export const BUNDLE_FORMAT = 1;
/** A component may be 256 MiB; nothing else comes close. */
export const MAX_RECORD_BYTES = 260 * 1024 * 1024;

export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    message: string,
    /** Hex hash of the first bad entry, when the problem is (or is right after) an entry. */
    readonly entry: string | null = null,
  ) {
    super(message);
  }
}

export type BundleRecord = { readonly t: string } & { readonly [k: string]: Value };

function uvarint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

export class BundleWriter {
  private readonly fd: number;
  private buf = Buffer.alloc(1 << 20);
  private len = 0;
  private readonly digest: Hasher = createHash('sha256');
  bytes = 0;

  constructor(path: string) {
    refuseChainDb(path, 'write a bundle over');
    if (existsSync(path) && isSqliteFile(path)) {
      throw new TimeTravelError(`refusing to write a bundle over ${path}: it is a SQLite database (a chain db?)`);
    }
    this.fd = openSync(path, 'w');
    this.raw(BUNDLE_MAGIC);
  }

  private raw(b: Uint8Array): void {
    this.digest.update(b);
    this.bytes += b.length;
    if (this.len + b.length > this.buf.length) this.drain();
    if (b.length > this.buf.length) return void writeSync(this.fd, b);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private drain(): void {
    if (this.len > 0) writeSync(this.fd, this.buf, 0, this.len);
    this.len = 0;
  }

  record(r: BundleRecord): void {
    const body = encode(r);
    this.raw(uvarint(body.length));
    this.raw(body);
  }

  /** Writes the end record (with the digest of everything before it) and closes the file. */
  end(fields: { readonly entries: number; readonly blobs: number }): number {
    const digest = new Uint8Array(this.digest.copy().digest());
    this.record({ t: 'end', ...fields, digest });
    this.drain();
    closeSync(this.fd);
    return this.bytes;
  }
}

export class BundleReader {
  private readonly fd: number;
  readonly size: number;
  private buf = Buffer.alloc(1 << 20);
  private start = 0;
  private end = 0;
  /** File offset of buf[start]. */
  private offset = 0;
  private readonly hasher: Hasher = createHash('sha256');
  records = 0;

  constructor(path: string, maxBytes: number) {
    refuseChainDb(path, 'read a bundle from');
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
    if (this.size > maxBytes) {
      this.close();
      throw new BundleError(
        `the bundle is ${this.size} bytes, over the limit of ${maxBytes} (raise it with --max-bytes)`,
      );
    }
    const magic = this.take(BUNDLE_MAGIC.length);
    if (!magic || Buffer.compare(magic, BUNDLE_MAGIC) !== 0) {
      this.close();
      throw new BundleError('not a Theater bundle (bad magic bytes)');
    }
    this.hasher.update(magic);
  }

  get position(): number {
    return this.offset;
  }

  /** SHA-256 of every byte before the last record read, when that record is the end record (what it must carry). */
  digestSoFar(): Uint8Array {
    return new Uint8Array(this.hasher.copy().digest());
  }

  private fill(n: number): boolean {
    if (this.end - this.start >= n) return true;
    if (n > this.buf.length) {
      const bigger = Buffer.alloc(n);
      this.buf.copy(bigger, 0, this.start, this.end);
      this.buf = bigger;
    } else this.buf.copy(this.buf, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < n) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
      if (got === 0) return false;
      this.end += got;
    }
    return true;
  }

  private take(n: number): Buffer | undefined {
    if (!this.fill(n)) return undefined;
    const out = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    this.offset += n;
    return out;
  }

  /** The next record, or undefined at a clean end of file. Throws BundleError on truncation or garbage. */
  next(): BundleRecord | undefined {
    const at = this.offset;
    let len = 0;
    let mul = 1;
    const prefix: number[] = [];
    for (let i = 0; ; i++) {
      const b = this.take(1);
      if (!b) {
        if (i === 0) return undefined;
        throw new BundleError(`truncated at byte ${at}: a record length is cut off`);
      }
      prefix.push(b[0]!);
      len += (b[0]! & 0x7f) * mul;
      mul *= 128;
      if ((b[0]! & 0x80) === 0) break;
      if (i > 6) throw new BundleError(`garbage at byte ${at}: record length does not end`);
    }
    if (len > MAX_RECORD_BYTES)
      throw new BundleError(`record at byte ${at} declares ${len} bytes, over the limit of ${MAX_RECORD_BYTES}`);
    const body = this.take(len);
    if (!body)
      throw new BundleError(
        `truncated at byte ${at}: record #${this.records} needs ${len} bytes, the file ends at ${this.size}`,
      );
    let v: Value;
    try {
      v = decode(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    } catch (e) {
      throw new BundleError(`record at byte ${at} is not canonical: ${(e as CanonicalError).message}`);
    }
    if (
      v === null ||
      typeof v !== 'object' ||
      Array.isArray(v) ||
      v instanceof Uint8Array ||
      typeof (v as { t?: unknown }).t !== 'string'
    ) {
      throw new BundleError(`record at byte ${at} is not a bundle record (no "t")`);
    }
    this.records++;
    // Everything but the end record is covered by the end record's digest.
    if ((v as { t: string }).t !== 'end') this.hasher.update(Buffer.from(prefix)).update(body);
    return v as BundleRecord;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * A bundle path that is a chain db this process has open (or its -wal/-shm): opening it with fs would drop SQLite's
 * locks on it (see runtime/store/schema.ts), and writing would destroy it. Refused before any open: a usage
 * mistake (exit 2), not a bad bundle.
 */
function refuseChainDb(path: string, what: string): void {
  const live = liveDbFileAt(path);
  if (live)
    throw new TimeTravelError(`refusing to ${what} ${path}: it is ${live}, a chain database open here, not a bundle`);
}

/** Whether a file (not open through SQLite here: see refuseChainDb) starts with SQLite's header. */
function isSqliteFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}
