/**
 * What the transports (Electron IPC, the web host) serve: one gate for requests, which validates every payload, and
 * one stream of events. The Studio's session (studio-session.ts) is what they serve; the local StudioService has the
 * same face for tests and tools that use it alone.
 */
import type { EventName, StudioApi, StudioEvents } from '../contract.ts';

export type StudioEventListener = <E extends EventName>(event: E, payload: StudioEvents[E]) => void;

export interface ServedApi {
  invoke(method: unknown, params: unknown): Promise<unknown>;
  onEvent(listener: StudioEventListener): () => void;
}

/** The methods about hubs: the session answers them; the local service has no hub. */
export const HUB_METHODS = ['openHub', 'closeHub', 'hub', 'attestations'] as const;
export type HubMethod = (typeof HUB_METHODS)[number];

/** The StudioApi of the Studio's own db and actors. */
export type LocalApi = Omit<StudioApi, HubMethod>;
