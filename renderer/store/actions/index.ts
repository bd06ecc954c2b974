/**
 * The Studio's actions, built by `createActions(store, api)`: everything that talks to the service and then updates
 * the store. Components call these; they never call the API and set state in two places. Each group keeps its
 * in-flight requests and timers in its own closure, so a test builds a fresh set over a fresh store and a fake
 * client (actions.test.ts) — no module-level state.
 */
import type { StudioClient } from '../../api/client.ts';
import type { StudioStore } from '../create-store.ts';
import { actorActions } from './actors.ts';
import { entryActions } from './entries.ts';
import { linkActions } from './links.ts';
import { liveActions } from './live.ts';
import { logActions } from './logs.ts';
import { noticeActions } from './notices.ts';
import { taskActions } from './tasks.ts';
import type { ActionContext, Actions } from './types.ts';

export function createActions(store: StudioStore, api: StudioClient): Actions {
  const ctx: ActionContext = { store, api, get: store.getState };
  // The groups call each other through this object, filled in once they are all built.
  const a = {} as Actions;
  Object.assign(
    a,
    noticeActions(ctx),
    actorActions(ctx, a),
    entryActions(ctx, a),
    logActions(ctx),
    linkActions(ctx, a),
    liveActions(ctx, a),
    taskActions(ctx, a),
  );
  return a;
}

export type { Actions } from './types.ts';
export { errorMessage } from '../../api/client.ts';
