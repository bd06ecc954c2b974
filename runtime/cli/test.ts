/** `theater test`: recorded chains as regression tests. `theater test save` makes one; `theater test [paths]` runs them. */
import { writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Command } from 'commander';
import { COMPARE_FIELDS, saveChainTest, type CompareField } from '../index.ts';
import { findTests, junitXml, NoTestsError, outcomeLines, runTests, totalsLine } from '../regress/index.ts';
import { UsageError, existingFile, openDbReader, resolveActor, resolveEntry, withReader } from './context.ts';
import { makeDirs } from '../make-dirs.ts';
import { plural } from '../plural.ts';

type Db = (cmd: Command) => string;

interface SaveOptions {
  actor?: string;
  branch?: string;
  from?: string;
  to?: string;
  output?: string;
  dir?: string;
  name?: string;
  component?: string;
  compare?: string;
  force?: boolean;
}

export function registerTest(program: Command, db: Db): void {
  const test = program
    .command('test')
    .description('recorded chains as regression tests: `test [paths…]` runs them, `test save` makes one');

  test
    .command('run', { isDefault: true })
    .description('replay each test against the build its manifest names (or --component); exit 0 all passed, 1 not')
    .argument('[paths...]', 'test manifests (*.test.json) or folders to search (default: .)')
    .option('--component <file.wasm>', 'replay every test against this build instead', existingFile)
    .option('--junit <file.xml>', 'also write the results as JUnit XML')
    .action(async (paths: string[], o: { component?: string; junit?: string }) => {
      let files: string[];
      try {
        files = findTests(paths);
      } catch (e) {
        if (e instanceof NoTestsError) throw new UsageError(e.message);
        throw e;
      }
      if (files.length === 0) throw new UsageError('no *.test.json files found (give paths, or run in their folder)');
      const all = await runTests(files, { component: o.component }, (t) => {
        for (const l of outcomeLines(t)) console.log(l);
      });
      console.log(totalsLine(all));
      if (o.junit) {
        makeDirs(dirname(o.junit));
        writeFileSync(o.junit, junitXml(all));
        console.log(`JUnit XML: ${o.junit}`);
      }
      if (all.some((t) => t.status !== 'passed')) process.exitCode = 1;
    });

  test
    .command('save')
    .description("save a range of an actor's chain (whole calls) as a test: a bundle and a reviewable manifest")
    .option('--db <file>', 'chain database')
    .option('--actor <id>', 'which actor (needed when the db holds several)')
    .option('--branch <name>', 'which branch (default: the live one)')
    .option('--from <hash>', 'first entry (default: the root); widened to the start of its call')
    .option('--to <hash>', 'last entry (default: the head); widened to the end of its call')
    .option('-o, --output <file.test.json>', 'the manifest to write; its .bundle goes beside it')
    .option('--dir <folder>', "where to write (default: theater-tests/ beside the actor's manifest)")
    .option('--name <name>', 'the test\'s name (default: "<actor> #<from>..#<to>")')
    .option('--component <file.wasm>', "the build to test (default: the actor's manifest's component)", existingFile)
    .option('--compare <fields>', `what must match, comma-separated from ${COMPARE_FIELDS.join(',')} (default: all)`)
    .option('--force', 'overwrite existing files')
    .action((o: SaveOptions, cmd: Command) =>
      withReader(
        () => openDbReader(db(cmd)),
        async (store) => {
          const actor = await resolveActor(store, o.actor);
          const saved = await saveChainTest(store, {
            actor,
            branch: o.branch,
            from: o.from ? (await resolveEntry(store, o.from, actor)).hash : undefined,
            to: o.to ? (await resolveEntry(store, o.to, actor)).hash : undefined,
            file: o.output,
            dir: o.dir,
            name: o.name,
            component: o.component,
            compare: o.compare === undefined ? undefined : compareFields(o.compare),
            overwrite: o.force,
          });
          const rel = (p: string) => relative(process.cwd(), p) || p;
          console.log(
            `${rel(saved.file)}: ${plural(saved.entries, 'entry', 'entries')}, #${saved.from.seq}..#${saved.to.seq} of ${actor} ` +
              `(bundle ${rel(saved.bundle)}); run it with: theater test ${rel(saved.file)}`,
          );
        },
      ),
    );
}

function compareFields(s: string): CompareField[] {
  const fields = s
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const bad = fields.filter((f) => !(COMPARE_FIELDS as readonly string[]).includes(f));
  if (bad.length > 0 || fields.length === 0)
    throw new UsageError(`--compare takes ${COMPARE_FIELDS.join(', ')} (comma-separated); got ${s}`);
  return fields as CompareField[];
}
