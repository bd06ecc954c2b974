/**
 * A fake StudioClient for renderer unit tests: a small in-memory chain per actor answering the calls the actions
 * make, events pushed by the test, and every call recorded. It stands in for the transport only — the service and
 * the runtime behind it are exercised for real by the studio/ tests and the e2e specs.
 */
import type {
  ActorView,
  EntryDetail,
  EntryView,
  EventName,
  LogEntryLine,
  MethodName,
  Params,
  Result,
  StudioEvents,
} from '../../studio/contract.ts';
import { ApiCallError, type ConnectionState } from './transport.ts';
import type { StudioClient } from './client.ts';

type Handler<M extends MethodName> = (p: Params<M>) => Result<M> | Promise<Result<M>>;
type Handlers = { [M in MethodName]?: Handler<M> };

export interface FakeCall {
  readonly method: MethodName;
  readonly params: unknown;
}

/** A plausible entry hash for seq `seq` of `actor` (64 hex digits). */
export function fakeHash(actor: string, seq: number): string {
  let h = 0;
  for (const c of `${actor}#${seq}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (h.toString(16).padStart(8, '0') + seq.toString(16).padStart(8, '0')).repeat(4);
}

export function fakeEntry(actor: string, seq: number, branch = 'main'): EntryView {
  const kinds = ['call', 'import', 'return'] as const;
  return {
    hash: fakeHash(actor, seq),
    parent: seq === 0 ? null : fakeHash(actor, seq - 1),
    actor,
    seq,
    kind: seq === 0 ? 'event' : kinds[(seq - 1) % 3]!,
    iface: 'theater:simple/http-server',
    fn: 'handle-request',
    origin: null,
    cause: null,
    state: null,
    branch,
    ts: 1_700_000_000_000 + seq,
    summary: `entry ${seq}`,
    noop: false,
  };
}

export function fakeActor(id: string, seq: number, parent: string | null = null): ActorView {
  return {
    id,
    name: id.split('/').at(-1) ?? id,
    parent,
    children: [],
    status: 'running',
    manifest: `/examples/${id}/manifest.toml`,
    component: 'ab'.repeat(32),
    exports: [],
    liveBranch: 'main',
    head: seq >= 0 ? fakeHash(id, seq) : null,
    seq,
    listeners: [],
  };
}

export class FakeClient implements StudioClient {
  readonly kind = 'web' as const;
  /** Whether the actions may load before the connection opens (a web page with the opening's replies). */
  opening = false;
  readonly calls: FakeCall[] = [];
  /** Entries per actor, main branch only: seq i at index i. */
  readonly chains = new Map<string, EntryView[]>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();
  private readonly stateListeners = new Set<(s: ConnectionState, retry: number | null) => void>();
  /** Recorded log lines per actor (what logHistory pages). */
  readonly logLines = new Map<string, LogEntryLine[]>();
  /** Per-method overrides (a failure, a slow answer); the rest are answered from `chains`. */
  readonly handlers: Handlers = {};

  /** An actor with `count` entries on main. */
  addActor(id: string, count: number, parent: string | null = null): void {
    this.chains.set(
      id,
      Array.from({ length: count }, (_, i) => fakeEntry(id, i)),
    );
    this.parents.set(id, parent);
  }
  private readonly parents = new Map<string, string | null>();

  /** Forks per actor: a branch holding main's entries up to `baseSeq`, then `count` entries of its own. */
  readonly forks = new Map<string, Map<string, EntryView[]>>();
  fork(actor: string, name: string, baseSeq: number, count: number): void {
    const own = Array.from({ length: count }, (_, i) => {
      const seq = baseSeq + 1 + i;
      return {
        ...fakeEntry(actor, seq, name),
        hash: fakeHash(`${actor}@${name}`, seq),
        parent: i === 0 ? fakeHash(actor, baseSeq) : fakeHash(`${actor}@${name}`, seq - 1),
      };
    });
    const forks = this.forks.get(actor) ?? new Map<string, EntryView[]>();
    forks.set(name, [...this.chain(actor).slice(0, baseSeq + 1), ...own]);
    this.forks.set(actor, forks);
  }

  /** Appends `n` entries to an actor and pushes the `entries` event the service would (unless told it is not
   *  connected to hear it). */
  grow(actor: string, n: number, announce = true): void {
    const chain = this.chains.get(actor)!;
    for (let i = 0; i < n; i++) chain.push(fakeEntry(actor, chain.length));
    const head = chain.at(-1)!;
    if (announce) this.emit('entries', { actor, branch: 'main', count: n, head: head.hash, seq: head.seq });
  }

  callsOf(method: MethodName): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  emit<E extends EventName>(event: E, payload: StudioEvents[E]): void {
    for (const cb of this.listeners.get(event) ?? []) cb(payload);
  }

  setConnection(state: ConnectionState): void {
    for (const cb of this.stateListeners) cb(state, null);
  }

  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    this.calls.push({ method, params });
    const h = this.handlers[method] as Handler<M> | undefined;
    try {
      return Promise.resolve(h ? h(params) : this.answer(method, params));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  on<E extends EventName>(event: E, cb: (payload: StudioEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = cb as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onState(cb: (state: ConnectionState, retryInMs: number | null) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  private chain(actor: string): EntryView[] {
    const c = this.chains.get(actor);
    if (!c) throw new Error(`no actor ${actor}`);
    return c;
  }

  /** The entries on one branch of an actor (main when none is named). */
  private path(actor: string, branch: unknown): EntryView[] {
    if (branch === undefined || branch === 'main') return this.chain(actor);
    const b = this.forks.get(actor)?.get(String(branch));
    if (!b) throw new Error(`no branch ${String(branch)} of ${actor}`);
    return b;
  }

  private find(hash: string): EntryView {
    for (const c of [...this.chains.values(), ...[...this.forks.values()].flatMap((f) => [...f.values()])]) {
      const e = c.find((x) => x.hash === hash);
      if (e) return e;
    }
    throw new Error(`no entry ${hash}`);
  }

  /** The default answers: a service over `chains`, enough for the actions' flows. */
  private answer<M extends MethodName>(method: M, params: Params<M>): Result<M> {
    const p = params as Record<string, unknown>;
    const r = ((): unknown => {
      switch (method) {
        case 'listActors':
          return [...this.chains.keys()].map((id) =>
            fakeActor(id, this.chain(id).length - 1, this.parents.get(id) ?? null),
          );
        case 'branches': {
          const c = this.chain(String(p.actor));
          const head = c.at(-1);
          const forks = [...(this.forks.get(String(p.actor)) ?? new Map<string, EntryView[]>())].map(([name, b]) => {
            const base = b.findLast((e) => e.branch === 'main')!;
            return {
              name,
              head: b.at(-1)!.hash,
              headSeq: b.at(-1)!.seq,
              base: base.hash,
              baseSeq: base.seq,
              live: false,
            };
          });
          return [
            { name: 'main', head: head?.hash ?? null, headSeq: head?.seq ?? -1, base: null, baseSeq: null, live: true },
            ...forks,
          ];
        }
        case 'entries': {
          const c = this.path(String(p.actor), p.branch);
          const offset = Number(p.offset);
          return { total: c.length, offset, items: c.slice(offset, offset + Number(p.limit)) };
        }
        case 'entryIndex': {
          const i = this.path(String(p.actor), p.branch).findIndex((e) => e.hash === p.hash);
          if (i < 0) throw new ApiCallError(`entry ${String(p.hash)} is not on that branch`, 'not-found', method);
          return i;
        }
        case 'listPosition': {
          // Unfiltered only: the entry's row, or null when it is not on the branch.
          const i = this.path(String(p.actor), p.branch).findIndex((e) => e.hash === p.hash);
          return i < 0 ? null : i;
        }
        case 'entry': {
          const e = this.find(String(p.hash));
          const d: EntryDetail = { ...e, input: null, output: null, effects: [], causedBy: null };
          return d;
        }
        case 'graph': {
          const c = this.path(String(p.actor), p.branch).slice(Number(p.fromSeq), Number(p.toSeq) + 1);
          return {
            actor: p.actor,
            branch: p.branch,
            fromSeq: p.fromSeq,
            kinds: c.map(() => 0),
            hashes: c.map((e) => e.hash),
          };
        }
        case 'logs':
          return [];
        case 'logHistory': {
          const lines = (this.logLines.get(String(p.actor)) ?? []).filter((l) =>
            p.search ? l.text.includes(String(p.search)) : true,
          );
          const offset = Number(p.offset);
          return { total: lines.length, offset, items: lines.slice(offset, offset + Number(p.limit)) };
        }
        case 'verify': {
          const c = p.actor ? this.chain(String(p.actor)) : [];
          return { ok: true, count: c.length, head: c.at(-1)?.hash ?? null };
        }
        default:
          throw new Error(`FakeClient: no answer for ${method}; set handlers.${method}`);
      }
    })();
    return r as Result<M>;
  }
}
