/**
 * What every import handler sees of its actor. Handlers run inside the actor's worker, synchronously, because the
 * guest calls them synchronously; anything that needs the rest of the runtime goes through `host`, a blocking call
 * to the main thread.
 */
import type { ResourceClass } from '../chain/resources.ts';
import type { HandlerType } from '../manifest/index.ts';

export interface ActorContext {
  readonly actorId: string;
  readonly callTimeoutMs: number;
  /** The actor's state as of the current entry. */
  state(): Uint8Array | null;
  log(msg: string): void;
  /** The manifest's `[env]`, as wasi:cli/environment hands it out. */
  env(): readonly (readonly [string, string])[];
  /** The manifest's `args`. */
  args(): readonly string[];
  /** Blocking call into the runtime. Returns the ok value; throws the error string (jco lowers it as `err`). */
  host(op: HostOp, args: readonly unknown[]): unknown;
  requestShutdown(data: Uint8Array | null): void;
}

/** Operations an actor can ask of the runtime, answered on the main thread by ActorSystem.hostCall. */
export type HostOp =
  'send' | 'request' | 'spawn' | 'list-children' | 'stop-child' | 'restart-child' | 'get-child-state';

export type HostFunction = (...args: never[]) => unknown;

export interface ImportHandler {
  /** Versionless interface name, e.g. "theater:simple/runtime". */
  readonly iface: string;
  /** The manifest handler that grants this interface; null when every actor has it. */
  readonly grantedBy: HandlerType | null;
  /** Functions (camelCase) and resource classes (PascalCase, see chain/resources.ts) by jco's names. */
  imports(ctx: ActorContext): Record<string, HostFunction | ResourceClass>;
}
