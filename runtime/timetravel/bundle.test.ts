import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActorSystem } from '../actors/system.ts';
import { toHex } from '../chain/entry.ts';
import { verifyChain } from '../chain/verify.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { example, tempDir, utf8, withSystem } from '../testing/helpers.ts';
import { exportBundle, type ExportOptions } from './bundle-export.ts';
import { BundleError } from './bundle-format.ts';
import { importBundle } from './bundle-import.ts';
import { forkAt } from './fork.ts';
import { replayHere } from './replay.ts';

const GOLDEN = fileURLToPath(new URL('./fixtures/counter.bundle', import.meta.url));
const GOLDEN_HEAD = '947283b813fde1ce480f496df13825de170ea8eef968f1e1f5d70f4cd0e734df';

const inc = (s: ActorSystem, id: string) => s.send(id, utf8('{"op":"increment"}'), 'cli');

async function withStore<T>(path: string, fn: (s: ChainStore) => T | Promise<T>): Promise<T> {
  const s = ChainStore.open(path);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

const verify = (s: ChainStore, actor?: string) => verifyChain(SqliteReader.of(s), actor ? { actor } : {});
const exportOf = (s: ChainStore, file: string, o: ExportOptions) => exportBundle(SqliteReader.of(s), file, o);

async function counterChain(system: ActorSystem, n = 3): Promise<string> {
  const id = await system.start(example('counter'));
  for (let i = 0; i < n; i++) await inc(system, id);
  await system.stop(id);
  await system.committed();
  return id;
}

describe('bundles', () => {
  it('re-importing a bundle whose branch is live here adds no branch when every entry is here already', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const file = join(dir, 'c.bundle');
      await exportOf(system.store, file, { actor: id });
      await withStore(join(dir, 'other.db'), (s) => {
        importBundle(s, file);
        const before = s.branches(id).map((b) => b.name);
        const live = () => true;
        // Every entry is here: no "main-import-1" (an empty lane), and the result says where they are.
        const r = importBundle(s, file, { live });
        expect(r).toMatchObject({ branch: 'main', existing: r.entries });
        expect(s.branches(id).map((b) => b.name)).toEqual(before);
      });
    });
  });

  it('round-trips: same hashes (permalinks), verifiable, replayable; re-import is a no-op', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const file = join(dir, 'c.bundle');
      const out = await exportOf(system.store, file, { actor: id });
      const hashes = system.store.entries({ actor: id }).map((e) => toHex(e.hash));
      const db2 = join(dir, 'other.db');
      await withStore(db2, async (s) => {
        const r = importBundle(s, file);
        expect(r).toMatchObject({ actor: id, branch: 'main', entries: hashes.length, existing: 0, head: out.head });
        expect(s.entries({ actor: id }).map((e) => toHex(e.hash))).toEqual(hashes);
        expect((await verify(s)).ok).toBe(true);
        expect(importBundle(s, file)).toMatchObject({ existing: hashes.length });
        expect(s.countEntries()).toBe(hashes.length);
      });
      // The manifest is not known in db2, but the component is found through the chain's own db (here: same file).
      const r = await replayHere(SqliteReader.of(ChainStore.open(db2)), {
        actor: id,
        component: example('counter', 'counter.wasm'),
      });
      expect(r).toMatchObject({ status: 'verified', head: out.head });
    });
  });

  it("a branch imported into a db that has never seen its actor is that actor's live branch there", async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const at = system.store.entries({ actor: id })[5]!;
      expect(forkAt(system.store, at.hash, 'fork-1').branch).toBe('fork-1');
      const file = join(dir, 'f.bundle');
      const out = await exportOf(system.store, file, { actor: id, branch: 'fork-1' });
      await withStore(join(dir, 'new.db'), (s) => {
        expect(importBundle(s, file)).toMatchObject({ branch: 'fork-1' });
        // It named an empty main: `theater state` said "no entries yet" (exit 4) until `branches --live fork-1`.
        expect(s.liveBranch(id)).toBe('fork-1');
        expect(toHex(s.head(id)!.hash)).toBe(out.head);
      });
    });
  });

  it('a range bundle continues where the earlier part ends', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system, 4);
      const all = system.store.entries({ actor: id });
      const mid = all[7]!;
      const [first, second] = [join(dir, 'a.bundle'), join(dir, 'b.bundle')];
      await exportOf(system.store, first, { actor: id, to: mid.hash });
      await exportOf(system.store, second, { actor: id, from: all[8]!.hash });
      await withStore(join(dir, 'r.db'), async (s) => {
        expect(() => importBundle(s, second)).toThrow(/does not have/);
        importBundle(s, first);
        importBundle(s, second);
        expect(toHex(s.head(id)!.hash)).toBe(toHex(all.at(-1)!.hash));
        expect((await verify(s)).ok).toBe(true);
      });
    });
  });

  it('refuses a truncated, tampered or oversized bundle and writes nothing', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const file = join(dir, 'c.bundle');
      await exportOf(system.store, file, { actor: id });
      const entries = system.store.entries({ actor: id });
      const target = join(dir, 'target.db');

      const cut = join(dir, 'cut.bundle');
      copyFileSync(file, cut);
      truncateSync(cut, statSync(file).size - 40);
      await withStore(target, (s) => {
        expect(() => importBundle(s, cut)).toThrow(BundleError);
        expect(s.countEntries()).toBe(0);
        expect(s.actors()).toEqual([]);
      });

      // Flip a byte inside one entry's `fn` text ("log" → "lng"): that entry is named.
      const bytes = readFileSync(file);
      const log = entries.find((e) => e.fn === 'log')!;
      // Keys are sorted, so the entry's "fn" comes just before its own "hash" (the first place that hash appears).
      const at = bytes.lastIndexOf(
        Buffer.concat([Buffer.from([0x03]), Buffer.from('log')]),
        bytes.indexOf(Buffer.from(log.hash)),
      );
      bytes[at + 2] = bytes[at + 2]! ^ 0x02;
      const bad = join(dir, 'bad.bundle');
      writeFileSync(bad, bytes);
      await withStore(target, (s) => {
        let err: BundleError | undefined;
        try {
          importBundle(s, bad);
        } catch (e) {
          err = e as BundleError;
        }
        expect(err).toBeInstanceOf(BundleError);
        expect(err!.entry).toBe(toHex(log.hash));
        expect(err!.message).toContain('tampered');
        expect(s.countEntries()).toBe(0);
        expect(() => importBundle(s, file, { maxBytes: 100 })).toThrow(/over the limit/);
        expect(s.countEntries()).toBe(0);
      });
    });
  });

  it('verify names the entry whose blob has a flipped byte in the database file', async () => {
    await withSystem(async (system, dir) => {
      const id = await counterChain(system);
      const log = system.store
        .entries({ actor: id })
        .find((e) => e.fn === 'log' && system.store.blob(e.input!)?.includes(0x32))!;
      system.store.checkpoint();
      await system.close();
      const dbFile = join(dir, 'chain.db');
      const raw = readFileSync(dbFile);
      const at = raw.indexOf(Buffer.from('count -> 2'));
      expect(at).toBeGreaterThan(0);
      raw[at + 9] = 0x39; // "count -> 9"
      writeFileSync(dbFile, raw);
      await withStore(dbFile, async (s) => {
        const v = await verify(s, id);
        expect(v.ok).toBe(false);
        if (!v.ok) expect(v.entry).toBe(toHex(log.hash));
      });
    });
  });

  it('the golden chain (a committed bundle) imports and replays byte-identically on a fresh database', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'golden.db');
      const store = ChainStore.open(db);
      try {
        const r = importBundle(store, GOLDEN);
        expect(r).toMatchObject({ actor: 'counter', entries: 16, head: GOLDEN_HEAD });
        expect((await verify(store)).ok).toBe(true);
        // No manifest in this db: the component comes from the bundle itself (stored by its SHA-256).
        const rep = await replayHere(SqliteReader.of(store), { actor: 'counter' });
        expect(rep).toMatchObject({ status: 'verified', count: 16, head: GOLDEN_HEAD });
        expect(rep.component.sha256).toBe(rep.component.recorded);
      } finally {
        store.close();
      }
    } finally {
      cleanup();
    }
  });

  it('never opens the chain db itself as a bundle: not to read one from it, not to write one over it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const db = join(dir, 'chain.db');
      const store = ChainStore.open(db);
      importBundle(store, GOLDEN);
      const before = store.countEntries();
      // Either would open the db with fs while SQLite holds it (dropping its locks); writing would destroy it.
      for (const path of [db, `${db}-wal`]) {
        expect(() => importBundle(store, path)).toThrow(/refusing to read a bundle from .*a chain database open here/);
        await expect(exportOf(store, path, { actor: 'counter' })).rejects.toThrow(/refusing to write a bundle over/);
      }
      expect(store.countEntries()).toBe(before);
      store.close();
      // Not open here, but a SQLite file all the same: not overwritten either.
      expect(() => withStore(join(dir, 'other.db'), (s) => (importBundle(s, GOLDEN), 0))).not.toThrow();
      const reader = ChainStore.openReadOnly(join(dir, 'other.db'));
      await expect(exportOf(reader, db, { actor: 'counter' })).rejects.toThrow(/it is a SQLite database/);
      reader.close();
      const again = ChainStore.openReadOnly(db);
      expect(await verifyChain(SqliteReader.of(again))).toMatchObject({ ok: true, count: before });
      again.close();
    } finally {
      cleanup();
    }
  });
});
