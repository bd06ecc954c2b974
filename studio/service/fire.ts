/**
 * Requests fired from the Studio's panels. They call the actor's export directly with origin 'studio' (not through
 * its TCP port), so the chain records who injected them; the produced entries are found by the call's input hash.
 */
import { randomUUID } from 'node:crypto';
import {
  type ActorSystem,
  encode,
  type ExportOutcome,
  type Hash,
  hashEquals,
  HTTP_SERVER,
  type HttpRequestRecord,
  type HttpResponseRecord,
  sha256,
  theaterInterface,
  toDisplay,
  toHex,
  type Value,
} from '../../runtime/index.ts';
import type { HttpFire, HttpFireResult, MessageFire, MessageFireResult } from '../contract.ts';
import { badRequest, notFound } from './api-error.ts';

const MESSAGES = theaterInterface('message-server-client');

interface Fired {
  readonly outcome: ExportOutcome;
  readonly ms: number;
  readonly entries: readonly string[];
}

/** Calls an export with origin 'studio' and collects the call's entries (call … return/error) once committed. */
async function fire(
  system: ActorSystem,
  actor: string,
  iface: string,
  fn: string,
  params: readonly Value[],
): Promise<Fired> {
  const running = system.actor(actor);
  if (!running) throw notFound(`no running actor ${actor}`);
  if (!running.host.component.exports.includes(iface)) throw badRequest(`${actor} does not export ${iface}`);
  const before = system.store.head(actor, running.branch)?.id ?? 0;
  const input = sha256(encode(params as Value));
  const t0 = performance.now();
  const outcome = await system.call(actor, iface, fn, params, 'studio');
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  return { outcome, ms, entries: producedEntries(system, actor, before, input) };
}

function producedEntries(system: ActorSystem, actor: string, afterId: number, input: Hash): string[] {
  const out: string[] = [];
  for (const e of system.store.entries({ actor, afterId, limit: 10_000 })) {
    if (out.length === 0) {
      if (e.kind === 'call' && e.origin === 'studio' && hashEquals(e.input, input)) out.push(toHex(e.hash));
      continue;
    }
    out.push(toHex(e.hash));
    if (e.kind === 'return' || e.kind === 'error') break;
  }
  return out;
}

const utf8 = new TextDecoder();

export async function fireHttp(system: ActorSystem, p: HttpFire): Promise<HttpFireResult> {
  const record: HttpRequestRecord = {
    method: p.method,
    uri: p.path,
    headers: p.headers.map(([k, v]) => [k.toLowerCase(), v]),
    body: p.body === undefined || p.body === '' ? undefined : new TextEncoder().encode(p.body),
  };
  const { outcome, ms, entries } = await fire(system, p.actor, HTTP_SERVER, 'handle-request', [
    record as unknown as Value,
  ]);
  if (!outcome.ok) {
    const status = outcome.error.kind === 'timeout' ? 504 : outcome.error.kind === 'startup' ? 503 : 500;
    return {
      status,
      headers: [],
      body: JSON.stringify({ error: outcome.error.kind, message: outcome.error.message }),
      ms,
      entries,
    };
  }
  const [response] = outcome.response as unknown as [HttpResponseRecord | undefined];
  if (!response) return { status: 500, headers: [], body: 'the actor returned no response', ms, entries };
  return {
    status: response.status,
    headers: response.headers,
    body: response.body ? utf8.decode(response.body) : '',
    ms,
    entries,
  };
}

export async function fireMessage(system: ActorSystem, p: MessageFire): Promise<MessageFireResult> {
  try {
    JSON.parse(p.json);
  } catch (e) {
    throw badRequest(`the message is not valid JSON: ${(e as Error).message}`);
  }
  const msg = new TextEncoder().encode(p.json);
  // handle-request carries a request id; made here (as system.request would) so the call's input hash is known.
  const params: Value[] = p.kind === 'send' ? [msg] : [randomUUID(), msg];
  const { outcome, ms, entries } = await fire(
    system,
    p.actor,
    MESSAGES,
    p.kind === 'send' ? 'handle-send' : 'handle-request',
    params,
  );
  if (!outcome.ok) return { ok: false, error: `${outcome.error.kind}: ${outcome.error.message}`, ms, entries };
  if (p.kind === 'send') return { ok: true, ms, entries };
  const [response] = outcome.response as unknown as [Value | undefined];
  return { ok: true, response: toDisplay(response ?? null), ms, entries };
}
