/**
 * Type declarations for Theater's imports, as componentize-js presents them to JavaScript
 * (package theater:simple@0.1.0, see wit/theater.wit).
 *
 * How WIT maps to JS here:
 *   - kebab-case names become camelCase (`get-state` -> `getState`);
 *   - `list<u8>` is a Uint8Array, `string` a string, `u32` a number, `u64` a BigInt;
 *   - `option<T>` is `T | undefined`;
 *   - an import returning `result<T, E>` returns T, or THROWS the error value (a string here);
 *   - an export returning `result<T, string>` returns T for ok; `throw 'message'` makes it `err('message')`.
 *
 * This file holds only ambient declarations (no import/export at top level), so including it in a TypeScript
 * project is enough; nothing from it exists at run time. `theater:simple/types@0.1.0` is types-only: use it with
 * `import type`, which esbuild and tsc erase.
 */

declare module 'theater:simple/types@0.1.0' {
  /** The actor's state: JSON bytes by convention, `undefined` when there is none yet. */
  export type State = Uint8Array | undefined;
  /** JSON bytes. */
  export type Json = Uint8Array;
  export type ActorId = string;
  export type ErrorKind = 'trap' | 'handler-error' | 'timeout' | 'startup';
  export interface ActorError {
    kind: ErrorKind;
    message: string;
  }

  /** `actor` export: `init(state, [actorId])` returns `[newState]`. Runs once, when the actor is first started. */
  export interface Actor {
    init(state: State, params: [id: string]): [State];
  }
  /** `message-server-client` export. */
  export interface MessageServerClient {
    /** A one-way message: returns `[newState]`. */
    handleSend(state: State, params: [msg: Json]): [State];
    /** A request: returns `[newState, [reply]]`; `reply` may be undefined. */
    handleRequest(state: State, params: [requestId: string, msg: Json]): [State, [Json | undefined]];
  }
  export interface HttpRequest {
    method: string;
    /** Path and query, e.g. "/count?x=1". */
    uri: string;
    headers: [string, string][];
    body: Uint8Array | undefined;
  }
  export interface HttpResponse {
    status: number;
    headers: [string, string][];
    body: Uint8Array | undefined;
  }
  /** `http-server` export. */
  export interface HttpServer {
    handleRequest(state: State, params: [request: HttpRequest]): [State, [HttpResponse]];
  }
  /** `supervisor-handlers` export. */
  export interface SupervisorHandlers {
    handleChildError(state: State, params: [childId: ActorId, error: ActorError]): [State];
    handleChildExit(state: State, params: [childId: ActorId, data: Uint8Array | undefined]): [State];
  }
}

declare module 'theater:simple/runtime@0.1.0' {
  /** Shown live in the CLI and the Studio, and recorded in the chain. */
  export function log(msg: string): void;
  /** The actor's current state as the runtime holds it (empty if none). */
  export function getState(): Uint8Array;
  /** Stop this actor after the current call returns; `data` goes to the supervisor. Throws a string on error. */
  export function shutdown(data: Uint8Array | undefined): void;
}

declare module 'theater:simple/timing@0.1.0' {
  /** Milliseconds since the Unix epoch (a BigInt: WIT u64). Recorded, so replay sees the same time. */
  export function now(): bigint;
  /** Block this actor for `ms` milliseconds. */
  export function sleep(ms: bigint): void;
}

declare module 'theater:simple/random@0.1.0' {
  /** `len` random bytes. Recorded, so replay sees the same bytes. */
  export function randomBytes(len: number): Uint8Array;
}

declare module 'theater:simple/message-server-host@0.1.0' {
  /** Deliver `msg` to the actor's handle-send. Throws a string if there is no such actor. */
  export function send(actorId: string, msg: Uint8Array): void;
  /** Call the actor's handle-request and return its reply. Throws a string on error. */
  export function request(actorId: string, msg: Uint8Array): Uint8Array;
}

declare module 'theater:simple/supervisor@0.1.0' {
  /** Start a child from a manifest path (relative to this actor's manifest folder); returns its id. */
  export function spawn(manifest: string, initState: Uint8Array | undefined): string;
  export function listChildren(): string[];
  export function stopChild(childId: string): void;
  export function restartChild(childId: string): void;
  export function getChildState(childId: string): Uint8Array | undefined;
}
