/**
 * Entry kinds and origins as stored: small integers, the same in every backend (the SQLite store and the
 * PostgreSQL hub), so that verify reads both with one set of rules. Never renumber: stored rows hold these codes.
 */
import type { EntryKind, Origin } from '../chain/entry.ts';

export const KIND_CODES = { call: 0, return: 1, import: 2, error: 3, event: 4 } as const;
export const ORIGIN_CODES = { runtime: 0, http: 1, 'message-port': 2, actor: 3, studio: 4, cli: 5 } as const;

const KIND_NAMES = new Map<number, EntryKind>(Object.entries(KIND_CODES).map(([k, v]) => [v, k as EntryKind]));
const ORIGIN_NAMES = new Map<number, Origin>(Object.entries(ORIGIN_CODES).map(([k, v]) => [v, k as Origin]));

export function kindName(code: number): EntryKind | undefined {
  return KIND_NAMES.get(code);
}

export function originName(code: number): Origin | undefined {
  return ORIGIN_NAMES.get(code);
}
