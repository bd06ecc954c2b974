/**
 * Three real nodes (`theater run --hub`, each its own process, db and key) ship to one real PostgreSQL at once,
 * while each takes a stream of increments on its message port. Mid-stream, node b is killed with SIGKILL and
 * started again on the same db; later PostgreSQL itself is restarted while the others keep recording. At the end
 * the hub holds exactly every node's committed chains — same entries (hash by hash), same count and heads by the
 * same verify — `theater hub verify` passes with the nodes' keys pinned, a tampered row is named, and a forged and
 * rehashed branch fails the signature check.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toHex } from '../chain/entry.ts';
import { verifyChain } from '../chain/verify.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { Hub } from '../store-pg/index.ts';
import { theater } from '../testing/cli-process.ts';
import { exited, REPO, startTheater, stopChild, tempDir, type RunningTheater } from '../testing/helpers.ts';
import { streamIncrements } from '../testing/message-stream.ts';
import { forgeBranch } from '../testing/hub-forgery.ts';
import { restartCluster } from '../testing/pg-cluster.ts';
import { describeHub, hubSql, testServer, type TestServer } from '../testing/pg.ts';

const NODES = ['a', 'b', 'c'] as const;
const PER_NODE = 1500;

/** `theater …` in its own process, its stdout and stderr as one text. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const r = await theater(args, { cwd: REPO });
  return { code: r.code, out: r.stdout + r.stderr };
}

describeHub('three nodes shipping to one hub, through a kill -9 and a PostgreSQL restart', () => {
  let server: TestServer;
  let url: string;
  let dir: string;
  let cleanup: () => void;
  const running = new Map<string, RunningTheater>();

  const db = (n: string) => join(dir, `${n}.db`);
  const start = async (n: string) => {
    const t = await startTheater(db(n), undefined, dir, ['--hub', url, '--node', n, '--key', join(dir, `${n}.key`)]);
    running.set(n, t);
    return t;
  };
  const localMax = (n: string) => {
    const s = ChainStore.openReadOnly(db(n));
    try {
      return s.audit.lastEntryId();
    } finally {
      s.close();
    }
  };

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    server = await testServer({ own: true }); // this test restarts PostgreSQL: its own cluster
    url = await server.newHub();
  });

  afterAll(async () => {
    for (const t of running.values()) await stopChild(t.child, 'SIGKILL');
    await server?.close();
    cleanup?.();
  });

  it('ends with exactly every committed entry of every node in the hub, verified and signed', async () => {
    await Promise.all(NODES.map(start));

    // All three record and ship at once. Once 500 of b's increments are acknowledged, b is killed with SIGKILL at
    // the first moment the hub is seen behind it: its shipper is then mid-way, with committed entries unshipped.
    const probe = await Hub.open(url);
    const hubHolds = async (n: string) => (await probe.nodes()).find((x) => x.name === n)?.shippedId ?? 0;
    const b = running.get('b')!;
    let killedAt: { hub: number; local: number } | undefined;
    const killB = async () => {
      for (let i = 0; i < 500 && !killedAt; i++) {
        const [hub, local] = [await hubHolds('b'), localMax('b')];
        if (hub < local) {
          b.child.kill('SIGKILL');
          killedAt = { hub, local };
        } else await new Promise((r) => setTimeout(r, 10));
      }
    };
    let killing: Promise<void> | undefined;
    const streams = NODES.map((n) =>
      streamIncrements(running.get(n)!.messages!, PER_NODE, (k) => {
        if (n === 'b' && k === 500) killing = killB();
      }),
    );
    const [ackedA, ackedB, ackedC] = await Promise.all(streams);
    await killing;
    await exited(b.child);
    expect(killedAt).toBeDefined();
    expect(ackedB).toBeLessThan(PER_NODE);
    expect(ackedA).toBe(PER_NODE);
    expect(ackedC).toBe(PER_NODE);

    // b again, on the same db and key: its shipper resumes from the hub's watermark, behind what b committed.
    const shippedAtKill = await hubHolds('b');
    await probe.close();
    const committed = localMax('b');
    // The hub was seen behind b when it was killed (killedAt). A page whose COMMIT b had already sent may still land
    // in PostgreSQL after the kill, so the hub can be level with b here: what follows checks the resumed shipper
    // adds exactly b's missing entries either way.
    expect(killedAt!.hub).toBeLessThan(killedAt!.local);
    expect(shippedAtKill).toBeLessThanOrEqual(committed);
    const b2 = await start('b');
    const resumed = streamIncrements(b2.messages!, PER_NODE);

    // PostgreSQL restarts while a and c take more increments: they keep answering from their own stores.
    const more = ['a', 'c'].map((n) => streamIncrements(running.get(n)!.messages!, PER_NODE));
    await new Promise((r) => setTimeout(r, 300));
    restartCluster(server.cluster!);
    expect(await Promise.all([resumed, ...more])).toEqual([PER_NODE, PER_NODE, PER_NODE]);

    // Each node's shipper reconnects and catches up; then the nodes stop (SIGINT: commit, ship, exit).
    const hub = await Hub.open(url);
    try {
      for (let i = 0; i < 600; i++) {
        const shipped = new Map((await hub.nodes()).map((n) => [n.name, n.shippedId]));
        if (NODES.every((n) => shipped.get(n) === localMax(n))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const n of NODES) {
        const t = running.get(n)!;
        await stopChild(t.child, 'SIGINT');
        running.delete(n);
      }
      const from = Number(/hub: shipping to .* as node b .*from local #(\d+)/.exec(b2.output())?.[1]);
      expect(from).toBe(shippedAtKill);

      for (const n of NODES) {
        const local = ChainStore.openReadOnly(db(n));
        try {
          const here = SqliteReader.of(local);
          const there = await hub.node(n);
          // Hash by hash: no entry lost, none twice, in the same order.
          const hashes = async (r: typeof here | typeof there) => (await r.entries({})).map((e) => toHex(e.hash));
          expect(await hashes(there)).toEqual(await hashes(here));
          const v = await verifyChain(here);
          expect(v.ok).toBe(true);
          expect(await verifyChain(there)).toEqual(v);
        } finally {
          local.close();
        }
      }
      expect((await hub.status()).every((s) => s.localSeq === s.seq)).toBe(true);
    } finally {
      await hub.close();
    }

    // The operator's check, with the nodes' public keys pinned (each node wrote <key>.pub beside its key).
    const keys = join(dir, 'keys');
    mkdirSync(keys);
    for (const n of NODES) copyFileSync(join(dir, `${n}.key.pub`), join(keys, `${n}.pub`));
    const ok = await cli('hub', 'verify', '--hub', url, '--keys', keys);
    expect(ok.out).not.toMatch(/FAILED/);
    expect(ok.code).toBe(0);
    expect(ok.out.match(/signed heads? verified \(pinned key/g)).toHaveLength(3);

    // A hub writer changes a row: named, by entry (the first of c's entries to reference the changed blob).
    const [row] = await hubSql<{ id: number; bytes: Buffer; first: Buffer }>(
      url,
      `SELECT b.id, b.bytes, (SELECT e.hash FROM entries e JOIN nodes n ON n.id = e.node_id
         WHERE n.name = 'c' AND b.id IN (e.input_id, e.output_id, e.state_id) ORDER BY e.id LIMIT 1) AS first
       FROM blobs b WHERE b.bytes = $1`,
      [Buffer.from('{"count":1000}')],
    );
    await hubSql(url, 'UPDATE blobs SET bytes = $1 WHERE id = $2', [Buffer.from('{"count":1001}'), row!.id]);
    const tampered = await cli('hub', 'verify', '--hub', url, '--node', 'c');
    expect(tampered.code).toBe(1);
    expect(tampered.out).toContain(`entry:  ${row!.first.toString('hex')}`);
    await hubSql(url, 'UPDATE blobs SET bytes = $1 WHERE id = $2', [row!.bytes, row!.id]);

    // A hub writer rewrites a's history and recomputes every hash: the chain rules hold, the signature does not.
    const forged = await forgeBranch(url, 'a', 'counter', 'main', '{"count":2900}', '{"count":29000}');
    const caught = await cli('hub', 'verify', '--hub', url, '--node', 'a', '--keys', keys);
    expect(caught.code).toBe(1);
    expect(caught.out).toMatch(/entries verified/);
    expect(caught.out).toMatch(/signature check FAILED/);
    expect(caught.out).toContain(`counter/main head ${toHex(forged.head).slice(0, 12)}`);
  }, 240_000);
});
