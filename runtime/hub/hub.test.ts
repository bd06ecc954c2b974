/**
 * The hub against a real PostgreSQL: a node's chains (a counter with a fork, a supervisor and its children with
 * messages between them) shipped by the shipper, then read back through the hub's ChainReader by the same verify,
 * state, diff, who-wrote, follow and replay as the SQLite store. Idempotence, tampering, a forged and rehashed
 * branch, a stolen node name, and attestations.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActorSystem } from '../actors/system.ts';
import { decode } from '../chain/canonical.ts';
import { fromHex, sha256, toHex } from '../chain/entry.ts';
import { verifyChain } from '../chain/verify.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { attestationsOf, Hub, HubWriter, NodeKeyMismatch } from '../store-pg/index.ts';
import { example, tempDir, utf8, withSystem } from '../testing/helpers.ts';
import { entryInputsByHash } from '../testing/entry-inputs.ts';
import { forgeBranch } from '../testing/hub-forgery.ts';
import { describeHub, hubSql, testServer, type TestServer } from '../testing/pg.ts';
import { diffBranches, followMessage, replayHere, stateAt, whoWrote } from '../timetravel/index.ts';
import { attest } from './attest.ts';
import { verdictOk, verifyHub } from './hub-verify.ts';
import { Shipper } from './shipper.ts';
import {
  ATTESTATION_STATEMENT,
  checkSignature,
  headStatement,
  loadNodeKey,
  signStatement,
  type NodeKey,
} from './signing.ts';

const inc = (s: ActorSystem, id: string) => s.send(id, utf8('{"op":"increment"}'), 'cli');

/** Records the chains a node would: a counter forked at count 2, and a supervisor whose child gets a message. */
async function record(db: string): Promise<void> {
  await withSystem(async (system) => {
    const id = await system.start(example('counter'));
    for (let i = 0; i < 3; i++) await inc(system, id);
    const at = (await SqliteReader.of(system.store).entries({ actor: id }))
      .filter((e) => e.kind === 'return')
      .at(2)!.hash; // count 2
    for (let i = 0; i < 2; i++) await inc(system, id);
    await system.continueFrom(id, at);
    await inc(system, id);
    const sup = await system.start(example('supervisor'));
    await system.send(sup, utf8('{"op":"crash-flaky"}'), 'cli');
    const flaky = [...system.actor(sup)!.children].find((c) => c.includes('flaky'))!;
    for (let i = 0; i < 300; i++) {
      await system.committed();
      if (system.store.entries({ actor: flaky }).some((e) => e.kind === 'error')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }, db);
}

async function ship(db: string, hub: string, node: string, key: NodeKey): Promise<Shipper> {
  const store = ChainStore.openReadOnly(db);
  const shipper = new Shipper({ store, hub, node, key, pageSize: 7 }).start(); // small pages: many transactions
  try {
    while (!shipper.caughtUp) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await shipper.stop(0);
    store.close();
  }
  return shipper;
}

describeHub('the hub, on a real PostgreSQL', () => {
  let server: TestServer;
  let url: string;
  let hub: Hub;
  let local: ChainStore;
  let dir: string;
  let cleanup: () => void;
  let key: NodeKey;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    server = await testServer();
    url = await server.newHub();
    await record(join(dir, 'a.db'));
    key = loadNodeKey(join(dir, 'a.key'), { create: true });
    await ship(join(dir, 'a.db'), url, 'a', key);
    hub = await Hub.open(url);
    local = ChainStore.openReadOnly(join(dir, 'a.db'));
  });

  afterAll(async () => {
    local?.close();
    await hub?.close();
    await server?.close();
    cleanup?.();
  });

  const remote = (): Promise<ChainReader> => hub.node('a');

  it('holds the node chains exactly: the same verify gives the same count and heads', async () => {
    const here = await verifyChain(SqliteReader.of(local));
    const there = await verifyChain(await remote());
    expect(here.ok).toBe(true);
    expect(there).toEqual(here);
    expect(await (await remote()).countEntries()).toBe(local.countEntries());
    const hashes = (r: ChainReader) => r.entries({}).then((es) => es.map((e) => toHex(e.hash)));
    expect(await hashes(await remote())).toEqual(await hashes(SqliteReader.of(local)));
    const [v] = await verifyHub(hub);
    expect(v!.signatures).toEqual([]);
    expect(v!.signedHeads).toBe(local.branchHeads().length);
  });

  it('reads entries with their input bytes by id as the db does, none where there is no entry', async () => {
    // Ids are each reader's own: both are asked for all their entries (the same ones, in the same order), newest
    // first, then an id past the last.
    const inputs = async (r: ChainReader) => {
      const ids = (await r.entries({})).map((e) => e.id).reverse();
      const ask = [...ids, ids[0]! + 1];
      const got = await r.entryInputs(ask);
      expect(got).toEqual(await entryInputsByHash(r, ask));
      return got.map((e) => e && { ...e, id: 0, hash: toHex(e.hash), input: e.input && toHex(e.input) });
    };
    const here = await inputs(SqliteReader.of(local));
    expect(await inputs(await remote())).toEqual(here);
    expect(here.at(-1)).toBeUndefined();
    expect(here.filter((e) => e?.input === null).length).toBeGreaterThan(0); // returns: no input
    expect(here.filter((e) => e?.fn === 'log' && e.input !== null).length).toBeGreaterThan(0);
  });

  it('serves time travel as the db does: state, branch diff, who-wrote, a message across actors, replay', async () => {
    const [here, there] = [SqliteReader.of(local), await remote()];
    const ret = (await here.entries({ actor: 'counter' })).filter((e) => e.kind === 'return').at(-1)!;
    expect((await stateAt(there, ret.hash)).json).toEqual((await stateAt(here, ret.hash)).json);
    const d = await diffBranches(there, 'counter', 'main', 'fork-1');
    expect(d).toEqual(await diffBranches(here, 'counter', 'main', 'fork-1'));
    expect(d.diff).toEqual({ kind: 'json', changes: [{ op: 'changed', path: ['count'], before: 5, after: 3 }] });
    const w = await whoWrote(there, ret.hash, ['count']);
    expect(toHex(w.writer!.hash)).toBe(toHex((await whoWrote(here, ret.hash, ['count'])).writer!.hash));
    const send = (await there.entries({ actor: 'supervisor' })).find((e) => e.kind === 'import' && e.fn === 'send')!;
    const link = await followMessage(there, send.hash);
    expect(link.received?.actor).toMatch(/flaky/);
    expect(toHex(link.received!.hash)).toBe(toHex((await followMessage(here, send.hash)).received!.hash));
    const r = await replayHere(there, { actor: 'counter', branch: 'fork-1' });
    expect(r).toMatchObject({ status: 'verified', head: toHex((await here.head('counter', 'fork-1'))!.hash) });
    // The shipper sent the component's bytes: a node without the manifest replays from the hub alone.
    const sha = (await there.actors()).find((a) => a.id === 'counter')!.component!;
    expect(toHex(sha256((await there.blob(fromHex(sha)))!))).toBe(sha);
  });

  it('is idempotent by hash: shipping everything again (a lost acknowledgement, a restart) adds nothing', async () => {
    const before = await (await remote()).countEntries();
    await hubSql(url, `UPDATE nodes SET shipped_id = 0, shipped_hash = NULL WHERE name = 'a'`);
    const again = await ship(join(dir, 'a.db'), url, 'a', key);
    expect(again.shipped).toBe(local.countEntries()); // it did send them all again...
    expect(await (await remote()).countEntries()).toBe(before); // ...and the hub kept one of each
    expect((await verifyHub(hub)).every(verdictOk)).toBe(true);
  });

  it('refuses a second key under a node name', async () => {
    const other = loadNodeKey(join(dir, 'other.key'), { create: true });
    await expect(HubWriter.register(hub.pool, 'a', other.publicDer)).rejects.toThrow(NodeKeyMismatch);
    await expect(HubWriter.register(hub.pool, 'a', other.publicDer)).rejects.toThrow(/another key/);
  });

  it('names a tampered row: a state blob changed in place fails at the first entry that references it', async () => {
    const [row] = await hubSql<{ id: number; bytes: Buffer; first: Buffer }>(
      url,
      `SELECT b.id, b.bytes, (SELECT e.hash FROM entries e WHERE e.state_id = b.id ORDER BY e.id LIMIT 1) AS first
       FROM blobs b WHERE b.bytes = $1`,
      [Buffer.from('{"count":3}')],
    );
    await hubSql(url, 'UPDATE blobs SET bytes = $1 WHERE id = $2', [Buffer.from('{"count":9}'), row!.id]);
    try {
      const [v] = await verifyHub(hub);
      expect(v!.chain).toMatchObject({ ok: false, entry: row!.first.toString('hex') });
      expect(v!.chain.ok === false && v!.chain.reason).toMatch(/\(its state\) hashes to/);
    } finally {
      await hubSql(url, 'UPDATE blobs SET bytes = $1 WHERE id = $2', [row!.bytes, row!.id]);
    }
    expect((await verifyHub(hub)).every(verdictOk)).toBe(true);
  });

  it('catches a forged and rehashed branch by its signature, also when the forger re-keys the hub', async () => {
    // The forger: count 9 instead of 3 in a state, every later entry rehashed, the head moved. Hashes hold.
    const signatures = await hubSql<{ id: number; head_sig: Buffer }>(url, 'SELECT id, head_sig FROM branches');
    const forged = await forgeBranch(url, 'a', 'counter', 'main', '{"count":3}', '{"count":9}');
    try {
      const [v] = await verifyHub(hub);
      expect(v!.chain, JSON.stringify(v!.chain)).toMatchObject({ ok: true }); // consistent: only a signature can tell
      expect(v!.signatures).toHaveLength(1);
      expect(v!.signatures[0]).toMatch(/counter\/main head .*signature of node a does not match/);
      expect(v!.signatures[0]).toContain(toHex(forged.head).slice(0, 12));

      // The forger also replaces node a's key in the hub and signs every head with the new key: the hub's own
      // record now vouches for the forgery, a verifier who pinned a's real key does not.
      const mallory = loadNodeKey(join(dir, 'mallory.key'), { create: true });
      await hubSql(url, `UPDATE nodes SET public_key = $1 WHERE name = 'a'`, [Buffer.from(mallory.publicDer)]);
      for (const h of await hub.signedHeads((await hub.node('a')).nodeId)) {
        const statement = headStatement({ node: 'a', actor: h.actor, branch: h.branch, head: h.head, seq: h.seq });
        await hubSql(
          url,
          `UPDATE branches SET head_sig = $1 WHERE name = $2 AND actor_id =
             (SELECT a.id FROM actors a JOIN nodes n ON n.id = a.node_id WHERE n.name = 'a' AND a.name = $3)`,
          [Buffer.from(signStatement(mallory, statement)), h.branch, h.actor],
        );
      }
      expect((await verifyHub(hub))[0]!.signatures).toEqual([]);
      // Keys pinned, but not a's: the hub's forged key is not trusted in its place, a's heads are not checked and it
      // fails, saying why.
      const unpinned = await verifyHub(hub, { keys: new Map([['some-other-node', key.publicDer]]) });
      expect(unpinned[0]).toMatchObject({ key: { source: 'unpinned' }, signedHeads: 0 });
      expect(unpinned[0]!.signatures).toEqual([expect.stringMatching(/^node a: its key is not among the pinned keys/)]);
      expect(verdictOk(unpinned[0]!)).toBe(false);
      const pinned = await verifyHub(hub, { keys: new Map([['a', key.publicDer]]) });
      expect(pinned[0]!.key.source).toBe('pinned');
      expect(pinned[0]!.signatures.join('\n')).toMatch(/is not the pinned one/);
      expect(pinned[0]!.signatures.join('\n')).toMatch(/counter\/main head .*does not match/);
    } finally {
      await forged.undo();
      await hubSql(url, `UPDATE nodes SET public_key = $1 WHERE name = 'a'`, [Buffer.from(key.publicDer)]);
      for (const b of signatures)
        await hubSql(url, 'UPDATE branches SET head_sig = $1 WHERE id = $2', [b.head_sig, b.id]);
    }
    expect((await verifyHub(hub, { keys: new Map([['a', key.publicDer]]) })).every(verdictOk)).toBe(true);
  });

  it('shows how far each node has shipped (lag)', async () => {
    const rows = await hub.status('a');
    const main = rows.find((r) => r.actor === 'counter' && r.branch === 'main')!;
    expect(main.seq).toBe(local.head('counter', 'main')!.seq);
    expect(main.localSeq).toBe(main.seq);
  });

  it("attests: another node replays a's chains from the hub and signs verified", async () => {
    const b = loadNodeKey(join(dir, 'b.key'), { create: true });
    const done = await attest({ hub, key: b, attester: 'b', actor: 'counter' });
    expect(done.map((a) => [a.branch, a.verdict])).toEqual([
      ['main', 'verified'],
      ['fork-1', 'verified'],
    ]);
    const rows = await attestationsOf(hub.pool, 'a', 'counter');
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.attester).toBe('b');
      expect(checkSignature(b.publicDer, r.statement, r.signature)).toBe(true);
    }
    // The statement is a canonical map anyone can decode and check against the row.
    expect(decode(rows[0]!.statement)).toMatchObject({
      t: ATTESTATION_STATEMENT,
      attester: 'b',
      node: 'a',
      actor: 'counter',
      branch: rows[0]!.branch,
      seq: rows[0]!.seq,
      verdict: 'verified',
    });
  });
});
