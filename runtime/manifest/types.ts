/** Public shapes of a loaded actor manifest. Everything is readonly: a Manifest is a value, shared across the runtime. */

/** A position in a manifest file, 1-based, for errors raised later (e.g. "component not found"). */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type HandlerType = 'http-server' | 'message-server' | 'supervisor' | 'timing' | 'random' | 'runtime';

export const HANDLER_TYPES: readonly HandlerType[] = [
  'http-server',
  'message-server',
  'supervisor',
  'timing',
  'random',
  'runtime',
];

export type HandlerConfig =
  | {
      readonly type: 'http-server';
      readonly port: number;
      readonly host: string;
      readonly maxBodyBytes: number;
      readonly loc: SourceLoc;
    }
  // No port: the actor is reachable only from other actors.
  | {
      readonly type: 'message-server';
      readonly port?: number;
      readonly host: string;
      /** Actors on other nodes the actor may message by these names, at their message ports (when given). */
      readonly remotes?: ReadonlyMap<string, RemoteAddress>;
      readonly loc: SourceLoc;
    }
  | { readonly type: 'supervisor' | 'timing' | 'random' | 'runtime'; readonly loc: SourceLoc };

/** Another node's actor, reached through its message port (docs/message-port.md). */
export interface RemoteAddress {
  readonly host: string;
  readonly port: number;
}

export interface Manifest {
  /** Absolute path of the manifest file. */
  readonly file: string;
  /** The manifest's folder; relative paths in the manifest resolve against it. */
  readonly dir: string;
  /** Actor name: [a-z0-9][a-z0-9_-]*, at most 64 characters. */
  readonly name: string;
  /** Absolute path of the component, resolved against `dir`. Existence is not checked here. */
  readonly componentPath: string;
  /** Where the component path was written, so "component not found" can point at it. */
  readonly componentLoc: SourceLoc;
  /** Normalized interface name, e.g. 'theater:simple/actor'. */
  readonly implements?: string;
  readonly handlers: readonly HandlerConfig[];
  /** UTF-8 JSON bytes (already validated as JSON). */
  readonly initState?: Uint8Array;
  /** `[env]`: the environment wasi:cli/environment hands the actor (getenv), as name/value pairs; default none. */
  readonly env: readonly (readonly [string, string])[];
  /** `args`: the arguments wasi:cli/environment hands the actor (argv); default none. */
  readonly args: readonly string[];
  /** From `[limits] call_timeout_ms`; default 5000. */
  readonly callTimeoutMs: number;
  /** 'seed' = `component_path` + `[[handlers]]` with `config = {...}`; 'theater' = `component` + flat `[[handler]]`. */
  readonly form: 'seed' | 'theater';
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const MAX_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CALL_TIMEOUT_MS = 5000;
export const MIN_CALL_TIMEOUT_MS = 100;
export const MAX_CALL_TIMEOUT_MS = 600_000;
/** Manifests and init_state files are small; a bigger file is almost certainly the wrong file. */
export const MAX_FILE_BYTES = 1024 * 1024;
