/**
 * `mkdir -p` that always ends. Node's `mkdirSync(dir, { recursive: true })` (and the async one) spins forever when a
 * folder's parent exists but the folder cannot be made there and the kernel answers ENOENT — a path under /proc, for
 * one (`theater run --db /proc/x/chain.db` hung; so did the Studio's whole process when "Save as test" was given such
 * a folder). Here each missing folder is made once, from the outermost down, and the first failure is thrown with
 * the path it concerns.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Makes `dir` and any missing parents; a folder already there is fine, a file in the way is an error. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    const st = statSync(d, { throwIfNoEntry: false });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`not a folder: ${d}`), { code: 'ENOTDIR', path: d });
      break;
    }
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Made meanwhile by someone else: as good as made by us.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
}
