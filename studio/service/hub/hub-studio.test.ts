/**
 * The Studio on a hub, through its session (what the transports serve) and a real PostgreSQL: two nodes' actors
 * beside the Studio's own, their history read exactly as a local chain's (pages, details, state, diffs, branches),
 * a message's link from one node's relay to the other node's counter, the signed-head check in the integrity
 * verdict, attestations, new entries streaming in as a node ships, and nothing that would write.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attest, attestationsOf, ChainStore, Hub, loadNodeKey, type ActorSystem } from '../../../runtime/index.ts';
import { tempDir, utf8 } from '../../../runtime/testing/helpers.ts';
import { relayToCounter, shipNode } from '../../../runtime/testing/hub-nodes.ts';
import { forgeBranch } from '../../../runtime/testing/hub-forgery.ts';
import { describeHub, hubSql, testServer, type TestServer } from '../../../runtime/testing/pg.ts';
import type { ActorView, StudioEvents } from '../../contract.ts';
import { StudioSession } from '../studio-session.ts';

describeHub('the Studio on a hub', () => {
  let server: TestServer;
  let url: string;
  let session: StudioSession;
  const { dir, cleanup } = tempDir();
  const events: { event: string; payload: unknown }[] = [];
  let b: ActorSystem;

  beforeAll(async () => {
    server = await testServer();
    url = await server.newHub();
    // Node b: a counter, kept running (it ships more later). Node a: a relay that forwards to b's counter.
    b = await relayToCounter(dir, 3);
    await shipNode(dir, url, 'a');
    await shipNode(dir, url, 'b');
    session = await StudioSession.open({ db: join(dir, 'studio.db'), dataDir: dir, ephemeralPorts: true, hub: url });
    session.onEvent((event, payload) => events.push({ event, payload }));
  });

  afterAll(async () => {
    await session?.close();
    await b?.close();
    await server?.close();
    cleanup();
  });

  it('lists the nodes and their actors, read-only', async () => {
    const hub = await session.invoke('hub', {});
    expect(hub).toMatchObject({
      nodes: [
        { name: 'a', actors: 1 },
        { name: 'b', actors: 1 },
      ],
    });
    const actors = (await session.invoke('listActors', {})) as ActorView[];
    expect(actors.map((x) => [x.id, x.node, x.name])).toEqual([
      ['relay@a', 'a', 'relay'],
      ['counter@b', 'b', 'counter'],
    ]);
    await expect(session.invoke('fireMessage', { actor: 'counter@b', kind: 'send', json: '{}' })).rejects.toMatchObject(
      {
        code: 'bad-request',
        message: /read-only/,
      },
    );
    await expect(session.invoke('fork', { actor: 'counter@b', hash: '0'.repeat(64) })).rejects.toThrow(/read-only/);
  });

  it('reads a hub actor as it reads a local one: pages, details, state, branches', async () => {
    const local = ChainStore.openReadOnly(join(dir, 'b.db'));
    try {
      const mine = local.entries({ actor: 'counter' });
      const page = (await session.invoke('entries', { actor: 'counter@b', offset: 0, limit: 100 })) as {
        total: number;
        items: { hash: string; actor: string }[];
      };
      expect(page.items.map((e) => e.hash)).toEqual(mine.map((e) => Buffer.from(e.hash).toString('hex')));
      expect(new Set(page.items.map((e) => e.actor))).toEqual(new Set(['counter@b']));
      const ret = mine.filter((e) => e.kind === 'return').at(-1)!;
      const hash = Buffer.from(ret.hash).toString('hex');
      expect(await session.invoke('stateAt', { hash })).toMatchObject({ json: { count: 3 } });
      expect(await session.invoke('entryIndex', { actor: 'counter@b', hash })).toBe(ret.seq);
      expect(await session.invoke('branches', { actor: 'counter@b' })).toMatchObject([{ name: 'main', live: true }]);
      const graph = (await session.invoke('graph', { actor: 'counter@b', branch: 'main', fromSeq: 0, toSeq: 5 })) as {
        hashes: string[];
      };
      expect(graph.hashes[0]).toBe(page.items[0]!.hash);
      // Its log, read back from the entries the node shipped (runtime.log lines), and a typed hash prefix.
      const log = (await session.invoke('logHistory', { actor: 'counter@b', offset: 0, limit: 50 })) as {
        items: { text: string }[];
      };
      expect(log.items.map((l) => l.text)).toEqual(expect.arrayContaining(['count -> 1', 'count -> 2', 'count -> 3']));
      const found = (await session.invoke('findEntries', { prefix: hash.slice(0, 10), limit: 5 })) as {
        hash: string;
        actor: string;
      }[];
      expect(found).toEqual([expect.objectContaining({ hash, actor: 'counter@b' })]);
    } finally {
      local.close();
    }
  });

  it("links node a's relay send to node b's counter call, both ways", async () => {
    const page = (await session.invoke('entries', { actor: 'relay@a', offset: 0, limit: 100 })) as {
      items: { hash: string; kind: string; fn: string }[];
    };
    const send = page.items.find((e) => e.kind === 'import' && e.fn === 'send')!;
    const detail = (await session.invoke('entry', { hash: send.hash })) as {
      effects: { actor: string; hash: string }[];
    };
    expect(detail.effects).toHaveLength(1);
    expect(detail.effects[0]!.actor).toBe('counter@b');
    const call = (await session.invoke('entry', { hash: detail.effects[0]!.hash, actor: 'counter@b' })) as {
      actor: string;
      origin: string;
      causedBy: { actor: string; hash: string } | null;
    };
    expect(call).toMatchObject({
      actor: 'counter@b',
      origin: 'message-port',
      causedBy: { actor: 'relay@a', hash: send.hash },
    });
  });

  it('verifies with the node signatures, and says so when a hub writer forged a branch', async () => {
    expect(await session.invoke('verify', { actor: 'counter@b' })).toMatchObject({ ok: true });
    const forged = await forgeBranch(url, 'b', 'counter', 'main', '{"count":2}', '{"count":20}');
    try {
      const v = await session.invoke('verify', { actor: 'counter@b' });
      expect(v).toMatchObject({ ok: false, reason: /signed heads: .*counter\/main head .*does not match/ });
    } finally {
      await forged.undo();
    }
    expect(await session.invoke('verify', { actor: 'counter@b' })).toMatchObject({ ok: true });
  });

  it("shows attestations of another node's replay, with their signatures checked", async () => {
    const hub = await Hub.open(url);
    try {
      await attest({ hub, key: loadNodeKey(join(dir, 'a.key')), attester: 'a', node: 'b' });
      const rows = await attestationsOf(hub.pool, 'b', 'counter');
      expect(rows).toHaveLength(1);
    } finally {
      await hub.close();
    }
    const shown = await session.invoke('attestations', { actor: 'counter@b' });
    expect(shown).toMatchObject([{ attester: 'a', branch: 'main', verdict: 'verified', signed: true }]);
    // A row changed after signing no longer counts as signed.
    await hubSql(url, `UPDATE attestations SET signature = $1`, [Buffer.alloc(64)]);
    expect(await session.invoke('attestations', { actor: 'counter@b' })).toMatchObject([{ signed: false }]);
    expect(await session.invoke('attestations', { actor: 'relay@a' })).toEqual([]);
  });

  it('streams new entries in as the node ships them (LISTEN/NOTIFY)', async () => {
    events.length = 0;
    await b.send('counter', utf8('{"op":"increment"}'), 'cli');
    await shipNode(dir, url, 'b');
    for (let i = 0; i < 200 && !events.some((e) => e.event === 'entries'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const got = events.find((e) => e.event === 'entries')?.payload as StudioEvents['entries'] | undefined;
    expect(got).toMatchObject({ actor: 'counter@b', branch: 'main' });
    const page = (await session.invoke('entries', { actor: 'counter@b', offset: 0, limit: 1000 })) as { total: number };
    expect(page.total).toBe(got!.seq + 1);
    expect(await session.invoke('stateAt', { hash: got!.head })).toMatchObject({ json: { count: 4 } });
  });
});
