/**
 * Deterministic replay as a fold over recorded entries: a fresh instance at every start/resume/restart event,
 * every export call re-issued with its recorded input through the same recorder the runtime uses, every import
 * answered from the record, and each produced entry's hash compared with the recorded one. The first mismatch is
 * returned as data (Redux DevTools' lesson: a divergence is a value on an entry, not an exception).
 *
 * What cannot be re-run is copied verbatim and counted: steps the main thread recorded because the instance was
 * killed (timeouts, worker deaths), whose guest side never finished. Runtime events are copied too (they are the
 * runtime's records, not crossings); the fork event included.
 */
import { decode, type Value } from '../chain/canonical.ts';
import { ChainBuilder, EMPTY_HEAD, type Blob, type TimedEntry } from '../chain/builder.ts';
import { toDisplay } from '../chain/describe.ts';
import { hashEquals, toHex, type Hash } from '../chain/entry.ts';
import {
  callExport,
  HostTrap,
  type ComponentInstance,
  type ImportOutcome,
  type ImportStrategy,
} from '../chain/recorder.ts';
import type { PathEntry } from '../reader/chain-reader.ts';
import { diffStates, type StateDiff } from './json-diff.ts';

/** A crossing as shown in a divergence report: decoded, display-ready. */
export interface CrossingView {
  readonly seq: number;
  readonly hash: string;
  readonly kind: string;
  readonly iface: string;
  readonly fn: string;
  readonly input: unknown;
  readonly output: unknown;
  readonly state: string | null;
}

export interface CopiedStep {
  readonly seq: number;
  readonly reason: string;
}

export type ReplayResult =
  | {
      readonly status: 'verified';
      readonly count: number;
      readonly head: string | null;
      readonly copied: readonly CopiedStep[];
    }
  | {
      readonly status: 'diverged';
      /** Entries that matched before the divergence. */
      readonly count: number;
      /** Position (seq) of the first entry that differs. */
      readonly index: number;
      readonly reason: string;
      readonly expected: CrossingView | null;
      /** What the replay produced there; null when it produced nothing (the record has more). */
      readonly got: CrossingView | null;
      /** The state after the diverging call: as recorded vs as replayed. */
      readonly stateDiff: StateDiff;
      readonly copied: readonly CopiedStep[];
    }
  | { readonly status: 'failed'; readonly count: number; readonly message: string };

/**
 * Makes a fresh instance whose imports go through the interceptor into `chain`, answered by `strategy`. `at` is the
 * entry that asks for it: a start/resume/restart event (which names the build that recorded what follows), or a
 * range's first call.
 */
export type Instantiate = (chain: ChainBuilder, strategy: ImportStrategy, at: PathEntry) => Promise<ComponentInstance>;

/** Thrown by an Instantiate that has no build to run a segment with: the replay stops there, saying this. */
export class SegmentNotReplayable extends Error {
  override readonly name = 'SegmentNotReplayable';
}

/**
 * What a replayed entry must match besides its kind and function. Leave it undefined for the strictest check,
 * every entry's hash (inputs, outputs, states, causes, origins, parents): a replay that passes reproduces the chain
 * byte for byte. A set compares only the named fields, so a chain test can pin what a change must not alter
 * (the state and the responses) and let the rest move (say, the text of a log line):
 * - `state`: the state each call left (`return` entries);
 * - `output`: each call's response or error (`return`/`error` entries);
 * - `imports`: the arguments of each import call. An import is always answered from the record, so the sequence of
 *   imported functions must stay the same either way: a call the record does not have has no answer to give.
 */
export const COMPARE_FIELDS = ['state', 'output', 'imports'] as const;
export type CompareField = (typeof COMPARE_FIELDS)[number];

export interface FoldOptions {
  readonly instantiate: Instantiate;
  readonly total?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** The path may start after the root (a range, as a chain test holds): the replay continues from its first
   *  entry's parent with that entry's state, on a fresh instance made before the first call. */
  readonly range?: boolean;
  /** Undefined: every entry's hash must match. See COMPARE_FIELDS. */
  readonly compare?: ReadonlySet<CompareField>;
}

const FRESH_INSTANCE = new Set(['start', 'resume', 'restart']);
const WORKER_DEATH = /^the actor's worker (failed|exited)/;
const PROGRESS_EVERY = 2048;

/** Answers imports from one call's recorded imports, noting the first one that differs. */
class RecordStrategy implements ImportStrategy {
  private pos = 0;
  mismatch: { expected: PathEntry | null; got: CrossingView; reason: string } | undefined;

  constructor(
    private readonly recorded: readonly PathEntry[],
    private readonly terminal: PathEntry | null,
    /** Import arguments are not compared: other arguments to the same function are answered without a word. */
    private readonly anyArguments = false,
  ) {}

  outcome(iface: string, fn: string, input: Uint8Array, inputHash: Hash): ImportOutcome {
    const rec = this.recorded[this.pos];
    const got = (): CrossingView => ({
      seq: (rec ?? this.terminal)?.seq ?? -1,
      hash: '',
      kind: 'import',
      iface,
      fn,
      input: show(input),
      output: null,
      state: null,
    });
    if (!rec || rec.iface !== iface || rec.fn !== fn) {
      const reason = rec
        ? `the component called ${iface}#${fn} where the record has ${rec.iface}#${rec.fn}`
        : `the component called ${iface}#${fn}, which the record does not have`;
      this.mismatch ??= { expected: rec ?? this.terminal, got: got(), reason };
      throw new HostTrap(`replay: ${reason}`); // nothing recorded can answer it: stop the guest
    }
    if (!this.anyArguments && !hashEquals(rec.input, inputHash)) {
      // Same function, other arguments: answer with the recorded result anyway, so the call can finish and the
      // report can show the state it would have produced.
      this.mismatch ??= { expected: rec, got: got(), reason: `${iface}#${fn} was called with other arguments` };
    }
    this.pos++;
    return decode(rec.outputBytes ?? new Uint8Array([0])) as unknown as ImportOutcome;
  }
}

function show(b: Uint8Array | null | undefined): unknown {
  if (!b) return null;
  try {
    return toDisplay(decode(b));
  } catch {
    return { undecodable: toHex(b) };
  }
}

function viewRecorded(e: PathEntry): CrossingView {
  return {
    seq: e.seq,
    hash: toHex(e.hash),
    kind: e.kind,
    iface: e.iface,
    fn: e.fn,
    input: show(e.inputBytes),
    output: show(e.outputBytes),
    state: e.state && toHex(e.state),
  };
}

function viewProduced(e: TimedEntry, blobs: readonly Blob[]): CrossingView {
  const b = (h: Hash | null) => (h ? blobs.find((x) => hashEquals(x.hash, h))?.bytes : undefined);
  return {
    seq: e.seq,
    hash: toHex(e.hash),
    kind: e.kind,
    iface: e.iface,
    fn: e.fn,
    input: show(b(e.input)),
    output: show(b(e.output)),
    state: e.state && toHex(e.state),
  };
}

/** The fold. `entries` is one path, root first. */
export async function replayFold(
  entries: AsyncIterable<PathEntry> | Iterable<PathEntry>,
  opts: FoldOptions,
): Promise<ReplayResult> {
  const it = Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : asAsync(entries[Symbol.iterator]());
  try {
    return await fold(it, opts);
  } finally {
    await it.return?.(); // a divergence stops early: release the store's statement behind the path
  }
}

function asAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}

async function fold(it: AsyncIterator<PathEntry>, opts: FoldOptions): Promise<ReplayResult> {
  const copied: CopiedStep[] = [];
  let chain: ChainBuilder | undefined;
  let current: ImportStrategy = {
    outcome: () => {
      throw new HostTrap('replay: an import outside any recorded call');
    },
  };
  const strategy: ImportStrategy = { outcome: (...a) => current.outcome(...a) };
  let instance: ComponentInstance | undefined;
  /** A stop event was replayed (in a range, a call after it is a divergence, not a reason to instantiate). */
  let stopped = false;
  let count = 0;
  let lastHead: Hash | null = null;
  let next = await it.next();
  const progress = (force = false) => {
    if (force || count % PROGRESS_EVERY < 1) opts.onProgress?.(count, opts.total ?? count);
  };

  while (!next.done) {
    const first: PathEntry = next.value;
    if (!chain) {
      if (first.parent !== null && !opts.range)
        return { status: 'failed', count, message: 'replay starts at the root of a chain' };
      chain =
        first.parent === null
          ? new ChainBuilder(first.actor, EMPTY_HEAD, null)
          : new ChainBuilder(
              first.actor,
              { hash: first.parent, seq: first.seq - 1, state: first.state },
              first.stateBytes,
            );
    }
    // One step: an event, or a call with its imports and its return/error.
    const step: PathEntry[] = [first];
    next = await it.next();
    if (first.kind === 'call') {
      while (!next.done && next.value.kind === 'import') {
        step.push(next.value);
        next = await it.next();
      }
      if (!next.done && (next.value.kind === 'return' || next.value.kind === 'error')) {
        step.push(next.value);
        next = await it.next();
      }
    }
    const terminal = step.length > 1 ? step[step.length - 1]! : null;
    const killed = terminal?.kind === 'error' ? killedReason(terminal) : undefined;
    const ended =
      first.kind === 'call' && (!terminal || terminal.kind === 'import')
        ? 'the chain ends inside this call'
        : undefined;
    let mismatch: RecordStrategy['mismatch'];

    if (first.kind === 'call' && !killed && !ended) {
      if (!instance && opts.range && !stopped) {
        const made = await instantiate(first);
        if (typeof made === 'string') return { status: 'failed', count, message: made };
        instance = made;
      }
      if (!instance)
        return diverged(count, first, null, 'a call with no running instance (no start/resume event before it)');
      const rec = new RecordStrategy(step.slice(1, -1), terminal, opts.compare && !opts.compare.has('imports'));
      current = rec;
      let params: Value;
      try {
        params = decode(first.inputBytes ?? new Uint8Array());
      } catch (e) {
        return {
          status: 'failed',
          count,
          message: `entry ${toHex(first.hash)}: its input does not decode: ${(e as Error).message}`,
        };
      }
      callExport(instance, chain, first.iface, first.fn, params as readonly Value[], {
        origin: first.origin ?? 'runtime',
        cause: first.cause,
      });
      mismatch = rec.mismatch;
    } else {
      // Copied verbatim: an event, a killed call, or a call cut off by the end of the chain.
      if (killed || ended) copied.push({ seq: first.seq, reason: killed ?? ended! });
      for (const e of step) {
        chain.setState(e.stateBytes);
        chain.append(e.kind, e.iface, e.fn, { input: e.input, output: e.output, cause: e.cause, origin: e.origin });
      }
    }

    const batch = chain.drain();
    const n = Math.max(step.length, batch.entries.length);
    for (let i = 0; i < n; i++) {
      const want = step[i];
      const got = batch.entries[i];
      if (want && got && same(want, got, opts.compare)) {
        count++;
        lastHead = want.hash;
        progress();
        continue;
      }
      const reason = mismatch?.reason ?? describeMismatch(want, got, opts.compare);
      const expectedState = terminal?.stateBytes ?? step[step.length - 1]!.stateBytes;
      return {
        status: 'diverged',
        count,
        index: want?.seq ?? got!.seq,
        reason,
        expected: want ? viewRecorded(want) : null,
        got: got ? viewProduced(got, batch.blobs) : (mismatch?.got ?? null),
        stateDiff: diffStates(expectedState, chain.state),
        copied,
      };
    }
    if (first.kind === 'event' && FRESH_INSTANCE.has(first.fn)) {
      const made = await instantiate(first);
      if (typeof made === 'string') return { status: 'failed', count, message: made };
      instance = made;
      stopped = false;
    } else if (first.kind === 'event' && first.fn === 'stop') {
      instance = undefined;
      stopped = true;
    }
  }
  progress(true);
  return { status: 'verified', count, head: lastHead && toHex(lastHead), copied };

  /** A fresh instance (its imports go through the interceptor into the chain), or why there is none. */
  async function instantiate(at: PathEntry): Promise<ComponentInstance | string> {
    current = {
      outcome: () => {
        throw new HostTrap('replay: an import during instantiation is not in the record');
      },
    };
    try {
      return await opts.instantiate(chain!, strategy, at);
    } catch (e) {
      if (e instanceof SegmentNotReplayable) return e.message;
      return `could not instantiate the component (at #${at.seq}): ${(e as Error).message}`;
    }
  }

  function diverged(c: number, at: PathEntry, got: CrossingView | null, reason: string): ReplayResult {
    return {
      status: 'diverged',
      count: c,
      index: at.seq,
      reason,
      expected: viewRecorded(at),
      got,
      stateDiff: { kind: 'equal' },
      copied,
    };
  }
}

function killedReason(e: PathEntry): string | undefined {
  const out = show(e.outputBytes) as { kind?: string; message?: string } | null;
  if (out?.kind === 'timeout')
    return `timed out when recorded (${out.message ?? ''}); the runtime recorded it, replay copies it`;
  if (out?.kind === 'trap' && WORKER_DEATH.test(out.message ?? ''))
    return `the instance died when recorded (${out.message}); copied`;
  return undefined;
}

/** Whether a produced entry matches the recorded one, as far as `compare` asks (see COMPARE_FIELDS). */
function same(want: PathEntry, got: TimedEntry, compare: ReadonlySet<CompareField> | undefined): boolean {
  if (!compare) return hashEquals(want.hash, got.hash);
  return differingFields(want, got, compare).length === 0;
}

type EntryField = 'kind' | 'function' | 'input' | 'output' | 'state' | 'cause' | 'origin';

function differingFields(want: PathEntry, got: TimedEntry, compare: ReadonlySet<CompareField>): EntryField[] {
  const out: EntryField[] = [];
  if (want.kind !== got.kind) out.push('kind');
  if (want.iface !== got.iface || want.fn !== got.fn) out.push('function');
  if (out.length > 0) return out;
  // A call's input is the recorded one, re-issued: it differs only if the record was not decoded faithfully.
  if (
    (want.kind === 'call' || (want.kind === 'import' && compare.has('imports'))) &&
    !hashEquals(want.input, got.input)
  )
    out.push('input');
  if (
    (want.kind === 'return' || want.kind === 'error') &&
    compare.has('output') &&
    !hashEquals(want.output, got.output)
  )
    out.push('output');
  if (want.kind === 'return' && compare.has('state') && !hashEquals(want.state, got.state)) out.push('state');
  return out;
}

function describeMismatch(
  want: PathEntry | undefined,
  got: TimedEntry | undefined,
  compare?: ReadonlySet<CompareField>,
): string {
  if (!want) return `the replay produced an extra ${got!.kind} ${got!.iface}#${got!.fn}`;
  if (!got) return `the replay produced nothing where the record has ${want.kind} ${want.iface}#${want.fn}`;
  if (want.kind !== got.kind || want.iface !== got.iface || want.fn !== got.fn) {
    return `expected ${want.kind} ${want.iface}#${want.fn}, got ${got.kind} ${got.iface}#${got.fn}`;
  }
  if (compare)
    return `${want.kind} ${want.iface}#${want.fn} differs in ${differingFields(want, got, compare).join(', ')}`;
  const fields = (['input', 'output', 'state', 'cause', 'origin'] as const).filter((f) => {
    const [a, b] = [want[f], got[f]];
    return typeof a === 'string' || typeof b === 'string' || a === null || b === null ? a !== b : !hashEquals(a, b);
  });
  return `${want.kind} ${want.iface}#${want.fn} differs in ${fields.join(', ') || 'its parent'}`;
}
