/**
 * Opens a chain for reading wherever it is: a SQLite db file, or one node's chains in a hub. What a worker job
 * (verify, replay) or a CLI command is told to read is one of these two, as plain data.
 */
import { existsSync } from 'node:fs';
import { ChainStore, SqliteReader } from '../store/index.ts';
import { Hub } from '../store-pg/index.ts';
import type { ChainReader } from './chain-reader.ts';

export type ReaderSpec = { readonly db: string } | { readonly hub: string; readonly node: string };

export interface OpenedReader {
  readonly reader: ChainReader;
  close(): Promise<void>;
}

export async function openReader(spec: ReaderSpec): Promise<OpenedReader> {
  if ('hub' in spec) {
    const hub = await Hub.open(spec.hub, { max: 4, applicationName: 'theater-reader' });
    try {
      return { reader: await hub.node(spec.node), close: () => hub.close() };
    } catch (e) {
      await hub.close();
      throw e;
    }
  }
  if (!existsSync(spec.db)) throw new Error(`no chain database at ${spec.db}`);
  // Read-only: a reader never takes the writer lease and works while `theater run` (or the Studio) writes.
  const store = ChainStore.openReadOnly(spec.db);
  return { reader: SqliteReader.of(store), close: async () => store.close() };
}
