/**
 * The platform fact behind the load test's rare 20 s requests (docs/reliability.md, §5): Node's event loop (libuv
 * >= 1.45, "don't accept() connections in a loop") takes ONE connection off a listening socket's accept queue per
 * loop turn. A burst of connects to a busy server therefore drains at one per turn, however deep the backlog. If this
 * test fails, Node accepts in batches again and §5's explanation must be revisited.
 */
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';

const CLIENTS = 20;
const TURNS = 8;
const HOLD_MS = 30;

describe('accepting connections', () => {
  it('takes one pending connection per event-loop turn', async () => {
    let accepted = 0;
    const server = createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
    const { port } = server.address() as { port: number };
    const clients: Socket[] = [];
    try {
      // Loopback handshakes complete inside connect(): all of them are queued before the server's next turn.
      for (let i = 0; i < CLIENTS; i++) clients.push(connect(port, '127.0.0.1').on('error', () => {}));
      // Turns that each hold the loop a little, as a busy runtime's turns do.
      for (let t = 0; t < TURNS; t++) {
        await new Promise((r) => setImmediate(r));
        const until = performance.now() + HOLD_MS;
        while (performance.now() < until);
      }
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThanOrEqual(TURNS + 1);
      // Left alone, the loop takes the rest.
      await expect.poll(() => accepted, { timeout: 5000 }).toBe(CLIENTS);
    } finally {
      for (const c of clients) c.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
