/**
 * Who writes the Studio's db, kept current from the service's `db` event. The read-only banner and every button
 * that would write (start, stop, restart, fork, import, open) read it: while another process writes the db, the
 * Studio only watches.
 */
import { useSyncExternalStore } from 'react';
import type { DbView } from '../../../studio/contract.ts';
import { api } from '../../api/client.ts';

let current: DbView | null = null;
const subscribers = new Set<() => void>();
let started = false;

function set(v: DbView): void {
  current = v;
  subscribers.forEach((s) => s());
}

function start(): void {
  if (started) return;
  started = true;
  const c = api();
  c.on('db', set);
  // Asked again on every (re)connection: the writer may have changed while the socket was down.
  c.onState((state) => {
    if (state === 'open') c.call('db', {}).then(set, () => {});
  });
}

function subscribe(cb: () => void): () => void {
  start();
  subscribers.add(cb);
  return () => subscribers.delete(cb);
}

export function useDb(): DbView | null {
  return useSyncExternalStore(subscribe, () => current);
}

/** Names the writer: `pid 4242 (theater run counter/manifest.toml --db chain.db)`. */
export function writerName(db: DbView): string {
  const w = db.writer;
  if (!w) return 'another process';
  return `pid ${w.pid} (${w.command})`;
}

/** Why a write is off right now (the disabled button's tooltip), or null when the Studio may write. */
export function useReadOnly(what: string): string | null {
  const db = useDb();
  if (!db?.readOnly) return null;
  return `Read-only: ${writerName(db)} is writing this db. Stop it to ${what} here.`;
}
