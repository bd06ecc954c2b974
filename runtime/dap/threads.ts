/**
 * The adapter's threads: one per actor of the db, each a cursor (a position = seq) on one branch of that actor.
 * A thread's branch view is built the first time something asks for it, so a db of many actors opens fast.
 */
import { toHex } from '../index.ts';
import type { BranchView, ChainView } from './chain-view.ts';
import { listingText } from './listing.ts';

export interface ThreadState {
  readonly id: number;
  readonly actor: string;
  readonly branch: string;
  pos: number;
  view: BranchView | undefined;
  /** The listing source served for this thread, and the path length it was made for. */
  listing: { readonly ref: number; readonly length: number; text: string | undefined } | undefined;
}

export class Threads {
  private readonly list: ThreadState[] = [];
  private nextListingRef = 1;
  /** sourceReference → thread id. */
  private readonly listings = new Map<number, number>();

  constructor(private readonly chain: ChainView) {}

  /** Adds a thread for every actor that has none yet (new actors appear while attached). */
  async sync(branchFor?: (actor: string) => string | undefined): Promise<void> {
    for (const actor of await this.chain.actors()) {
      if (this.list.some((t) => t.actor === actor)) continue;
      const branch = branchFor?.(actor) ?? (await this.chain.liveBranch(actor));
      this.list.push({ id: this.list.length + 1, actor, branch, pos: 0, view: undefined, listing: undefined });
    }
  }

  all(): readonly ThreadState[] {
    return this.list;
  }

  get(id: number): ThreadState {
    const t = this.list.find((x) => x.id === id);
    if (!t) throw new Error(`no thread ${id}`);
    return t;
  }

  byActor(actor: string): ThreadState {
    const t = this.list.find((x) => x.actor === actor);
    if (!t) throw new Error(`no actor ${actor}`);
    return t;
  }

  async view(t: ThreadState): Promise<BranchView> {
    t.view ??= await this.chain.branch(t.actor, t.branch);
    return t.view;
  }

  /** The listing's source reference for the thread's current path (a new one once the path has grown). */
  listingRef(t: ThreadState): number {
    const length = t.view?.length ?? 0;
    if (!t.listing || t.listing.length !== length) {
      const ref = this.nextListingRef++;
      t.listing = { ref, length, text: undefined };
      this.listings.set(ref, t.id);
    }
    return t.listing.ref;
  }

  /** The thread whose listing `ref` is (any of its listings, old ones included). */
  byListing(ref: number): ThreadState | undefined {
    const id = this.listings.get(ref);
    return id === undefined ? undefined : this.get(id);
  }

  async listing(ref: number): Promise<string | undefined> {
    const t = this.byListing(ref);
    if (!t) return undefined;
    const view = await this.view(t);
    if (t.listing?.ref === ref) return (t.listing.text ??= await listingText(view));
    return listingText(view);
  }

  listingName(t: ThreadState): string {
    return `${t.actor}@${t.branch}.chain`;
  }

  /** "#12 return http-server.handle-request 05e20983def8" for messages. */
  async describe(t: ThreadState, i: number): Promise<string> {
    const e = await t.view?.entryAt(i);
    if (!e) return `#${i}`;
    return `#${e.seq} ${e.kind} ${e.iface.replace(/^[^/]*\//, '').replace(/@[\d.]+$/, '')}.${e.fn} ${toHex(e.hash).slice(0, 12)}`;
  }
}
