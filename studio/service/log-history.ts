/**
 * An actor's log read back from its chain, for the Studio's log panel: every line a branch's path recorded —
 * runtime.log calls and what the actor wrote to stdout/stderr through WASI, cut into lines by the runtime's own
 * reader (LogLines, as `theater events --logs` and the live log) — also from before this Studio ran or from a
 * headless `theater run`. The lines of a path are collected once, in
 * slices (a long chain must not stall the service), and extended as the chain grows; a page is then a slice of
 * them, filtered by text when asked.
 */
import {
  decode,
  ENTRY_KINDS,
  LogLines,
  mayLog,
  toHex,
  type ActorIndex,
  type ChainStore,
  type Path,
  type Value,
} from '../../runtime/index.ts';
import type { LogEntryLine, LogPage, LogQuery } from '../contract.ts';

const IMPORT = ENTRY_KINDS.indexOf('import');
const EVENT = ENTRY_KINDS.indexOf('event');
/** Path rows examined between yields to the event loop. */
const SLICE = 20_000;

interface PathLog {
  readonly lines: LogEntryLine[];
  /** Path positions below this were read. */
  scanned: number;
  pathRef: Path;
  /** The runtime's reader (runtime.log lines; stdout/stderr writes cut into lines), as `theater events --logs`. */
  reader: LogLines;
  /** The last text filter asked for, and the line indexes that matched it among the first `upTo` lines. */
  filter: { needle: string; upTo: number; matches: number[] } | null;
}

export class LogHistory {
  private readonly logs = new Map<string, PathLog>();

  constructor(private readonly store: ChainStore) {}

  async page(index: ActorIndex, branch: string, q: LogQuery): Promise<LogPage> {
    const log = await this.collect(index, branch);
    const needle = q.search?.trim().toLowerCase() ?? '';
    if (!needle)
      return { total: log.lines.length, offset: q.offset, items: log.lines.slice(q.offset, q.offset + q.limit) };
    if (!log.filter || log.filter.needle !== needle) log.filter = { needle, upTo: 0, matches: [] };
    const f = log.filter;
    for (let i = f.upTo; i < log.lines.length; i++)
      if (log.lines[i]!.text.toLowerCase().includes(needle)) f.matches.push(i);
    f.upTo = log.lines.length;
    return {
      total: f.matches.length,
      offset: q.offset,
      items: f.matches.slice(q.offset, q.offset + q.limit).map((i) => log.lines[i]!),
    };
  }

  /** The path's lines, read up to its current end. */
  private async collect(index: ActorIndex, branch: string): Promise<PathLog> {
    const key = `${index.actor}\0${branch}`;
    const path = index.path(branch);
    let log = this.logs.get(key);
    // A new path object: the chain grew (same prefix: go on from where we were) or the branch moved (start over).
    if (!log || (log.pathRef !== path && !grewFrom(log.pathRef, path, log.scanned))) {
      log = { lines: [], scanned: 0, pathRef: path, reader: new LogLines(), filter: null };
      this.logs.set(key, log);
    }
    log.pathRef = path;
    while (log.scanned < path.length) {
      const end = Math.min(path.length, log.scanned + SLICE);
      this.read(index, path, log, end);
      if (end < path.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return log;
  }

  private read(index: ActorIndex, path: Path, log: PathLog, end: number): void {
    path.scan(log.scanned, end, (i, row) => {
      // An event starts a new instance (start, resume, restart): output the old one buffered is gone.
      if (row.kind === EVENT) log.reader.reset();
      else if (row.kind === IMPORT && logSource(index.fnKey(row.fn))) {
        const e = this.store.entries({ actor: index.actor, afterId: row.id - 1, limit: 1 })[0];
        const bytes = e?.input ? this.store.blob(e.input) : undefined;
        if (e && bytes) {
          let input: Value;
          try {
            input = decode(bytes);
          } catch {
            return true; // an undecodable payload logs nothing; verify names it
          }
          for (const l of log.reader.feed(e.iface, e.fn, input))
            log.lines.push({ hash: toHex(e.hash), seq: i, ts: e.ts, stream: l.stream, text: l.text });
        }
      }
      return true;
    });
    log.scanned = end;
  }
}

/** Whether the index key ("interface#function") of an import names one that can log (the rest are not decoded). */
function logSource(key: string): boolean {
  const hash = key.indexOf('#');
  return mayLog(key.slice(0, hash), key.slice(hash + 1));
}

/** The old path is a prefix of the new one up to `n`: the chain grew, nothing was rewritten. */
function grewFrom(a: Path, b: Path, n: number): boolean {
  if (n === 0) return true;
  return a.length <= b.length && a.at(n - 1)?.id === b.at(n - 1)?.id && a.at(0)?.id === b.at(0)?.id;
}
