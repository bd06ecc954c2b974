/**
 * The WebSocket protocol of the web host, one JSON object per frame:
 *   client → server  {"id": 1, "method": "entries", "params": {...}}
 *   server → client  {"id": 1, "result": ...}  or  {"id": 1, "error": {"message": "...", "code": "bad-request"}}
 *   server → client  {"event": "log", "payload": {...}}
 * A frame that is not such a request gets an error reply (id null when it had none); nothing a client sends can
 * take the host down.
 */
import type { WebSocket } from 'ws';
import type { ApiError } from '../contract.ts';
import { toApiError } from '../service/api-error.ts';
import type { ServedApi } from '../service/served.ts';

export type RequestId = number | string;

export type ServerFrame =
  | { readonly id: RequestId | null; readonly result: unknown }
  | { readonly id: RequestId | null; readonly error: ApiError }
  | { readonly event: string; readonly payload: unknown };

/** Adds to a result before it is sent (the web host turns exported bundle files into download URLs). */
export type ResultHook = (method: string, result: unknown) => unknown;

function parseFrame(data: string): { id: RequestId | null; method?: unknown; params?: unknown; problem?: string } {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return { id: null, problem: 'the frame is not JSON' };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return { id: null, problem: 'the frame is not a JSON object' };
  const o = v as Record<string, unknown>;
  const id = typeof o.id === 'number' || (typeof o.id === 'string' && o.id.length <= 64) ? o.id : null;
  if (id === null) return { id, problem: 'a request needs an id (number or short string)' };
  return { id, method: o.method, params: o.params };
}

export function serveClient(ws: WebSocket, service: ServedApi, hook: ResultHook): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const off = service.onEvent((event, payload) => send({ event, payload }));
  ws.on('close', off);
  ws.on('error', off);
  ws.on('message', (raw, isBinary) => {
    if (isBinary)
      return send({ id: null, error: { message: 'binary frames are not part of the protocol', code: 'bad-request' } });
    const f = parseFrame(raw.toString());
    if (f.problem) return send({ id: f.id, error: { message: f.problem, code: 'bad-request' } });
    service.invoke(f.method, f.params).then(
      (result) => send({ id: f.id, result: hook(String(f.method), result) ?? null }),
      (e: unknown) => send({ id: f.id, error: toApiError(e) }),
    );
  });
}
