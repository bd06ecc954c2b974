/**
 * Attestations in the hub: "node X replayed node N's actor A, branch B through head H: verified" (or how it
 * diverged), each with the exact canonical statement that X signed (hub/signing.ts) so anyone can re-check it.
 */
import type pg from 'pg';
import type { Hash } from '../chain/entry.ts';

export interface AttestationRow {
  readonly attester: string;
  /** SPKI DER of the attester's key as the hub registered it. */
  readonly attesterKey: Uint8Array;
  readonly node: string;
  readonly actor: string;
  readonly branch: string;
  readonly head: Uint8Array;
  readonly seq: number;
  readonly verdict: 'verified' | 'diverged' | 'failed';
  readonly statement: Uint8Array;
  readonly signature: Uint8Array;
  readonly created: Date;
}

export interface NewAttestation {
  readonly attesterId: number;
  readonly node: string;
  readonly actor: string;
  readonly branch: string;
  readonly head: Hash;
  readonly seq: number;
  readonly verdict: AttestationRow['verdict'];
  readonly statement: Uint8Array;
  readonly signature: Uint8Array;
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export async function recordAttestation(pool: pg.Pool, a: NewAttestation): Promise<void> {
  const r = await pool.query(
    `INSERT INTO attestations (attester_id, actor_id, branch, head, seq, verdict, statement, signature)
     SELECT $1, a.id, $4, $5, $6, $7, $8, $9 FROM actors a JOIN nodes n ON n.id = a.node_id
     WHERE n.name = $2 AND a.name = $3`,
    [
      a.attesterId,
      a.node,
      a.actor,
      a.branch,
      Buffer.from(a.head),
      a.seq,
      a.verdict,
      Buffer.from(a.statement),
      Buffer.from(a.signature),
    ],
  );
  if (r.rowCount !== 1) throw new Error(`the hub has no actor ${a.actor} on node ${a.node} to attest`);
}

/** Attestations of a node's actor (every branch), newest first. */
export async function attestationsOf(pool: pg.Pool, node: string, actor: string): Promise<AttestationRow[]> {
  const r = await pool.query<{
    attester: string;
    attester_key: Buffer;
    node: string;
    actor: string;
    branch: string;
    head: Buffer;
    seq: number;
    verdict: AttestationRow['verdict'];
    statement: Buffer;
    signature: Buffer;
    created: Date;
  }>(
    `SELECT w.name AS attester, w.public_key AS attester_key, n.name AS node, a.name AS actor, t.branch, t.head,
       t.seq, t.verdict, t.statement, t.signature, t.created
     FROM attestations t JOIN nodes w ON w.id = t.attester_id JOIN actors a ON a.id = t.actor_id
     JOIN nodes n ON n.id = a.node_id
     WHERE n.name = $1 AND a.name = $2 ORDER BY t.id DESC`,
    [node, actor],
  );
  return r.rows.map((x) => ({
    attester: x.attester,
    attesterKey: u8(x.attester_key),
    node: x.node,
    actor: x.actor,
    branch: x.branch,
    head: u8(x.head),
    seq: x.seq,
    verdict: x.verdict,
    statement: u8(x.statement),
    signature: u8(x.signature),
    created: x.created,
  }));
}
