/**
 * The shipper in this process, against a PostgreSQL cluster the test owns: an actor records all along while the
 * server is restarted under the shipper (its connection cut mid-way), and once the server is back the shipper has
 * reconnected and shipped everything, exactly once. The process survives the cut (a pooled connection's error must
 * be heard, or it ends the process).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ActorSystem } from '../actors/system.ts';
import { toHex } from '../chain/entry.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { Hub } from '../store-pg/index.ts';
import { example, tempDir, utf8 } from '../testing/helpers.ts';
import { restartCluster } from '../testing/pg-cluster.ts';
import { describeHub, testServer, type TestServer } from '../testing/pg.ts';
import { Shipper, type ShipperStatus } from './shipper.ts';
import { loadNodeKey } from './signing.ts';

describeHub('the shipper through a PostgreSQL restart', () => {
  let server: TestServer;
  const { dir, cleanup } = tempDir();

  beforeAll(async () => {
    server = await testServer({ own: true });
  });

  afterAll(async () => {
    await server?.close();
    cleanup();
  });

  it('reconnects, resumes from the watermark and ships every entry once', async () => {
    const url = await server.newHub();
    const db = join(dir, 'n.db');
    const system = ActorSystem.open({ db, ephemeralPorts: true });
    const store = ChainStore.openReadOnly(db);
    const seen: ShipperStatus[] = [];
    const shipper = new Shipper({
      store,
      hub: url,
      node: 'n',
      key: loadNodeKey(join(dir, 'n.key'), { create: true }),
      pageSize: 100,
      onStatus: (s) => seen.push(s),
    }).start();
    try {
      const id = await system.start(example('counter'));
      let stop = false;
      const load = (async () => {
        while (!stop) await system.send(id, utf8('{"op":"increment"}'), 'cli');
      })();
      while (shipper.shipped < 300) await new Promise((r) => setTimeout(r, 20));
      restartCluster(server.cluster!);
      await new Promise((r) => setTimeout(r, 1500));
      stop = true;
      await load;
      await system.committed();
      const last = store.audit.lastEntryId();
      for (let i = 0; i < 500 && !(shipper.caughtUp && (await hubHolds(url)) === last); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen.filter((s) => s.kind === 'connected')).toHaveLength(2); // once, then again after the restart
      expect(seen.some((s) => s.kind === 'error')).toBe(true);
      const hub = await Hub.open(url);
      try {
        const hashes = async (r: SqliteReader | Awaited<ReturnType<Hub['node']>>) =>
          (await r.entries({})).map((e) => toHex(e.hash));
        expect(await hashes(await hub.node('n'))).toEqual(await hashes(SqliteReader.of(store)));
      } finally {
        await hub.close();
      }
    } finally {
      await shipper.stop(0);
      await system.close();
      store.close();
    }
  }, 120_000);
});

async function hubHolds(url: string): Promise<number> {
  const hub = await Hub.open(url);
  try {
    return (await hub.nodes())[0]?.shippedId ?? 0;
  } finally {
    await hub.close();
  }
}
