/**
 * Slowloris-style clients against an actor's HTTP server: connections that trickle their headers one byte at a
 * time, and one that sends complete headers but trickles its body. The server must cut them off (headersTimeout
 * 10 s, requestTimeout 30 s, checked every second) while every other client keeps being served promptly, and
 * nothing of theirs is recorded.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { example, port, withSystem } from '../testing/helpers.ts';

const TRICKLERS = 20;

/** Opens a connection that writes `bytes` one byte every `everyMs`; resolves when the server closes it. */
function trickle(
  p: number,
  bytes: Buffer,
  everyMs: number,
): Promise<{ closedAfterMs: number; reply: string; sent: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s: Socket = connect(p, '127.0.0.1');
    let i = 0;
    let reply = '';
    let timer: NodeJS.Timeout | undefined;
    s.on('connect', () => {
      timer = setInterval(() => {
        if (i < bytes.length && !s.destroyed) s.write(bytes.subarray(i, ++i));
      }, everyMs);
    });
    s.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - t0, reply: reply.split('\r\n')[0] ?? '', sent: i });
    });
  });
}

describe('slow clients are cut off; everyone else is served meanwhile', () => {
  it(`${TRICKLERS} header tricklers closed after ~10 s, a body trickler after ~30 s; GETs answered throughout`, async () => {
    await withSystem(async (system) => {
      const id = await system.start(example('counter'));
      const p = port(system, id, 'http-server');
      const before = system.store.countEntries(id);
      const endless = Buffer.from(`GET /count HTTP/1.1\r\nHost: 127.0.0.1\r\n${'X-Slow: 1\r\n'.repeat(1000)}`);
      const headerTricklers = Array.from({ length: TRICKLERS }, () => trickle(p, endless, 100));
      const bodyTrickler = trickle(
        p,
        Buffer.concat([
          Buffer.from('POST /increment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n'),
          Buffer.alloc(1000, 0x7b),
        ]),
        40,
      );
      bodyTrickler.catch(() => {});

      // Meanwhile: a GET every 250 ms, each timed.
      const latencies: number[] = [];
      let stop = false;
      const prober = (async () => {
        while (!stop) {
          const t = performance.now();
          const res = await fetch(`http://127.0.0.1:${p}/count`);
          expect(res.status).toBe(200);
          await res.text();
          latencies.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 250));
        }
      })();

      const heads = await Promise.all(headerTricklers);
      const body = await bodyTrickler;
      stop = true;
      await prober;

      for (const h of heads) {
        expect(h.closedAfterMs).toBeGreaterThanOrEqual(9_500);
        expect(h.closedAfterMs).toBeLessThan(13_000);
        expect(h.reply).toMatch(/^(HTTP\/1\.1 408 Request Timeout)?$/);
      }
      expect(body.closedAfterMs).toBeGreaterThanOrEqual(29_500);
      expect(body.closedAfterMs).toBeLessThan(34_000);
      expect(body.sent).toBeLessThan(1000 + 70); // it never got to finish its body
      // Nothing of the slow clients reached the actor; the probes did (a GET is call + return, maybe a log).
      const calls = system.store.entries({ actor: id }).filter((e) => e.kind === 'call' && e.fn === 'handle-request');
      expect(calls).toHaveLength(latencies.length);
      expect(system.store.countEntries(id)).toBeGreaterThan(before);
      latencies.sort((a, b) => a - b);
      const figures = {
        header_tricklers: TRICKLERS,
        header_closed_ms: [
          Math.min(...heads.map((h) => h.closedAfterMs)),
          Math.max(...heads.map((h) => h.closedAfterMs)),
        ],
        body_closed_ms: body.closedAfterMs,
        probes: latencies.length,
        probe_p50_ms: Math.round(latencies[Math.floor(latencies.length / 2)]!),
        probe_max_ms: Math.round(latencies.at(-1)!),
      };
      console.log(`SLOW CLIENT FIGURES ${JSON.stringify(figures)}`);
      expect(latencies.at(-1)!).toBeLessThan(2_000);
    });
  });
});
