/**
 * `theater build` figures for the TypeScript template (issue 12): a cold build (a fresh `theater build` process, as
 * a user runs it once), a warm rebuild (a source edit built again in the same process, as `theater build --watch`
 * does), the component's size; and the same for the C template.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProject } from '../runtime/build/build.ts';
import { newProject } from '../runtime/build/new-project.ts';
import { loadProject } from '../runtime/build/project.ts';
import { ROOT } from './runtime-bench.ts';

export async function benchBuild(opts: { rounds: number }, log: (s: string) => void): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'theater-build-bench-'));
  const out: Record<string, number> = {};
  try {
    for (const lang of ['ts', 'c'] as const) {
      const dir = join(root, `${lang}-actor`);
      await newProject(dir, { lang, handlers: ['http', 'message'] });
      const cold: number[] = [];
      for (let i = 0; i < opts.rounds; i++) {
        const t = performance.now();
        execFileSync(process.execPath, [join(ROOT, 'bin/theater.js'), 'build', dir], { stdio: 'ignore' });
        cold.push((performance.now() - t) / 1000);
      }
      const p = loadProject(dir);
      const src = p.sources[0]!;
      const original = readFileSync(src, 'utf8');
      await buildProject(p); // this process's first build: pays the set-up a watcher pays once
      const warm: number[] = [];
      for (let i = 0; i < opts.rounds; i++) {
        writeFileSync(src, `${original}\n// edit ${i}\n`);
        const t = performance.now();
        await buildProject(p);
        warm.push((performance.now() - t) / 1000);
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      out[`build_${lang}_cold_s`] = median(cold);
      out[`build_${lang}_warm_s`] = median(warm);
      out[`build_${lang}_component_kb`] = statSync(p.out).size / 1024;
      log(
        `${lang}: cold ${cold.map((x) => x.toFixed(1)).join(', ')} s; warm ${warm.map((x) => x.toFixed(1)).join(', ')} s`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}
