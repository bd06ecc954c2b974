/**
 * Causal links across nodes, from a hub: a message an actor on node A sent through node B's message port is
 * recorded on B's call with A's chain head as its cause, so the hub can join them: the call caused by a head, and
 * the send that followed a head, looked up on every node. Entries found here carry the node they belong to.
 */
import type { Hash } from '../chain/entry.ts';
import type { Hub } from '../store-pg/index.ts';
import { endOf, type FarEntry, type FarSide } from '../timetravel/insight.ts';

const SENDS = new Set(['send', 'request']);

export function hubFarSide(hub: Hub): FarSide {
  const tag = (x: { node: string; entry: FarEntry }): FarEntry => ({ ...x.entry, node: x.node });
  return {
    async receivedBy(senderHead: Hash) {
      const found = (await hub.causedBy(senderHead)).find((x) => x.entry.kind === 'call');
      return found && tag(found);
    },
    async endOf(call: FarEntry) {
      if (!call.node) return undefined;
      const end = await endOf(await hub.node(call.node), call);
      return end && { ...end, node: call.node };
    },
    async sentAt(cause: Hash) {
      const found = (await hub.childrenOf(cause)).find((x) => x.entry.kind === 'import' && SENDS.has(x.entry.fn));
      return found && tag(found);
    },
  };
}
