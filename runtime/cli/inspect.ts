/** Read-only commands: events, verify, state. */
import { summarizeEntry, toDisplay, bytesAsJson } from '../chain/describe.ts';
import { decode } from '../chain/canonical.ts';
import { toHex } from '../chain/entry.ts';
import { LogLines } from '../chain/log-lines.ts';
import { verifyChain } from '../chain/verify.ts';
import type { ChainStore, StoredEntry } from '../store/index.ts';
import { openExisting, resolveActor, resolveEntry } from './context.ts';

export function eventsCommand(db: string, o: { actor?: string; json?: boolean; limit?: number; logs?: boolean }): void {
  const store = openExisting(db);
  try {
    if (o.actor !== undefined) resolveActor(store, o.actor);
    if (o.logs) return logsOnly(store, o.actor);
    // One snapshot: the count and the listing agree even while a writer appends (--limit n prints n).
    store.snapshot(() => listEvents(store, o));
  } finally {
    store.close();
  }
}

function listEvents(store: ChainStore, o: { actor?: string; json?: boolean; limit?: number }): void {
  const total = store.countEntries(o.actor);
  const skip = o.limit !== undefined ? Math.max(0, total - o.limit) : 0;
  const blob = (h: Uint8Array) => store.blob(h);
  let i = 0;
  for (const e of store.iterateEntries({ actor: o.actor })) {
    if (i++ < skip) continue;
    const summary = summarizeEntry(e, blob);
    process.stdout.write(o.json ? `${JSON.stringify(jsonLine(e, summary))}\n` : `${textLine(e, summary)}\n`);
    // The reader went away (`theater events | head`): the write failed with EPIPE and destroyed stdout.
    if (process.stdout.destroyed) break;
  }
}

/** The actor's log read back from the chain: runtime.log lines and stdout/stderr lines, as they were shown live. */
function logsOnly(store: ReturnType<typeof openExisting>, actor: string | undefined): void {
  const readers = new Map<string, LogLines>();
  for (const e of store.iterateEntries({ actor })) {
    let reader = readers.get(e.actor);
    if (!reader) readers.set(e.actor, (reader = new LogLines()));
    if (e.kind === 'event') reader.reset(); // a new instance: new streams
    if (e.kind !== 'import' || !e.input) continue;
    const input = store.blob(e.input);
    if (!input) continue;
    for (const line of reader.feed(e.iface, e.fn, decode(input))) {
      const mark = line.stream === 'log' ? '' : ` ${line.stream}`;
      process.stdout.write(`${e.actor} #${e.seq}${mark}: ${line.text}\n`);
    }
    if (process.stdout.destroyed) break; // the reader went away
  }
}

function jsonLine(e: StoredEntry, summary: string): object {
  return {
    hash: toHex(e.hash),
    parent: e.parent && toHex(e.parent),
    actor: e.actor,
    seq: e.seq,
    kind: e.kind,
    interface: e.iface,
    function: e.fn,
    summary,
    origin: e.origin,
    cause: e.cause && toHex(e.cause),
    state: e.state && toHex(e.state),
    branch: e.branch,
    ts: e.ts,
  };
}

const KIND_MARK = { call: '→', return: '←', error: '✗', import: '⇄', event: '•' } as const;

function textLine(e: StoredEntry, summary: string): string {
  const fn = e.kind === 'event' ? e.fn : `${e.iface.replace(/^theater:simple\//, '')}#${e.fn}`;
  const origin = e.origin && e.origin !== 'runtime' ? ` [${e.origin}]` : '';
  return `${e.actor} #${e.seq} ${toHex(e.hash).slice(0, 12)} ${KIND_MARK[e.kind]} ${e.kind.padEnd(6)} ${fn}${origin} ${summary}`;
}

export function verifyCommand(db: string, o: { actor?: string }): void {
  const store = openExisting(db);
  try {
    const tty = process.stderr.isTTY;
    const r = verifyChain(store, {
      actor: o.actor,
      onProgress: (done, total) => tty && process.stderr.write(`\rverifying ${done}/${total}`),
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (r.ok) {
      const heads = r.heads.filter((h) => h.hash).map((h) => `${h.actor}/${h.branch} ${h.hash}`);
      console.log(`${r.count} entries verified, head${heads.length > 1 ? 's' : ''} ${heads.join(', ') || 'none'}`);
    } else {
      console.log(`verification FAILED after ${r.count} good entries`);
      console.log(`  entry:  ${r.entry ?? '(not an entry)'}`);
      console.log(`  reason: ${r.reason}`);
      process.exitCode = 1;
    }
  } finally {
    store.close();
  }
}

export function stateCommand(db: string, o: { actor?: string; at?: string }): void {
  const store = openExisting(db);
  try {
    let entry: StoredEntry | undefined;
    if (o.at) entry = resolveEntry(store, o.at, o.actor);
    else {
      const actor = resolveActor(store, o.actor);
      entry = store.head(actor, store.liveBranch(actor));
    }
    if (!entry) throw new Error('no entries yet');
    const bytes = entry.state ? store.blob(entry.state) : undefined;
    const where = `${entry.actor} #${entry.seq} ${toHex(entry.hash).slice(0, 12)}`;
    if (!bytes) return void console.log(`${where}: no state`);
    const json = bytesAsJson(bytes);
    console.log(json !== undefined ? JSON.stringify(json, null, 2) : JSON.stringify(toDisplay(bytes)));
    if (process.stderr.isTTY) console.error(`(state as of ${where})`);
  } finally {
    store.close();
  }
}
