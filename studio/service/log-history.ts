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
  type ChainReader,
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
  /** One collection at a time: two pages asked at once must not read (and add) the same rows twice. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly reader: ChainReader) {}

  async page(index: ActorIndex, branch: string, q: LogQuery): Promise<LogPage> {
    const run = this.lock.then(() => this.collect(index, branch));
    this.lock = run.catch(() => {});
    const log = await run;
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
      await this.read(index, path, log, end);
    }
    return log;
  }

  /** Positions log.scanned..end: the log imports' entries with their inputs' bytes are read in one go per window. */
  private async read(index: ActorIndex, path: Path, log: PathLog, end: number): Promise<void> {
    const rows: { readonly i: number; readonly id: number | null }[] = []; // id null: an event
    path.scan(log.scanned, end, (i, row) => {
      if (row.kind === EVENT) rows.push({ i, id: null });
      else if (row.kind === IMPORT && logSource(index.fnKey(row.fn))) rows.push({ i, id: row.id });
      return true;
    });
    const ids = rows.flatMap((r) => (r.id === null ? [] : [r.id]));
    const entries = new Map((await this.reader.entryInputs(ids)).map((e, k) => [ids[k]!, e]));
    for (const r of rows) {
      // An event starts a new instance (start, resume, restart): output the old one buffered is gone.
      if (r.id === null) {
        log.reader.reset();
        continue;
      }
      const e = entries.get(r.id);
      if (!e?.input) continue;
      let input: Value;
      try {
        input = decode(e.input);
      } catch {
        continue; // an undecodable payload logs nothing; verify names it
      }
      for (const l of log.reader.feed(e.iface, e.fn, input))
        log.lines.push({ hash: toHex(e.hash), seq: r.i, ts: e.ts, stream: l.stream, text: l.text });
    }
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
