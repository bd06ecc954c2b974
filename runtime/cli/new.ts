/** `theater new <dir> --lang ts|c [--handlers http,message,...]`: a working actor project in your own folder. */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { BuildError } from '../build/project.ts';
import { NEW_HANDLERS, newProject, parseHandlerList } from '../build/new-project.ts';
import { UsageError } from './context.ts';

export function registerNew(program: Command): void {
  program
    .command('new')
    .description('create an actor project (source, manifest, WIT world, README, first test) in a new folder')
    .argument('<dir>', 'the folder to create (must not exist, or be empty)')
    .option('--lang <lang>', 'ts (TypeScript) or c', 'ts')
    .option('--handlers <list>', `comma-separated, from ${NEW_HANDLERS.join(', ')}`, 'http')
    .option('--name <name>', "the actor's name (default: the folder's name)")
    .action(async (dir: string, o: { lang: string; handlers: string; name?: string }) => {
      if (o.lang !== 'ts' && o.lang !== 'c') throw new UsageError(`--lang must be ts or c, not "${o.lang}"`);
      let r;
      try {
        r = await newProject(dir, { lang: o.lang, handlers: parseHandlerList(o.handlers), name: o.name });
      } catch (e) {
        if (e instanceof BuildError) throw new UsageError(e.message);
        throw e;
      }
      const where = relative(process.cwd(), r.dir) || '.';
      console.log(`created ${r.name} in ${where}:`);
      for (const f of r.files) console.log(`  ${f}`);
      console.log(`\nnext:\n  cd ${where}\n  theater build\n  theater run manifest.toml`);
    });
}
