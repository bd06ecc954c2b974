/**
 * Beside the integrity badge, for a hub actor: which other nodes replayed its chain and signed that it verified
 * ("verified by 2 nodes"), or that it diverged. Only attestations whose signature holds count; each one's detail is
 * in the tooltip list.
 */
import type { AttestationView } from '../../../studio/contract.ts';
import { api } from '../../api/client.ts';
import { useCurrentActor, useStudio } from '../../store/index.ts';
import { useAsync } from '../common/use-async.ts';

export function AttestationBadge() {
  const actor = useCurrentActor();
  const verify = useStudio((s) => s.verify);
  // Re-read when the verdict changes: new entries re-verify, and attestations may have arrived meanwhile.
  const stamp = verify.phase === 'done' ? verify.result : verify.phase;
  const hub = actor?.node !== undefined;
  const list = useAsync(hub && actor ? () => api().call('attestations', { actor: actor.id }) : null, [
    actor?.id,
    stamp,
  ]);
  if (!hub || list.status !== 'ok') return null;
  const { text, cls } = summary(list.value);
  return (
    <span className={`attestations ${cls}`} role="status" aria-label="Attestations" title={details(list.value)}>
      {text}
    </span>
  );
}

function summary(all: readonly AttestationView[]): { text: string; cls: string } {
  const signed = all.filter((a) => a.signed);
  // The newest attestation of each node stands for that node.
  const latest = new Map<string, AttestationView>();
  for (const a of signed) if (!latest.has(a.attester)) latest.set(a.attester, a);
  const verified = [...latest.values()].filter((a) => a.verdict === 'verified');
  const disagree = [...latest.values()].filter((a) => a.verdict !== 'verified');
  if (disagree.length > 0) {
    const who = disagree.map((a) => a.attester).join(', ');
    return { text: `✗ ${disagree[0]!.verdict} on ${who}`, cls: 'bad' };
  }
  if (verified.length === 0) return { text: 'not attested yet', cls: 'neutral' };
  const through = Math.min(...verified.map((a) => a.seq));
  const n = verified.length;
  return { text: `verified by ${n} node${n === 1 ? '' : 's'} (through #${through})`, cls: 'good' };
}

function details(all: readonly AttestationView[]): string {
  if (all.length === 0) return 'No node has replayed this chain from the hub yet (theater hub attest).';
  return all
    .map(
      (a) =>
        `${a.attester}: ${a.verdict} ${a.branch} through #${a.seq} (${new Date(a.at).toISOString()})` +
        `${a.signed ? '' : ' — signature does not hold, not counted'}\n  ${a.detail}`,
    )
    .join('\n');
}
