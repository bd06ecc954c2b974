/**
 * The db files this thread has open through SQLite, so that code about to open a path with `fs` can refuse when it
 * is one of them (or its -wal/-shm/-lease): SQLite's POSIX locks belong to the process, and closing any descriptor
 * of the file drops them all (see schema.ts). The test suite's fs tripwire (runtime/testing/fs-tripwire.ts) checks
 * every `fs` open against this list too.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';

const open = new Map<string, Set<Database.Database>>();

/** Files SQLite keeps beside a db (and our lease file): opening any of them outside SQLite is just as harmful. */
export const SIDE_FILES = ['', '-wal', '-shm', '-journal', '-lease'] as const;

export function trackOpen(path: string, db: Database.Database): void {
  const p = resolve(path);
  let set = open.get(p);
  if (!set) open.set(p, (set = new Set()));
  set.add(db);
}

/** Absolute paths of the db files (and lease files) with a live SQLite connection in this thread. */
export function liveDbFiles(): string[] {
  const out: string[] = [];
  for (const [p, set] of open) {
    for (const db of set) if (!db.open) set.delete(db);
    if (set.size === 0) open.delete(p);
    else out.push(p);
  }
  return out;
}

/** The live db (or side file of one) that `path` names, by path or by identity (a hard link, another spelling). */
export function liveDbFileAt(path: string): string | undefined {
  const target = resolve(path);
  let id: string | undefined;
  try {
    const st = statSync(target); // stat opens nothing
    id = `${st.dev}:${st.ino}`;
  } catch {
    id = undefined;
  }
  for (const db of liveDbFiles()) {
    for (const side of SIDE_FILES) {
      const f = `${db}${side}`;
      if (f === target) return f;
      if (id === undefined) continue;
      try {
        const st = statSync(f);
        if (`${st.dev}:${st.ino}` === id) return f;
      } catch {
        // no such side file
      }
    }
  }
  return undefined;
}
