/**
 * The log of actors another process runs (the Studio watching a `theater run`): that process prints it in its own
 * terminal, so the Studio reads it back from the entries it commits — the same lines `theater events --logs` shows.
 */
import { type ChainStore, decode, LogLines } from '../../runtime/index.ts';

/** A burst beyond this many entries between two looks is not replayed into the log panel line by line. */
const MAX_ENTRIES = 5000;

export class WatchedLogs {
  private readonly readers = new Map<string, LogLines>();
  /** The last row read per actor: a line is never read twice, whatever heads the watcher reports. */
  private readonly readUpTo = new Map<string, number>();

  constructor(private readonly store: ChainStore) {}

  /** Log lines in `actor`'s entries committed after row `afterId` (0: only from now on). */
  after(actor: string, afterId: number): string[] {
    const from = Math.max(afterId, this.readUpTo.get(actor) ?? 0);
    if (from === 0) return [];
    let reader = this.readers.get(actor);
    if (!reader) this.readers.set(actor, (reader = new LogLines()));
    const out: string[] = [];
    const entries = this.store.entries({ actor, afterId: from, limit: MAX_ENTRIES });
    if (entries.length > 0) this.readUpTo.set(actor, entries[entries.length - 1]!.id);
    for (const e of entries) {
      if (e.kind === 'event') reader.reset(); // a new instance: new streams
      if (e.kind !== 'import' || !e.input) continue;
      const input = this.store.blob(e.input);
      if (!input) continue;
      for (const line of reader.feed(e.iface, e.fn, decode(input)))
        out.push(line.stream === 'log' ? line.text : `${line.stream}: ${line.text}`);
    }
    return out;
  }
}
