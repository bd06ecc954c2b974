/**
 * How fast `theater dap` moves on a big chain: building the branch index it steps on, a continue with a function
 * breakpoint that never hits (a scan of the whole branch), a reverseContinue with a data breakpoint on a path that
 * never changes (the worst case: every state change is decoded), and single steps. Prints figures; never fails.
 *
 *   npx tsx bench/dap-search.ts [--entries 100000]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { Breakpoints } from '../runtime/dap/breakpoints.ts';
import { ChainView } from '../runtime/dap/chain-view.ts';
import { next } from '../runtime/dap/stepping.ts';
import { genChain } from './gen-chain.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { entries: { type: 'string', default: '100000' } } });
const entries = Number(values.entries);
const db = await genChain(join(ROOT, `bench/.cache/counter-${entries}.db`), entries);

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
const rate = (n: number, t: number) => `${Math.round(n / ((performance.now() - t) / 1000)).toLocaleString('en')}/s`;
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

const chain = ChainView.open(db);
let t = performance.now();
const view = await chain.branch('counter');
const n = view.length;
console.log(`index of ${n.toLocaleString('en')} entries built in ${ms(t)}`);

const never = new Breakpoints();
never.setFunctions([{ name: 'runtime.shutdown' }]);
t = performance.now();
const f = await never.search(view, 0, 1, () => false);
console.log(
  `continue, function breakpoint never hit: ${f === undefined ? 'no hit' : 'HIT?'}, ${n.toLocaleString('en')} entries scanned at ${rate(n, t)}`,
);

const data = new Breakpoints();
data.setData([{ dataId: '$.never' }]);
t = performance.now();
const d = await data.search(view, n - 1, -1, () => false);
console.log(
  `reverseContinue, data breakpoint never hit: ${d === undefined ? 'no hit' : 'HIT?'}, ${n.toLocaleString('en')} entries scanned at ${rate(n, t)}`,
);

const hit = new Breakpoints();
hit.setData([{ dataId: '$.count' }]);
t = performance.now();
for (let i = 0; i < 100; i++) await hit.search(view, n - 1 - i * 3, -1, () => false);
console.log(
  `reverseContinue to the previous change of $.count from near the head: ${((performance.now() - t) / 100).toFixed(2)} ms each (100 runs)`,
);

t = performance.now();
let pos = 0;
for (let i = 0; i < 10_000; i++) pos = next(view, pos);
console.log(`next: ${(((performance.now() - t) / 10_000) * 1000).toFixed(1)} µs per step (10,000 steps, at #${pos})`);
t = performance.now();
for (let i = 0; i < 1000; i++) view.detailAt(Math.floor((i * 7919) % n));
console.log(
  `an entry with its decoded payloads (scopes): ${((performance.now() - t) / 1000).toFixed(3)} ms each (1,000 random)`,
);
chain.close();
