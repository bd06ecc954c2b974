/**
 * The two ways to reach the StudioService: Electron's preload bridge (`window.studio`) or the web host's WebSocket.
 * Both expose the same tiny surface so the typed client above them does not care which one it got.
 */
import { OPENING_ELEMENT_ID, openingKey, type EventName, type OpeningReply } from '../../studio/contract.ts';

/**
 * `refused`: the web host turns this page away for good (its token is from an earlier run of the Studio), so it
 * stops retrying; the page must be opened again from the URL the Studio printed.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'refused';

export interface Transport {
  /** Whether the page came with the opening's replies (studio/contract.ts §The opening): the web host's pages do. */
  readonly opening: boolean;
  invoke(method: string, params: unknown): Promise<unknown>;
  on(event: EventName, cb: (payload: unknown) => void): () => void;
  onState(cb: (state: ConnectionState, retryInMs: number | null) => void): () => void;
}

/** What the Electron preload exposes through contextBridge. */
interface PreloadBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  on(event: string, cb: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    studio?: PreloadBridge;
  }
}

/** An error that came back from the service (or the transport), with the service's code when there was one. */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly method: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

function preloadTransport(bridge: PreloadBridge): Transport {
  return {
    opening: false,
    invoke: (method, params) => bridge.invoke(method, params),
    on: (event, cb) => bridge.on(event, cb),
    // IPC has no connection to lose: it is open for the window's lifetime.
    onState: (cb) => {
      cb('open', null);
      return () => {};
    },
  };
}

type ServerFrame =
  | {
      readonly id: number;
      readonly result?: unknown;
      readonly error?: { readonly message: string; readonly code?: string };
    }
  | { readonly event: string; readonly payload: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The socket's door, `/api`: the web host authenticates with a cookie; the token from the printed URL is passed
 * along too, for first loads where the cookie has not been set yet. */
function apiPath(): string {
  const token = new URLSearchParams(location.search).get('token');
  return `/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${apiPath()}`;
}

/**
 * Whether the web host refuses this page (403 at the socket's door, asked over plain HTTP: a browser does not tell a
 * page why its socket did not open). It does when the page's token is from an earlier run of the Studio. A host that
 * does not answer may be restarting: that is not a refusal.
 */
async function refusedByHost(): Promise<boolean> {
  try {
    return (await fetch(apiPath(), { method: 'HEAD', cache: 'no-store' })).status === 403;
  } catch {
    return false;
  }
}

/** The replies the page came with, by request (studio/web/opening-page.ts); none when it has no usable ones. */
function pageOpening(): Map<string, unknown> {
  const replies = new Map<string, unknown>();
  const el = document.getElementById(OPENING_ELEMENT_ID);
  try {
    for (const r of JSON.parse(el?.textContent || '[]') as OpeningReply[])
      replies.set(openingKey(r.method, r.params), r.result);
  } catch {
    // Not what the web host writes: the socket answers everything.
  }
  return replies;
}

function webSocketTransport(): Transport {
  // Answers to the opening's requests until the socket opens; from then on the service answers, as of now.
  const opening = pageOpening();
  let ws: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let state: ConnectionState = 'connecting';
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  const queue: string[] = [];
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(s: ConnectionState, retry: number | null) => void>();

  const setState = (s: ConnectionState, retry: number | null): void => {
    state = s;
    for (const cb of stateListeners) cb(s, retry);
  };

  const onFrame = (raw: string): void => {
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isObject(frame)) return;
    const f = frame as ServerFrame;
    if ('event' in f && typeof f.event === 'string') {
      for (const cb of eventListeners.get(f.event) ?? []) cb(f.payload);
      return;
    }
    if ('id' in f && typeof f.id === 'number') {
      const p = pending.get(f.id);
      if (!p) return;
      pending.delete(f.id);
      if (f.error) p.reject(new ApiCallError(f.error.message, f.error.code, p.method));
      else p.resolve(f.result);
    }
  };

  const connect = (): void => {
    setState('connecting', null);
    const sock = new WebSocket(socketUrl());
    ws = sock;
    let opened = false;
    sock.onopen = () => {
      opened = true;
      opening.clear();
      attempt = 0;
      setState('open', null);
      for (const msg of queue.splice(0)) sock.send(msg);
    };
    sock.onmessage = (ev) => {
      if (typeof ev.data === 'string') onFrame(ev.data);
    };
    sock.onclose = () => {
      ws = null;
      // Requests in flight will never be answered by this socket: fail them now rather than hang the UI. Those still
      // queued are failed with them, so they must never go out: a call the user saw fail reached the actor once
      // the socket opened again.
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new ApiCallError('connection to the Studio service was lost', 'disconnected', p.method));
      }
      queue.length = 0;
      const retry = (): void => {
        const delay = Math.min(10_000, 500 * 2 ** attempt);
        attempt++;
        setState('closed', delay);
        setTimeout(connect, delay);
      };
      if (opened) return retry();
      // Never let in: if the host refuses this page's token (a tab left open while the Studio restarted), asking again
      // would be refused forever.
      void refusedByHost().then((refused) => {
        if (!refused) return retry();
        setState('refused', null);
      });
    };
  };
  connect();

  return {
    opening: opening.size > 0,
    invoke(method, params) {
      const key = opening.size > 0 ? openingKey(method, params) : '';
      if (opening.has(key)) {
        const result = opening.get(key);
        opening.delete(key);
        return Promise.resolve(result);
      }
      if (state === 'refused')
        return Promise.reject(new ApiCallError('the Studio refuses this page', 'disconnected', method));
      const id = nextId++;
      const msg = JSON.stringify({ id, method, params });
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, method });
        if (ws && state === 'open') ws.send(msg);
        else queue.push(msg);
      });
    },
    on(event, cb) {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      set.add(cb);
      return () => set.delete(cb);
    },
    onState(cb) {
      stateListeners.add(cb);
      cb(state, null);
      return () => stateListeners.delete(cb);
    },
  };
}

export function createTransport(): Transport {
  return window.studio ? preloadTransport(window.studio) : webSocketTransport();
}
