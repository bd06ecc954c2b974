/** Increments sent to a counter's message port as fast as the socket takes them, for crash and shipping tests. */
import { connect } from 'node:net';
import { encodeFrame, splitFrames } from '../ingress/message-server.ts';

/** Sends `count` increments at once; counts the acknowledgements until the socket closes (or dies with its process). */
export function streamIncrements(port: number, count: number, onAck: (n: number) => void = () => {}): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let acked = 0;
    let buf: Buffer = Buffer.alloc(0);
    const frame = encodeFrame({ type: 'send', msg: { op: 'increment' } });
    socket.on('connect', () => socket.write(Buffer.concat(Array.from({ length: count }, () => frame))));
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = splitFrames(Buffer.concat([buf, d]));
      buf = rest;
      for (const f of frames) {
        if ((JSON.parse(f.toString()) as { ok: boolean }).ok) onAck(++acked);
      }
      if (acked === count) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(acked));
  });
}
