/**
 * The Studio's state, assembled from its slices: `studioState` is what both the app's hook (store/index.ts) and a
 * test's own store are made of, so actions can be tested against a fresh store each time.
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import {
  actorsSlice,
  connectionSlice,
  entriesSlice,
  graphSlice,
  layoutSlice,
  logSlice,
  noticesSlice,
  panelsSlice,
  selectionSlice,
  themeSlice,
  type StudioState,
} from './slices.ts';

export const studioState: StateCreator<StudioState> = (...a) => ({
  ...connectionSlice(...a),
  ...noticesSlice(...a),
  ...actorsSlice(...a),
  ...logSlice(...a),
  ...entriesSlice(...a),
  ...selectionSlice(...a),
  ...graphSlice(...a),
  ...panelsSlice(...a),
  ...layoutSlice(...a),
  ...themeSlice(...a),
});

/** A store outside React (tests; the app uses the hook in index.ts, made of the same state). */
export function createStudioStore(): StoreApi<StudioState> {
  return createStore<StudioState>()(studioState);
}

export type StudioStore = StoreApi<StudioState>;
