/**
 * An actor project as `theater new` lays it out and `theater build` reads it: manifest.toml (the component path
 * says where the build goes), wit/world.wit (the project's own world, importing the theater package from
 * wit/deps/theater/) and src/ (actor.ts for TypeScript, *.c for C). Convention, not configuration: there is no build
 * file to keep in step with the manifest.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadManifest, type Manifest } from '../manifest/index.ts';

export type Lang = 'ts' | 'c';

export interface Project {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly lang: Lang;
  /** TypeScript: the entry file. C: every .c file in src/. */
  readonly sources: readonly string[];
  readonly witDir: string;
  readonly world: string;
  /** The world's exports and imports, as written in world.wit (versioned interface names). */
  readonly exports: readonly string[];
  readonly imports: readonly string[];
  /** The component the build writes: the manifest's component path. */
  readonly out: string;
}

/** Runs one named step of a build, reporting it (with its time) when it ends. */
export type Step = <T>(name: string, run: () => Promise<T>) => Promise<T>;

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

export function loadProject(dirArg: string): Project {
  const dir = resolve(dirArg);
  const manifestFile = join(dir, 'manifest.toml');
  if (!existsSync(dir)) throw new BuildError(`${dir}: no such folder.`);
  if (!existsSync(manifestFile)) {
    throw new BuildError(
      `${dir} has no manifest.toml: it is not an actor project. Create one with \`theater new <dir> --lang ts|c\`.`,
    );
  }
  const manifest = loadManifest(manifestFile);
  const witDir = join(dir, 'wit');
  const worldFile = join(witDir, 'world.wit');
  if (!existsSync(worldFile)) {
    throw new BuildError(`${worldFile} is missing: the project's WIT world (see docs/wit-worlds.md).`);
  }
  const wit = readFileSync(worldFile, 'utf8');
  const worlds = [...wit.matchAll(/^\s*world\s+([a-z][a-z0-9-]*)\s*\{/gm)].map((m) => m[1]!);
  if (worlds.length !== 1) {
    throw new BuildError(
      `${worldFile} must define exactly one world (it defines ${worlds.length === 0 ? 'none' : worlds.join(', ')}).`,
    );
  }
  const items = (kind: string) =>
    [
      ...wit.matchAll(
        new RegExp(`^\\s*${kind}\\s+([a-z][a-z0-9-]*:[a-z][a-z0-9-]*/[a-z][a-z0-9-]*@[^;\\s]+)\\s*;`, 'gm'),
      ),
    ].map((m) => m[1]!);

  const src = join(dir, 'src');
  const files = existsSync(src) ? readdirSync(src) : [];
  const ts = files.includes('actor.ts') ? [join(src, 'actor.ts')] : [];
  const c = files.filter((f) => f.endsWith('.c')).map((f) => join(src, f));
  if (ts.length && c.length) {
    throw new BuildError(`${src} has both actor.ts and .c files: an actor is built from one language.`);
  }
  if (!ts.length && !c.length) {
    throw new BuildError(`${src} has neither actor.ts (TypeScript) nor any .c file (C): nothing to build.`);
  }
  return {
    dir,
    manifest,
    lang: ts.length ? 'ts' : 'c',
    sources: ts.length ? ts : c.sort(),
    witDir,
    world: worlds[0]!,
    exports: items('export'),
    imports: items('import'),
    out: manifest.componentPath,
  };
}

export function rel(p: Project, file: string): string {
  return relative(p.dir, file) || '.';
}
