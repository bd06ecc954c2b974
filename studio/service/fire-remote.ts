/**
 * Requests fired from the Studio's panels at an actor another process runs (the Studio watching a `theater run`):
 * they go to the ports that process announced in the db, over real HTTP or the message port, so the chain records
 * them as that process records any request (origin `http` / `message-port`). The writer answers only once the
 * entries are committed, so the produced entries are already readable here when the answer arrives.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import {
  type ChainStore,
  decode,
  encodeFrame,
  type ListenerRow,
  splitFrames,
  type StoredEntry,
  toDisplay,
  toHex,
  type Value,
} from '../../runtime/index.ts';
import type { HttpFire, HttpFireResult, MessageFire, MessageFireResult } from '../contract.ts';
import { badRequest } from './api-error.ts';

/** Marks the request so that its entries can be told from other clients' requests arriving meanwhile. */
const MARK = 'x-theater-studio-fire';
const TIMEOUT_MS = 30_000;

export async function fireHttpAt(store: ChainStore, l: ListenerRow, p: HttpFire): Promise<HttpFireResult> {
  const mark = randomUUID();
  const before = headId(store, p.actor);
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(`http://${urlHost(l.host)}:${l.port}${p.path}`, {
      method: p.method,
      headers: [...p.headers.map(([k, v]) => [k, v] as [string, string]), [MARK, mark]],
      body: p.body === undefined || p.body === '' || p.method === 'GET' || p.method === 'HEAD' ? undefined : p.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    throw badRequest(`${p.actor}'s HTTP port ${l.host}:${l.port} did not answer: ${(e as Error).message}`);
  }
  const body = await res.text();
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  const entries = produced(store, p.actor, before, 'http', (input) => {
    const [record] = input as [{ headers?: [string, string][] } | undefined];
    return record?.headers?.some(([k, v]) => k === MARK && v === mark) === true;
  });
  const headers: [string, string][] = [];
  res.headers.forEach((v, k) => headers.push([k, v]));
  return { status: res.status, headers, body, ms, entries };
}

export async function fireMessageAt(store: ChainStore, l: ListenerRow, p: MessageFire): Promise<MessageFireResult> {
  let msg: unknown;
  try {
    msg = JSON.parse(p.json);
  } catch (e) {
    throw badRequest(`the message is not valid JSON: ${(e as Error).message}`);
  }
  const before = headId(store, p.actor);
  const t0 = performance.now();
  const reply = (await exchange(l, { type: p.kind, msg })) as { ok?: boolean; response?: unknown; error?: string };
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  const wanted = JSON.stringify(msg);
  const entries = produced(store, p.actor, before, 'message-port', (input) => {
    const bytes = (input as Value[]).at(-1); // handle-send: [msg]; handle-request: [request id, msg]
    if (!(bytes instanceof Uint8Array)) return false;
    try {
      return JSON.stringify(JSON.parse(new TextDecoder().decode(bytes))) === wanted;
    } catch {
      return false;
    }
  });
  if (!reply.ok) return { ok: false, error: reply.error ?? 'the actor refused the message', ms, entries };
  return {
    ok: true,
    ...(p.kind === 'request' ? { response: toDisplay((reply.response ?? null) as Value) } : {}),
    ms,
    entries,
  };
}

/** One framed request on the message port, its one reply frame. */
function exchange(l: ListenerRow, frame: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(l.port, socketHost(l.host));
    let buf: Buffer = Buffer.alloc(0);
    const fail = (why: string) => {
      socket.destroy();
      reject(badRequest(`message port ${l.host}:${l.port}: ${why}`));
    };
    socket.setTimeout(TIMEOUT_MS, () => fail('no answer'));
    socket.on('connect', () => socket.write(encodeFrame(frame)));
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = splitFrames(Buffer.concat([buf, d]));
      buf = rest;
      if (frames.length === 0) return;
      socket.end();
      try {
        resolve(JSON.parse(frames[0]!.toString('utf8')));
      } catch {
        fail('the reply is not JSON');
      }
    });
    socket.on('error', (e) => fail(e.message));
    socket.on('close', () => fail('closed without an answer'));
  });
}

function headId(store: ChainStore, actor: string): number {
  return store.head(actor, store.liveBranch(actor))?.id ?? 0;
}

/** The call (from `origin`, its params matching) after row `afterId`, and what followed it up to its return/error. */
function produced(
  store: ChainStore,
  actor: string,
  afterId: number,
  origin: 'http' | 'message-port',
  matches: (params: Value) => boolean,
): string[] {
  const out: string[] = [];
  for (const e of store.entries({ actor, afterId, limit: 10_000 })) {
    if (out.length === 0) {
      if (e.kind === 'call' && e.origin === origin && paramsMatch(store, e, matches)) out.push(toHex(e.hash));
      continue;
    }
    out.push(toHex(e.hash));
    if (e.kind === 'return' || e.kind === 'error') break;
  }
  return out;
}

function paramsMatch(store: ChainStore, e: StoredEntry, matches: (params: Value) => boolean): boolean {
  const bytes = e.input && store.blob(e.input);
  if (!bytes) return false;
  try {
    return matches(decode(bytes));
  } catch {
    return false;
  }
}

/** Where to connect for a listener's bind address (a wildcard bind is reachable on loopback). */
function socketHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function urlHost(host: string): string {
  const h = socketHost(host);
  return h.includes(':') ? `[${h}]` : h;
}
