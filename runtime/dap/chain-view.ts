/**
 * What the debug adapter reads, in one place: an actor's branch path by position (= seq) from the runtime's path
 * index, entries and their decoded payloads by position, streamed walks for breakpoint searches, and refreshes
 * when another process commits. Read-only: the db is opened so that nothing here can write it. Every read goes
 * through the runtime's ChainReader (the SQLite store's here), the interface the Studio and the CLI read a db or a
 * hub node through, so the adapter reads what they read.
 */
import {
  ActorIndex,
  ChainStore,
  SqliteReader,
  type BlobRole,
  type ChainReader,
  ENTRY_KINDS,
  bytesAsJson,
  checkedBlob,
  decode,
  toDisplay,
  toHex,
  RUNTIME_EVENTS,
  type EntryKind,
  type Path,
  type PathEntry,
  type StoredEntry,
} from '../index.ts';

export interface ChainNames {
  readonly functions: readonly string[];
  readonly events: readonly string[];
}

/** An entry with its payloads decoded for display: JSON where the bytes are JSON (Theater's convention). */
export interface EntryDetail {
  readonly entry: StoredEntry;
  /** The state as of the entry: its JSON, {hex} when it is not JSON, null when the actor had none. */
  readonly state: unknown;
  readonly input: unknown;
  readonly output: unknown;
}

/** One actor's branch, as the debugger walks it. */
export class BranchView {
  private path: Path;
  private version = -1;

  constructor(
    private readonly store: ChainReader,
    private readonly index: ActorIndex,
    readonly actor: string,
    readonly branch: string,
  ) {
    this.path = index.path(branch);
    this.version = index.version;
  }

  get length(): number {
    this.sync();
    return this.path.length;
  }

  private sync(): void {
    if (this.index.version !== this.version) {
      this.path = this.index.path(this.branch);
      this.version = this.index.version;
    }
  }

  kindAt(i: number): EntryKind | undefined {
    this.sync();
    const row = this.path.at(i);
    return row && ENTRY_KINDS[row.kind];
  }

  /** "iface#fn" of the entry at position i. */
  fnAt(i: number): string | undefined {
    this.sync();
    const row = this.path.at(i);
    return row && this.index.fnKey(row.fn);
  }

  async entryAt(i: number): Promise<StoredEntry | undefined> {
    this.sync();
    const row = this.path.at(i);
    return row && (await this.store.entriesByIds([row.id]))[0];
  }

  async detailAt(i: number): Promise<EntryDetail | undefined> {
    const entry = await this.entryAt(i);
    if (!entry) return undefined;
    const blobs = await this.store.blobs([entry.state, entry.input, entry.output].filter((h) => h !== null));
    // A blob the entry names but the read did not return is missing or changed: an error naming it, not "none".
    const blob = (role: BlobRole) => checkedBlob(entry, role, entry[role] && blobs.get(toHex(entry[role])));
    return { entry, state: stateJson(blob('state')), input: payload(blob('input')), output: payload(blob('output')) };
  }

  /**
   * Entries with their payload bytes, one after another from position `from` towards the head (`dir` 1) or the root
   * (`dir` -1), streamed from the store. Read in windows that grow from 256 entries: a store walk first lists the
   * ids between its two ends, so a search that hits nearby must not list the whole branch first.
   */
  async *walk(from: number, dir: 1 | -1): AsyncGenerator<PathEntry> {
    const n = this.length;
    if (from < 0 || from >= n) return;
    let size = 256;
    for (let at = from; dir === 1 ? at < n : at >= 0; at += dir * size, size = Math.min(size * 4, 65_536)) {
      const [lo, hi] = dir === 1 ? [at, Math.min(n - 1, at + size - 1)] : [Math.max(0, at - size + 1), at];
      for await (const page of this.store.path(this.idAt(hi), { fromSeq: lo, descending: dir === -1 })) yield* page;
    }
  }

  private idAt(i: number): number {
    const row = this.path.at(i);
    if (!row) throw new Error(`no entry at #${i} of ${this.actor}/${this.branch}`);
    return row.id;
  }

  /** Position of an entry on this branch, or undefined when the branch does not pass through it. */
  async positionOf(hashHex: string): Promise<number | undefined> {
    const matches = /^[0-9a-f]{64}$/.test(hashHex)
      ? [await this.store.entry(Buffer.from(hashHex, 'hex'), this.actor)].filter((e) => e !== undefined)
      : await this.store.entriesByPrefix(hashHex, this.actor);
    for (const e of matches) {
      const here = await this.entryAt(e.seq);
      if (here && toHex(here.hash) === toHex(e.hash)) return e.seq;
    }
    return undefined;
  }
}

/** The db the adapter debugs: actors, their indexes (built on first use), refreshes. */
export class ChainView {
  private readonly indexes = new Map<string, ActorIndex>();
  private lastVersion: number;
  private readonly reader: ChainReader;

  private constructor(private readonly store: ChainStore) {
    this.lastVersion = store.dataVersion();
    this.reader = SqliteReader.of(store);
  }

  /** Opens the db read-only: the adapter never writes, and can watch a db another process is writing. */
  static open(db: string): ChainView {
    return new ChainView(ChainStore.openReadOnly(db));
  }

  async actors(): Promise<string[]> {
    return (await this.reader.actors()).map((a) => a.id);
  }

  liveBranch(actor: string): Promise<string> {
    return this.reader.liveBranch(actor);
  }

  async branches(actor: string): Promise<string[]> {
    return (await this.reader.branches(actor)).map((b) => b.name);
  }

  /**
   * What the db has entries of (every actor): functions (export calls and imports) as "iface#fn", what a function
   * breakpoint can name; and the runtime's events (start, stop, …), which share the table of names but are not
   * functions (no call or import of theirs is ever recorded).
   */
  async names(): Promise<ChainNames> {
    const all = [...(await this.reader.fnNames()).values()];
    return {
      functions: all.filter((f) => f.iface !== RUNTIME_EVENTS).map((f) => `${f.iface}#${f.fn}`),
      events: all.filter((f) => f.iface === RUNTIME_EVENTS).map((f) => f.fn),
    };
  }

  /** The branch, with the actor's index built (read in slices; a million entries take a few seconds). */
  async branch(actor: string, branch?: string): Promise<BranchView> {
    if (!(await this.actors()).includes(actor)) throw new Error(`no actor ${actor} in ${this.reader.source}`);
    const name = branch ?? (await this.liveBranch(actor));
    const names = await this.branches(actor);
    if (!names.includes(name)) throw new Error(`actor ${actor} has no branch ${name} (it has ${names.join(', ')})`);
    let index = this.indexes.get(actor);
    if (!index) this.indexes.set(actor, (index = new ActorIndex(this.reader, actor)));
    await index.build();
    return new BranchView(this.reader, index, actor, name);
  }

  /** Reads what other processes committed since the last call; true when there was anything. Cheap otherwise. */
  async refresh(): Promise<boolean> {
    const v = this.store.dataVersion();
    if (v === this.lastVersion) return false;
    this.lastVersion = v;
    for (const ix of this.indexes.values()) if (ix.built) await ix.refresh();
    return true;
  }

  close(): void {
    for (const ix of this.indexes.values()) ix.stop();
    this.store.close();
  }
}

function stateJson(b: Uint8Array | null): unknown {
  if (!b) return null;
  const j = bytesAsJson(b);
  return j === undefined ? { hex: toHex(b) } : j;
}

function payload(b: Uint8Array | null): unknown {
  if (!b) return null;
  try {
    return toDisplay(decode(b));
  } catch {
    return { undecodable: toHex(b) };
  }
}

/**
 * Decoded payloads of a walked entry (the same renderings as detailAt, from bytes already in hand). A walk reads
 * bytes by row id, unhashed: they are checked here, where they are used (DamagedChainError names the entry).
 */
export function walkedDetail(e: PathEntry): Omit<EntryDetail, 'entry'> {
  return {
    state: stateJson(checkedBlob(e, 'state', e.stateBytes)),
    input: payload(checkedBlob(e, 'input', e.inputBytes)),
    output: payload(checkedBlob(e, 'output', e.outputBytes)),
  };
}
