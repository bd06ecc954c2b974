/**
 * What the service pushes: the connection's state, new entries (coalesced), actors starting and stopping, progress
 * of long tasks, and the integrity re-check that follows new entries.
 */
import { CHUNK } from '../../viz/layout/viewport.ts';
import type { ActionContext, Actions, LiveActions } from './types.ts';
import { errorMessage } from '../../api/client.ts';

/** A busy actor reports entries many times a second: one refresh per this many ms per branch. */
const FLUSH_MS = 100;
/**
 * Integrity is re-checked this long after new entries, and then at most this often while they keep coming (a
 * debounce would never re-check during a long burst, and the badge would go stale); a check that took long spaces the
 * next ones out (twice its duration), so a big chain is not re-verified back to back.
 */
const VERIFY_AFTER_MS = 1000;

export function liveActions(ctx: ActionContext, a: Actions): LiveActions {
  const { get, api } = ctx;
  const pendingHeads = new Map<string, number>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let verifyTimer: ReturnType<typeof setTimeout> | null = null;
  let unverified = false;
  let lastVerifyMs = 0;
  // The service answers one long task at a time more reliably: replay waits for a verify in flight, and the
  // automatic re-check skips while a replay runs (it is redone once the replay finishes).
  let verifyInFlight: Promise<void> | null = null;

  function connect(): () => void {
    let wasOpen = false;
    // A web page comes with the opening's replies (studio/contract.ts §The opening): the actor and its graph are
    // shown from them now, not once the socket opens; what was recorded since the page was served is caught up with
    // when it opens (catchUp).
    if (api.opening) a.guard('Loading actors', a.refreshActors());
    const offs = [
      api.onState((state, retry) => {
        get().setConnection(state, retry);
        // On (re)connect, reload everything: events missed while disconnected (or before the socket first opened)
        // are not replayed.
        if (state === 'open') {
          if (wasOpen) {
            get().invalidateEntries(false);
            get().invalidateLog(false);
          }
          wasOpen = true;
          a.guard('Loading actors', catchUp());
          a.guard('Loading branches', a.refreshBranches());
        }
      }),
      api.on('entries', (p) => onNewEntries(p)),
      api.on('actors', () => a.guard('Loading actors', a.refreshActors())),
      api.on('actorStatus', ({ actor, status }) => get().setActorStatus(actor, status)),
      api.on('progress', (p) => get().setProgress(p.done >= p.total ? null : p)),
      api.on('componentChanged', (p) => get().setComponentChanged(p)),
      // An actor failed (trapped, ran past its time limit): say so whichever actor is on screen. Its own log lines
      // are not notices: the log panel reads them from the chain.
      api.on('log', (l) => l.failure && a.notify('error', `${l.actor}: ${l.msg}`)),
    ];
    return () => offs.forEach((off) => off());
  }

  /** The actors as the service has them now; if the head of the one on screen moved meanwhile, as if it were told. */
  async function catchUp(): Promise<void> {
    const before = get().actors.find((x) => x.id === get().actorId);
    await a.refreshActors();
    const now = get().actors.find((x) => x.id === get().actorId);
    if (before && now && now.id === before.id && now.seq !== before.seq) {
      pendingHeads.set(now.liveBranch, now.seq);
      flushTimer ??= setTimeout(flushEntries, 0);
    }
  }

  function onNewEntries(p: { actor: string; branch: string; seq: number }): void {
    if (p.actor !== get().actorId) return;
    pendingHeads.set(p.branch, Math.max(p.seq, pendingHeads.get(p.branch) ?? -1));
    flushTimer ??= setTimeout(flushEntries, FLUSH_MS);
    // Re-check integrity as entries arrive, so the badge never lags far behind what is on screen.
    unverified = true;
    scheduleVerify();
  }

  function scheduleVerify(): void {
    verifyTimer ??= setTimeout(
      () => {
        verifyTimer = null;
        if (!unverified) return;
        // A replay verifies when it is done; meanwhile the service has one long task at a time.
        if (get().replay.phase === 'running') return scheduleVerify();
        unverified = false;
        const started = Date.now();
        void runVerify().finally(() => {
          lastVerifyMs = Date.now() - started;
          if (unverified) scheduleVerify();
        });
      },
      Math.max(VERIFY_AFTER_MS, 2 * lastVerifyMs),
    );
  }

  function flushEntries(): void {
    flushTimer = null;
    const s = get();
    a.guard('Loading branches', a.refreshBranches());
    for (const [branch, seq] of pendingHeads) {
      // Only the chunk holding the new head (and the one before, when the batch crossed a boundary) changed.
      const chunk = Math.floor(seq / CHUNK);
      a.guard('Loading the graph', a.ensureChunk(branch, chunk, true));
      if (chunk > 0) a.guard('Loading the graph', a.ensureChunk(branch, chunk - 1, true));
      if (branch === s.viewBranch) {
        s.invalidateEntries(false);
        s.invalidateLog(false);
        // Following: the selection moves to the new head (the list and Details follow the selection).
        if (s.follow) a.guard('Following the head', a.followHead(seq));
      }
    }
    pendingHeads.clear();
    // A permalink to an entry not recorded yet lands once it is.
    if (a.linkPending()) a.guard('Opening the link', a.applyPendingLink());
  }

  function runVerify(): Promise<void> {
    verifyInFlight ??= doVerify().finally(() => (verifyInFlight = null));
    return verifyInFlight;
  }

  /** Never rejects: the outcome, failure included, is the store's `verify`, which the badge shows. */
  async function doVerify(): Promise<void> {
    const s = get();
    s.setVerify({ phase: 'running' });
    try {
      const r = await api.call('verify', s.actorId ? { actor: s.actorId } : {});
      get().setVerify({ phase: 'done', result: r });
    } catch (e) {
      get().setVerify({ phase: 'error', message: errorMessage(e) });
    }
  }

  return {
    connect,
    onNewEntries,
    runVerify,
    verifySettled: async () => {
      await verifyInFlight;
    },
  };
}
