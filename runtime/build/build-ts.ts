/**
 * TypeScript → component: esbuild bundles src/actor.ts (types stripped, local imports inlined, `theater:` and
 * `wasi:` imports left for the component), then componentize-js (StarlingMonkey, see docs/write-your-first-actor.md
 * "Why StarlingMonkey") makes the component against the project's world. WASI stays on, except outgoing HTTP: the
 * actor's console, clocks and randomness are recorded by the runtime like every other import.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { camelCase } from '../component/names.ts';
import { BuildError, rel, type Project, type Step } from './project.ts';
import { preopenRoot } from './wasi-shim.ts';
import { inPinnedFolder } from './componentize-folder.ts';
import { makeDirs } from '../make-dirs.ts';

/** componentize-js needs these off: Theater has no outgoing HTTP (it could not be replayed) and serves HTTP itself. */
export const DISABLED_FEATURES = ['http', 'fetch-event'] as const;

export async function bundleTs(p: Project, step: Step): Promise<string> {
  const esbuild = await import('esbuild');
  const entry = p.sources[0]!;
  const outfile = join(p.dir, '.theater', 'build', `${p.manifest.name}.js`);
  const result = await step(`bundle ${rel(p, entry)}`, async () => {
    try {
      return await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        // Its "// src/actor.ts" comments name files relative to this, and they end up in the component: the
        // project's folder, not the shell's, so building from elsewhere gives the same bytes.
        absWorkingDir: p.dir,
        format: 'esm',
        platform: 'neutral',
        target: 'es2022',
        external: ['theater:*', 'wasi:*'],
        write: false,
        metafile: true,
        logLevel: 'silent',
        outfile,
      });
    } catch (e) {
      const errors = (e as { errors?: Parameters<typeof esbuild.formatMessagesSync>[0] }).errors;
      if (!errors) throw e;
      throw new BuildError(esbuild.formatMessagesSync(errors, { kind: 'error', color: false }).join('').trimEnd());
    }
  });
  const out = result.outputFiles[0]!;
  // The world says what the component must export; check it here, in a second, rather than after componentize.
  const exported = new Set(Object.values(result.metafile.outputs)[0]?.exports ?? []);
  const missing = p.exports.filter((iface) => !exported.has(exportName(iface)));
  if (missing.length) {
    throw new BuildError(
      missing
        .map(
          (iface) =>
            `${rel(p, entry)} does not export \`${exportName(iface)}\`, but wit/world.wit exports ${iface}. ` +
            `Add \`export const ${exportName(iface)} = { ... }\` (its functions are typed in types/), ` +
            'or remove the export from the world.',
        )
        .join('\n'),
    );
  }
  makeDirs(join(p.dir, '.theater', 'build'));
  writeFileSync(outfile, out.contents);
  return outfile;
}

/** The JS export name componentize-js looks for: the interface's name in camelCase. */
export function exportName(iface: string): string {
  return camelCase(iface.slice(iface.indexOf('/') + 1).replace(/@.*$/, ''));
}

/**
 * componentize-js is handed the source's text and a name rather than its path: it then writes the source into its own
 * work folder (pinned by inPinnedFolder) and strips that folder from the script names the engine sees, so a stack
 * trace names `<actor>.js`, not a path that depends on where the project or the shell was. (That form is marked
 * deprecated in its types; new-actor.test.ts fails if an upgrade changes what it does.)
 */
type ComponentizeSource = (
  source: string,
  opts: {
    readonly sourceName: string;
    readonly witPath: string;
    readonly worldName: string;
    readonly disableFeatures: string[];
  },
) => Promise<{ component: Uint8Array }>;

export async function componentizeTs(p: Project, bundle: string, step: Step): Promise<Uint8Array> {
  const componentize = (await import('@bytecodealliance/componentize-js'))
    .componentize as unknown as ComponentizeSource;
  preopenRoot();
  return step('componentize (StarlingMonkey)', async () => {
    try {
      const { component } = await inPinnedFolder(p, () =>
        componentize(readFileSync(bundle, 'utf8'), {
          sourceName: basename(bundle),
          witPath: p.witDir,
          worldName: p.world,
          disableFeatures: [...DISABLED_FEATURES],
        }),
      );
      return component;
    } catch (e) {
      if (e instanceof BuildError) throw e;
      throw new BuildError(`componentize-js failed: ${firstLines(String((e as Error).message ?? e), 12)}`);
    }
  });
}

export function firstLines(s: string, n: number): string {
  return s
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, n)
    .join('\n');
}
