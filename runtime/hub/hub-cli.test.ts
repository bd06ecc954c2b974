/**
 * `theater hub …` and the `--hub` readers as a user meets them, with two nodes that share blobs in one hub (edge-1's
 * counter at 3, edge-2's at 2: both hold the states {"count":1} and {"count":2} and the component, only edge-1
 * {"count":3}) and an auditor that only attests: what verify blames on whom when a blob changes, pinned keys, and
 * the exit codes of a node, URL or key the hub refuses.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../chain/entry.ts';
import { ChainStore } from '../store/index.ts';
import { Hub, HubWriter } from '../store-pg/index.ts';
import { THEATER_BIN, example, tempDir, utf8, withSystem } from '../testing/helpers.ts';
import { describeHub, hubSql, testServer, type TestServer } from '../testing/pg.ts';
import { strayBlobs, verdictOk, verifyHub } from './hub-verify.ts';
import { Shipper } from './shipper.ts';
import { loadNodeKey } from './signing.ts';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

describeHub('theater hub, two nodes sharing blobs in one hub', () => {
  let server: TestServer;
  let url: string;
  let hub: Hub;
  const { dir, cleanup } = tempDir();

  /** The CLI with $THEATER_HUB set to the hub (`local`: unset, for a db). */
  const run = (local: boolean, args: string[]): Promise<Run> =>
    new Promise((resolve) =>
      execFile(
        process.execPath,
        [THEATER_BIN, ...args],
        { env: { ...process.env, THEATER_HUB: local ? '' : url } },
        (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, out, err: errOut }),
      ),
    );
  const theater = (...args: string[]) => run(false, args);

  beforeAll(async () => {
    server = await testServer();
    url = await server.newHub();
    for (const [node, count] of [
      ['edge-1', 3],
      ['edge-2', 2],
    ] as const) {
      const db = join(dir, `${node}.db`);
      await withSystem(async (system) => {
        const id = await system.start(example('counter'));
        for (let i = 0; i < count; i++) await system.send(id, utf8('{"op":"increment"}'), 'cli');
      }, db);
      const store = ChainStore.openReadOnly(db);
      const key = loadNodeKey(join(dir, `${node}.key`), { create: true });
      const s = new Shipper({ store, hub: url, node, key }).start();
      while (!s.caughtUp) await new Promise((r) => setTimeout(r, 20));
      await s.stop(0);
      store.close();
    }
    hub = await Hub.open(url);
    await HubWriter.register(hub.pool, 'auditor', loadNodeKey(join(dir, 'auditor.key'), { create: true }).publicDer);
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await server?.close();
    cleanup();
  });

  it("fails only the node whose entry uses a changed blob: the others' chains are intact", async () => {
    const [row] = await hubSql<{ id: number; bytes: Buffer }>(url, 'SELECT id, bytes FROM blobs WHERE bytes = $1', [
      Buffer.from('{"count":3}'),
    ]);
    await hubSql(url, 'UPDATE blobs SET bytes = $1 WHERE id = $2', [Buffer.from('{"count":9}'), row!.id]);
    try {
      const verdicts = await verifyHub(hub);
      expect(verdicts.map((v) => [v.node, verdictOk(v)])).toEqual([
        ['auditor', true],
        ['edge-1', false],
        ['edge-2', true],
      ]);
      const edge1 = verdicts[1]!.chain;
      expect(edge1.ok === false && edge1.entry !== null && edge1.reason).toMatch(/\(its state\) hashes to/);
      // edge-2's verify in the hub gives what verify of its own db gives.
      const own = await run(true, ['verify', '--db', join(dir, 'edge-2.db'), '--full']);
      // An explicit --db is read, not the hub, when $THEATER_HUB is set too.
      const ownWithHubSet = await theater('verify', '--db', join(dir, 'edge-2.db'), '--full');
      expect([ownWithHubSet.code, ownWithHubSet.out]).toEqual([0, own.out]);
      const there = await theater('verify', '--node', 'edge-2');
      expect([own.code, there.code]).toEqual([0, 0]);
      expect(there.out).toBe(own.out.replace(/ \(checkpoint saved\)/, ''));
      const one = await theater('hub', 'verify', '--node', 'edge-2');
      expect(one.code).toBe(0);
      const all = await theater('hub', 'verify');
      expect(all.code).toBe(1);
      expect(all.out).not.toMatch(/referenced by no entry|used by no node/);
    } finally {
      await hubSql(url, 'UPDATE blobs SET bytes = $1 WHERE id = $2', [row!.bytes, row!.id]);
    }
    expect((await verifyHub(hub)).every(verdictOk)).toBe(true);
  }, 120_000);

  it('reports a changed blob no node uses once, for the hub, failing no node', async () => {
    const [stray] = await hubSql<{ id: number }>(url, 'INSERT INTO blobs (hash, bytes) VALUES ($1, $2) RETURNING id', [
      Buffer.from(sha256(utf8('nobody uses me'))),
      Buffer.from('but I was changed'),
    ]);
    try {
      expect((await verifyHub(hub)).every(verdictOk)).toBe(true);
      expect(await strayBlobs(hub)).toEqual([
        expect.stringMatching(/^blob [0-9a-f]{12}… \(used by no node\) hashes to/),
      ]);
      const all = await theater('hub', 'verify');
      expect(all.code).toBe(1);
      expect(all.out).toMatch(/: 1 corrupt blob no node uses:\n {2}blob [0-9a-f]{12}… \(used by no node\)/);
      expect(all.out).not.toMatch(/FAILED/);
      expect((await theater('hub', 'verify', '--node', 'edge-1')).code).toBe(0);
    } finally {
      await hubSql(url, 'DELETE FROM blobs WHERE id = $1', [stray!.id]);
    }
    expect((await theater('hub', 'verify')).code).toBe(0);
  }, 120_000);

  it('exits 2 (usage or input) naming what there is when the node, the hub URL or the key is wrong', async () => {
    const noNode = /has no node nosuch; it has: auditor, edge-1, edge-2/;
    const commands = [
      ['state', '--node', 'nosuch'],
      ['events', '--node', 'nosuch'],
      ['verify', '--node', 'nosuch'],
      ['hub', 'verify', '--node', 'nosuch'],
      ['hub', 'attest', '--key', join(dir, 'auditor.key'), '--as', 'auditor', '--node', 'nosuch'],
      ['hub', 'status', '--node', 'nosuch'], // it said "the hub holds nothing yet" and exited 0
    ];
    const [badUrl, ...runs] = await Promise.all([
      theater('hub', 'status', '--hub', 'foo'),
      ...commands.map((args) => theater(...args)),
    ]);
    runs.forEach((r, i) => {
      const what = commands[i]!.join(' ');
      expect([what, r.code, r.err, r.out]).toEqual([what, 2, expect.stringMatching(noNode), '']);
    });
    expect([badUrl.code, badUrl.err]).toEqual([2, expect.stringMatching(/a hub URL starts with postgres:\/\//)]);
    // Another key under edge-2's name: the flag that names the node in hub attest is --as.
    const taken = await theater('hub', 'attest', '--key', join(dir, 'auditor.key'), '--as', 'edge-2');
    expect(taken.code).toBe(2);
    expect(taken.err).toMatch(/a node named edge-2 with another key: pick another node name \(--as\)/);
    const noKeys = await theater('hub', 'verify', '--keys', join(dir, 'no-such-folder'));
    expect([noKeys.code, noKeys.err]).toEqual([2, expect.stringMatching(/cannot read the keys folder/)]);
    // A node that exists is shown alone.
    const one = await theater('hub', 'status', '--node', 'edge-1');
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/^node edge-1 /);
    expect(one.out).not.toMatch(/edge-2/);
  }, 180_000);

  it('hub verify --keys fails a node with heads whose key is not in the folder, naming it', async () => {
    const keys = join(dir, 'keys');
    mkdirSync(keys, { recursive: true });
    copyFileSync(join(dir, 'edge-1.key.pub'), join(keys, 'edge-1.pub'));
    const r = await theater('hub', 'verify', '--keys', keys);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/node edge-1:[^]*signed heads? verified \(pinned key /);
    expect(r.out).toMatch(
      /node edge-2:[^]*signature check FAILED[^]*node edge-2: its key is not among the pinned keys/,
    );
    expect(r.out).not.toMatch(/as the hub registered it/);
    expect((await theater('hub', 'verify', '--keys', keys, '--node', 'edge-1')).code).toBe(0);
  }, 120_000);

  it('hub verify says a node that only attests has no chains (it said "0 entries verified, head none")', async () => {
    const r = await theater('hub', 'verify');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^node auditor:\n {2}no chains: a node that only attests, with nothing of its own here to verify \(key [0-9a-f]+ as the hub registered it;.*\)\nnode edge-1:\n {2}\d+ entries verified/,
    );
  }, 120_000);

  it('hub verify --actor verifies the nodes that have the actor, and is a usage error when none has it', async () => {
    // Every node without the actor failed ("no actor counter"), the auditor included, so --actor never passed.
    const counter = await theater('hub', 'verify', '--actor', 'counter');
    expect(counter.code).toBe(0);
    expect(counter.out).toMatch(/^node edge-1:\n {2}\d+ entries verified[^]*\nnode edge-2:\n {2}\d+ entries verified/);
    expect(counter.out).not.toMatch(/auditor|no actor/);
    const none = await theater('hub', 'verify', '--actor', 'nosuch');
    expect([none.code, none.out]).toEqual([2, '']);
    expect(none.err).toMatch(
      /has actor nosuch; the nodes have: auditor \(no actors\); edge-1 \(counter\); edge-2 \(counter\)/,
    );
  }, 120_000);

  it("names a head whose row is gone by the hub's row id, not as an entry #seq, and not as an empty branch", async () => {
    const [b] = await hubSql<{ id: number; head_id: number }>(
      url,
      `SELECT b.id, b.head_id FROM branches b JOIN actors a ON a.id = b.actor_id JOIN nodes n ON n.id = a.node_id
       WHERE n.name = 'edge-2'`,
    );
    const gone = 987_654_321; // no entries row has it
    await hubSql(url, 'UPDATE branches SET head_id = $1 WHERE id = $2', [gone, b!.id]);
    try {
      const r = await theater('hub', 'verify', '--node', 'edge-2');
      expect(r.code).toBe(1);
      expect(r.out).toContain(`reason: branch counter/main: its head is missing (it points at entries row id ${gone})`);
      expect(r.out).toContain(
        `counter/main: its head (entries row id ${gone}) is missing, so its signature cannot be checked`,
      );
      expect(r.out).not.toMatch(/\(empty\)|entry #/);
    } finally {
      await hubSql(url, 'UPDATE branches SET head_id = $1 WHERE id = $2', [b!.head_id, b!.id]);
    }
    expect((await theater('hub', 'verify', '--node', 'edge-2')).code).toBe(0);
  }, 120_000);
});
