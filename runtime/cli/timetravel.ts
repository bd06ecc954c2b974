/** Time-travel commands: replay, diff, fork, branches, export, import, who-wrote, noops, follow. */
import type { Command } from 'commander';
import { summarizeEntry } from '../chain/describe.ts';
import { toHex } from '../chain/entry.ts';
import { plural } from '../plural.ts';
import type { ChainReader } from '../reader/chain-reader.ts';
import { SqliteReader, type ChainStore, type StoredEntry } from '../store/index.ts';
import {
  diffBranches,
  diffEntries,
  exportBundle,
  followFrom,
  type FarEntry,
  forkAt,
  importBundle,
  listBranches,
  noOps,
  parsePath,
  renderDiff,
  replay,
  replayHere,
  whoWrote,
  type ReplayReport,
} from '../timetravel/index.ts';
import {
  UsageError,
  openExisting,
  existingFile,
  openExistingForWriting,
  positiveInt,
  resolveActor,
  resolveEntry,
  withReader,
  type Source,
} from './context.ts';
import { payloads } from './inspect.ts';
import { ChainStore as Store } from '../store/index.ts';

type Db = (cmd: Command) => string;
/** The chain a reading command is about: `--db`, or `--hub` with `--node` (see main.ts). */
type Sources = (cmd: Command) => Source;

const short = (h: Uint8Array | string | null) =>
  h === null ? 'none' : (typeof h === 'string' ? h : toHex(h)).slice(0, 12);

/** One line per entry: actor, seq, hash, kind, function and what it recorded. */
async function line(store: ChainReader, e: StoredEntry): Promise<string> {
  const blobs = await payloads(store, [e]);
  const summary = summarizeEntry(e, (h) => blobs.get(toHex(h)), 80);
  return `${e.actor} #${e.seq} ${short(e.hash)} ${e.kind} ${e.iface.replace(/^theater:simple\//, '')}#${e.fn} ${summary}`;
}

/** A progress line on stderr, only on a terminal (CI logs stay clean). */
function progress(what: string): ((done: number, total: number) => void) & { clear(): void } {
  const tty = process.stderr.isTTY;
  const f = (done: number, total: number) => tty && process.stderr.write(`\r${what} ${done}/${total}`);
  return Object.assign(f, { clear: () => tty && process.stderr.write('\r\x1b[K') });
}

/** Runs `fn` on the db: read-only, or (`write`) holding the writer lease, which another writer refuses (exit 3). */
async function withStore<T>(db: string, fn: (s: ChainStore) => Promise<T>, write = false): Promise<T> {
  const store = write ? openExistingForWriting(db) : openExisting(db);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export function registerTimeTravel(
  program: Command,
  db: Db,
  source: Sources,
  hubOptions: (c: Command) => Command,
): void {
  hubOptions(program.command('replay'))
    .description(
      're-run the chain against the component (or another build) with every import answered from the record; exit 0 verified, 1 diverged',
    )
    .option('--db <file>', 'chain database')
    .option('--actor <id>', 'which actor (needed when the db holds several)')
    .option('--branch <name>', 'replay this branch (default: the live one)')
    .option('--component <file.wasm>', 'replay against another build of the component', existingFile)
    .option('--json', 'print the result as JSON')
    .action(async (o: { actor?: string; branch?: string; component?: string; json?: boolean }, cmd: Command) => {
      const p = progress('replaying');
      const r = await withReader(source(cmd), async (s) => {
        const actor = await resolveActor(s, o.actor);
        const req = { actor, branch: o.branch, component: o.component };
        // A db is replayed on a worker thread (it opens the file itself); a hub node on this one.
        return s instanceof SqliteReader ? replay({ db: s.source, ...req }, p) : replayHere(s, req, p);
      });
      p.clear();
      if (o.json) console.log(JSON.stringify(r, null, 2));
      else printReplay(r);
      if (r.status !== 'verified') process.exitCode = 1;
    });

  hubOptions(program.command('diff'))
    .description('state diff between two entries (hashes or 12+ hex prefixes), or two branches from their merge-base')
    .argument('<a>', 'entry hash, or a branch name')
    .argument('<b>', 'entry hash, or a branch name')
    .option('--db <file>', 'chain database')
    .option('--actor <id>', 'which actor, for branch names')
    .option('--json', 'print the diff as JSON')
    .action((a: string, b: string, o: { actor?: string; json?: boolean }, cmd: Command) =>
      withReader(source(cmd), async (s) => {
        const isHash = (x: string) => /^[0-9a-f]{12,64}$/i.test(x);
        if (isHash(a) && isHash(b)) {
          const [ea, eb] = [await resolveEntry(s, a, o.actor), await resolveEntry(s, b, o.actor)];
          const d = await diffEntries(s, ea.hash, eb.hash);
          if (o.json)
            return console.log(JSON.stringify({ a: toHex(d.a.hash), b: toHex(d.b.hash), diff: d.diff }, null, 2));
          console.log(`${await line(s, d.a)}\n${await line(s, d.b)}`);
          for (const l of renderDiff(d.diff)) console.log(`  ${l}`);
          return;
        }
        const d = await diffBranches(s, await resolveActor(s, o.actor), a, b);
        if (o.json)
          return console.log(
            JSON.stringify(
              {
                base: d.base && toHex(d.base.hash),
                a: { branch: a, head: toHex(d.a.head.hash), sinceBase: d.a.sinceBase },
                b: { branch: b, head: toHex(d.b.head.hash), sinceBase: d.b.sinceBase },
                diff: d.diff,
              },
              null,
              2,
            ),
          );
        console.log(`merge-base: ${d.base ? await line(s, d.base) : 'none (unrelated histories)'}`);
        for (const side of [d.a, d.b]) {
          console.log(`${side.branch} (head #${side.head.seq} ${short(side.head.hash)}) since the merge-base:`);
          for (const l of renderDiff(side.sinceBase)) console.log(`  ${l}`);
        }
        console.log(`${a} → ${b}:`);
        for (const l of renderDiff(d.diff)) console.log(`  ${l}`);
      }),
    );

  program
    .command('fork')
    .description(
      'continue from an entry: a new branch there (fork-N or --name), made live; the old branch stays intact',
    )
    .argument('<hash>', 'entry hash or a prefix of 12+ hex characters')
    .option('--db <file>', 'chain database')
    .option('--name <branch>', 'name of the new branch')
    .action((hash: string, o: { name?: string }, cmd: Command) =>
      withStore(
        db(cmd),
        async (s) => {
          const at = await resolveEntry(SqliteReader.of(s), hash);
          const f = forkAt(s, at.hash, o.name);
          console.log(
            `${f.actor}: branch ${f.branch} from #${at.seq} ${short(at.hash)} is live (head ${short(f.head)}); the next run continues there`,
          );
        },
        true,
      ),
    );

  program
    .command('branches')
    .description("an actor's branches with their heads (* = live)")
    .option('--db <file>', 'chain database')
    .option('--actor <id>', 'which actor')
    .option('--live <branch>', 'make this branch the live one (a running runtime switches on its next start)')
    .action((o: { actor?: string; live?: string }, cmd: Command) =>
      withStore(
        db(cmd),
        async (s) => {
          const actor = await resolveActor(SqliteReader.of(s), o.actor);
          const branches = listBranches(s, actor);
          if (o.live !== undefined && !branches.some((b) => b.name === o.live)) {
            const names = branches.map((b) => b.name).join(', ');
            throw new UsageError(`actor ${actor} has no branch ${o.live}; its branches: ${names}`);
          }
          if (o.live) s.setLiveBranch(actor, o.live);
          for (const b of o.live ? listBranches(s, actor) : branches) {
            console.log(
              `${b.live ? '*' : ' '} ${b.name.padEnd(16)} head #${b.seq} ${b.head ? toHex(b.head) : 'none'}${b.base ? ` (forked at ${short(b.base)})` : ''}`,
            );
          }
        },
        o.live !== undefined,
      ),
    );

  hubOptions(program.command('export'))
    .description("write an actor's chain (a branch, or a range) as one verifiable bundle file")
    .requiredOption('-o, --output <file>', 'bundle file to write')
    .option('--db <file>', 'chain database')
    .option('--actor <id>', 'which actor')
    .option('--branch <name>', 'which branch (default: the live one)')
    .option('--from <hash>', 'first entry of a range')
    .option('--to <hash>', 'last entry of a range')
    .option('--with-component', "embed the component's bytes")
    .action(
      (
        o: { output: string; actor?: string; branch?: string; from?: string; to?: string; withComponent?: boolean },
        cmd: Command,
      ) =>
        withReader(source(cmd), async (s) => {
          const actor = await resolveActor(s, o.actor);
          const p = progress('exporting');
          const r = await exportBundle(s, o.output, {
            actor,
            branch: o.branch,
            withComponent: o.withComponent,
            onProgress: p,
            from: o.from ? (await resolveEntry(s, o.from, actor)).hash : undefined,
            to: o.to ? (await resolveEntry(s, o.to, actor)).hash : undefined,
          });
          p.clear();
          console.log(
            `${o.output}: ${plural(r.entries, 'entry', 'entries')}, ${plural(r.blobs, 'blob')}, ${plural(r.bytes, 'byte')}, head ${r.head}${r.component ? `, component ${short(r.component)}` : ''}`,
          );
        }),
    );

  program
    .command('import')
    .description(
      'verify a bundle completely, then add it to the database (nothing is written if any check fails); refused while another process writes the db',
    )
    .argument('<file>', 'bundle file', existingFile)
    .option('--db <file>', 'chain database (created if missing)')
    .option('--as <branch>', 'import onto this branch name')
    .option('--max-bytes <n>', 'refuse bigger files', positiveInt)
    .action((file: string, o: { as?: string; maxBytes?: number }, cmd: Command) => {
      const store = Store.open(db(cmd));
      try {
        const p = progress('importing');
        const r = importBundle(store, file, { as: o.as, maxBytes: o.maxBytes, onProgress: p });
        p.clear();
        console.log(
          `${r.actor}/${r.branch}: ${plural(r.entries, 'entry', 'entries')} verified and imported (${r.existing} already present), head ${r.head}`,
        );
      } finally {
        store.close();
      }
    });

  hubOptions(program.command('who-wrote'))
    .description('the entry that last changed a JSON path of the state at an entry')
    .argument('<hash>', 'entry hash or a prefix of 12+ hex characters')
    .argument('<json-path>', 'e.g. $.notes[0].text, count or /notes/0/text')
    .option('--db <file>', 'chain database')
    .action((hash: string, path: string, _o, cmd: Command) =>
      withReader(source(cmd), async (s) => {
        const w = await whoWrote(s, (await resolveEntry(s, hash)).hash, parsePath(path));
        console.log(`${w.path} = ${JSON.stringify(w.value) ?? '(absent)'}`);
        if (!w.writer) return console.log('never written on this path');
        console.log(`written by ${await line(s, w.call ?? w.writer)}`);
        if (w.call) console.log(`  returned at ${await line(s, w.writer)}`);
        console.log(`  before: ${JSON.stringify(w.previous) ?? '(absent)'}`);
      }),
    );

  hubOptions(program.command('noops'))
    .description('export calls that did not change the state')
    .option('--db <file>', 'chain database')
    .option('--actor <id>', 'which actor')
    .option('--limit <n>', 'at most n', positiveInt)
    .action((o: { actor?: string; limit?: number }, cmd: Command) =>
      withReader(source(cmd), async (s) => {
        const actor = await resolveActor(s, o.actor);
        const branch = await s.liveBranch(actor);
        const head = await s.head(actor, branch);
        if (!head) throw new UsageError(`actor ${actor} has no entries on its live branch ${branch} yet`);
        const found = await noOps(s, head.hash, { limit: o.limit });
        // Said, so that an empty answer is not taken for a command that did nothing.
        if (found.length === 0)
          console.log(`no no-ops: every call on ${actor}/${branch} through #${head.seq} changed the state`);
        for (const n of found) console.log(await line(s, n.call));
      }),
    );

  hubOptions(program.command('follow'))
    .description('follow a message: from a send/request import to the receiver and back, or from a call to its sender')
    .argument('<hash>', 'entry hash or a prefix of 12+ hex characters')
    .option('--db <file>', 'chain database')
    .action((hash: string, _o, cmd: Command) =>
      withReader(source(cmd), async (s, far) => {
        // In a hub, the other end may be on another node: it is printed with the node's name.
        const l = await followFrom(s, await resolveEntry(s, hash), far);
        const show = async (e: FarEntry) => `${e.node ? `[${e.node}] ` : ''}${await line(s, e)}`;
        console.log(`sent:     ${l.sent ? await show(l.sent) : '(not from an actor)'}`);
        console.log(`received: ${l.received ? await show(l.received) : '(not found)'}`);
        console.log(`answered: ${l.answered ? await show(l.answered) : '(not yet)'}`);
      }),
    );
}

function printReplay(r: ReplayReport): void {
  const against =
    r.component.recorded && r.component.sha256 !== r.component.recorded
      ? ` against ${r.component.path} (${short(r.component.sha256)}, recorded ${short(r.component.recorded)})`
      : '';
  if (r.builds.length > 1) {
    // Restarted with other builds midway: each segment was replayed against the build that recorded it.
    const each = r.builds.map((b) => `#${b.from} ${short(b.sha256)} (${b.path})`).join(', ');
    console.log(`note: ${r.builds.length} builds, each from the entry it recorded: ${each}`);
  }
  if (r.status === 'failed')
    return void console.log(`${r.target}: replay failed after ${plural(r.count, 'entry', 'entries')}: ${r.message}`);
  for (const c of r.copied) console.log(`note: entry #${c.seq} copied, not re-run: ${c.reason}`);
  if (r.status === 'verified')
    return void console.log(
      `${r.target}: verified ${plural(r.count, 'entry', 'entries')}${against}, same head ${r.head}`,
    );
  console.log(`${r.target}: DIVERGED at entry #${r.index}${against} (${plural(r.count, 'entry', 'entries')} matched)`);
  console.log(`  ${r.reason}`);
  const show = (label: string, v: typeof r.expected) =>
    console.log(
      v
        ? `  ${label} ${v.kind} ${v.iface}#${v.fn} input=${JSON.stringify(v.input)} output=${JSON.stringify(v.output)}${v.hash ? ` ${short(v.hash)}` : ''}`
        : `  ${label} (nothing)`,
    );
  show('expected:', r.expected);
  show('got:     ', r.got);
  console.log('  state after the call, recorded → replayed:');
  for (const l of renderDiff(r.stateDiff)) console.log(`    ${l}`);
}
