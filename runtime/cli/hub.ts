/**
 * `theater hub …`: status (shipping lag per node, actor and branch), verify (every chain in the hub, by the rules of
 * `theater verify`, plus each head against its node's signature), attest (replay other nodes' chains here and
 * record a signed verdict) — and the `--hub/--node` source that lets events, state, diff, replay, export,
 * who-wrote, noops and follow read a node's chains from a hub instead of a db.
 */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { attest } from '../hub/attest.ts';
import { hubFarSide } from '../hub/far-side.ts';
import { strayBlobs, verdictOk, verifyHub } from '../hub/hub-verify.ts';
import { loadNodeKey, loadPinnedKeys } from '../hub/signing.ts';
import { Hub } from '../store-pg/index.ts';
import { UsageError, existingFile, type OpenReader } from './context.ts';
import { verifyLines } from './inspect.ts';

/** The reading commands' `--hub` and `--node` options. */
export function hubOptions(c: Command): Command {
  return c
    .option('--hub <url>', 'read from a hub (postgres:// URL) instead of a db ($THEATER_HUB)')
    .option('--node <name>', 'which node of the hub (needed when it holds several)');
}

/** A hub URL from the command's options or $THEATER_HUB, or undefined. */
export function hubUrl(cmd: Command): string | undefined {
  return (cmd.opts().hub as string | undefined) ?? process.env.THEATER_HUB ?? undefined;
}

/** A node of a hub, opened as a reader: the one named, or the only one there is. */
export async function openHubNode(url: string, node: string | undefined): Promise<OpenReader> {
  const hub = await Hub.open(url, { applicationName: 'theater-cli' });
  try {
    let name = node;
    if (name === undefined) {
      const names = (await hub.nodes()).filter((n) => n.actors > 0).map((n) => n.name);
      if (names.length !== 1) {
        throw new UsageError(
          names.length === 0
            ? `the hub ${hub.where} holds no nodes yet`
            : `the hub ${hub.where} holds several nodes; pick one with --node (${names.join(', ')})`,
        );
      }
      name = names[0]!;
    }
    const reader = await hub.node(name);
    return { reader, farSide: hubFarSide(hub), close: () => hub.close() };
  } catch (e) {
    await hub.close();
    throw e;
  }
}

async function withHub<T>(cmd: Command, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const url = hubUrl(cmd);
  if (!url) throw new UsageError('give the hub: --hub postgres://… (or set $THEATER_HUB)');
  const hub = await Hub.open(url, { applicationName: 'theater-cli' });
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

const ago = (d: Date | null) => (d ? `${Math.max(0, Math.round((Date.now() - d.getTime()) / 1000))} s ago` : 'never');

export function registerHub(program: Command): void {
  const hub = program.command('hub').description('a shared chain hub on PostgreSQL: status, verify, attest');

  hub
    .command('status')
    .description('what each node has shipped: per actor and branch, the hub head against the node head (lag)')
    .option('--hub <url>', 'the hub (postgres:// URL; default $THEATER_HUB)')
    .option('--node <name>', 'only this node')
    .option('--json', 'one JSON object per branch')
    .action((o: { node?: string; json?: boolean }, cmd: Command) =>
      withHub(cmd, async (h) => {
        if (o.node !== undefined) await h.node(o.node); // throws, naming the nodes there are
        const rows = await h.status(o.node);
        if (o.json) {
          for (const r of rows) {
            const lag = r.localSeq === null ? null : r.localSeq - r.seq;
            console.log(JSON.stringify({ ...r, lag }));
          }
          return;
        }
        if (rows.length === 0) {
          return console.log(
            o.node === undefined ? `the hub ${h.where} holds nothing yet` : `node ${o.node} has shipped nothing yet`,
          );
        }
        let node = '';
        for (const r of rows) {
          if (r.node !== node) {
            node = r.node;
            console.log(`node ${node} (last seen ${ago(r.lastSeen)})`);
          }
          const lag = r.localSeq === null ? 'node head unknown' : `lag ${r.localSeq - r.seq}`;
          const local = r.localSeq === null ? '?' : `#${r.localSeq}`;
          console.log(`  ${`${r.actor}/${r.branch}`.padEnd(28)} hub #${r.seq}  node ${local}  ${lag}`);
        }
      }),
    );

  hub
    .command('verify')
    .description(
      "verify every chain in the hub as `theater verify` does, and each branch head against its node's signature; exit 1 naming the first bad entry or head",
    )
    .option('--hub <url>', 'the hub (postgres:// URL; default $THEATER_HUB)')
    .option('--node <name>', 'only this node')
    .option('--actor <id>', 'only this actor')
    .option(
      '--keys <dir>',
      "trust only these public keys: <node>.pub files (each node's key file .pub); a node with signed heads whose key is not there fails",
    )
    .action((o: { node?: string; actor?: string; keys?: string }, cmd: Command) =>
      withHub(cmd, async (h) => {
        const tty = process.stderr.isTTY;
        const verdicts = await verifyHub(h, {
          node: o.node,
          actor: o.actor,
          keys: o.keys ? loadPinnedKeys(o.keys) : undefined,
          onProgress: (node, done, total) => tty && process.stderr.write(`\rverifying ${node} ${done}/${total}`),
        });
        if (tty) process.stderr.write('\r\x1b[K');
        for (const v of verdicts) {
          console.log(`node ${v.node}:`);
          const keyNote =
            v.key.source === 'pinned'
              ? `pinned key ${v.key.fingerprint}`
              : v.key.source === 'unpinned'
                ? `its key is not pinned in ${o.keys}; the hub has ${v.key.fingerprint} for it`
                : `key ${v.key.fingerprint} as the hub registered it; pin keys with --keys <dir>`;
          if (v.actors === 0 && v.chain.ok && v.signatures.length === 0) {
            // It said "0 entries verified, head none", as if a chain had been checked and found empty.
            console.log(`  no chains: a node that only attests, with nothing of its own here to verify (${keyNote})`);
            continue;
          }
          for (const line of verifyLines(v.chain)) console.log(`  ${line}`);
          if (v.signatures.length === 0) {
            console.log(`  ${v.signedHeads} signed head${v.signedHeads === 1 ? '' : 's'} verified (${keyNote})`);
          } else {
            console.log(`  signature check FAILED (${keyNote}):`);
            for (const p of v.signatures) console.log(`    ${p}`);
          }
        }
        if (verdicts.length === 0) console.log(`the hub ${h.where} holds no nodes yet`);
        // Blobs are shared by all nodes; each node's verify counts only those it uses. Those nobody uses are the
        // hub's own business, checked when the whole hub is.
        const stray = o.node === undefined && o.actor === undefined ? await strayBlobs(h) : [];
        if (stray.length > 0) {
          console.log(`hub ${h.where}: ${stray.length} corrupt blob${stray.length === 1 ? '' : 's'} no node uses:`);
          for (const line of stray) console.log(`  ${line}`);
        }
        if (!verdicts.every(verdictOk) || stray.length > 0) process.exitCode = 1;
      }),
    );

  hub
    .command('attest')
    .description(
      "replay other nodes' chains from the hub on this machine and record a signed attestation of each: verified, or where it diverged",
    )
    .requiredOption('--key <file>', "this node's Ed25519 key file (PKCS#8 PEM; created with its .pub if missing)")
    .option('--hub <url>', 'the hub (postgres:// URL; default $THEATER_HUB)')
    .option('--as <name>', "this node's name in the hub (default: the host name)")
    .option('--node <name>', 'only this node (default: every node but this one)')
    .option('--actor <id>', 'only this actor')
    .option('--branch <name>', 'only this branch')
    .option('--component <file.wasm>', 'replay against this build instead of the recorded one', existingFile)
    .option('--keys <dir>', 'trust only these public keys for the signed heads (<node>.pub files)')
    .action(
      (
        o: {
          key: string;
          as?: string;
          node?: string;
          actor?: string;
          branch?: string;
          component?: string;
          keys?: string;
        },
        cmd: Command,
      ) =>
        withHub(cmd, async (h) => {
          const key = loadNodeKey(o.key, { create: true });
          const tty = process.stderr.isTTY;
          const done = await attest({
            hub: h,
            key,
            attester: o.as ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-'),
            node: o.node,
            actor: o.actor,
            branch: o.branch,
            component: o.component,
            keys: o.keys ? loadPinnedKeys(o.keys) : undefined,
            onProgress: (what, n, total) => tty && process.stderr.write(`\rreplaying ${what} ${n}/${total}`),
          });
          if (tty) process.stderr.write('\r\x1b[K');
          if (done.length === 0) console.log('nothing to attest (no other node has entries)');
          for (const a of done) {
            console.log(
              `${a.node}/${a.actor}/${a.branch} through #${a.seq} ${Buffer.from(a.head).toString('hex').slice(0, 12)}: ${a.verdict} — ${a.detail}`,
            );
          }
          if (done.some((a) => a.verdict !== 'verified')) process.exitCode = 1;
        }),
    );
}
