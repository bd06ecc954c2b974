/** Exports one path of an actor's chain (a branch, or a range of it) as a bundle file. Streams: constant memory. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decode } from '../chain/canonical.ts';
import { sha256, toHex, type Hash } from '../chain/entry.ts';
import { loadManifest } from '../manifest/index.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import { BUNDLE_FORMAT, BundleWriter } from './bundle-format.ts';
import { readEntry, TimeTravelError } from './state.ts';

export interface ExportOptions {
  readonly actor: string;
  /** Default: the live branch. */
  readonly branch?: string;
  /** First entry of a range (default: the root). */
  readonly from?: Hash;
  /** Last entry (default: the branch head). */
  readonly to?: Hash;
  /** Embed the component's bytes, so the bundle replays where the component is not at hand. */
  readonly withComponent?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportResult {
  readonly entries: number;
  readonly blobs: number;
  readonly bytes: number;
  readonly head: string;
  readonly base: string | null;
  readonly component: string | null;
}

const WIT_FILE = fileURLToPath(new URL('../../wit/theater.wit', import.meta.url));
/** Recently written blob hashes: enough to drop the common repeats without holding a million-entry set. */
const DEDUPE_WINDOW = 65_536;

export async function exportBundle(store: ChainReader, file: string, o: ExportOptions): Promise<ExportResult> {
  const branch = o.branch ?? (await store.liveBranch(o.actor));
  const head = o.to ? await readEntry(store, o.to, o.actor) : await store.head(o.actor, branch);
  if (!head) throw new TimeTravelError(`actor ${o.actor} has no entries on branch ${branch}`);
  const from = o.from ? await readEntry(store, o.from, o.actor) : undefined;
  if (from && from.seq > head.seq) throw new TimeTravelError('--from is after --to');

  const component = await recordedComponent(store, head.id);
  const wit = existsSync(WIT_FILE) ? readFileSync(WIT_FILE, 'utf8') : null;
  const w = new BundleWriter(file);
  w.record({
    t: 'header',
    format: BUNDLE_FORMAT,
    actor: o.actor,
    branch,
    base: from?.parent ?? null,
    head: head.hash,
    entries: head.seq - (from?.seq ?? 0) + 1,
    component,
    wit,
  });
  if (o.withComponent) {
    const bytes = await componentBytes(store, o.actor, component);
    if (!bytes) throw new TimeTravelError(`the component ${component ?? '(unknown)'} is not available to embed`);
    w.record({ t: 'component', bytes });
  }
  let entries = 0;
  let blobs = 0;
  let seen = new Set<string>();
  const total = head.seq - (from?.seq ?? 0) + 1;
  for await (const page of store.path(head.id, { fromSeq: from?.seq ?? 0 })) {
    for (const e of page) {
      if (entries === 0 && from && toHex(e.hash) !== toHex(from.hash)) {
        throw new TimeTravelError(
          `--from ${toHex(from.hash).slice(0, 16)} is not an ancestor of ${toHex(head.hash).slice(0, 16)}`,
        );
      }
      for (const [h, b] of [
        [e.input, e.inputBytes],
        [e.output, e.outputBytes],
        [e.state, e.stateBytes],
      ] as const) {
        if (!h || !b) continue;
        const key = Buffer.from(h).toString('latin1');
        if (seen.has(key)) continue;
        if (seen.size >= DEDUPE_WINDOW) seen = new Set();
        seen.add(key);
        w.record({ t: 'blob', bytes: b });
        blobs++;
      }
      w.record({
        t: 'entry',
        hash: e.hash,
        parent: e.parent,
        actor: e.actor,
        seq: e.seq,
        kind: e.kind,
        iface: e.iface,
        fn: e.fn,
        input: e.input,
        output: e.output,
        state: e.state,
        cause: e.cause,
        origin: e.origin,
        ts: e.ts,
      });
      entries++;
      if (entries % 4096 === 0) o.onProgress?.(entries, total);
    }
  }
  const bytes = w.end({ entries, blobs });
  o.onProgress?.(entries, total);
  return { entries, blobs, bytes, head: toHex(head.hash), base: from?.parent ? toHex(from.parent) : null, component };
}

/** The component sha256 recorded by the latest start/resume/restart event on the path. */
async function recordedComponent(store: ChainReader, headId: number): Promise<string | null> {
  for await (const page of store.path(headId, { descending: true })) {
    for (const e of page) {
      if (e.kind !== 'event' || !e.inputBytes) continue;
      const v = decode(e.inputBytes) as { component?: unknown } | null;
      if (typeof v?.component === 'string') return v.component;
    }
  }
  return null;
}

async function componentBytes(store: ChainReader, actor: string, sha: string | null): Promise<Uint8Array | undefined> {
  if (!sha) return undefined;
  const manifest = (await store.actors()).find((a) => a.id === actor)?.manifest;
  if (manifest && existsSync(manifest)) {
    const bytes = new Uint8Array(readFileSync(loadManifest(manifest).componentPath));
    if (toHex(sha256(bytes)) === sha) return bytes;
  }
  return store.blob(Buffer.from(sha, 'hex'));
}
