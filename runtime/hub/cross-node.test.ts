/**
 * A message that crosses nodes through a message port links the two chains: the relay on node a forwards to the
 * counter on node b (listed under its manifest's `remotes`), b records a's chain head as the call's cause, and once
 * both nodes have shipped to a hub, following the message there leads from a's send to b's call and back.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorSystem } from '../actors/system.ts';
import { toHex } from '../chain/entry.ts';
import { parseManifest } from '../manifest/index.ts';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { Hub } from '../store-pg/index.ts';
import { THEATER_BIN, example, port, tempDir, utf8 } from '../testing/helpers.ts';
import { describeHub, testServer, type TestServer } from '../testing/pg.ts';
import { followFrom, followMessage } from '../timetravel/index.ts';
import { hubFarSide } from './far-side.ts';
import { Shipper } from './shipper.ts';
import { loadNodeKey } from './signing.ts';

const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

/** Node b runs the counter; node a a relay whose `remotes` name b's counter at its message port. */
async function twoNodes(dir: string) {
  const b = ActorSystem.open({ db: join(dir, 'b.db'), ephemeralPorts: true });
  await b.start(example('counter'));
  const manifest = join(dir, 'relay.toml');
  writeFileSync(
    manifest,
    `name = "relay"\ncomponent = ${JSON.stringify(example('relay', 'relay.wasm'))}\n\n[[handler]]\n` +
      `type = "message-server"\nremotes = { far-counter = "127.0.0.1:${port(b, 'counter', 'message-server')}" }\n`,
  );
  const a = ActorSystem.open({ db: join(dir, 'a.db'), ephemeralPorts: true });
  await a.start(manifest);
  return { a, b };
}

/** Until `check` holds (a remote send is one-way: the far call commits a moment after the sender moved on). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('messages to another node', () => {
  it('go through its message port with the sender chain head as the cause; requests get the reply', async () => {
    const { dir, cleanup } = tempDir();
    const { a, b } = await twoNodes(dir);
    try {
      const fwd = await a.send('relay', utf8('{"op":"forward","to":"far-counter","msg":{"op":"increment"}}'), 'cli');
      expect(fwd.ok).toBe(true);
      const asked = await a.request('relay', utf8('{"op":"ask","to":"far-counter","msg":{"op":"get"}}'), 'cli');
      expect(asked.ok && text((asked.response as [Uint8Array])[0])).toBe('{"count":1}');
      await a.committed();
      await b.committed();
      const sends = a.store.entries({ actor: 'relay' }).filter((e) => e.fn === 'send' || e.fn === 'request');
      const calls = () => b.store.entries({ actor: 'counter' }).filter((e) => e.kind === 'call' && e.cause !== null);
      await until(() => calls().length === 2);
      // b's calls name, as their cause, a's chain head when it sent: the parent of the send/request import.
      expect(calls().map((c) => [c.origin, toHex(c.cause!)])).toEqual(
        sends.map((s) => ['message-port', toHex(s.parent!)]),
      );
      // On a alone, the other side is not there to follow.
      expect((await followMessage(SqliteReader.of(a.store), sends[0]!.hash)).received).toBeUndefined();

      const refused = await a.send('relay', utf8('{"op":"forward","to":"nowhere","msg":{}}'), 'cli');
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.error.message).toMatch(/no running actor nowhere/);
    } finally {
      await a.close();
      await b.close();
      cleanup();
    }
  });

  it('fail as the sender sees them when the other node is down; a bad remotes entry names its line', async () => {
    const { dir, cleanup } = tempDir();
    const { a, b } = await twoNodes(dir);
    try {
      await b.close();
      const r = await a.request('relay', utf8('{"op":"ask","to":"far-counter","msg":{"op":"get"}}'), 'cli');
      expect(!r.ok && r.error.message).toMatch(/ask failed: cannot reach 127\.0\.0\.1:\d+/);
    } finally {
      await a.close();
      cleanup();
    }
    expect(() =>
      parseManifest(
        'name = "r"\ncomponent = "r.wasm"\n[[handler]]\ntype = "message-server"\nremotes = { x = "nope" }\n',
        'm.toml',
      ),
    ).toThrow(/m\.toml:5.*remotes\.x.*expected "host:port"/);
  });
});

describeHub('causal links across nodes, in a hub', () => {
  let server: TestServer;
  let hub: Hub;
  let url: string;
  const { dir, cleanup } = tempDir();

  beforeAll(async () => {
    server = await testServer();
    url = await server.newHub();
    const { a, b } = await twoNodes(dir);
    try {
      await a.send('relay', utf8('{"op":"forward","to":"far-counter","msg":{"op":"increment"}}'), 'cli');
      await until(() => b.store.entries({ actor: 'counter' }).some((e) => e.cause !== null && e.kind === 'return'));
    } finally {
      await a.close();
      await b.close();
    }
    for (const n of ['a', 'b']) {
      const store = ChainStore.openReadOnly(join(dir, `${n}.db`));
      const s = new Shipper({ store, hub: url, node: n, key: loadNodeKey(join(dir, `${n}.key`), { create: true }) });
      s.start();
      while (!s.caughtUp) await new Promise((r) => setTimeout(r, 20));
      await s.stop(0);
      store.close();
    }
    hub = await Hub.open(url);
  });

  afterAll(async () => {
    await hub?.close();
    await server?.close();
    cleanup();
  });

  it("follows a's send to b's call, and b's call back to a's send", async () => {
    const [na, nb] = [await hub.node('a'), await hub.node('b')];
    const send = (await na.entries({ actor: 'relay' })).find((e) => e.kind === 'import' && e.fn === 'send')!;
    const there = await followFrom(na, send, hubFarSide(hub));
    expect(there.received).toMatchObject({ node: 'b', actor: 'counter', kind: 'call', origin: 'message-port' });
    expect(there.answered).toMatchObject({ node: 'b', kind: 'return' });
    const back = await followFrom(nb, there.received!, hubFarSide(hub));
    expect(back.sent).toMatchObject({ node: 'a', actor: 'relay', fn: 'send' });
    expect(toHex(back.sent!.hash)).toBe(toHex(send.hash));
  });

  it('theater follow --hub prints the far end with its node, both ways', async () => {
    const na = await hub.node('a');
    const send = (await na.entries({ actor: 'relay' })).find((e) => e.kind === 'import' && e.fn === 'send')!;
    const there = await cli('follow', toHex(send.hash), '--hub', url, '--node', 'a');
    expect(there).toMatch(/^received: \[b\] counter #\d+ \w+ call message-server-client#handle-send/m);
    expect(there).toMatch(/^answered: \[b\] counter #\d+ \w+ return/m);
    const call = /^received: \[b\] counter #\d+ (\w+)/m.exec(there)![1]!;
    const back = await cli('follow', call, '--hub', url, '--node', 'b');
    expect(back).toContain(`sent:     [a] relay #${send.seq} ${toHex(send.hash).slice(0, 12)}`);
  });
});

function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [THEATER_BIN, ...args], (err, stdout, stderr) =>
      err ? reject(new Error(`theater ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}
