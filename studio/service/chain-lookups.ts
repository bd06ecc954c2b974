/**
 * How a person looks for things in a chain, beyond paging it: an actor's log read back from its entries. The
 * service delegates these methods here; they read through the same path index as the entry list.
 */
import { toHex, type ActorIndex, type ChainStore } from '../../runtime/index.ts';
import type { EntryView, Hex, LogPage, LogQuery } from '../contract.ts';
import { LogHistory } from './log-history.ts';

export interface LookupDeps {
  readonly store: ChainStore;
  /** The actor's path index once it holds the whole chain (refuses unknown actors). */
  fullIndex(actor: string): Promise<ActorIndex>;
  /** The branch asked for, or the actor's live branch; refuses a branch the actor does not have. */
  branchOf(actor: string, branch: string | undefined): Promise<string>;
  /** An entry as the list shows it (its no-op flag from its path). */
  entry(hash: Hex): Promise<EntryView>;
}

export class ChainLookups {
  private readonly logs: LogHistory;

  constructor(private readonly deps: LookupDeps) {
    this.logs = new LogHistory(deps.store);
  }

  async logHistory(q: LogQuery): Promise<LogPage> {
    const index = await this.deps.fullIndex(q.actor);
    return this.logs.page(index, await this.deps.branchOf(q.actor, q.branch), q);
  }

  /** Entries whose hash starts with the prefix, oldest first (a 6-digit prefix is almost always unique). */
  async findEntries(p: { prefix: string; limit: number }): Promise<readonly EntryView[]> {
    const found = this.deps.store.entriesByPrefix(p.prefix).slice(0, p.limit);
    return Promise.all(found.map((e) => this.deps.entry(toHex(e.hash))));
  }
}
