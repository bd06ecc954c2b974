import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { TestChain } from '../store/test-chain.ts';
import { sha256, toHex } from './entry.ts';
import { verifyReader } from './verify-reader.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'theater-verify-'));
  path = join(dir, 'chain.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Two interleaved actors; the client's calls carry a cause (the counter's head) and origin "actor". */
function build(requests = 10): void {
  const store = ChainStore.open(path);
  const counter = new TestChain('counter');
  const client = new TestChain('client');
  counter.start();
  client.start();
  store.appendBatches([counter.take(), client.take()]);
  for (let i = 0; i < requests; i++) {
    counter.counterRequest(i);
    client.ping(i, counter.head);
    store.appendBatches([counter.take(), client.take()]);
  }
  store.close();
}

interface Row {
  id: number;
  hash: Buffer;
  parent_id: number | null;
  actor_id: number;
  kind: number;
  fn_id: number;
  input_id: number | null;
  output_id: number | null;
  state_id: number | null;
  cause: Buffer | null;
}

function raw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF'); // tampering as someone with the sqlite3 CLI would (better-sqlite3 defaults it on)
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const rows = (): Row[] => raw((db) => db.prepare('SELECT * FROM entries ORDER BY id').all() as Row[]);
const flip = (b: Buffer, at = 0): Buffer => {
  const c = Buffer.from(b);
  c[at] = c[at]! ^ 0x01;
  return c;
};

/**
 * verifyChain's answer, checked against the other path's: the ChainReader verify a hub node goes through
 * (verify-reader.ts) reads the same store page by page and must say exactly the same.
 */
async function verify(actor?: string): Promise<VerifyResult> {
  const store = ChainStore.openReadOnly(path);
  try {
    const opts = actor === undefined ? {} : { actor };
    const r = await verifyChain(SqliteReader.of(store), opts);
    expect(await verifyReader(SqliteReader.of(store), opts)).toEqual(r);
    return r;
  } finally {
    store.close();
  }
}

/** The failure names `row` (by its stored hash) and counts exactly the entries before it. */
async function expectFailsAt(row: Row, reason: RegExp, hash: Buffer = raw((db) => getHash(db, row.id))): Promise<void> {
  const r = await verify();
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.reason).toMatch(reason);
  expect(r.entry).toBe(toHex(hash));
  expect(r.count).toBe(row.id - 1);
}

const getHash = (db: Database.Database, id: number) =>
  db.prepare('SELECT hash FROM entries WHERE id = ?').pluck().get(id) as Buffer;

/** A mid-chain entry of the given kind and actor (ids are 1-based insertion order). */
function pick(kind: number, actorId = 1, nth = 4): Row {
  return rows().filter((r) => r.kind === kind && r.actor_id === actorId)[nth]!;
}
const CALL = 0;
const RETURN = 1;

describe('verifyChain', () => {
  it('accepts an intact chain of 1000+ entries and reports heads and progress', async () => {
    build(250); // 2 + 250 * (3 + 2) = 1252 entries
    const store = ChainStore.open(path);
    const progress: number[] = [];
    const reader = SqliteReader.of(store);
    const r = await verifyChain(reader, { onProgress: (done, total) => progress.push(done, total) });
    expect(r).toEqual({
      ok: true,
      count: 1252,
      heads: [
        { actor: 'counter', branch: 'main', hash: toHex(store.head('counter')!.hash) },
        { actor: 'client', branch: 'main', hash: toHex(store.head('client')!.hash) },
      ],
    });
    expect(progress.slice(-2)).toEqual([1252, 1252]);
    expect(await verifyChain(reader, { actor: 'client' })).toMatchObject({ ok: true, count: 501 });
    expect(await verifyChain(reader, { actor: 'nobody' })).toMatchObject({ ok: false, reason: /no actor nobody/ });
    store.close();
  });

  it('verifies one snapshot: entries another connection commits while it runs are not half-seen', async () => {
    // 10002 entries: verify reports progress at 4096, in its first page of entries (8192); a second page follows.
    build(2000);
    const store = ChainStore.openReadOnly(path);
    const reader = SqliteReader.of(store);
    const writer = ChainStore.open(path);
    const chain = new TestChain('latecomer');
    chain.start();
    for (let i = 0; i < 10; i++) chain.counterRequest(1_000_000 + i); // new blobs, never seen by the blob pass
    let appended = false;
    const r = await verifyChain(reader, {
      onProgress: () => {
        if (appended) return;
        writer.appendBatches([chain.take()]);
        appended = true;
      },
    });
    expect(appended).toBe(true);
    expect(r).toMatchObject({ ok: true, count: 10002 });
    // Not even its branch: the heads are read last, and a verify without one snapshot would list latecomer's.
    expect(r.ok && r.heads.map((h) => h.actor).sort()).toEqual(['client', 'counter']);
    expect(await verifyChain(reader)).toMatchObject({ ok: true, count: 10002 + 31 }); // the next run sees them, whole
    writer.close();
    store.close();
  });

  describe('a changed hashed column fails at exactly that entry', () => {
    beforeEach(() => build());

    it('hash', async () => {
      const t = pick(CALL);
      const bad = flip(t.hash, 7);
      raw((db) => db.prepare('UPDATE entries SET hash = ? WHERE id = ?').run(bad, t.id));
      await expectFailsAt(t, /stored hash .*, recomputed .* from its fields/, bad);
    });
    it('parent', async () => {
      const t = pick(CALL);
      raw((db) => db.prepare('UPDATE entries SET parent_id = parent_id - 1 WHERE id = ?').run(t.id));
      await expectFailsAt(t, /seq \d+ but parent has seq \d+|parent .*another actor/);
    });
    it('actor', async () => {
      const t = pick(CALL);
      raw((db) => db.prepare('UPDATE entries SET actor_id = 2 WHERE id = ?').run(t.id));
      await expectFailsAt(t, /parent .* belongs to another actor/);
    });
    it('actor name', async () => {
      raw((db) => db.prepare("UPDATE actors SET name = 'cpunter' WHERE name = 'counter'").run());
      await expectFailsAt(rows()[0]!, /stored hash/);
    });
    it('seq', async () => {
      const t = pick(RETURN);
      raw((db) => db.prepare('UPDATE entries SET seq = seq + 1 WHERE id = ?').run(t.id));
      await expectFailsAt(t, /seq \d+ but parent has seq \d+/);
    });
    it('kind', async () => {
      const t = pick(RETURN);
      raw((db) => db.prepare('UPDATE entries SET kind = 3 WHERE id = ?').run(t.id)); // return → error
      await expectFailsAt(t, /stored hash/);
    });
    it('iface', async () => {
      raw((db) => db.prepare("UPDATE fns SET iface = 'theater:simple/http-servet' WHERE fn = 'handle-request'").run());
      await expectFailsAt(pick(CALL, 1, 0), /stored hash/);
    });
    it('fn', async () => {
      const t = pick(CALL);
      const other = raw((db) => db.prepare("SELECT id FROM fns WHERE fn = 'log'").pluck().get() as number);
      raw((db) => db.prepare('UPDATE entries SET fn_id = ? WHERE id = ?').run(other, t.id));
      await expectFailsAt(t, /stored hash/);
    });
    for (const col of ['input', 'output', 'state'] as const) {
      it(col, async () => {
        const t = pick(col === 'output' ? RETURN : CALL);
        const other = rows().find((r) => r[`${col}_id`] !== null && r[`${col}_id`] !== t[`${col}_id`])!;
        raw((db) => db.prepare(`UPDATE entries SET ${col}_id = ? WHERE id = ?`).run(other[`${col}_id`], t.id));
        await expectFailsAt(t, /stored hash/);
      });
    }
    it('cause', async () => {
      const t = pick(CALL, 2);
      raw((db) => db.prepare('UPDATE entries SET cause = ? WHERE id = ?').run(flip(t.cause!, 31), t.id));
      await expectFailsAt(t, /stored hash/);
    });
    it('origin', async () => {
      const t = pick(CALL);
      raw((db) => db.prepare('UPDATE entries SET origin = 4 WHERE id = ?').run(t.id)); // http → studio
      await expectFailsAt(t, /stored hash/);
    });
  });

  describe('blobs', () => {
    beforeEach(() => build());

    it('a flipped byte in a large blob names the first entry referencing it', async () => {
      const t = pick(CALL); // its input (the HTTP request) is 69 bytes: stored with its full hash
      raw((db) => {
        const bytes = db.prepare('SELECT bytes FROM blobs WHERE id = ?').pluck().get(t.input_id) as Buffer;
        expect(bytes.length).toBeGreaterThan(64);
        db.prepare('UPDATE blobs SET bytes = ? WHERE id = ?').run(flip(bytes, 40), t.input_id);
      });
      await expectFailsAt(t, /blob .* \(its input\) hashes to /);
    });

    it('a flipped byte in a small state blob names the first entry referencing it', async () => {
      const t = pick(RETURN); // its state is also the state of the next call and import
      raw((db) => {
        const bytes = db.prepare('SELECT bytes FROM blobs WHERE id = ?').pluck().get(t.state_id) as Buffer;
        db.prepare('UPDATE blobs SET bytes = ? WHERE id = ?').run(flip(bytes, 3), t.state_id);
      });
      await expectFailsAt(t, /blob .* \(its state\) hashes to /);
    });

    it("a flipped byte in a blob's stored hash fails too", async () => {
      const t = pick(CALL);
      raw((db) => {
        const h = db.prepare('SELECT hash FROM blobs WHERE id = ?').pluck().get(t.input_id) as Buffer;
        db.prepare('UPDATE blobs SET hash = ? WHERE id = ?').run(flip(h, 9), t.input_id);
      });
      await expectFailsAt(t, /blob .* \(its input\) hashes to /);
    });

    it('a deleted blob', async () => {
      const t = pick(RETURN);
      raw((db) => db.prepare('DELETE FROM blobs WHERE id = ?').run(t.output_id));
      await expectFailsAt(t, /blob #\d+ \(its output\) not found/);
    });

    it('a flipped byte in an embedded component (a blob no entry references, which replay loads)', async () => {
      // As `theater import` of a bundle with its component stores it: a blob keyed by its SHA-256.
      const component = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
      const hash = sha256(component);
      const store = ChainStore.open(path);
      store.appendBatches([{ actor: 'counter', branch: 'main', entries: [], blobs: [{ hash, bytes: component }] }]);
      store.upsertActor({ id: 'counter', component: toHex(hash) });
      store.close();
      expect((await verify()).ok).toBe(true);
      raw((db) => {
        const id = db.prepare('SELECT id FROM blobs WHERE hash = ?').pluck().get(Buffer.from(hash)) as number;
        db.prepare('UPDATE blobs SET bytes = ? WHERE id = ?').run(flip(Buffer.from(component), 2000), id);
      });
      expect(await verify()).toMatchObject({
        ok: false,
        entry: null,
        reason: expect.stringMatching(/^blob .* \(the embedded component of actor counter\) hashes to /),
      });
      expect(await verify('counter')).toMatchObject({ ok: false });
      expect(await verify('client')).toMatchObject({ ok: true }); // not client's component
    });
  });

  // Verify reads pages packed by SQLite (store/audit.ts); a value of an unexpected type makes its page go row by
  // row. These check that such a page is still verified, and the failure named, exactly as before.
  describe('a value of the wrong type fails at exactly that entry', () => {
    beforeEach(() => build());

    it('a cause that is not 32 bytes', async () => {
      const t = rows().find((r) => r.cause !== null)!;
      raw((db) => db.prepare('UPDATE entries SET cause = ? WHERE id = ?').run(t.cause!.subarray(0, 31), t.id));
      await expectFailsAt(t, /recomputed/);
    });

    it('a blob where a number belongs', async () => {
      const t = pick(RETURN);
      raw((db) => db.prepare('UPDATE entries SET seq = ? WHERE id = ?').run(Buffer.from([1]), t.id));
      await expectFailsAt(t, /seq/);
    });

    it('a blob where no reference belongs (a call has no output)', async () => {
      const t = pick(CALL);
      raw((db) => db.prepare('UPDATE entries SET output_id = ? WHERE id = ?').run(Buffer.from([1]), t.id));
      await expectFailsAt(t, /its output/);
    });

    it('a real where an integer belongs', async () => {
      const t = pick(RETURN);
      raw((db) => db.prepare('UPDATE entries SET seq = seq + 0.5 WHERE id = ?').run(t.id));
      await expectFailsAt(t, /seq/);
    });

    it("a blob's bytes stored as text", async () => {
      const t = pick(RETURN);
      raw((db) => db.prepare("UPDATE blobs SET bytes = 'not the state' WHERE id = ?").run(t.state_id));
      const first = rows().find(
        (r) => r.input_id === t.state_id || r.output_id === t.state_id || r.state_id === t.state_id,
      )!;
      await expectFailsAt(first, /hashes to/);
    });
  });

  describe('a sweep: one flipped byte at a time, in a sample of entries and blobs', () => {
    beforeEach(() => build(100)); // 502 entries

    it('every flipped byte is caught, naming exactly the first bad entry', async () => {
      const all = rows();
      let rand = 12345;
      const next = (n: number) => (rand = (Math.imul(rand, 1103515245) + 12345) >>> 0) % n;
      let caught = 0;
      // 60 entries: a random byte of the stored hash or of the cause.
      for (let i = 0; i < 60; i++) {
        const t = all[next(all.length)]!;
        const col = t.cause && next(2) ? 'cause' : 'hash';
        const orig = raw((db) => db.prepare(`SELECT ${col} FROM entries WHERE id = ?`).pluck().get(t.id) as Buffer);
        const bad = flip(orig, next(32));
        raw((db) => db.prepare(`UPDATE entries SET ${col} = ? WHERE id = ?`).run(bad, t.id));
        const r = await verify();
        expect(r, `entry #${t.id} ${col}`).toMatchObject({
          ok: false,
          entry: toHex(col === 'hash' ? bad : t.hash),
          count: t.id - 1,
        });
        raw((db) => db.prepare(`UPDATE entries SET ${col} = ? WHERE id = ?`).run(orig, t.id));
        caught++;
      }
      // 60 blobs: a random byte of the bytes, or of the stored (full or 8-byte) hash.
      const blobs = raw(
        (db) =>
          db.prepare('SELECT id, length(bytes) AS n, length(hash) AS h FROM blobs').all() as {
            id: number;
            n: number;
            h: number;
          }[],
      );
      for (let i = 0; i < 60; i++) {
        const b = blobs[next(blobs.length)]!;
        const col = b.n > 0 && next(2) ? 'bytes' : 'hash';
        const orig = raw((db) => db.prepare(`SELECT ${col} FROM blobs WHERE id = ?`).pluck().get(b.id) as Buffer);
        raw((db) => db.prepare(`UPDATE blobs SET ${col} = ? WHERE id = ?`).run(flip(orig, next(orig.length)), b.id));
        const first = all.find((r) => r.input_id === b.id || r.output_id === b.id || r.state_id === b.id);
        const r = await verify();
        if (first)
          expect(r, `blob #${b.id} ${col}`).toMatchObject({ ok: false, entry: toHex(first.hash), count: first.id - 1 });
        else expect(r.ok, `blob #${b.id} is referenced by no entry`).toBe(true);
        raw((db) => db.prepare(`UPDATE blobs SET ${col} = ? WHERE id = ?`).run(orig, b.id));
        caught++;
      }
      expect(caught).toBe(120);
      expect((await verify()).ok).toBe(true); // restored: the sweep left nothing behind
    });
  });

  describe('rows removed or swapped', () => {
    beforeEach(() => build());

    it('a deleted entry fails at its child', async () => {
      const t = pick(CALL);
      const child = rows().find((r) => r.parent_id === t.id)!;
      raw((db) => db.prepare('DELETE FROM entries WHERE id = ?').run(t.id));
      const r = await verify();
      expect(r).toMatchObject({
        ok: false,
        entry: toHex(child.hash),
        reason: /parent \(entries row id \d+\) not found/,
      });
    });

    it('a branch head set to NULL fails at the branch (every branch head exists, §7)', async () => {
      raw((db) => db.prepare(`UPDATE branches SET head_id = NULL WHERE name = 'main'`).run());
      expect(await verify()).toMatchObject({
        ok: false,
        entry: null,
        reason: expect.stringMatching(/^branch counter\/main has entries .* but no head/),
      });
    });

    it('a deleted head fails at the branch', async () => {
      const last = rows().at(-1)!;
      raw((db) => db.prepare('DELETE FROM entries WHERE id = ?').run(last.id));
      // The row id is said as one, not as "#n", which reads as a seq (the head's seq went with its row).
      expect(await verify()).toMatchObject({
        ok: false,
        entry: null,
        reason: `branch client/main: its head is missing (it points at entries row id ${last.id})`,
      });
    });

    it('reordered parents (b and c of a→b→c→d relinked as a→c→b→d, seqs fixed up) fail at the first of them', async () => {
      const calls = rows().filter((r) => r.actor_id === 1);
      const [b, c] = calls.slice(5, 7) as [Row, Row];
      const d = calls.find((r) => r.parent_id === c.id)!;
      raw((db) => {
        const relink = db.prepare('UPDATE entries SET parent_id = ?, seq = ? WHERE id = ?');
        const seqOf = (id: number) => db.prepare('SELECT seq FROM entries WHERE id = ?').pluck().get(id) as number;
        const [bs, cs] = [seqOf(b.id), seqOf(c.id)];
        relink.run(b.parent_id, bs, c.id);
        relink.run(c.id, cs, b.id);
        relink.run(b.id, seqOf(d.id), d.id);
      });
      // b now names a parent recorded after it; and were insertion order swapped too, c's hash would not match.
      const r = await verify();
      expect(r).toMatchObject({ ok: false, entry: toHex(b.hash) });
    });

    it('reordered parents with the rows themselves swapped (insertion order too) fail at the first of them', async () => {
      const calls = rows().filter((r) => r.actor_id === 1);
      const [b, c] = calls.slice(5, 7) as [Row, Row];
      const d = calls.find((r) => r.parent_id === c.id)!;
      raw((db) => {
        const cols = 'hash, actor_id, seq, kind, fn_id, input_id, output_id, state_id, cause, origin, ts, branch_id';
        const get = (id: number) =>
          db.prepare(`SELECT ${cols} FROM entries WHERE id = ?`).get(id) as Record<string, unknown>;
        const [rb, rc] = [get(b.id), get(c.id)];
        const put = db.prepare(
          `UPDATE entries SET ${cols
            .split(', ')
            .map((k) => `${k} = @${k}`)
            .join(', ')}, parent_id = @parent_id WHERE id = @id`,
        );
        // Row b.id now holds c (with seq and parent of b), row c.id holds b (child of it): a→c→b→d in insertion order.
        put.run({ ...rc, seq: rb.seq, parent_id: b.parent_id, id: b.id });
        put.run({ ...rb, seq: rc.seq, parent_id: b.id, id: c.id });
        db.prepare('UPDATE entries SET parent_id = ? WHERE id = ?').run(c.id, d.id);
      });
      const r = await verify();
      expect(r).toMatchObject({ ok: false, entry: toHex(c.hash), reason: expect.stringMatching(/stored hash/) });
      if (!r.ok) expect(r.count).toBe(b.id - 1);
    });

    it('two swapped states fail at the first of them', async () => {
      const [a, b] = rows()
        .filter((r) => r.kind === RETURN && r.actor_id === 1)
        .slice(2, 4);
      raw((db) => {
        const set = db.prepare('UPDATE entries SET state_id = ? WHERE id = ?');
        set.run(b!.state_id, a!.id);
        set.run(a!.state_id, b!.id);
      });
      await expectFailsAt(a!, /stored hash/);
    });
  });
});
