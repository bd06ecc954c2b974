/**
 * The one Studio store and its actions, for the app. Components select narrowly; the canvas subscribes outside
 * React. Actions are built once here from the store and the real client (tests build their own: create-store.ts).
 */
import { create } from 'zustand';
import { studioClient } from '../api/client.ts';
import { createActions } from './actions/index.ts';
import { studioState } from './create-store.ts';
import type { StudioState } from './slices.ts';

export const useStudio = create<StudioState>()(studioState);

export const actions = createActions(useStudio, studioClient);

export type * from './slices.ts';
export type { Actions } from './actions/types.ts';
export { errorMessage } from './actions/index.ts';
export { EMPTY_FILTER, isUnverified, LOG_PAGE, PAGE } from './slices.ts';
export { REQ_BODY_MAX, RES_BODY_MAX } from './http-history.ts';

/** The actor whose chain is on screen. */
export function useCurrentActor() {
  return useStudio((s) => s.actors.find((a) => a.id === s.actorId) ?? null);
}
