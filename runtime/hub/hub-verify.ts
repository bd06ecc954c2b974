/**
 * `theater hub verify`: every node's chains in the hub checked with the same code as `theater verify` checks a db
 * (chain/verify.ts through the node's ChainReader), then every branch head against the statement its node signed
 * when it shipped it. The first catches a changed row; the second a history rewritten with every hash recomputed,
 * which is internally consistent and only a node's signature can expose.
 */
import { hashEquals, sha256, toHex } from '../chain/entry.ts';
import { short } from '../chain/verify-entries.ts';
import { verifyChain, type VerifyResult } from '../chain/verify.ts';
import { HubOpenError, type Hub, type NodeRow } from '../store-pg/index.ts';
import { checkSignature, fingerprint, headStatement } from './signing.ts';

export interface NodeVerdict {
  readonly node: string;
  /** How many actors it has shipped: 0 for a node that only attests (it has no chains here to verify). */
  readonly actors: number;
  /** The chain check, exactly as `theater verify` reports it for the node's own db. */
  readonly chain: VerifyResult;
  /** One line per branch head whose signature does not hold; empty when all do. */
  readonly signatures: readonly string[];
  /** Heads checked against a signature. */
  readonly signedHeads: number;
  /**
   * Where the node's public key came from: pinned by the verifier, or the hub's own record — `unpinned` when the
   * verifier pinned keys but not this node's, so that none of its heads can be trusted (they are not checked).
   */
  readonly key: { readonly source: 'pinned' | 'hub' | 'unpinned'; readonly fingerprint: string };
}

export interface HubVerifyOptions {
  /** Only this node. */
  readonly node?: string;
  readonly actor?: string;
  /**
   * Public keys by node name that the verifier trusts (signing.ts loadPinnedKeys). When given, they are the only
   * keys trusted: a node with signed heads whose key is not among them fails. Without, keys come from the hub.
   */
  readonly keys?: ReadonlyMap<string, Uint8Array>;
  readonly onProgress?: (node: string, done: number, total: number) => void;
}

export function verdictOk(v: NodeVerdict): boolean {
  return v.chain.ok && v.signatures.length === 0;
}

export async function verifyHub(hub: Hub, o: HubVerifyOptions = {}): Promise<NodeVerdict[]> {
  const nodes = (await hub.nodes()).filter((n) => o.node === undefined || n.name === o.node);
  if (o.node !== undefined && nodes.length === 0) await hub.node(o.node); // throws, naming the nodes there are
  const out: NodeVerdict[] = [];
  const holders: string[] = [];
  for (const n of nodes) {
    const reader = await hub.node(n.name);
    // --actor: the nodes that have it (each node failed "no actor x" for an actor that lives on another one).
    if (o.actor !== undefined) {
      const actors = (await reader.actors()).map((a) => a.id);
      if (!actors.includes(o.actor)) {
        holders.push(`${n.name} (${actors.join(', ') || 'no actors'})`);
        continue;
      }
    }
    const chain = await verifyChain(reader, {
      actor: o.actor,
      onProgress: (done, total) => o.onProgress?.(n.name, done, total),
    });
    out.push({ node: n.name, actors: n.actors, chain, ...(await checkHeads(hub, n, o)) });
  }
  if (o.actor !== undefined && out.length === 0) {
    throw new HubOpenError(
      `no node of the hub ${hub.where} has actor ${o.actor}; the nodes have: ${holders.join('; ')}`,
    );
  }
  return out;
}

/**
 * The hub's corrupt blobs that no node uses (no entry references them, no actor has them as its component). Each
 * node's verify counts only the blobs its own entries and components use, as verify of its own db would; a blob
 * changed in place that nobody uses fails no chain, but the hub's storage was changed, so `hub verify` reports it
 * here, once, for the hub. One line per blob.
 */
export async function strayBlobs(hub: Hub): Promise<string[]> {
  const bad = new Map<number, { stored: Uint8Array; actual: Uint8Array }>();
  for await (const page of hub.blobPages()) {
    for (const b of page) {
      const actual = sha256(b.bytes);
      if (!hashEquals(actual, b.hash)) bad.set(Number(b.id), { stored: b.hash, actual });
    }
  }
  const used = await hub.usedBlobs([...bad.keys()]);
  return [...bad]
    .filter(([id]) => !used.has(id))
    .map(([, b]) => `blob ${short(b.stored)} (used by no node) hashes to ${short(b.actual)}`);
}

/** Every branch head of a node (or of one of its actors) against the statement the node signed. */
export async function checkHeads(
  hub: Hub,
  n: NodeRow,
  o: { readonly actor?: string; readonly keys?: ReadonlyMap<string, Uint8Array> } = {},
): Promise<Pick<NodeVerdict, 'signatures' | 'signedHeads' | 'key'>> {
  const pinned = o.keys?.get(n.name);
  const key = pinned ?? n.publicKey;
  const problems: string[] = [];
  let signed = 0;
  const heads = (await hub.signedHeads(n.id)).filter((h) => o.actor === undefined || h.actor === o.actor);
  if (o.keys && !pinned) {
    // Only the pinned keys are trusted: the hub's record of this node's key is what a forger with write access to
    // the hub would replace along with the signatures, so checking its heads against it would prove nothing.
    // A node with no heads here (an auditor that only attests) has nothing its key would vouch for.
    if (heads.length > 0) {
      problems.push(
        `node ${n.name}: its key is not among the pinned keys (no ${n.name}.pub in --keys), so its ` +
          `${heads.length} head${heads.length === 1 ? '' : 's'} cannot be trusted; the hub's key for it is ` +
          `${fingerprint(n.publicKey)}`,
      );
    }
    return { signatures: problems, signedHeads: 0, key: { source: 'unpinned', fingerprint: fingerprint(key) } };
  }
  if (pinned && Buffer.compare(Buffer.from(pinned), Buffer.from(n.publicKey)) !== 0) {
    problems.push(
      `the hub's key for node ${n.name} (${fingerprint(n.publicKey)}) is not the pinned one (${fingerprint(pinned)})`,
    );
  }
  for (const h of heads) {
    const where = `${h.actor}/${h.branch}${h.head ? ` head ${toHex(h.head).slice(0, 12)}… (#${h.seq})` : ' (empty)'}`;
    if (!h.head && h.headId !== null) {
      // Not "(empty)": the branch has a head, whose row is gone from the hub (verify names it too).
      problems.push(
        `${h.actor}/${h.branch}: its head (entries row id ${h.headId}) is missing, so its signature cannot be checked`,
      );
      continue;
    }
    if (!h.signature) {
      problems.push(`${where}: not signed by node ${n.name}`);
      continue;
    }
    const statement = headStatement({ node: n.name, actor: h.actor, branch: h.branch, head: h.head, seq: h.seq });
    signed++;
    if (!checkSignature(key, statement, h.signature)) {
      problems.push(`${where}: the signature of node ${n.name} does not match (rewritten, or not its key)`);
    }
  }
  return {
    signatures: problems,
    signedHeads: signed,
    key: { source: pinned ? 'pinned' : 'hub', fingerprint: fingerprint(key) },
  };
}
