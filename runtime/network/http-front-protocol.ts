/**
 * Messages between the network thread of the actors' http-servers (http-front.ts, one per process) and the
 * runtime's main thread (http-server.ts). `sid` names one actor's server.
 */
import { workerScript } from '../worker-script.ts';

/** Where the network thread's code is (it must sit beside this file: see worker-script.ts). */
export function httpFrontScript(): URL {
  return workerScript(import.meta.url, 'http-front');
}

/**
 * An HTTP request as the actor's `handle-request` receives it (and the chain records it). Records are types, not
 * interfaces, so that they are canonical Values as they stand.
 */
export type HttpRequestRecord = {
  readonly method: string;
  readonly uri: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array | undefined;
};

/** The actor's answer, as recorded. */
export type HttpResponseRecord = {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array | undefined;
};

export interface FrontListen {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
}

/** What to send back: the actor's response, or one of the runtime's own JSON errors (which close the connection). */
export type FrontReply =
  | {
      readonly status: number;
      readonly headers: readonly (readonly [string, string])[];
      readonly body: Uint8Array | undefined;
    }
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
