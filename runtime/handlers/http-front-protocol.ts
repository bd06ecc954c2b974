/**
 * Messages between the network thread of the actors' http-servers (http-front.ts, one per process) and the
 * runtime's main thread (http-server.ts). `sid` names one actor's server.
 */
import type { HttpRequestRecord } from './http-server.ts';

export interface FrontListen {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
}

/** What to send back: the actor's response, or one of the runtime's own JSON errors (which close the connection). */
export type FrontReply =
  | { readonly status: number; readonly headers: [string, string][]; readonly body: Uint8Array | undefined }
  | { readonly status: number; readonly json: unknown };

export type FrontToMain =
  | { readonly t: 'listening'; readonly sid: number; readonly port: number }
  | { readonly t: 'error'; readonly sid: number; readonly code: string | undefined; readonly message: string }
  | { readonly t: 'request'; readonly sid: number; readonly id: number; readonly record: HttpRequestRecord }
  | { readonly t: 'closed'; readonly sid: number };

export type MainToFront =
  | { readonly t: 'listen'; readonly sid: number; readonly cfg: FrontListen }
  | { readonly t: 'response'; readonly id: number; readonly reply: FrontReply }
  | { readonly t: 'close'; readonly sid: number };
