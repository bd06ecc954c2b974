/**
 * How fast could verify be with a store format we do not have? `npx tsx bench/segment-probe.ts [--threads 2]`.
 *
 * verify_ratio's target (≥ 0.5 of one thread's raw SHA-256 rate) is out of reach on the store as it is: an entry is
 * a row, and reading the rows costs more than hashing them (docs/record-path.md §Fifth round). This probe copies the
 * bench's 1M-entry counter chain into the most verify-friendly format there is — each entry as the exact bytes its
 * hash covers (parent ‖ canonical body, then the hash), each blob as its bytes and hash, packed into ~64 KiB rows —
 * and verifies that copy: every entry and blob hashed and compared, every parent link checked. It leaves out what a
 * real verify must also do (an entry's blob references resolved, names and codes checked), so its figure is a
 * ceiling, measured against the same raw SHA-256 baseline as the bench's verify_ratio, in the same run.
 * Prints figures; asserts nothing; writes the copy to bench/.cache/segments-1m.db once.
 */
import { hash } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { canonicalBody } from '../runtime/chain/entry.ts';
import { ChainStore } from '../runtime/store/index.ts';
import { DEFAULT_DB, genChain } from './gen-chain.ts';
import { ROOT } from './runtime-bench.ts';

const SEGMENTS = join(ROOT, 'bench/.cache/segments-1m.db');
const SEGMENT_BYTES = 65536;
const ZERO_HASH = Buffer.alloc(32);

/** A slice of the copy for one thread: segment ids in [lo, hi] of each table. */
interface Slice {
  readonly entries: readonly [number, number];
  readonly blobs: readonly [number, number];
}

/** What a thread verified; the parent of its first entry and the hash of its last, for the link between slices. */
interface SliceResult {
  readonly entries: number;
  readonly blobs: number;
  readonly firstParent: Buffer | null;
  readonly lastHash: Buffer | null;
}

function writeCopy(): void {
  const store = ChainStore.openReadOnly(DEFAULT_DB);
  const src = new Database(DEFAULT_DB, { readonly: true });
  rmSync(`${SEGMENTS}.tmp`, { force: true });
  const db = new Database(`${SEGMENTS}.tmp`);
  db.exec(`CREATE TABLE entry_segments (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, bytes BLOB NOT NULL);
    CREATE TABLE blob_segments (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, bytes BLOB NOT NULL);`);
  const packer = (table: string) => {
    const insert = db.prepare(`INSERT INTO ${table} (n, bytes) VALUES (?, ?)`);
    let parts: Uint8Array[] = [];
    let size = 0;
    let records = 0;
    return {
      add(...p: Uint8Array[]) {
        parts.push(...p);
        records++;
        size += p.reduce((s, b) => s + b.length, 0);
        if (size >= SEGMENT_BYTES) this.flush();
      },
      flush() {
        if (records > 0) insert.run(records, Buffer.concat(parts));
        parts = [];
        size = 0;
        records = 0;
      },
    };
  };
  db.transaction(() => {
    // An entry: [u16 body length][parent 32][body][hash 32].
    const entries = packer('entry_segments');
    for (const e of store.iterateEntries({ actor: 'counter' })) {
      const body = canonicalBody(e);
      const len = Buffer.alloc(2);
      len.writeUInt16LE(body.length);
      entries.add(len, e.parent ?? ZERO_HASH, body, e.hash);
    }
    entries.flush();
    // A blob: [u32 length][bytes][u8 hash length][hash] (a blob of at most 64 bytes has an 8-byte hash).
    const blobs = packer('blob_segments');
    for (const b of src.prepare('SELECT hash, bytes FROM blobs ORDER BY id').iterate() as Iterable<{
      hash: Buffer;
      bytes: Buffer;
    }>) {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.bytes.length);
      blobs.add(len, b.bytes, Uint8Array.of(b.hash.length), b.hash);
    }
    blobs.flush();
  })();
  db.close();
  src.close();
  store.close();
  // Renamed only once whole, so that an interrupted run leaves no half copy to measure.
  renameSync(`${SEGMENTS}.tmp`, SEGMENTS);
}

function sameDigest(digest: string, buf: Buffer, at: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (digest.charCodeAt(k) !== buf[at + k]) return false;
  return true;
}

function verifySlice(s: Slice): SliceResult {
  const db = new Database(SEGMENTS, { readonly: true });
  let blobs = 0;
  const blobRows = db.prepare('SELECT n, bytes FROM blob_segments WHERE id BETWEEN ? AND ? ORDER BY id').raw();
  for (const [n, buf] of blobRows.iterate(...s.blobs) as Iterable<[number, Buffer]>) {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = buf.readUInt32LE(at);
      at += 4;
      const digest = hash('sha256', buf.subarray(at, at + len), 'binary');
      at += len;
      const hashLength = buf[at++]!;
      if (!sameDigest(digest, buf, at, hashLength)) throw new Error(`blob ${blobs + 1} of the slice does not verify`);
      at += hashLength;
      blobs++;
    }
  }
  let entries = 0;
  let firstParent: Buffer | null = null;
  const last = Buffer.alloc(32);
  const entryRows = db.prepare('SELECT n, bytes FROM entry_segments WHERE id BETWEEN ? AND ? ORDER BY id').raw();
  for (const [n, buf] of entryRows.iterate(...s.entries) as Iterable<[number, Buffer]>) {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = buf.readUInt16LE(at);
      at += 2;
      if (entries === 0) firstParent = Buffer.from(buf.subarray(at, at + 32));
      else if (buf.compare(last, 0, 32, at, at + 32) !== 0) throw new Error(`entry ${entries + 1}: parent link broken`);
      const digest = hash('sha256', buf.subarray(at, at + 32 + len), 'binary');
      at += 32 + len;
      if (!sameDigest(digest, buf, at, 32)) throw new Error(`entry ${entries + 1} of the slice does not verify`);
      buf.copy(last, 0, at, at + 32);
      at += 32;
      entries++;
    }
  }
  db.close();
  return { entries, blobs, firstParent, lastHash: entries > 0 ? last : null };
}

/** Splits each table's segment ids into `threads` consecutive ranges. */
function slices(threads: number): Slice[] {
  const db = new Database(SEGMENTS, { readonly: true });
  const count = (table: string) => db.prepare(`SELECT max(id) FROM ${table}`).pluck().get() as number;
  const [e, b] = [count('entry_segments'), count('blob_segments')];
  db.close();
  const range = (n: number, i: number): [number, number] => [
    Math.floor((n * i) / threads) + 1,
    Math.floor((n * (i + 1)) / threads),
  ];
  return Array.from({ length: threads }, (_, i) => ({ entries: range(e, i), blobs: range(b, i) }));
}

/** Workers booted before the clock starts (loading tsx into one takes a second): each verifies the slice it is sent. */
async function bootWorkers(threads: number): Promise<Worker[]> {
  return Promise.all(
    Array.from({ length: threads }, () => {
      const w = new Worker(new URL(import.meta.url), { execArgv: ['--import', 'tsx'] });
      return new Promise<Worker>((resolve, reject) => {
        w.once('message', () => resolve(w));
        w.once('error', reject);
      });
    }),
  );
}

async function verifyCopy(workers: readonly Worker[]): Promise<{ entries: number; blobs: number }> {
  const results = await Promise.all(
    slices(workers.length).map(
      (slice, i) =>
        new Promise<SliceResult>((resolve, reject) => {
          workers[i]!.once('message', resolve);
          workers[i]!.once('error', reject);
          workers[i]!.postMessage(slice);
        }),
    ),
  );
  for (let i = 1; i < results.length; i++) {
    const [prev, next] = [results[i - 1]!.lastHash, results[i]!.firstParent];
    if (prev && next && Buffer.compare(Buffer.from(prev), Buffer.from(next)) !== 0) {
      throw new Error(`the link between slices ${i} and ${i + 1} is broken`);
    }
  }
  return {
    entries: results.reduce((s, r) => s + r.entries, 0),
    blobs: results.reduce((s, r) => s + r.blobs, 0),
  };
}

/** The bench's baseline (bench/chain-bench.ts): one-shot SHA-256 of prepared entry bytes, on this thread. */
function rawSha256PerSecond(): number {
  const db = new Database(SEGMENTS, { readonly: true });
  const inputs: Buffer[] = [];
  for (const [n, buf] of db
    .prepare('SELECT n, bytes FROM entry_segments ORDER BY id LIMIT 100')
    .raw()
    .iterate() as Iterable<[number, Buffer]>) {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = buf.readUInt16LE(at);
      inputs.push(Buffer.from(buf.subarray(at + 2, at + 34 + len)));
      at += 66 + len;
    }
  }
  db.close();
  const t0 = performance.now();
  for (const b of inputs) hash('sha256', b, 'binary');
  return inputs.length / ((performance.now() - t0) / 1000);
}

if (!isMainThread) {
  parentPort!.on('message', (slice: Slice) => parentPort!.postMessage(verifySlice(slice)));
  parentPort!.postMessage('ready');
} else {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, rounds: { type: 'string' } } });
  const threads = Number(values.threads ?? 2);
  await genChain(DEFAULT_DB, 1_000_000);
  if (!existsSync(SEGMENTS)) writeCopy();
  const workers = await bootWorkers(threads);
  rawSha256PerSecond(); // the JIT's first round
  for (let round = 0; round < Number(values.rounds ?? 3); round++) {
    const raw = rawSha256PerSecond();
    const t0 = performance.now();
    const v = await verifyCopy(workers);
    const s = (performance.now() - t0) / 1000;
    console.log(
      JSON.stringify({
        threads,
        entries: v.entries,
        blobs: v.blobs,
        seconds: +s.toFixed(2),
        entries_per_s: Math.round(v.entries / s),
        raw_sha256_per_s: Math.round(raw),
        ratio: +(v.entries / s / raw).toFixed(2),
      }),
    );
  }
  await Promise.all(workers.map((w) => w.terminate()));
}
