/** What ChainReader.entryInputs must answer, for tests of every reader. */
import { toHex } from '../chain/entry.ts';
import type { ChainReader, EntryInput } from '../reader/chain-reader.ts';

/** The same answer read the long way: the entries by id, then their inputs by hash. */
export async function entryInputsByHash(r: ChainReader, ids: readonly number[]): Promise<(EntryInput | undefined)[]> {
  const entries = await r.entriesByIds(ids);
  const blobs = await r.blobs(entries.flatMap((e) => (e?.input ? [e.input] : [])));
  return entries.map(
    (e) =>
      e && {
        id: e.id,
        hash: e.hash,
        ts: e.ts,
        iface: e.iface,
        fn: e.fn,
        input: e.input && (blobs.get(toHex(e.input)) ?? null),
      },
  );
}
