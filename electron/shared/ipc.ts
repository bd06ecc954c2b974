/**
 * Channel names of the Electron transport, derived from the contract's METHODS and EVENTS: main and preload import
 * these and nothing else names a channel. (Constants, not types: the one addition to shared/ beside the contract.)
 */
import type { ApiError, EventName, MethodName } from '../../studio/contract.ts';

export const invokeChannel = (method: MethodName): string => `studio:invoke:${method}`;
/** Every event travels on one channel as {event, payload}; the preload fans it out. */
export const EVENT_CHANNEL = 'studio:event';

export type IpcReply =
  { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ApiError };

export interface IpcEvent {
  readonly event: EventName;
  readonly payload: unknown;
}
