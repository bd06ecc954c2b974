/** What every CLI command shares: where the db is, which actor is meant, how hash prefixes resolve. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { fromHex, toHex } from '../chain/entry.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import type { FarSide } from '../timetravel/insight.ts';
import { ChainStore, SqliteReader, type StoredEntry } from '../store/index.ts';

/** A user mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * commander's argParser for a count (--limit, --max-bytes): a whole number, 1 or more. commander's error names the
 * option and the value ("option '--limit <n>' argument 'abc' is invalid. ..."), and exits 2 like any usage error;
 * parseInt took "abc" for no limit, "-3" for nothing, "2.5" for 2 and "1e2" for 1.
 */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('It must be a whole number, 1 or more.');
  return n;
}

/** commander's argParser for a file the user names that must be there (a --component, a bundle to import). */
export function existingFile(value: string): string {
  if (!existsSync(value)) throw new InvalidArgumentError('There is no such file.');
  return value;
}

export function defaultDbPath(): string {
  return process.env.THEATER_DB ?? join('.theater', 'chain.db');
}

/**
 * A read-only connection to an existing store: reading commands must not create an empty db at a mistyped path,
 * and never need the writer lease (they work while `theater run` writes).
 */
export function openExisting(path: string): ChainStore {
  if (!existsSync(path)) throw new UsageError(`no chain database at ${path} (give --db <file>, or run an actor first)`);
  return ChainStore.openReadOnly(path);
}

/** A writing command's store (fork, branches --live): it takes the writer lease for as long as it runs. */
export function openExistingForWriting(path: string): ChainStore {
  if (!existsSync(path)) throw new UsageError(`no chain database at ${path} (give --db <file>, or run an actor first)`);
  return ChainStore.open(path);
}

/** A chain to read, opened: from a db file or a hub node (cli/hub-source.ts). */
export interface OpenReader {
  readonly reader: ChainReader;
  /** A hub node's: lookups on the hub's other nodes, so that `follow` links a message that crossed nodes. */
  readonly farSide?: FarSide;
  close(): Promise<void>;
}

/** Opens a db file for reading. */
export function openDbReader(path: string): OpenReader {
  const store = openExisting(path);
  return { reader: SqliteReader.of(store), close: async () => store.close() };
}

/** How a command gets its chain: `--db`, or `--hub` and `--node`. */
export type Source = () => Promise<OpenReader> | OpenReader;

/** Runs `fn` on an opened reader and closes it afterwards, whatever happens. */
export async function withReader<T>(open: Source, fn: (r: ChainReader, far?: FarSide) => Promise<T>): Promise<T> {
  const o = await open();
  try {
    return await fn(o.reader, o.farSide);
  } finally {
    await o.close();
  }
}

/** The actor a command is about: the one named, or the only one in the db. */
export async function resolveActor(store: ChainReader, named?: string): Promise<string> {
  const ids = (await store.actors()).map((a) => a.id);
  const where = store.source;
  if (named !== undefined) {
    if (!ids.includes(named))
      throw new UsageError(`no actor ${named} in ${where}; it has: ${ids.join(', ') || 'none'}`);
    return named;
  }
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new UsageError(`${where} has no actors yet`);
  throw new UsageError(`${where} holds several actors; pick one with --actor (${ids.join(', ')})`);
}

export const MIN_PREFIX = 12;

/** A full hash or a unique prefix of at least 12 hex characters. */
export async function resolveEntry(store: ChainReader, ref: string, actor?: string): Promise<StoredEntry> {
  const hex = ref.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new UsageError(`${ref} is not a hex hash`);
  if (hex.length === 64) {
    const e = await store.entry(fromHex(hex), actor);
    if (!e) throw new UsageError(`no entry ${ref}${actor ? ` in actor ${actor}` : ''}`);
    return e;
  }
  if (hex.length < MIN_PREFIX)
    throw new UsageError(`hash prefix ${ref} is too short: give at least ${MIN_PREFIX} hex characters`);
  const found = await store.entriesByPrefix(hex, actor);
  if (found.length === 0) throw new UsageError(`no entry starts with ${ref}`);
  if (found.length > 1)
    throw new UsageError(`${ref} is ambiguous: ${found.map((e) => toHex(e.hash).slice(0, 16)).join(', ')}`);
  return found[0]!;
}
