/**
 * The message port: external clients send or request messages to an actor over TCP.
 *
 * Framing (docs/message-port.md): each frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
 *   client → actor  {"type":"send","msg":<any JSON>}      or  {"type":"request","msg":<any JSON>}
 *                   (and "cause":"<64 hex>" when the client is an actor on another node: its chain head)
 *   actor → client  {"ok":true}  /  {"ok":true,"response":<JSON or null>}  /  {"ok":false,"error":"..."}
 * Frames on one connection are answered in order. A malformed frame gets an error reply; an oversized one also
 * closes the connection (its remaining bytes cannot be trusted to be a frame boundary).
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ListenError, type Ingress, type ServerHandle } from './types.ts';

export const MAX_FRAME_BYTES = 1024 * 1024;
const IDLE_TIMEOUT_MS = 60_000;

export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** Splits a byte stream into frames. Returns the frames found and the bytes left over. */
export function splitFrames(
  buf: Buffer,
  max = MAX_FRAME_BYTES,
): { frames: Buffer[]; rest: Buffer; oversized?: number } {
  const frames: Buffer[] = [];
  let off = 0;
  while (buf.length - off >= 4) {
    const len = buf.readUInt32BE(off);
    if (len > max) return { frames, rest: Buffer.alloc(0), oversized: len };
    if (buf.length - off - 4 < len) break;
    frames.push(buf.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

export async function serveMessages(
  system: Ingress,
  actorId: string,
  cfg: { host: string; port: number },
): Promise<ServerHandle> {
  const sockets = new Set<Socket>();
  // allowHalfOpen: a client that sends its frames and then shuts down its side (`nc -N`) still gets every reply.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    let queue = Promise.resolve();
    // After an oversized length nothing more on this connection is read as a frame.
    let refused = false;
    socket.on('end', () => {
      queue = queue.then(() => void socket.end());
    });
    socket.on('data', (chunk: Buffer) => {
      if (refused) return;
      const { frames, rest, oversized } = splitFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const f of frames) {
        queue = queue
          .then(() => answer(system, actorId, f))
          // Whatever goes wrong answering one frame is that frame's error reply, never an unhandled rejection.
          .catch((e: unknown) => ({
            ok: false,
            error: `internal error: ${e instanceof Error ? e.message : String(e)}`,
          }))
          .then((r) => void socket.write(encodeFrame(r)));
      }
      if (oversized !== undefined) {
        refused = true;
        queue = queue.then(() => {
          socket.end(
            encodeFrame({ ok: false, error: `frame of ${oversized} bytes exceeds the limit of ${MAX_FRAME_BYTES}` }),
          );
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new ListenError(
          `${actorId}: message-server port ${cfg.port} on ${cfg.host}: ${e.code === 'EADDRINUSE' ? 'already in use; change port in the manifest' : e.message}`,
        ),
      ),
    );
    server.listen(cfg.port, cfg.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function answer(system: Ingress, actorId: string, frame: Buffer): Promise<object> {
  let req: { type?: unknown; msg?: unknown; cause?: unknown };
  try {
    req = JSON.parse(frame.toString('utf8')) as typeof req;
  } catch (e) {
    return { ok: false, error: `frame is not valid JSON: ${(e as Error).message}` };
  }
  if (req === null || typeof req !== 'object' || (req.type !== 'send' && req.type !== 'request') || !('msg' in req)) {
    return { ok: false, error: 'expected {"type":"send"|"request","msg":<JSON>}' };
  }
  let json: string;
  try {
    json = JSON.stringify(req.msg);
  } catch (e) {
    // JSON.parse accepts nesting that JSON.stringify then overflows the stack on (a few thousand levels).
    return { ok: false, error: `msg cannot be passed on: ${(e as Error).message}` };
  }
  // A message from an actor on another node names the sender's chain head as its cause (a relay's remote send):
  // recorded on the call, it links the two chains wherever both are shipped (a hub).
  let cause: Uint8Array | null = null;
  if (req.cause !== undefined) {
    if (typeof req.cause !== 'string' || !/^[0-9a-f]{64}$/.test(req.cause)) {
      return { ok: false, error: 'cause must be 64 lowercase hex digits (the sending chain head)' };
    }
    cause = new Uint8Array(Buffer.from(req.cause, 'hex'));
  }
  const msg = new Uint8Array(Buffer.from(json, 'utf8'));
  const out =
    req.type === 'send'
      ? await system.send(actorId, msg, 'message-port', cause)
      : await system.request(actorId, msg, 'message-port', cause);
  if (!out.ok) return { ok: false, error: `${out.error.kind}: ${out.error.message}` };
  if (req.type === 'send') return { ok: true };
  const [reply] = out.response as [Uint8Array | undefined];
  return { ok: true, response: reply === undefined ? null : parseJsonOr(reply) };
}

function parseJsonOr(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}
