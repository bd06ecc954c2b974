/**
 * What the ingress servers (HTTP, the message port) need of the runtime: three calls, nothing else. They run on
 * the runtime's main thread and depend on this, not on ActorSystem, so the system can own them without a cycle.
 */
import type { Value } from '../chain/canonical.ts';
import type { Hash, Origin } from '../chain/entry.ts';
import type { ExportOutcome } from '../chain/recorder.ts';

export interface Ingress {
  /** Calls an export of a running actor; resolves once the call's entries are committed. */
  call(actor: string, iface: string, fn: string, params: readonly Value[], origin: Origin): Promise<ExportOutcome>;
  /** `cause`: the sending chain's head, when the sender is an actor (here, or on another node). */
  send(actor: string, msg: Uint8Array, origin: Origin, cause?: Hash | null): Promise<ExportOutcome>;
  request(actor: string, msg: Uint8Array, origin: Origin, cause?: Hash | null): Promise<ExportOutcome>;
}

export interface ServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

/** A server the manifest asks for cannot listen where it says (the port is taken, the address is not ours). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}
