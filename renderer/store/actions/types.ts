/**
 * What the actions are (one interface per group) and what every group is built from. Kept apart from the groups so
 * that they can call each other through the assembled `Actions` without importing each other.
 */
import type {
  EntryView,
  Hex,
  HttpFire,
  HttpFireResult,
  MessageFire,
  MessageFireResult,
  OpenResult,
  StudioEvents,
  StudioLink,
  UploadedFile,
} from '../../../studio/contract.ts';
import type { StudioClient } from '../../api/client.ts';
import type { StudioStore } from '../create-store.ts';
import type { NoticeTone, StudioState } from '../slices.ts';

export interface ActionContext {
  readonly store: StudioStore;
  readonly api: StudioClient;
  get(): StudioState;
}

export interface NoticeActions {
  /** Shows a notice; it goes away by itself (errors stay longer) or when dismissed. */
  notify(tone: NoticeTone, text: string): void;
  /** A failed request, shown as an error notice: "what: why". Lost connections are shown by the toolbar instead. */
  report(what: string, e: unknown): void;
  /** Runs `p` for its effect; a failure is reported, never swallowed. */
  guard(what: string, p: Promise<unknown>): void;
  dismiss(id: number): void;
}

export interface ActorActions {
  /** Reloads the actor list (one load at a time; callers during a load share one more after it). */
  refreshActors(): Promise<void>;
  /** Puts an actor on screen: resets what belonged to the previous one, opens on its head, verifies it. */
  showActor(id: string): Promise<void>;
  refreshBranches(): Promise<void>;
  /**
   * Shows another branch of the actor in the list, stepping and the inspector. The selected entry stays selected if
   * that branch has it too (history shared before the fork), else the branch opens on its head; "Following head" is
   * on exactly when the selection is the branch's newest row. `callerSelects`: the caller selects an entry on it
   * next (selectHash), so the selection is only cleared.
   */
  viewBranch(name: string, opts?: { readonly callerSelects?: boolean }): Promise<void>;
  /** Start, stop or restart from the actor tree; a refusal is reported. */
  actorCommand(actor: string, command: 'startActor' | 'stopActor' | 'restartActor'): Promise<void>;
  /** Opens a manifest by path; the result (a load error names file and line) is for the dialog to show. */
  openManifest(path: string): Promise<OpenResult>;
  uploadManifest(manifest: UploadedFile, files: readonly UploadedFile[]): Promise<OpenResult>;
}

export interface EntryActions {
  /** Makes sure list page `page` is loaded and current (callers share a request already in flight). */
  ensurePage(page: number): Promise<void>;
  /** The list row at `index`, fetching its page if needed. */
  entryAt(index: number): Promise<EntryView | null>;
  selectIndex(index: number): Promise<void>;
  step(delta: number): Promise<void>;
  /** Selects an entry by hash (graph click, causal link, divergence), switching actor and list branch to it. */
  selectHash(hash: Hex, branch?: string): Promise<void>;
  /** "Pick for diff": A, then B. */
  pickDiff(e: EntryView): void;
  /** Shift-click: A is the selected entry (if none picked yet), B the clicked one. */
  shiftPick(e: EntryView): void;
  /**
   * Changes the list's filter. The selection stays, and its position is looked up in the list as now filtered
   * (none when the filter hides it): the position readout and stepping go from there.
   */
  setFilter(f: Partial<StudioState['filter']>): Promise<void>;
  /** Loads one graph window (`force`: again, because it grew). */
  ensureChunk(branch: string, chunk: number, force?: boolean): Promise<void>;
  /**
   * "Following head": on, the selection (and with it the list, Details and the graph) stays on the newest entry of
   * the list as entries arrive, starting now; off, it stays where it is. Selecting any other entry turns it off,
   * selecting the newest turns it on.
   */
  setFollow(on: boolean): void;
  /** While following: select the list's newest entry (one run at a time; a call during a run asks for one more). */
  followHead(headSeq?: number): Promise<void>;
}

export interface LogActions {
  /** Makes sure page `page` of the actor's recorded log (as filtered) is loaded and current. */
  ensureLogPage(page: number): Promise<void>;
}

export interface LinkActions {
  /**
   * Goes to a permalink's place: actor, branch, entry, diff picks. What is not there yet (a bundle still to be
   * imported, an entry not yet recorded) is waited for, and the user is told; the link applies once it arrives.
   */
  openLink(link: StudioLink): Promise<void>;
  /** Applies the waiting link if its data has arrived; true when no link is waiting any more. */
  applyPendingLink(): Promise<boolean>;
  /** Whether a link is waiting (the address bar must not be rewritten meanwhile). */
  linkPending(): boolean;
  /** A hash, or 6+ of its first hex digits, typed in the search: go to that entry. False when none starts so. */
  jumpToHash(prefix: string): Promise<boolean>;
}

export interface LiveActions {
  /** Wires the client's connection state and pushed events into the store; returns the unsubscribe. */
  connect(): () => void;
  onNewEntries(p: StudioEvents['entries']): void;
  /** Re-checks integrity (one check at a time; callers share the one running). */
  runVerify(): Promise<void>;
  /** Resolves once no verify is running. */
  verifySettled(): Promise<void>;
}

export interface TaskActions {
  /** Replays the list's branch (against another build with `componentPath`); a divergence is selected. */
  runReplay(componentPath?: string): Promise<void>;
  /** "Continue from here": fork at the entry, make the fork live, and show it. Errors are the caller's to show. */
  continueFrom(entry: EntryView): Promise<void>;
  /** Fires an HTTP request and highlights the entries it produced; kept in the history either way. */
  fireHttp(req: HttpFire): Promise<HttpFireResult>;
  fireMessage(req: MessageFire): Promise<MessageFireResult>;
  /** Exports the list's branch; in a browser the file is downloaded. */
  exportBundle(download: (url: string, name: string) => void): Promise<void>;
  importBundle(upload: UploadedFile): Promise<void>;
}

export type Actions = NoticeActions &
  ActorActions &
  EntryActions &
  LogActions &
  LinkActions &
  LiveActions &
  TaskActions;
