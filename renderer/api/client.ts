/**
 * The typed face of the transport: `api.call('entries', params)` is checked against the StudioApi contract, and
 * `api.on('log', cb)` gets the event's payload type. Nothing else in the renderer touches the transport.
 */
import type { EventName, MethodName, Params, Result, StudioEvents } from '../../studio/contract.ts';
import { createTransport, type ConnectionState, type Transport } from './transport.ts';

export { ApiCallError } from './transport.ts';
export type { ConnectionState } from './transport.ts';

export interface StudioClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, cb: (payload: StudioEvents[E]) => void): () => void;
  onState(cb: (state: ConnectionState, retryInMs: number | null) => void): () => void;
  readonly kind: 'electron' | 'web';
  /** Whether the page came with the opening's replies (studio/contract.ts §The opening): the actions may show them
   *  at once. */
  readonly opening: boolean;
}

function wrap(t: Transport): StudioClient {
  // The service validates every payload against the same contract; the casts here only restore the static type the
  // transport erased.
  function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    return t.invoke(method, params) as Promise<Result<M>>;
  }
  function on<E extends EventName>(event: E, cb: (payload: StudioEvents[E]) => void): () => void {
    return t.on(event, (payload) => cb(payload as StudioEvents[E]));
  }
  return { kind: window.studio ? 'electron' : 'web', opening: t.opening, call, on, onState: (cb) => t.onState(cb) };
}

let client: StudioClient | null = null;

/** The one client, created on first use (so importing this module in tests does not open a socket). */
export function api(): StudioClient {
  client ??= wrap(createTransport());
  return client;
}

/** The same client, connecting only when first used: what the app's actions are built with. */
export const studioClient: StudioClient = {
  call: (method, params) => api().call(method, params),
  on: (event, cb) => api().on(event, cb),
  onState: (cb) => api().onState(cb),
  get kind() {
    return api().kind;
  },
  get opening() {
    return api().opening;
  },
};

/** A readable one-liner for any thrown value, for error banners. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
