/**
 * One exit-code convention for every `theater` command, so that scripts can tell "the chain is bad" from "you
 * typed it wrong" from "someone else is writing". Printed by `theater --help` and in the README's CLI section.
 */
import { CommanderError } from 'commander';
import { ActorLoadError } from '../component/check.ts';
import { ComponentError } from '../component/loader.ts';
import { KeyFileError } from '../hub/signing.ts';
import { ListenError } from '../ingress/types.ts';
import { ManifestError } from '../manifest/index.ts';
import { ChainConflictError, ChainStoreOpenError, WriterBusyError } from '../store/index.ts';
import { HubOpenError, NodeKeyMismatch } from '../store-pg/index.ts';
import { BundleError } from '../timetravel/bundle-format.ts';
import { DamagedChainError, TimeTravelError } from '../timetravel/state.ts';
import { UsageError } from './context.ts';

export const EXIT = {
  ok: 0,
  /** The chain says no: verify found a bad entry, replay did not reproduce it, a bundle was refused, a chain test
   *  did not pass; a build failed. */
  refused: 1,
  /** Usage or input: bad arguments, no such db/actor/entry/branch, not a Theater db, a manifest or component, a
   *  folder that is not an actor project (build); a hub
   *  that cannot be opened or has no such node, a key file that cannot be used or is not the one the hub has for
   *  that node name. */
  usage: 2,
  /** The db has another writer (run, fork, import, branches --live): the message names it. */
  busy: 3,
  /** Theater itself failed: the SQLite driver cannot be loaded, a disk error, a bug. */
  failed: 4,
} as const;

export const EXIT_CODES_HELP = `
Exit codes (every command):
  0  done (for verify and replay: the chain checks out)
  1  the chain says no: verify found a bad entry, replay diverged or could not run, a bundle was refused, a chain
     test did not pass (test); build failed (the compiler said no)
  2  usage or input error: bad arguments (an unknown command or option, a bad number, a file named that is not
     there, a reversed range), no such db, actor, entry or branch, not a Theater db, a manifest or component that
     cannot load, a folder build is given that is not an actor project; a hub that cannot be opened, no such node
     in it, a key file that cannot be used or is not the node's
  3  another process is writing the db (run, fork, import, branches --live); the message names it and says what
     to do. Reading commands never get this
  4  Theater itself failed: the SQLite driver cannot be loaded, a disk error, a bug`;

export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version'
      ? EXIT.ok
      : EXIT.usage;
  }
  if (e instanceof WriterBusyError) return EXIT.busy;
  if (e instanceof BundleError || e instanceof ChainConflictError || e instanceof DamagedChainError)
    return EXIT.refused;
  if (
    e instanceof UsageError ||
    e instanceof ManifestError ||
    e instanceof ListenError ||
    e instanceof ActorLoadError ||
    e instanceof ComponentError ||
    e instanceof ChainStoreOpenError ||
    e instanceof TimeTravelError ||
    e instanceof HubOpenError ||
    e instanceof NodeKeyMismatch ||
    e instanceof KeyFileError
  )
    return EXIT.usage;
  return EXIT.failed; // SqliteDriverError, disk errors, bugs
}
