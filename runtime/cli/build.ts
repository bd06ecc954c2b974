/**
 * `theater build [dir] [--watch]`: an actor project → its component (runtime/build/). With --watch it stays up and
 * rebuilds on every save of src/ or wit/, warm: componentize-js's own setup is paid once, so a TypeScript rebuild
 * takes seconds rather than the first build's tens of seconds. The component is replaced in one rename, which a
 * Studio that has the actor running sees, offering to replay its history against the new build.
 */
import type { Command } from 'commander';
import { watch } from 'node:fs';
import { join } from 'node:path';
import { buildProject, describeResult } from '../build/build.ts';
import { BuildError, loadProject, rel } from '../build/project.ts';
import { ManifestError, formatManifestError } from '../manifest/index.ts';
import { UsageError } from './context.ts';

const LANG = { ts: 'TypeScript', c: 'C' } as const;

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description("build an actor project's component (TypeScript or C) next to its manifest")
    .argument('[dir]', 'the project folder (default: the current one)', '.')
    .option('--watch', 'rebuild on every change to src/ or wit/')
    .action(async (dir: string, o: { watch?: boolean }) => {
      checkProject(dir);
      const ok = await buildOnce(dir);
      if (!o.watch) {
        if (!ok) process.exitCode = 1;
        return;
      }
      await watchAndBuild(dir);
    });
}

/**
 * A folder that is not an actor project (no such folder, no manifest.toml, a bad manifest, no WIT world, no
 * sources) is the user's input, exit 2 like a missing db, told before anything is built; a build that fails is 1.
 */
function checkProject(dir: string): void {
  try {
    loadProject(dir);
  } catch (e) {
    throw e instanceof BuildError ? new UsageError(e.message) : e;
  }
}

/** One build, reported; false (with the reason printed) when it failed. */
async function buildOnce(dir: string): Promise<boolean> {
  try {
    const p = loadProject(dir);
    console.log(`building ${p.manifest.name} (${LANG[p.lang]}, world ${p.world})`);
    const r = await buildProject(p, {
      onStep: (name, ms) => console.log(`  ${name.padEnd(40)} ${(ms / 1000).toFixed(1).padStart(6)} s`),
    });
    console.log(describeResult(p, r));
    return true;
  } catch (e) {
    if (e instanceof ManifestError) console.error(`theater build: ${formatManifestError(e)}`);
    else if (e instanceof BuildError) console.error(`theater build: ${e.message}`);
    else throw e;
    return false;
  }
}

async function watchAndBuild(dir: string): Promise<never> {
  const p = loadProject(dir);
  let timer: NodeJS.Timeout | undefined;
  let building = false;
  let again = false;
  const run = async () => {
    if (building) return void (again = true); // one more build after this one, with every change since
    building = true;
    do {
      again = false;
      console.log(`\n[${new Date().toLocaleTimeString()}] change detected`);
      await buildOnce(dir);
    } while (again);
    building = false;
    console.log('watching src/ and wit/ (Ctrl-C stops)');
  };
  for (const sub of ['src', 'wit', 'include']) {
    try {
      watch(join(p.dir, sub), { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => void run(), 150); // an editor's save is often several writes
      });
    } catch {
      // include/ exists for C projects only
    }
  }
  console.log(`watching ${rel(p, join(p.dir, 'src'))}/ and wit/ (Ctrl-C stops)`);
  return new Promise<never>(() => {});
}
