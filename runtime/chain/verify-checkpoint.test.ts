import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { TestChain } from '../store/test-chain.ts';
import { toHex } from './entry.ts';
import { sealOf } from './verify-checkpoint.ts';
import { verifyChain } from './verify.ts';
import type { VerifyOptions, VerifyResult } from './verify-result.ts';
import { verifySqlite } from './verify-sqlite.ts';

let dir: string;
let path: string;
let counter: TestChain;
let client: TestChain;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'theater-checkpoint-'));
  path = join(dir, 'chain.db');
  counter = new TestChain('counter');
  client = new TestChain('client');
  counter.start();
  client.start();
  append(0);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Two interleaved actors (the client's calls carry a cause); `requests` more of each. */
function append(requests: number, from = 0): void {
  const store = ChainStore.open(path);
  store.appendBatches([counter.take(), client.take()]);
  for (let i = from; i < from + requests; i++) {
    counter.counterRequest(i);
    client.ping(i, counter.head);
    store.appendBatches([counter.take(), client.take()]);
  }
  store.close();
}

function verify(opts: VerifyOptions = {}): VerifyResult {
  const store = ChainStore.open(path);
  try {
    return verifySqlite(store, opts);
  } finally {
    store.close();
  }
}

function raw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF'); // tampering as someone with the sqlite3 CLI would
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

interface Row {
  readonly id: number;
  readonly hash: Buffer;
  readonly kind: number;
  readonly actor_id: number;
  readonly input_id: number | null;
  readonly output_id: number | null;
  readonly state_id: number | null;
  readonly cause: Buffer | null;
}
const rows = () => raw((db) => db.prepare('SELECT * FROM entries ORDER BY id').all() as Row[]);
const checkpoint = () => raw((db) => db.prepare('SELECT * FROM verify_checkpoints').all() as Record<string, unknown>[]);

/** The verify fails naming `row` and counting exactly the entries before it. */
function expectFailsAt(row: Row, opts: VerifyOptions = {}): VerifyResult {
  const r = verify(opts);
  expect(r).toMatchObject({ ok: false, entry: toHex(row.hash), count: row.id - 1 });
  return r;
}

describe('incremental verify from a checkpoint', () => {
  beforeEach(() => append(40)); // 202 entries

  it('a full verify leaves a checkpoint; the next verifies only what came after it', () => {
    const first = verify();
    expect(first).toMatchObject({ ok: true, count: 202 });
    expect(first.ok && first.from).toBeUndefined();
    expect(checkpoint()).toMatchObject([{ entry_id: 202, count: 202 }]);
    append(10, 40);
    const next = verify();
    expect(next).toMatchObject({ ok: true, count: 252, from: { entryId: 202, verified: 50 } });
    if (next.ok) expect(next.from!.head).toBe(toHex(rows()[201]!.hash));
    // Nothing new: the checkpoint is checked, nothing else.
    expect(verify()).toMatchObject({ ok: true, count: 252, from: { entryId: 252, verified: 0 } });
    expect(checkpoint()).toHaveLength(1);
    // --full ignores it, and gives the same answer.
    expect(verify({ incremental: false })).toMatchObject({ ok: true, count: 252 });
  });

  // Each hashed column of entries before the checkpoint, altered as the sqlite3 CLI would: the digest catches it,
  // and the full verify it falls back to names exactly that entry.
  const columns: [string, (r: Row) => unknown][] = [
    ['hash', (r) => Buffer.from(r.hash.map((b, i) => (i === 7 ? b ^ 1 : b)))],
    ['parent_id', (r) => r.id - 2],
    ['actor_id', (r) => (r.actor_id === 1 ? 2 : 1)],
    ['seq', () => 3],
    ['kind', (r) => (r.kind === 0 ? 1 : 0)],
    ['fn_id', () => 1],
    ['state_id', (r) => (r.state_id ?? 0) + 1],
    ['origin', () => 4],
  ];
  for (const [column, value] of columns) {
    it(`a changed ${column} before the checkpoint breaks it, naming the entry`, () => {
      expect(verify().ok).toBe(true);
      append(5, 40);
      const target = rows().filter((r) => r.id > 20 && r.id < 150)[7 * (columns.length % 5) + 3]!;
      raw((db) => db.prepare(`UPDATE entries SET ${column} = ? WHERE id = ?`).run(value(target), target.id));
      const hash = column === 'hash' ? { ...target, hash: value(target) as Buffer } : target;
      const r = expectFailsAt(hash);
      expect(r.ok).toBe(false);
    });
  }

  it('a flipped byte in a blob before the checkpoint fails at the first entry referencing it', () => {
    expect(verify().ok).toBe(true);
    const target = rows().find((r) => r.kind === 1 && r.id > 50)!; // a return: its state is a blob of its own
    raw((db) =>
      db.prepare('UPDATE blobs SET bytes = CAST(? AS BLOB) WHERE id = ?').run('{"count":999}', target.state_id),
    );
    expectFailsAt(target);
  });

  it("a cause's flipped byte, and a renamed function, break it too", () => {
    expect(verify().ok).toBe(true);
    const caused = rows().find((r) => r.cause !== null && r.id > 30)!;
    raw((db) => db.prepare('UPDATE entries SET cause = ? WHERE id = ?').run(Buffer.alloc(32, 7), caused.id));
    expectFailsAt(caused);
    raw((db) => db.prepare('UPDATE entries SET cause = ? WHERE id = ?').run(caused.cause, caused.id));
    expect(verify()).toMatchObject({ ok: true });
    raw((db) => db.prepare("UPDATE fns SET fn = 'handle-sent' WHERE fn = 'handle-send'").run());
    expectFailsAt(rows().find((r) => r.actor_id === 2 && r.kind === 0)!);
  });

  it('a checkpoint edited without its seal is refused: the verify is a full one, and says so', () => {
    expect(verify().ok).toBe(true);
    raw((db) => db.prepare('UPDATE verify_checkpoints SET entry_id = entry_id - 10').run());
    const r = verify();
    expect(r).toMatchObject({ ok: true, count: 202, checkpointRefused: expect.stringMatching(/altered/) });
    expect(r.ok && r.from).toBeUndefined();
  });

  it('a tamper before the checkpoint with the digest rewritten (but not the seal) still fails at the entry', () => {
    expect(verify().ok).toBe(true);
    const target = rows()[90]!;
    raw((db) => {
      db.prepare('UPDATE entries SET seq = seq + 1 WHERE id = ?').run(target.id);
      db.prepare('UPDATE verify_checkpoints SET digest = zeroblob(32)').run();
    });
    expectFailsAt(target);
  });

  it('what a checkpoint cannot stop: rows, digest and seal all rewritten; --full still catches it', async () => {
    expect(verify().ok).toBe(true);
    const target = rows()[60]!;
    raw((db) => db.prepare('UPDATE entries SET origin = 5 WHERE id = ?').run(target.id));
    // Someone who knows the format recomputes the digest and the seal (as verify itself would).
    const { StoreDigest } = await import('./verify-checkpoint.ts');
    const store = ChainStore.open(path);
    const cp = store.checkpoints.latest()!;
    const d = new StoreDigest(store.checkpoints.names(cp.actorId, cp.fnId));
    const page = {
      n: 0,
      plain: false,
      text: '',
      nums: new Float64Array(0),
      hashes: Buffer.alloc(0),
      causes: Buffer.alloc(0),
    };
    for (let lo = 1; lo <= cp.entryId; lo += 8192) d.entryPage(lo, store.pages.entryRange(lo, cp.entryId, page)!);
    const blobs = {
      n: 0,
      plain: false,
      text: '',
      nums: new Float64Array(0),
      hashes: Buffer.alloc(0),
      bytes: Buffer.alloc(0),
    };
    d.blobPage(1, store.pages.smallBlobRange(1, cp.blobId, blobs)!, [...store.audit.largeBlobs(1, cp.blobId)]);
    const forged = { ...cp, digest: d.digest() };
    store.close();
    raw((db) => db.prepare('UPDATE verify_checkpoints SET digest = ?, seal = ?').run(forged.digest, sealOf(forged)));
    expect(verify()).toMatchObject({ ok: true, from: { entryId: 202 } });
    expectFailsAt(target, { incremental: false });
  });

  it('checkpoint: false leaves none', () => {
    expect(verify({ checkpoint: false }).ok).toBe(true);
    expect(checkpoint()).toEqual([]);
  });
});

describe('verifyChain (the public entry point) and checkpoints', () => {
  it("saves one from the writer's own store, and from a reader's only while nobody writes", async () => {
    append(50);
    const writer = ChainStore.open(path);
    try {
      // A reader while the writer holds the db: verifies, saves nothing (readers never wait for a writer).
      const reader = ChainStore.openReadOnly(path);
      const read = await verifyChain(SqliteReader.of(reader));
      expect(read.ok && read.from).toBe(undefined);
      reader.close();
      expect(checkpoint()).toHaveLength(0);
      // The writer's store saves one; the next verify starts from it.
      const full = await verifyChain(SqliteReader.of(writer));
      expect(full.ok && full.from).toBe(undefined);
      expect(checkpoint()).toHaveLength(1);
      expect(await verifyChain(SqliteReader.of(writer))).toMatchObject({ ok: true, from: { verified: 0 } });
    } finally {
      writer.close();
    }
    // Nobody writes: a reader (theater verify) starts from the checkpoint and saves the next one itself.
    const before = checkpoint()[0]!.entry_id as number;
    append(5, 50);
    const reader = ChainStore.openReadOnly(path);
    expect(await verifyChain(SqliteReader.of(reader))).toMatchObject({ ok: true, from: { verified: 5 * 5 } });
    reader.close();
    expect(checkpoint()).toMatchObject([{ entry_id: before + 5 * 5 }]);
  });
});
