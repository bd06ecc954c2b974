/**
 * Distributed verification (`theater hub attest`): this node takes another node's chains from the hub, checks them
 * (the chain rules of verify, and the head against its node's signature) and replays them here, on a fresh instance
 * of the recorded component, then records a signed attestation: "replayed node N's actor A, branch B through head
 * H: verified", or what failed or diverged. The Studio shows them beside its integrity badge.
 */
import { toHex } from '../chain/entry.ts';
import { plural } from '../plural.ts';
import { renderDiff } from '../timetravel/json-diff.ts';
import { replay, type ReplayReport } from '../timetravel/replay.ts';
import { HubWriter, recordAttestation, type Hub } from '../store-pg/index.ts';
import { verdictOk, verifyHub } from './hub-verify.ts';
import { attestationStatement, signStatement, type AttestationStatement, type NodeKey } from './signing.ts';

export interface AttestOptions {
  readonly hub: Hub;
  readonly key: NodeKey;
  /** The attesting node's name (registered with its key, as a shipping node is). */
  readonly attester: string;
  /** Only this node's chains (default: every node but the attester). */
  readonly node?: string;
  readonly actor?: string;
  /** Only this branch (default: every branch with entries). */
  readonly branch?: string;
  /** Replay against this build instead of the recorded component. */
  readonly component?: string;
  readonly cacheDir?: string;
  readonly keys?: ReadonlyMap<string, Uint8Array>;
  readonly onProgress?: (what: string, done: number, total: number) => void;
}

export type Attested = Omit<AttestationStatement, 'attester' | 'at'>;

export async function attest(o: AttestOptions): Promise<Attested[]> {
  if (o.node !== undefined) await o.hub.node(o.node); // no such node: throws, listing them, before registering
  const me = await HubWriter.register(o.hub.pool, o.attester, o.key.publicDer, '--as');
  const nodes = (await o.hub.nodes()).filter((n) => (o.node === undefined ? n.name !== o.attester : n.name === o.node));
  const out: Attested[] = [];
  for (const n of nodes) {
    const reader = await o.hub.node(n.name);
    for (const a of await reader.actors()) {
      if (o.actor !== undefined && a.id !== o.actor) continue;
      // The chain rules and the signed heads, once per actor: a replay of a tampered chain proves nothing.
      const [checked] = await verifyHub(o.hub, { node: n.name, actor: a.id, keys: o.keys });
      for (const b of await reader.branches(a.id)) {
        if ((o.branch !== undefined && b.name !== o.branch) || !b.head) continue;
        const head = await reader.entry(b.head, a.id);
        if (!head) continue;
        let verdict: Attested['verdict'];
        let detail: string;
        let component: string | null = null;
        if (!checked || !verdictOk(checked)) {
          verdict = 'failed';
          detail = checked?.chain.ok === false ? `verify: ${checked.chain.reason}` : `${checked?.signatures[0]}`;
        } else {
          const what = `${n.name}/${a.id}/${b.name}`;
          try {
            const r = await replay(
              {
                hub: o.hub.url,
                node: n.name,
                actor: a.id,
                head: toHex(b.head),
                component: o.component,
                cacheDir: o.cacheDir,
              },
              (done, total) => o.onProgress?.(what, done, total),
            );
            component = r.component.sha256;
            ({ verdict, detail } = describe(r));
          } catch (e) {
            // No component to replay with, or the hub went away: recorded as what it is.
            [verdict, detail] = ['failed', `replay could not run: ${(e as Error).message}`];
          }
        }
        const statement: AttestationStatement = {
          attester: o.attester,
          node: n.name,
          actor: a.id,
          branch: b.name,
          head: b.head,
          seq: head.seq,
          verdict,
          detail,
          component,
          at: Date.now(),
        };
        const bytes = attestationStatement(statement);
        await recordAttestation(o.hub.pool, {
          attesterId: me.nodeId,
          node: n.name,
          actor: a.id,
          branch: b.name,
          head: b.head,
          seq: head.seq,
          verdict,
          statement: bytes,
          signature: signStatement(o.key, bytes),
        });
        const { attester: _a, at: _t, ...rest } = statement;
        out.push(rest);
      }
    }
  }
  return out;
}

function describe(r: ReplayReport): { verdict: Attested['verdict']; detail: string } {
  switch (r.status) {
    case 'verified':
      return {
        verdict: 'verified',
        detail: `verify, signed head and replay of ${plural(r.count, 'entry', 'entries')} agree`,
      };
    case 'diverged': {
      const diff = renderDiff(r.stateDiff).slice(0, 3).join('; ');
      return { verdict: 'diverged', detail: `diverged at #${r.index}: ${r.reason}${diff ? ` (${diff})` : ''}` };
    }
    case 'failed':
      return { verdict: 'failed', detail: `replay failed after ${plural(r.count, 'entry', 'entries')}: ${r.message}` };
    default: {
      const never: never = r;
      return never;
    }
  }
}
