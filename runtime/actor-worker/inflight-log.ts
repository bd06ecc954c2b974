/**
 * The in-flight log: what the export call in progress has recorded since its worker last posted entries, kept in
 * a SharedArrayBuffer that the main thread reads only when the worker dies mid-call (timeout, crash, out of
 * memory). So a call that never returns still leaves what it did on record, without a postMessage and a store
 * batch after every import crossing: a call's entries normally travel once, with its result.
 *
 * Layout: Int32 [0] = bytes published after the 8-byte header; then records, each a 4-byte length and one
 * canonical value: an entry, a blob or a log line. The worker writes a record's bytes first and publishes the new
 * length after (Atomics), so the main thread never reads half a record.
 */
import { decode, encode, type Value } from '../chain/canonical.ts';
import type { Batch, Blob, TimedEntry } from '../chain/builder.ts';
import type { EntryKind, Hash, Origin } from '../chain/entry.ts';

const HEADER = 8;
/** A call that records more than this before its result goes back to posting its entries as it goes. */
const INFLIGHT_BYTES = 64 * 1024;

/** One per worker instance (a fresh instance starts with an empty log). */
export function inflightBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + INFLIGHT_BYTES);
}

type LogRecord = ['e', ...Value[]] | ['b', Hash, Uint8Array] | ['l', string];

/** The worker's side: appends what the call recorded since the last append. */
export class InflightWriter {
  private readonly published: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private used = 0;
  private entries = 0;
  private blobs = 0;
  private logs = 0;

  constructor(buffer: SharedArrayBuffer) {
    this.published = new Int32Array(buffer, 0, 1);
    this.bytes = new Uint8Array(buffer, HEADER);
    this.view = new DataView(buffer, HEADER);
  }

  /**
   * Appends the entries, blobs and log lines of the pending batch beyond those appended already. False when they
   * do not fit: the caller posts the batch instead (and then calls reset).
   */
  append(batch: Batch, logs: readonly string[]): boolean {
    const records: Uint8Array[] = [];
    for (const b of batch.blobs.slice(this.blobs)) records.push(encode(['b', b.hash, b.bytes] satisfies LogRecord));
    for (const e of batch.entries.slice(this.entries)) {
      const fields = [
        e.hash,
        e.parent,
        e.seq,
        e.kind,
        e.iface,
        e.fn,
        e.input,
        e.output,
        e.state,
        e.cause,
        e.origin,
        e.ts,
      ];
      records.push(encode(['e', ...fields] satisfies LogRecord));
    }
    for (const line of logs.slice(this.logs)) records.push(encode(['l', line] satisfies LogRecord));
    let at = this.used;
    for (const r of records) {
      if (at + 4 + r.length > this.bytes.length) return false;
      this.view.setUint32(at, r.length);
      this.bytes.set(r, at + 4);
      at += 4 + r.length;
    }
    [this.used, this.entries, this.blobs, this.logs] = [at, batch.entries.length, batch.blobs.length, logs.length];
    Atomics.store(this.published, 0, at);
    return true;
  }

  /** What was appended has been posted to the main thread. */
  reset(): void {
    [this.used, this.entries, this.blobs, this.logs] = [0, 0, 0, 0];
    Atomics.store(this.published, 0, 0);
  }
}

/** The main thread's side: what the dead worker's call had published. */
export function readInflight(buffer: SharedArrayBuffer, actor: string): { batch: Batch; logs: string[] } {
  const end = Atomics.load(new Int32Array(buffer, 0, 1), 0);
  const bytes = new Uint8Array(buffer, HEADER, end).slice();
  const view = new DataView(bytes.buffer);
  const entries: TimedEntry[] = [];
  const blobs: Blob[] = [];
  const logs: string[] = [];
  for (let at = 0; at < end;) {
    const n = view.getUint32(at);
    const r = decode(bytes.subarray(at + 4, at + 4 + n)) as LogRecord;
    at += 4 + n;
    if (r[0] === 'b') blobs.push({ hash: r[1], bytes: r[2] });
    else if (r[0] === 'l') logs.push(r[1]);
    else {
      const [hash, parent, seq, kind, iface, fn, input, output, state, cause, origin, ts] = r.slice(1) as [
        Hash,
        Hash | null,
        number,
        EntryKind,
        string,
        string,
        Hash | null,
        Hash | null,
        Hash | null,
        Hash | null,
        Origin | null,
        number,
      ];
      entries.push({ actor, hash, parent, seq, kind, iface, fn, input, output, state, cause, origin, ts });
    }
  }
  return { batch: { entries, blobs }, logs };
}
