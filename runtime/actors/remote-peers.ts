/**
 * Messages to actors on other nodes: the client side of the message port (docs/message-port.md). One connection
 * per address, opened on first use and again after it drops; frames on it are answered in order, so replies are
 * matched to requests by position. Each frame carries the sender's chain head as `cause`, which the receiver
 * records on its call: shipped to a hub, the two nodes' chains link there.
 *
 * A remote send is one-way, as a local one is: it resolves once the frame is on a connected socket, and a failure
 * the other node reports later is told to `onUndelivered` (the runtime logs it). A request waits for the reply.
 */
import { connect, type Socket } from 'node:net';
import { toHex, type Hash } from '../chain/entry.ts';
import { encodeFrame, splitFrames } from '../ingress/message-server.ts';
import type { RemoteAddress } from '../manifest/index.ts';

interface Reply {
  readonly ok: boolean;
  readonly response?: unknown;
  readonly error?: string;
}

/** A request's reply wait is bounded: the caller's own call has a time limit, and a dead peer must not leak. */
const REPLY_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 5_000;

class Peer {
  private socket: Promise<Socket> | undefined;
  private readonly waiting: { resolve: (r: Reply) => void; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly addr: RemoteAddress) {}

  get label(): string {
    return `${this.addr.host}:${this.addr.port}`;
  }

  /** Writes a frame once connected; `reply` resolves when the answer comes. Rejects when the peer cannot be reached. */
  async exchange(frame: object): Promise<{ reply: Promise<Reply> }> {
    const socket = await this.connected();
    const reply = new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        const i = this.waiting.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve({ ok: false, error: `no reply from ${this.label} within ${REPLY_TIMEOUT_MS / 1000} s` });
      }, REPLY_TIMEOUT_MS);
      timer.unref();
      this.waiting.push({ resolve, timer });
    });
    socket.write(encodeFrame(frame));
    return { reply };
  }

  private connected(): Promise<Socket> {
    this.socket ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.addr.host, port: this.addr.port, timeout: CONNECT_TIMEOUT_MS });
      let buf: Buffer = Buffer.alloc(0);
      s.once('connect', () => {
        s.setTimeout(0);
        resolve(s);
      });
      s.once('timeout', () => s.destroy(new Error(`connecting to ${this.label} timed out`)));
      s.on('data', (d: Buffer) => {
        const { frames, rest } = splitFrames(Buffer.concat([buf, d]));
        buf = rest;
        for (const f of frames) {
          const w = this.waiting.shift();
          if (!w) continue;
          clearTimeout(w.timer);
          try {
            w.resolve(JSON.parse(f.toString('utf8')) as Reply);
          } catch {
            w.resolve({ ok: false, error: `${this.label} sent a reply that is not JSON` });
          }
        }
      });
      s.on('error', (e) => reject(new Error(`cannot reach ${this.label}: ${e.message}`)));
      s.on('close', () => {
        this.socket = undefined;
        for (const w of this.waiting.splice(0)) {
          clearTimeout(w.timer);
          w.resolve({ ok: false, error: `the connection to ${this.label} closed before the reply` });
        }
      });
    }).catch((e: unknown) => {
      this.socket = undefined;
      throw e;
    });
    return this.socket;
  }

  close(): void {
    void this.socket?.then((s) => s.destroy()).catch(() => {});
    this.socket = undefined;
  }
}

export class RemotePeers {
  private readonly peers = new Map<string, Peer>();

  constructor(private readonly onUndelivered: (sender: string, peer: string, error: string) => void = () => {}) {}

  private peer(addr: RemoteAddress): Peer {
    const key = `${addr.host}:${addr.port}`;
    let p = this.peers.get(key);
    if (!p) this.peers.set(key, (p = new Peer(addr)));
    return p;
  }

  /** One-way: resolves once the message is on its way; a later refusal goes to `onUndelivered`. */
  async send(sender: string, addr: RemoteAddress, msg: Uint8Array, cause: Hash | null): Promise<void> {
    const p = this.peer(addr);
    const { reply } = await p.exchange(frame('send', msg, cause));
    void reply.then((r) => {
      if (!r.ok) this.onUndelivered(sender, p.label, r.error ?? 'refused');
    });
  }

  /** Resolves with the remote actor's reply (JSON bytes; empty when it returned none), or rejects with its error. */
  async request(addr: RemoteAddress, msg: Uint8Array, cause: Hash | null): Promise<Uint8Array> {
    const p = this.peer(addr);
    const r = await (await p.exchange(frame('request', msg, cause))).reply;
    if (!r.ok) throw new Error(`${p.label}: ${r.error ?? 'refused'}`);
    if (r.response === null || r.response === undefined) return new Uint8Array();
    return new Uint8Array(Buffer.from(JSON.stringify(r.response), 'utf8'));
  }

  close(): void {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
  }
}

/** The message port takes JSON messages: the actor's bytes must be JSON text (Theater's convention). */
function frame(type: 'send' | 'request', msg: Uint8Array, cause: Hash | null): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(msg).toString('utf8'));
  } catch {
    throw new Error('a message to another node must be JSON (it crosses through the message port)');
  }
  return cause ? { type, msg: parsed, cause: toHex(cause) } : { type, msg: parsed };
}
