// Prints every cycle in the graph of relative imports (type-only imports included) and exits 1 if there is one.
// `npm run lint` runs it beside ESLint, whose import-x/no-cycle rule skips type-only imports.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.tsx', '*.mjs', '*.js'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && existsSync(f) && !f.startsWith('node_modules/'));
const specifier =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const graph = new Map();
for (const f of files) {
  const deps = new Set();
  for (const m of readFileSync(f, 'utf8').matchAll(specifier)) {
    const target = normalize(join(dirname(f), m[1] ?? m[2]));
    if (files.includes(target)) deps.add(target);
  }
  graph.set(f, deps);
}

// Tarjan's strongly connected components: any component of more than one file is a cycle.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || graph.get(v)?.has(v)) cycles.push(comp.sort());
  }
}
for (const f of graph.keys()) if (!idx.has(f)) visit(f);
for (const c of cycles) console.error(`import cycle among ${c.length} files:\n  ${c.join('\n  ')}`);
if (cycles.length > 0) process.exit(1);
console.log(`import graph: ${graph.size} files, no cycle`);
