/** What every CLI command shares: where the db is, which actor is meant, how hash prefixes resolve. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../chain/entry.ts';
import { ChainStore, type StoredEntry } from '../store/index.ts';

/** A user mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
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

/** The actor a command is about: the one named, or the only one in the db. */
export function resolveActor(store: ChainStore, named?: string): string {
  const ids = store.actors().map((a) => a.id);
  if (named !== undefined) {
    if (!ids.includes(named))
      throw new UsageError(`no actor ${named} in ${store.path}; it has: ${ids.join(', ') || 'none'}`);
    return named;
  }
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new UsageError(`${store.path} has no actors yet`);
  throw new UsageError(`${store.path} holds several actors; pick one with --actor (${ids.join(', ')})`);
}

export const MIN_PREFIX = 12;

/** A full hash or a unique prefix of at least 12 hex characters. */
export function resolveEntry(store: ChainStore, ref: string, actor?: string): StoredEntry {
  const hex = ref.toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new UsageError(`${ref} is not a hex hash`);
  if (hex.length === 64) {
    const e = store.entry(fromHex(hex), actor);
    if (!e) throw new UsageError(`no entry ${ref}${actor ? ` in actor ${actor}` : ''}`);
    return e;
  }
  if (hex.length < MIN_PREFIX)
    throw new UsageError(`hash prefix ${ref} is too short: give at least ${MIN_PREFIX} hex characters`);
  const found = store.entriesByPrefix(hex, actor);
  if (found.length === 0) throw new UsageError(`no entry starts with ${ref}`);
  if (found.length > 1)
    throw new UsageError(`${ref} is ambiguous: ${found.map((e) => toHex(e.hash).slice(0, 16)).join(', ')}`);
  return found[0]!;
}
