/**
 * Rewind without rewriting: "continue from entry X" creates a branch whose history is X's, and the actor goes on
 * from there. The old branch keeps every entry and stays verifiable; any branch can be made live again.
 */
import { ChainBuilder } from '../chain/builder.ts';
import { RUNTIME_EVENTS, hashEquals, toHex, type Hash } from '../chain/entry.ts';
import type { BranchRow, ChainStore } from '../store/index.ts';
import { DamagedChainError, entryOrThrow, TimeTravelError } from './state.ts';

export interface BranchInfo extends BranchRow {
  readonly live: boolean;
  /** seq of the head entry, -1 when empty. */
  readonly seq: number;
}

export function listBranches(store: ChainStore, actor: string): BranchInfo[] {
  const live = store.liveBranch(actor);
  return store.branches(actor).map((b) => ({
    ...b,
    live: b.name === live,
    seq: b.head ? (store.entry(b.head, actor)?.seq ?? -1) : -1,
  }));
}

export function nextForkName(store: ChainStore, actor: string): string {
  const taken = new Set(store.branches(actor).map((b) => b.name));
  let n = 1;
  while (taken.has(`fork-${n}`)) n++;
  return `fork-${n}`;
}

export interface ForkResult {
  readonly actor: string;
  readonly branch: string;
  /** The branch's head: the `fork` event (child of the fork point), or the existing head when switching. */
  readonly head: Hash;
  readonly created: boolean;
}

/**
 * Makes `hash` the live point of its actor: a new branch (named, or fork-1, fork-2, ...) whose first entry is a
 * `fork` event {branch, from} on top of `hash`, or, when `branch` names an existing branch whose head is `hash`,
 * just that branch. The fork event carries the branch name so that two forks from one point never share their
 * first entry (entries are content-addressed: identical entries would be one row), and records in the chain
 * itself that history was rewound here. Its state is the state at `hash`.
 */
export function forkAt(store: ChainStore, hash: Hash, branch?: string, actor?: string): ForkResult {
  const at = entryOrThrow(store, hash, actor);
  const existing = branch === undefined ? undefined : store.branches(at.actor).find((b) => b.name === branch);
  if (existing) {
    if (!existing.head || !hashEquals(existing.head, hash)) {
      throw new TimeTravelError(
        `branch ${at.actor}/${branch} exists with head ${existing.head ? toHex(existing.head).slice(0, 16) : 'none'}; ` +
          'pick another name to fork, or give its head to make it live',
      );
    }
    store.setLiveBranch(at.actor, existing.name);
    return { actor: at.actor, branch: existing.name, head: hash, created: false };
  }
  const name = branch ?? nextForkName(store, at.actor);
  if (!/^[\w.-]{1,64}$/.test(name))
    throw new TimeTravelError(`branch name ${JSON.stringify(name)}: use 1-64 letters, digits, . _ -`);
  const stateBytes = at.state ? store.blob(at.state) : null;
  if (stateBytes === undefined) {
    throw new DamagedChainError(
      `cannot fork at ${toHex(at.hash)}: its state blob ${toHex(at.state!)} is missing, or its bytes no longer hash ` +
        'to it; `theater verify` names the first bad entry',
    );
  }
  const b = new ChainBuilder(at.actor, { hash: at.hash, seq: at.seq, state: at.state }, stateBytes);
  const event = b.append('event', RUNTIME_EVENTS, 'fork', { input: b.value({ branch: name, from: toHex(at.hash) }) });
  store.transaction(() => {
    store.createBranch(at.actor, name, at.hash);
    store.appendBatches([{ actor: at.actor, branch: name, ...b.drain() }]);
    store.setLiveBranch(at.actor, name);
  });
  return { actor: at.actor, branch: name, head: event.hash, created: true };
}

/** Makes an existing branch the one the actor runs on next (a running actor: see ActorSystem.continueFrom). */
export function makeLive(store: ChainStore, actor: string, branch: string): void {
  store.setLiveBranch(actor, branch);
}
