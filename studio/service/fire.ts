/**
 * Requests fired from the Studio's panels. They call the actor's export directly with origin 'studio' (not through
 * its TCP port), so the chain records who injected them; the call's outcome names the entries it produced.
 */
import { randomUUID } from 'node:crypto';
import {
  type ActorSystem,
  type CallOutcome,
  HTTP_SERVER,
  type HttpRequestRecord,
  type HttpResponseRecord,
  theaterInterface,
  toDisplay,
  toHex,
  type Value,
} from '../../runtime/index.ts';
import type { HttpFire, HttpFireResult, MessageFire, MessageFireResult } from '../contract.ts';
import { badRequest, notFound } from './api-error.ts';

const MESSAGES = theaterInterface('message-server-client');

interface Fired {
  readonly outcome: CallOutcome;
  readonly ms: number;
  /** The call's entries (call … return/error), as hex. */
  readonly entries: readonly string[];
}

/** Calls an export with origin 'studio'; resolves once the call's entries are committed. */
async function fire(
  system: ActorSystem,
  actor: string,
  iface: string,
  fn: string,
  params: readonly Value[],
): Promise<Fired> {
  const running = system.describe(actor);
  if (!running) throw notFound(`no running actor ${actor}`);
  if (!running.exports.includes(iface)) throw badRequest(`${actor} does not export ${iface}`);
  const t0 = performance.now();
  const outcome = await system.call(actor, iface, fn, params, 'studio');
  const ms = Math.round((performance.now() - t0) * 10) / 10;
  return { outcome, ms, entries: outcome.entries.map(toHex) };
}

const utf8 = new TextDecoder();

export async function fireHttp(system: ActorSystem, p: HttpFire): Promise<HttpFireResult> {
  const record: HttpRequestRecord = {
    method: p.method,
    uri: p.path,
    headers: p.headers.map(([k, v]) => [k.toLowerCase(), v]),
    body: p.body === undefined || p.body === '' ? undefined : new TextEncoder().encode(p.body),
  };
  const { outcome, ms, entries } = await fire(system, p.actor, HTTP_SERVER, 'handle-request', [record]);
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
  const [response] = outcome.response as readonly [HttpResponseRecord | undefined];
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
  // handle-request carries a request id, as system.request makes one.
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
