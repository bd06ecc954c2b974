/** `theater`: run actors headless and inspect, verify and replay their chains. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { formatManifestError, ManifestError } from '../manifest/index.ts';
import { defaultDbPath, openDbReader, positiveInt, type Source } from './context.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.ts';
import { hubOptions, hubUrl, openHubNode, registerHub } from './hub.ts';
import { runCommand, type RunOptions } from './run.ts';
import { eventsCommand, stateCommand, verifyCommand } from './inspect.ts';
import { registerTimeTravel } from './timetravel.ts';
import { registerNew } from './new.ts';
import { registerBuild } from './build.ts';
import { registerTest } from './test.ts';
import { registerDap } from './dap.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('theater')
  .description('Run WebAssembly actors whose every boundary crossing is recorded in a verifiable hash chain.')
  .version(version)
  .option('--manifest <path>', "run the actor a manifest describes (the seed's quick start; same as `theater run`)")
  .option('--db <file>', 'chain database (default: $THEATER_DB or .theater/chain.db)')
  .addHelpText('after', EXIT_CODES_HELP)
  .showHelpAfterError()
  .exitOverride();

// `theater events | head`: the reader went away. Quietly: the commands stop writing once stdout is destroyed and
// end with their own exit code, so `theater verify | head -1` still exits 1 on a bad chain (it exited 0 here).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
  throw e;
});

const db = (cmd: Command): string => (cmd.optsWithGlobals().db as string | undefined) ?? defaultDbPath();
/** Where a reading command reads: a hub's node when it names a hub, else the db. An explicit --db is the db, even
 *  with $THEATER_HUB set (it read the hub instead); only an explicit --hub beats it. */
const source =
  (cmd: Command): Source =>
  () => {
    const dbGiven = cmd.optsWithGlobals().db !== undefined && cmd.opts().hub === undefined;
    const url = dbGiven ? undefined : hubUrl(cmd);
    return url ? openHubNode(url, cmd.opts().node as string | undefined) : openDbReader(db(cmd));
  };

program
  .command('run')
  .description('start an actor (and its children) from a manifest; Ctrl-C commits and exits')
  .argument('<manifest>', 'path to manifest.toml')
  .option('--db <file>', 'chain database')
  .option('--hub <url>', 'also ship every committed entry to this hub (postgres:// URL)')
  .option('--node <name>', "this node's name in the hub (default: the host name)")
  .option('--key <file>', "this node's Ed25519 key file (default: node.key beside the db; created if missing)")
  .option('--config <file>', 'a node config with a [hub] table (default: $THEATER_CONFIG or .theater/config.toml)')
  .action((manifest: string, o: RunOptions, cmd: Command) => runCommand(manifest, db(cmd), o));

hubOptions(program.command('events'))
  .description('every recorded crossing, in chain order')
  .option('--db <file>', 'chain database')
  .option('--actor <id>', 'only this actor')
  .option('--json', 'one JSON object per line: hash, parent, actor, seq, kind, interface, function, summary, ...')
  .option('--limit <n>', 'at most n entries (the latest n)', positiveInt)
  .option(
    '--logs',
    "only the actors' log lines: runtime.log and what they wrote to stdout/stderr (console.log, printf)",
  )
  .action((o: { actor?: string; json?: boolean; limit?: number; logs?: boolean }, cmd: Command) =>
    eventsCommand(source(cmd), o),
  );

hubOptions(program.command('verify'))
  .description('recompute every hash; exit 0 if the chain is intact, 1 naming the first bad entry')
  .option('--db <file>', 'chain database')
  .option('--actor <id>', 'only this actor')
  .option('--full', "verify every entry again, not only those after the last verify's checkpoint")
  .action((o: { actor?: string; full?: boolean }, cmd: Command) => verifyCommand(source(cmd), o));

hubOptions(program.command('state'))
  .description("an actor's state: the latest, or as of an entry")
  .option('--db <file>', 'chain database')
  .option('--actor <id>', 'which actor (needed when the db holds several)')
  .option('--at <hash>', 'entry hash or a prefix of 12+ hex characters')
  .action((o: { actor?: string; at?: string }, cmd: Command) => stateCommand(source(cmd), o));

registerTimeTravel(program, db, source, hubOptions);
registerHub(program);
registerNew(program);
registerBuild(program);
registerTest(program, db);
registerDap(program);

// The seed's form: `theater --manifest path/to/manifest.toml`. With an action of its own, the program took a
// mistyped command for an argument ("too many arguments"). Excess arguments are let through to it (here, after every
// command is registered, so that no command inherits that) and refused as commander refuses an unknown command in
// a program without an action: naming it, with the closest command ("Did you mean events?").
program.allowExcessArguments().action(async (o: { manifest?: string }) => {
  if (program.args.length > 0) (program as Command & { unknownCommand(): never }).unknownCommand();
  if (!o.manifest) return program.help();
  await runCommand(o.manifest, db(program), {});
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const code = exitCodeFor(e);
  // Commander has printed its own message (and the help) already.
  if (!(e instanceof CommanderError)) {
    if (e instanceof ManifestError) console.error(`theater: ${formatManifestError(e)}`);
    else console.error(`theater: ${(e as Error).message ?? e}`);
    if (code === EXIT.failed && process.env.THEATER_DEBUG) console.error((e as Error).stack);
  }
  process.exit(code);
}
