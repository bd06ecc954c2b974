/**
 * Typed bindings for a TypeScript actor, generated from its world by jco (guest types): one `declare module` per
 * imported and exported interface, in the project's types/ folder. Regenerated when the WIT is newer than them, so
 * editing wit/world.wit and building is all it takes.
 */
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Project, Step } from './project.ts';
import { preopenRoot } from './wasi-shim.ts';
import { makeDirs } from '../make-dirs.ts';

export const TYPES_DIR = 'types';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export async function refreshTypes(p: Project, step: Step): Promise<void> {
  const out = join(p.dir, TYPES_DIR);
  const stamp = join(out, `${p.world}.d.ts`);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest(p.witDir)) return;
  await step('types from wit/', () => writeTypes(p));
}

export async function writeTypes(p: { readonly dir: string; readonly witDir: string; readonly world: string }) {
  const { types } = await import('@bytecodealliance/jco');
  preopenRoot();
  const files = await types(p.witDir, { worldName: p.world, guest: true, quiet: true });
  const out = join(p.dir, TYPES_DIR);
  rmSync(out, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(files)) {
    const file = join(out, name);
    makeDirs(dirname(file));
    writeFileSync(file, bytes);
  }
}
