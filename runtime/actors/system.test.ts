import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from '../chain/canonical.ts';
import { toDisplay } from '../chain/describe.ts';
import { ListenError } from '../ingress/types.ts';
import { ChainStore, WriterBusyError, type StoredEntry } from '../store/index.ts';
import { TestChain } from '../store/test-chain.ts';
import { example, port, tempDir, text, utf8, withSystem } from '../testing/helpers.ts';
import { loadManifest } from '../manifest/index.ts';
import { listenFor } from './servers.ts';
import { ActorSystem } from './system.ts';

const payload = (system: ActorSystem, h: Uint8Array | null) => (h ? toDisplay(decode(system.store.blob(h)!)) : null);
const stateText = (system: ActorSystem, e: StoredEntry) => (e.state ? text(system.store.blob(e.state)) : null);

describe('counter over real HTTP', () => {
  it('serves POST /increment and GET /count, and records each request whole', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const base = `http://127.0.0.1:${port(system, id, 'http-server')}`;
      const bodies: string[] = [];
      for (let i = 0; i < 3; i++) bodies.push(await (await fetch(`${base}/increment`, { method: 'POST' })).text());
      expect(bodies).toEqual(['{"count":1}', '{"count":2}', '{"count":3}']);
      const get = await fetch(`${base}/count`);
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe('application/json');
      expect(await get.text()).toBe('{"count":3}');
      expect((await fetch(`${base}/nope`)).status).toBe(404);

      const entries = system.store.entries({ actor: id });
      // start event, init call/log/return, then per POST: call, log, return.
      const firstPost = entries.findIndex((e) => e.kind === 'call' && e.fn === 'handle-request');
      const [call, log, ret] = entries.slice(firstPost, firstPost + 3) as [StoredEntry, StoredEntry, StoredEntry];
      expect([call.kind, log.kind, ret.kind]).toEqual(['call', 'import', 'return']);
      expect(call.iface).toBe('theater:simple/http-server');
      expect(call.origin).toBe('http');
      expect(payload(system, call.input)).toMatchObject([{ method: 'POST', uri: '/increment', body: null }]);
      expect([log.iface, log.fn]).toEqual(['theater:simple/runtime', 'log']);
      expect(payload(system, log.input)).toEqual(['count -> 1']);
      expect(payload(system, log.output)).toEqual({ return: null });
      expect(stateText(system, ret)).toBe('{"count":1}');
      expect(payload(system, ret.output)).toEqual([
        { status: 200, headers: [['content-type', 'application/json']], body: { count: 1 } },
      ]);
      // Every entry links to the one before it.
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.parent).toEqual(entries[i - 1]!.hash);
    });
  });

  it('refuses a body over the manifest limit with 413 and records nothing for it', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const before = system.store.countEntries(id);
      const res = await fetch(`http://127.0.0.1:${port(system, id, 'http-server')}/increment`, {
        method: 'POST',
        body: 'x'.repeat(1024 * 1024 + 1),
      });
      expect(res.status).toBe(413);
      expect(system.store.countEntries(id)).toBe(before);
    });
  });

  it('resumes from the chain on the next run instead of starting over', async () => {
    await withSystem(async (system, dir) => {
      const id = await system.start(example('counter'));
      await fetch(`http://127.0.0.1:${port(system, id, 'http-server')}/increment`, { method: 'POST' });
      await system.close();
      const { ActorSystem } = await import('./system.ts');
      const again = ActorSystem.open({ db: `${dir}/chain.db`, ephemeralPorts: true });
      try {
        await again.start(example('counter'));
        const res = await fetch(`http://127.0.0.1:${port(again, id, 'http-server')}/increment`, { method: 'POST' });
        expect(await res.text()).toBe('{"count":2}');
        const events = again.store
          .entries({ actor: id })
          .filter((e) => e.kind === 'event')
          .map((e) => e.fn);
        expect(events).toEqual(['start', 'stop', 'resume']);
      } finally {
        await again.close();
      }
    }).catch((e: Error) => {
      // withSystem closes the first system a second time; that must be harmless.
      throw e;
    });
  });
});

describe('acknowledged = committed, one writer', () => {
  it('a call whose entries cannot be committed is answered with an error, never its outcome; the actor fails', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const base = `http://127.0.0.1:${port(system, id, 'http-server')}`;
      expect(await (await fetch(`${base}/increment`, { method: 'POST' })).text()).toBe('{"count":1}');
      // Another connection under the same lease (the last case the lease cannot exclude: a bug, or a Theater from
      // before the lease) moves the branch head under the running actor: its next commit conflicts.
      const rival = ChainStore.open(system.store.path, { lease: system.lease });
      const head = rival.head(id)!;
      const chain = new TestChain(id, 'main', { hash: head.hash, seq: head.seq, state: head.state });
      chain.add('event', 'theater:runtime', 'rival');
      rival.appendBatches([chain.take()]);
      rival.close();
      const before = system.store.countEntries(id);
      const res = await fetch(`${base}/increment`, { method: 'POST' });
      expect(res.status).toBe(500);
      expect(await res.text()).toMatch(/store.*could not be committed/s);
      expect(system.describe(id)?.status).toBe('failed');
      expect(system.store.countEntries(id)).toBe(before); // nothing of it was written...
      await system.stop(id);
      await system.start(example('counter')); // ...and a start resumes from what the store holds
      expect(await (await fetch(`http://127.0.0.1:${port(system, id, 'http-server')}/count`)).text()).toBe(
        '{"count":1}',
      );
    });
  });

  it('a second runtime on the same db, even in the same process, is refused before it writes', async () => {
    await withSystem(async (system) => {
      await system.start(example('counter'));
      const before = system.store.countEntries();
      expect(() => ActorSystem.open({ db: system.store.path })).toThrow(WriterBusyError);
      expect(system.store.countEntries()).toBe(before);
    });
  });
});

describe('message port (4-byte length + JSON frames over TCP)', () => {
  it('delivers send and request and answers in order; a malformed frame gets an error, not a crash', async () => {
    const { messagePort, frame } = await import('../testing/helpers.ts');
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const p = port(system, id, 'message-server');
      const garbage = Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('{nope')]);
      const replies = await messagePort(p, [
        frame({ type: 'send', msg: { op: 'increment' } }),
        frame({ type: 'request', msg: { op: 'get' } }),
        garbage,
        frame({ type: 'request', msg: { op: 'bogus' } }),
        frame({ type: 'request', msg: { op: 'increment' } }),
      ]);
      expect(replies[0]).toEqual({ ok: true });
      expect(replies[1]).toEqual({ ok: true, response: { count: 1 } });
      expect(replies[2]).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
      expect(replies[3]).toEqual({ ok: false, error: 'handler-error: unknown op' });
      expect(replies[4]).toEqual({ ok: true, response: { count: 2 } });
      const calls = system.store.entries({ actor: id }).filter((e) => e.kind === 'call' && e.origin === 'message-port');
      expect(calls).toHaveLength(4);
    });
  });

  it('answers an oversized frame with an error and closes the connection', async () => {
    const { messagePort } = await import('../testing/helpers.ts');
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const header = Buffer.alloc(4);
      header.writeUInt32BE(64 * 1024 * 1024);
      const replies = await messagePort(port(system, id, 'message-server'), [header], 1);
      expect(replies).toEqual([{ ok: false, error: expect.stringContaining('exceeds the limit') }]);
    });
  });
});

describe('failing actors are recorded and contained', () => {
  it('terminates a call that runs past the time limit, records it, and keeps serving', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('misbehave'));
      const t0 = Date.now();
      const spun = await system.request(id, utf8('{"op":"spin"}'), 'cli');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(spun).toMatchObject({ ok: false, error: { kind: 'timeout' } });
      const after = await system.request(id, utf8('{"op":"count"}'), 'cli');
      expect(after.ok && text((after.response as [Uint8Array])[0])).toBe('{"count":1}');
      const tail = system.store.entries({ actor: id }).map((e) => `${e.kind}:${e.fn}`);
      expect(tail).toContain('error:handle-request');
      expect(tail).toContain('event:restart');
      const err = system.store.entries({ actor: id }).find((e) => e.kind === 'error')!;
      expect(payload(system, err.output)).toMatchObject({
        kind: 'timeout',
        message: expect.stringContaining('1000 ms'),
      });
      // The spinning call's own log line was recorded before it was cut off.
      const spinLog = system.store
        .entries({ actor: id })
        .find((e) => e.kind === 'import' && payload(system, e.input)?.toString() === 'spinning forever');
      expect(spinLog).toBeDefined();
    });
  });

  it('records a trap, an err result, unbounded allocation and a send to nobody; the state survives each', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('misbehave'));
      await system.request(id, utf8('{"op":"count"}'), 'cli');
      const outcomes = [];
      for (const op of ['trap', 'error', 'alloc', 'send-missing'])
        outcomes.push(await system.request(id, utf8(`{"op":"${op}"}`), 'cli'));
      expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.kind))).toEqual([
        'trap',
        'handler-error',
        'trap',
        'handler-error',
      ]);
      expect(outcomes[1]).toMatchObject({ error: { message: 'asked to fail' } });
      expect(outcomes[3]).toMatchObject({ error: { message: 'send to nobody-here failed, as expected' } });
      const sendImport = system.store.entries({ actor: id }).find((e) => e.fn === 'send')!;
      expect(payload(system, sendImport.output)).toEqual({ throw: 'no running actor nobody-here' });
      const get = await system.request(id, utf8('{"op":"get"}'), 'cli');
      expect(get.ok && text((get.response as [Uint8Array])[0])).toBe('{"count":1}');
    });
  });
});

describe('restart policy', () => {
  it('a crash-looping actor is restarted 5 times within the window, then left failed; other actors keep serving', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('misbehave'));
      const other = await system.start(example('counter'));
      const kinds: string[] = [];
      for (let i = 0; i < 7; i++) {
        const out = await system.request(id, utf8('{"op":"trap"}'), 'cli');
        kinds.push(out.ok ? 'ok' : out.error.kind);
      }
      // Five traps each restart the instance; the sixth finds the limit reached; after that nothing runs.
      expect(kinds.slice(0, 6)).toEqual(['trap', 'trap', 'trap', 'trap', 'trap', 'trap']);
      expect(kinds[6]).toBe('startup');
      expect(system.actor(id)!.host.status).toBe('failed');
      const events = system.store
        .entries({ actor: id })
        .filter((e) => e.kind === 'event')
        .map((e) => e.fn);
      expect(events.filter((e) => e === 'restart')).toHaveLength(5);
      expect(system.store.entries({ actor: id }).filter((e) => e.kind === 'error')).toHaveLength(6);
      const res = await fetch(`http://127.0.0.1:${port(system, other, 'http-server')}/increment`, { method: 'POST' });
      expect(await res.text()).toBe('{"count":1}');
      await system.committed();
      const { verifyChain } = await import('../chain/verify.ts');
      const { SqliteReader } = await import('../store/index.ts');
      expect(await verifyChain(SqliteReader.of(system.store))).toMatchObject({ ok: true });
    });
  });
});

describe('actor servers bind to loopback by default', () => {
  it('the listening sockets of a started actor are on 127.0.0.1 only', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const { networkInterfaces } = await import('node:os');
    const { connect } = await import('node:net');
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      for (const kind of ['http-server', 'message-server'] as const) {
        const p = port(system, id, kind);
        // The kernel's own table: the socket listening on this port has local address 127.0.0.1 (0100007F).
        if (existsSync('/proc/net/tcp')) {
          const listening = [
            ...readFileSync('/proc/net/tcp', 'utf8').split('\n'),
            ...(existsSync('/proc/net/tcp6') ? readFileSync('/proc/net/tcp6', 'utf8').split('\n') : []),
          ]
            .map((l) => l.trim().split(/\s+/))
            .filter((f) => f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === p)
            .map((f) => f[1]!.split(':')[0]);
          expect(listening, kind).toEqual(['0100007F']);
        }
        // And from outside loopback, nobody answers.
        const external = Object.values(networkInterfaces())
          .flat()
          .find((a) => a && a.family === 'IPv4' && !a.internal);
        if (external) {
          const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
            const s = connect(p, external.address);
            s.on('connect', () => (s.destroy(), resolve(null)));
            s.on('error', (e) => resolve(e));
          });
          expect(err?.code, `${kind} answered on ${external.address}`).toBe('ECONNREFUSED');
        }
      }
    });
  });
});

describe('a port the manifest names is taken', () => {
  it('the start is refused before anything is recorded: no start, init or stop entries, the port named', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const busy = (taken.address() as { port: number }).port;
    const { dir, cleanup } = tempDir();
    try {
      const manifest = join(dir, 'busy.toml');
      const wasm = example('counter', 'counter.wasm');
      writeFileSync(
        manifest,
        `name = "busy"\ncomponent = "${wasm}"\n\n[[handler]]\ntype = "message-server"\nport = ${busy}\n`,
      );
      const system = ActorSystem.open({ db: join(dir, 'chain.db') });
      try {
        const err = await system.start(manifest).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ListenError);
        expect((err as Error).message).toContain(`message-server port ${busy} on 127.0.0.1: already in use`);
        expect((err as Error).message).toContain(`${manifest}:4:1: busy: message-server port ${busy}`);
        expect(system.store.countEntries()).toBe(0);
        expect(system.list()).toEqual([]);
        expect(system.store.actors()).toEqual([]);
      } finally {
        await system.close();
      }
    } finally {
      cleanup();
      taken.close();
    }
  });

  it('servers listening before the start hold an early request until the actor is ready; init is still first', async () => {
    await withSystem(async (system) => {
      const manifest = loadManifest(example('counter'));
      const servers = await listenFor(manifest, true);
      const http = servers.listeners.find((l) => l.kind === 'http-server')!.port;
      // Sent before the actor exists: it waits at the gate, it is not refused and not lost.
      const early = fetch(`http://127.0.0.1:${http}/increment`, { method: 'POST' }).then((r) => r.text());
      await new Promise((r) => setTimeout(r, 200));
      const id = await system.start(manifest, { servers });
      expect(await early).toBe('{"count":1}');
      const calls = system.store.entries({ actor: id }).filter((e) => e.kind === 'call');
      expect(calls.map((e) => e.fn)).toEqual(['init', 'handle-request']);
      expect(port(system, id, 'http-server')).toBe(http);
    });
  });
});

describe('supervisor example', () => {
  it('spawns two children, is told when one traps, restarts it, and hears of a stopped child', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('supervisor'));
      expect(system.actor(id)!.children).toEqual(new Set(['supervisor/counter', 'supervisor/flaky']));
      await system.send(id, utf8('{"op":"crash-flaky"}'), 'cli');
      await waitFor(() => stateText(system, system.store.head(id)!)?.includes('"kind":"trap"'));
      await waitFor(() => system.actor('supervisor/flaky')?.host.status === 'running');
      const flaky = await system.request('supervisor/flaky', utf8('{"op":"get"}'), 'cli');
      expect(flaky.ok).toBe(true);

      await system.send(id, utf8('{"op":"stop-counter"}'), 'cli');
      await waitFor(() => stateText(system, system.store.head(id)!)?.includes('"kind":"exit"'));
      expect(system.actor('supervisor/counter')).toBeUndefined();

      const seq = system.store.entries({}).map((e) => `${e.actor} ${e.kind} ${e.fn}`);
      const order = [
        'supervisor import spawn',
        'supervisor/flaky error handle-send',
        'supervisor call handle-child-error',
        'supervisor import restart-child',
        'supervisor/flaky event restart',
        'supervisor import stop-child',
        'supervisor/counter event stop',
        'supervisor call handle-child-exit',
      ];
      const positions = order.map((o) => seq.indexOf(o));
      expect(positions.every((p) => p >= 0)).toBe(true);
    });
  });
});

async function waitFor(cond: () => unknown, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('an actor written in JavaScript (componentize-js)', () => {
  it('runs js-notes: time and randomness come through recorded imports', async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('js-notes'));
      const added = await system.request(id, utf8('{"op":"add","text":"hello"}'), 'cli');
      if (!added.ok) throw new Error(added.error.message);
      const note = JSON.parse(text((added.response as [Uint8Array])[0])!) as { id: string; text: string; at: number };
      expect(note).toMatchObject({ text: 'hello', id: expect.stringMatching(/^[0-9a-f]{8}$/) });
      expect(Math.abs(note.at - Date.now())).toBeLessThan(60_000);
      const imports = system.store
        .entries({ actor: id })
        .filter((e) => e.kind === 'import')
        .map((e) => `${e.iface}#${e.fn}`);
      expect(imports).toEqual(
        expect.arrayContaining(['theater:simple/random#random-bytes', 'theater:simple/timing#now']),
      );
      const bad = await system.request(id, utf8('{"op":"zap"}'), 'cli');
      expect(bad).toMatchObject({
        ok: false,
        error: { kind: 'handler-error', message: expect.stringContaining('unknown op') },
      });
    });
  });
});
