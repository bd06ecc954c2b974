/**
 * Builds hash-correct chains without wasm, for tests and benchmarks: the runtime's own ChainBuilder with raw bytes
 * for payloads and a deterministic clock, so the store is tested on exactly the entries the recorder makes.
 */
import { ChainBuilder, EMPTY_HEAD, type ChainHead, type TimedEntry } from '../chain/builder.ts';
import { encode, type Value } from '../chain/canonical.ts';
import { RUNTIME_EVENTS, type EntryKind, type Hash, type Origin } from '../chain/entry.ts';
import type { AppendBatch } from './types.ts';

export interface EntryFields {
  readonly input?: Uint8Array | null;
  readonly output?: Uint8Array | null;
  /** Raw state bytes; undefined keeps the previous state. */
  readonly state?: Uint8Array | null;
  readonly cause?: Hash | null;
  readonly origin?: Origin | null;
}

export class TestChain {
  private ts = 1_700_000_000_000;
  private readonly chain: ChainBuilder;

  /** `from`: continue an existing chain (e.g. a fork's base) instead of starting a new one. */
  constructor(
    readonly actor: string,
    readonly branch = 'main',
    from: ChainHead = EMPTY_HEAD,
  ) {
    this.chain = new ChainBuilder(actor, from, null, () => (this.ts += 7));
  }

  /** The head's hash (a plain Uint8Array, as the store returns it: toEqual tells Buffers apart). */
  get head(): Hash | null {
    return plain(this.chain.head.hash);
  }

  add(kind: EntryKind, iface: string, fn: string, f: EntryFields = {}): TimedEntry {
    if (f.state !== undefined) this.chain.setState(f.state);
    const blob = (b: Uint8Array | null | undefined) => (b ? this.chain.blob(b) : null);
    return this.chain.append(kind, iface, fn, {
      input: blob(f.input),
      output: blob(f.output),
      cause: f.cause ?? null,
      origin: f.origin ?? (kind === 'call' ? 'runtime' : null),
    });
  }

  /**
   * A message this actor handles: a message-server-client call "ping n" caused by `cause` (the sender's head), origin
   * actor, and its return with the state [n & 255].
   */
  ping(n: number, cause: Hash | null): void {
    this.add('call', 'theater:simple/message-server-client', 'handle-send', {
      input: new TextEncoder().encode(`ping ${n}`),
      cause,
      origin: 'actor',
    });
    this.add('return', 'theater:simple/message-server-client', 'handle-send', { state: new Uint8Array([n & 255]) });
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

  /** Everything added since the last take, as one batch; hashes as plain Uint8Arrays, like the store returns. */
  take(): AppendBatch {
    const { entries, blobs } = this.chain.drain();
    return {
      actor: this.actor,
      branch: this.branch,
      entries: entries.map((e) => ({
        ...e,
        hash: plain(e.hash)!,
        parent: plain(e.parent),
        input: plain(e.input),
        output: plain(e.output),
        state: plain(e.state),
      })),
      blobs: blobs.map((b) => ({ hash: plain(b.hash)!, bytes: b.bytes })),
    };
  }
}

/** entry.ts hashes are Buffers; toEqual tells them apart from the store's plain Uint8Arrays. */
function plain(h: Uint8Array | null): Uint8Array | null {
  return h && new Uint8Array(h);
}
