/**
 * What a hub writer with access to the database could do, for the tests that must catch it: change one state in a
 * node's branch and rehash every entry after it, so that every stored hash is again SHA-256(parent ‖ body) and the
 * chain rules hold. Only the node's signature of its head can tell.
 */
import { entryHash, sha256, toHex, type Hash } from '../chain/entry.ts';
import { kindName, originName } from '../reader/codes.ts';
import { hubSql } from './pg.ts';

/** Replaces state `from` (and the states equal to it that follow) by `to` on the branch; returns the forged head. */
export async function forgeBranch(url: string, node: string, actor: string, branch: string, from: string, to: string) {
  type Row = {
    id: number;
    hash: Buffer;
    parent_id: number | null;
    seq: number;
    kind: number;
    iface: string;
    fn: string;
    input: Buffer | null;
    output: Buffer | null;
    state: Buffer | null;
    state_id: number | null;
    cause: Buffer | null;
    origin: number | null;
  };
  const rows = await hubSql<Row>(
    url,
    `WITH RECURSIVE path(id) AS (
       SELECT b.head_id FROM branches b JOIN actors a ON a.id = b.actor_id JOIN nodes n ON n.id = a.node_id
       WHERE n.name = $1 AND a.name = $2 AND b.name = $3
       UNION ALL SELECT e.parent_id FROM entries e JOIN path ON e.id = path.id WHERE e.parent_id IS NOT NULL)
     SELECT e.id, e.hash, e.parent_id, e.seq, e.kind, f.iface, f.fn, bi.hash AS input, bo.hash AS output,
       bs.hash AS state, e.state_id, e.cause, e.origin
     FROM path JOIN entries e ON e.id = path.id JOIN fns f ON f.id = e.fn_id
     LEFT JOIN blobs bi ON bi.id = e.input_id LEFT JOIN blobs bo ON bo.id = e.output_id
     LEFT JOIN blobs bs ON bs.id = e.state_id ORDER BY e.seq`,
    [node, actor, branch],
  );
  const fake = Buffer.from(to);
  const fakeHash = Buffer.from(sha256(fake));
  const [blob] = await hubSql<{ id: number }>(
    url,
    `INSERT INTO blobs (hash, bytes) VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET bytes = excluded.bytes
     RETURNING id`,
    [fakeHash, fake],
  );
  const target = rows.findIndex((r) => r.state?.toString('hex') === toHex(sha256(Buffer.from(from))));
  if (target < 0) throw new Error(`forgeBranch: no state ${from} on ${node}/${actor}/${branch}`);
  const changed: { id: number; hash: Buffer; state_id: number | null }[] = [];
  let parent: Hash | null = target > 0 ? rows[target - 1]!.hash : null;
  for (let i = target; i < rows.length; i++) {
    const r = rows[i]!;
    // From the target on, the state is forged until the chain writes another one.
    const forgedState = r.state?.equals(rows[target]!.state!) ?? false;
    const state = forgedState ? fakeHash : r.state;
    const hash = Buffer.from(
      entryHash(parent, {
        actor,
        seq: Number(r.seq), // a plain client reads bigints as strings
        kind: kindName(r.kind)!,
        iface: r.iface,
        fn: r.fn,
        input: r.input,
        output: r.output,
        state,
        cause: r.cause,
        origin: r.origin === null ? null : originName(r.origin)!,
      }),
    );
    changed.push({ id: r.id, hash, state_id: forgedState ? blob!.id : r.state_id });
    parent = hash;
  }
  const saved = rows.slice(target).map((r) => ({ id: r.id, hash: r.hash, state_id: r.state_id }));
  await setRows(url, changed);
  return {
    head: new Uint8Array(parent!),
    seq: Number(rows.at(-1)!.seq),
    undo: () => setRows(url, saved),
  };
}

/** Sets the hash and state of entries by id, in one statement. */
async function setRows(url: string, rows: readonly { id: number; hash: Buffer; state_id: number | null }[]) {
  await hubSql(
    url,
    `UPDATE entries AS e SET hash = v.hash, state_id = v.state FROM unnest($1::bigint[], $2::bytea[], $3::bigint[])
       AS v(id, hash, state) WHERE e.id = v.id`,
    [rows.map((r) => r.id), rows.map((r) => r.hash), rows.map((r) => r.state_id)],
  );
}
