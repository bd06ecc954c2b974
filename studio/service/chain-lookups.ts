/**
 * How a person looks for things in a chain, beyond paging it: an actor's log read back from its entries. The
 * service delegates these methods here; they read through the same path index as the entry list.
 */
import type { ActorIndex, ChainStore } from '../../runtime/index.ts';
import type { LogPage, LogQuery } from '../contract.ts';
import { LogHistory } from './log-history.ts';

export interface LookupDeps {
  readonly store: ChainStore;
  /** The actor's path index once it holds the whole chain (refuses unknown actors). */
  fullIndex(actor: string): Promise<ActorIndex>;
  /** The branch asked for, or the actor's live branch; refuses a branch the actor does not have. */
  branchOf(actor: string, branch: string | undefined): string;
}

export class ChainLookups {
  private readonly logs: LogHistory;

  constructor(private readonly deps: LookupDeps) {
    this.logs = new LogHistory(deps.store);
  }

  async logHistory(q: LogQuery): Promise<LogPage> {
    const index = await this.deps.fullIndex(q.actor);
    return this.logs.page(index, this.deps.branchOf(q.actor, q.branch), q);
  }
}
