/** Which files `theater test` runs: test manifests named on the command line, or found under named folders. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_SUFFIX } from '../index.ts';

/** A path that names no test: a usage mistake, reported before anything runs. */
export class NoTestsError extends Error {
  override readonly name = 'NoTestsError';
}

const SKIP = new Set(['node_modules', '.git', '.theater', 'dist']);

/** Every test manifest under `paths` (files as given, folders searched recursively), sorted, each once. */
export function findTests(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths.length > 0 ? paths : ['.']) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new NoTestsError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      const before = out.size;
      walk(p, out);
      if (out.size === before && paths.length > 0) throw new NoTestsError(`${p}: no *${TEST_SUFFIX} files in it`);
    } else if (p.endsWith(TEST_SUFFIX)) out.add(p);
    else throw new NoTestsError(`${p} is not a test manifest (*${TEST_SUFFIX})`);
  }
  return [...out].sort();
}

function walk(dir: string, out: Set<string>): void {
  for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (d.name.startsWith('.') || SKIP.has(d.name)) continue;
    const p = join(dir, d.name);
    if (d.isDirectory()) walk(p, out);
    else if (d.isFile() && d.name.endsWith(TEST_SUFFIX)) out.add(p);
  }
}
