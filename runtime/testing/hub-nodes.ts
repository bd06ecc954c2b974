/**
 * Two nodes' chains for tests of the Studio on a hub: node a runs a relay that forwards increments through its
 * message port to node b's counter (a message that crosses nodes), and each node ships what it committed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActorSystem } from '../actors/system.ts';
import { loadNodeKey } from '../hub/signing.ts';
import { Shipper } from '../hub/shipper.ts';
import { ChainStore } from '../store/index.ts';
import { example, port, utf8 } from './helpers.ts';

/**
 * Node b's counter (left running: a test ships more of it later) and node a's relay, which forwards `increments`
 * increments to it and stops. Resolves once b has committed every one of them. Dbs and keys are `<dir>/<node>.db|key`.
 */
export async function relayToCounter(dir: string, increments: number): Promise<ActorSystem> {
  const b = ActorSystem.open({ db: join(dir, 'b.db'), ephemeralPorts: true });
  await b.start(example('counter'));
  const relay = join(dir, 'relay.toml');
  writeFileSync(
    relay,
    `name = "relay"\ncomponent = ${JSON.stringify(example('relay', 'relay.wasm'))}\n[[handler]]\n` +
      `type = "message-server"\nremotes = { far = "127.0.0.1:${port(b, 'counter', 'message-server')}" }\n`,
  );
  const a = ActorSystem.open({ db: join(dir, 'a.db'), ephemeralPorts: true });
  await a.start(relay);
  for (let i = 0; i < increments; i++)
    await a.send('relay', utf8('{"op":"forward","to":"far","msg":{"op":"increment"}}'), 'cli');
  await a.close();
  // The counter's init returns once, then one return per increment.
  for (let i = 0; i < 300; i++) {
    await b.committed();
    if (b.store.entries({ actor: 'counter' }).filter((e) => e.kind === 'return').length > increments) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return b;
}

/** Ships everything `<dir>/<node>.db` has committed to the hub at `url`, signed with `<dir>/<node>.key`. */
export async function shipNode(dir: string, url: string, node: string): Promise<void> {
  const store = ChainStore.openReadOnly(join(dir, `${node}.db`));
  const s = new Shipper({ store, hub: url, node, key: loadNodeKey(join(dir, `${node}.key`), { create: true }) });
  s.start();
  try {
    while (!s.caughtUp) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await s.stop(0);
    store.close();
  }
}
