/** Read-only commands: events, verify, state. */
import { summarizeEntry, toDisplay } from '../chain/describe.ts';
import { decode } from '../chain/canonical.ts';
import { toHex } from '../chain/entry.ts';
import { LogLines } from '../chain/log-lines.ts';
import { verifyChain, type VerifyResult } from '../chain/verify.ts';
import { plural } from '../plural.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import type { StoredEntry } from '../store/index.ts';
import { stateAt } from '../timetravel/state.ts';
import { UsageError, resolveActor, resolveEntry, withReader, type Source } from './context.ts';

const PAGE = 2048;

export function eventsCommand(
  source: Source,
  o: { actor?: string; json?: boolean; limit?: number; logs?: boolean },
): Promise<void> {
  return withReader(source, async (store) => {
    if (o.actor !== undefined) await resolveActor(store, o.actor);
    if (o.logs) return logsOnly(store, o.actor);
    // One snapshot: the count and the listing agree even while a writer appends (--limit n prints n).
    await store.snapshot(async () => {
      const total = await store.countEntries(o.actor);
      let skip = o.limit !== undefined ? Math.max(0, total - o.limit) : 0;
      for (let afterId = 0; ;) {
        const page = await store.entries({ actor: o.actor, afterId, limit: PAGE });
        const shown = page.slice(Math.min(skip, page.length));
        skip -= page.length - shown.length;
        const blobs = await payloads(store, shown);
        let out = '';
        for (const e of shown) {
          const summary = summarizeEntry(e, (h) => blobs.get(toHex(h)));
          out += o.json ? `${JSON.stringify(jsonLine(e, summary))}\n` : `${textLine(e, summary)}\n`;
        }
        if (out) process.stdout.write(out);
        // The reader went away (`theater events | head`): the write failed with EPIPE and destroyed stdout.
        if (process.stdout.destroyed) break;
        if (page.length < PAGE) break;
        afterId = page[page.length - 1]!.id;
      }
    });
  });
}

/** The input and output blobs of a page of entries, in one read: what their summaries decode. */
export function payloads(store: ChainReader, entries: readonly StoredEntry[]): Promise<Map<string, Uint8Array>> {
  const hashes: Uint8Array[] = [];
  for (const e of entries) {
    if (e.input) hashes.push(e.input);
    if (e.output) hashes.push(e.output);
  }
  return store.blobs(hashes);
}

/** The actor's log read back from the chain: runtime.log lines and stdout/stderr lines, as they were shown live. */
async function logsOnly(store: ChainReader, actor: string | undefined): Promise<void> {
  const readers = new Map<string, LogLines>();
  for (let afterId = 0; ;) {
    const page = await store.entries({ actor, afterId, limit: PAGE });
    const inputs = await store.blobs(page.flatMap((e) => (e.kind === 'import' && e.input ? [e.input] : [])));
    let out = '';
    for (const e of page) {
      let reader = readers.get(e.actor);
      if (!reader) readers.set(e.actor, (reader = new LogLines()));
      if (e.kind === 'event') reader.reset(); // a new instance: new streams
      if (e.kind !== 'import' || !e.input) continue;
      const input = inputs.get(toHex(e.input));
      if (!input) continue;
      for (const line of reader.feed(e.iface, e.fn, decode(input))) {
        const mark = line.stream === 'log' ? '' : ` ${line.stream}`;
        out += `${e.actor} #${e.seq}${mark}: ${line.text}\n`;
      }
    }
    if (out) process.stdout.write(out);
    if (process.stdout.destroyed) break; // the reader went away
    if (page.length < PAGE) break;
    afterId = page[page.length - 1]!.id;
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

export function verifyCommand(source: Source, o: { actor?: string; full?: boolean }): Promise<void> {
  return withReader(source, async (store) => {
    const tty = process.stderr.isTTY;
    const r = await verifyChain(store, {
      actor: o.actor,
      incremental: o.full !== true,
      onProgress: (done, total) => tty && process.stderr.write(`\rverifying ${done}/${total}`),
    });
    if (tty) process.stderr.write('\r\x1b[K');
    for (const line of verifyLines(r)) console.log(line);
    if (!r.ok) process.exitCode = 1;
  });
}

/** What `verify` prints, and `hub verify` for each node. */
export function verifyLines(r: VerifyResult): string[] {
  if (r.ok) {
    const heads = r.heads.filter((h) => h.hash).map((h) => `${h.actor}/${h.branch} ${h.hash}`);
    const lines = [
      `${plural(r.count, 'entry', 'entries')} verified, head${heads.length > 1 ? 's' : ''} ${heads.join(', ') || 'none'}`,
    ];
    // Said, so that nobody takes an incremental verify for a full one (--full).
    if (r.from) {
      const at = new Date(r.from.created).toISOString();
      lines.push(
        `  ${r.count - r.from.verified} of them vouched for by the checkpoint of ${at} (its rows unchanged: their ` +
          `digest and seal check out), ${r.from.verified} after it verified in full; --full verifies all`,
      );
    } else if (r.checkpointRefused)
      lines.push(`  a full verify: the last checkpoint was refused (${r.checkpointRefused})`);
    return lines;
  }
  return [
    `verification FAILED after ${plural(r.count, 'good entry', 'good entries')}`,
    `  entry:  ${r.entry ?? '(not an entry)'}`,
    `  reason: ${r.reason}`,
  ];
}

export function stateCommand(source: Source, o: { actor?: string; at?: string }): Promise<void> {
  return withReader(source, async (store) => {
    let entry: StoredEntry | undefined;
    if (o.at) entry = await resolveEntry(store, o.at, o.actor);
    else {
      const actor = await resolveActor(store, o.actor);
      const branch = await store.liveBranch(actor);
      entry = await store.head(actor, branch);
      // The user's question has no answer yet (exit 2, like no such entry); it was a bare Error, exit 4.
      if (!entry) throw new UsageError(`actor ${actor} has no entries on its live branch ${branch} yet: no state`);
    }
    // Through stateAt: a state blob that is missing or changed is an error, not "no state".
    const { bytes, json } = await stateAt(store, entry.hash);
    const where = `${entry.actor} #${entry.seq} ${toHex(entry.hash).slice(0, 12)}`;
    if (!bytes) return void console.log(`${where}: no state`);
    console.log(json !== undefined ? JSON.stringify(json, null, 2) : JSON.stringify(toDisplay(bytes)));
    if (process.stderr.isTTY) console.error(`(state as of ${where})`);
  });
}
