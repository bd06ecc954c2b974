/**
 * Before/after on a shared machine: `npx tsx bench/ab.ts --a <worktree> --b <worktree> [--rounds 3] -- <run.ts args>`.
 * Runs each tree's own `bench/run.ts` (default args: `--quick --only runtime`) alternately (A B B A A B ...), so both
 * see the same load over time, then prints every numeric key of their results: the median of each side, and the
 * median of the per-pair ratios B/A. The load average (`uptime`) before each run is printed with it. Prints
 * figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string' }, rounds: { type: 'string' } },
  allowPositionals: true,
});
if (!values.a || !values.b) throw new Error('usage: bench/ab.ts --a <worktree> --b <worktree> [--rounds N] -- <args>');
const trees = { A: resolve(values.a), B: resolve(values.b) } as const;
const rounds = Number(values.rounds ?? 3);
const args = positionals.length > 0 ? positionals : ['--quick', '--only', 'runtime'];
const dir = mkdtempSync(join(tmpdir(), 'theater-ab-'));

type Side = keyof typeof trees;
const results: Record<Side, Record<string, unknown>[]> = { A: [], B: [] };
const loads: string[] = [];
let n = 0;
for (let r = 0; r < rounds; r++) {
  for (const side of (r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as Side[]) {
    const out = join(dir, `${side}-${n++}.json`);
    const load = loadavg()[0]!.toFixed(2);
    loads.push(`${side}:${load}`);
    console.error(`[ab] round ${r + 1}/${rounds} ${side} (${trees[side]}), load ${load}`);
    execFileSync(process.execPath, ['--import', 'tsx', join(trees[side], 'bench/run.ts'), ...args, '--out', out], {
      cwd: trees[side],
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    results[side].push(JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
const keys = Object.keys(results.A[0]!).filter((k) => results.A.every((r) => typeof r[k] === 'number'));
console.log(
  `A = ${trees.A}\nB = ${trees.B}\nargs: ${args.join(' ')}; ${rounds} rounds; load before each run: ${loads.join(' ')}`,
);
console.log('| key | A (median) | B (median) | B/A (median of pairs) |\n|---|---|---|---|');
for (const k of keys) {
  if (!results.B.every((r) => typeof r[k] === 'number')) continue;
  const a = results.A.map((r) => r[k] as number);
  const b = results.B.map((r) => r[k] as number);
  const ratios = a.map((x, i) => b[i]! / x);
  console.log(`| ${k} | ${fmt(median(a))} | ${fmt(median(b))} | ${median(ratios).toFixed(2)} |`);
}
