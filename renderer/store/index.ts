/** The one Studio store, assembled from its slices. Components select narrowly; the canvas subscribes outside React. */
import { create } from 'zustand';
import {
  actorsSlice,
  connectionSlice,
  entriesSlice,
  graphSlice,
  panelsSlice,
  selectionSlice,
  themeSlice,
  type StudioState,
} from './slices.ts';

export const useStudio = create<StudioState>()((...a) => ({
  ...connectionSlice(...a),
  ...actorsSlice(...a),
  ...entriesSlice(...a),
  ...selectionSlice(...a),
  ...graphSlice(...a),
  ...panelsSlice(...a),
  ...themeSlice(...a),
}));

export type * from './slices.ts';
export { EMPTY_FILTER, PAGE } from './slices.ts';

/** The actor whose chain is on screen. */
export function useCurrentActor() {
  return useStudio((s) => s.actors.find((a) => a.id === s.actorId) ?? null);
}
