/**
 * Builds hash-correct chains without wasm, for tests and benchmarks: entries are hashed with entryHash exactly as
 * the recorder does, and payloads become content-addressed blobs.
 */
import { encode, type Value } from '../chain/canonical.ts';
import { RUNTIME_EVENTS, entryHash, sha256, type EntryKind, type Hash, type Origin } from '../chain/entry.ts';
import type { AppendBatch } from './types.ts';

type TimedEntry = AppendBatch['entries'][number];

export interface EntryFields {
  readonly input?: Uint8Array | null;
  readonly output?: Uint8Array | null;
  /** Raw state bytes; undefined keeps the previous state. */
  readonly state?: Uint8Array | null;
  readonly cause?: Hash | null;
  readonly origin?: Origin | null;
}

export class TestChain {
  private entries: TimedEntry[] = [];
  private blobs: { hash: Hash; bytes: Uint8Array }[] = [];
  head: Hash | null = null;
  seq = -1;
  state: Hash | null = null;
  ts = 1_700_000_000_000;

  constructor(
    readonly actor: string,
    readonly branch = 'main',
  ) {}

  private blob(bytes: Uint8Array | null | undefined): Hash | null {
    if (bytes === null || bytes === undefined) return null;
    const hash = plain(sha256(bytes));
    this.blobs.push({ hash, bytes });
    return hash;
  }

  add(kind: EntryKind, iface: string, fn: string, f: EntryFields = {}): TimedEntry {
    if (f.state !== undefined) this.state = this.blob(f.state);
    const body = {
      actor: this.actor,
      seq: this.seq + 1,
      kind,
      iface,
      fn,
      input: this.blob(f.input),
      output: this.blob(f.output),
      state: this.state,
      cause: f.cause ?? null,
      origin: f.origin ?? (kind === 'call' ? 'runtime' : null),
    };
    const e = { ...body, parent: this.head, hash: plain(entryHash(this.head, body)), ts: (this.ts += 7) };
    this.entries.push(e);
    this.head = e.hash;
    this.seq = e.seq;
    return e;
  }

  /** One HTTP request to a counter: call, a log import, return with the new state. */
  counterRequest(n: number, opts: { uniqueRequests?: boolean } = {}): void {
    // Sizes as in a real counter run: request ~70 B, log ~15 B, response ~60 B, state ~12 B.
    const path = opts.uniqueRequests === false ? '/increment' : `/inc?n=${n}`;
    const request: Value = [{ method: 'POST', uri: path, headers: [['host', 'localhost']], body: null }];
    this.add('call', 'theater:simple/http-server', 'handle-request', { input: encode(request), origin: 'http' });
    this.add('import', 'theater:simple/runtime', 'log', {
      input: encode([`count is ${n}`]),
      output: encode({ return: null }),
    });
    const body = new TextEncoder().encode(`${n}`);
    const response: Value = [{ status: 200, headers: [['content-type', 'text/plain']], body }];
    this.add('return', 'theater:simple/http-server', 'handle-request', {
      output: encode(response),
      state: new TextEncoder().encode(`{"count":${n}}`),
    });
  }

  start(): void {
    this.add('event', RUNTIME_EVENTS, 'start', { input: encode({ manifest: 'counter.toml' }) });
  }

  /** Everything added since the last take, as one batch. */
  take(): AppendBatch {
    const batch = { actor: this.actor, branch: this.branch, entries: this.entries, blobs: this.blobs };
    this.entries = [];
    this.blobs = [];
    return batch;
  }
}

/** entry.ts hashes are Buffers; the store returns plain Uint8Arrays. Tests compare with toEqual, which tells them apart. */
function plain(h: Uint8Array): Uint8Array {
  return new Uint8Array(h);
}
