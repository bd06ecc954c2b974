/**
 * `npx tsx bench/engines.ts [rounds]`: the JavaScript engines `theater build` could use, compared on one actor
 * (a JSON key-value update per call): StarlingMonkey (componentize-js, what we use) and QuickJS (componentize-qjs,
 * which jco ships; sync runtime, default and opt-size). For each: build time in a fresh process (cold) and again
 * in the same process (warm), component size, and calls per second through jco with its WASI shim (the engine's
 * own speed, without our recorder). Rounds are interleaved so that a loaded machine hurts every engine alike. weval
 * (StarlingMonkey AOT) is not measured: it downloads its binary from GitHub at first use, which our machines cannot.
 * Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Engine = 'starlingmonkey' | 'quickjs' | 'quickjs-opt-size';
const ENGINES: readonly Engine[] = ['starlingmonkey', 'quickjs', 'quickjs-opt-size'];

const ACTOR = `
const te = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
const td = typeof TextDecoder !== 'undefined' ? new TextDecoder() : null;
// QuickJS (componentize-qjs 0.4) has no TextEncoder/TextDecoder: the same code, by hand, for it.
const enc = (s) => { if (te) return te.encode(s); const a = unescape(encodeURIComponent(s)); const u = new Uint8Array(a.length); for (let i = 0; i < a.length; i++) u[i] = a.charCodeAt(i); return u; };
const dec = (b) => { if (td) return td.decode(b); let s = ''; for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]); return decodeURIComponent(escape(s)); };
export const actor = { init(state) { return [state ?? enc('{"items":{}}')]; } };
export const messageServerClient = {
  handleSend(state) { return [state]; },
  handleRequest(state, [, msg]) {
    const s = JSON.parse(dec(state)); const m = JSON.parse(dec(msg));
    s.items[m.key] = m.value; const keys = Object.keys(s.items); if (keys.length > 20) delete s.items[keys[0]];
    return [enc(JSON.stringify(s)), [enc(JSON.stringify({ ok: true, n: keys.length }))]];
  },
};
`;
const WORLD = `package local:bench;\nworld bench {\n  import theater:simple/runtime@0.1.0;\n  export theater:simple/actor@0.1.0;\n  export theater:simple/message-server-client@0.1.0;\n}\n`;

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');

async function build(engine: Engine, dir: string, edit: number): Promise<Uint8Array> {
  const source = `${ACTOR}\n// ${edit}\n`;
  writeFileSync(join(dir, 'actor.js'), source);
  const wit = join(dir, 'wit');
  const { _setPreopens } = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as {
    _setPreopens(p: Record<string, string>): void;
  };
  _setPreopens({ [wit]: wit });
  if (engine === 'starlingmonkey') {
    const { componentize } = await import('@bytecodealliance/componentize-js');
    const r = await componentize({
      sourcePath: join(dir, 'actor.js'),
      witPath: wit,
      worldName: 'bench',
      disableFeatures: ['http', 'fetch-event'],
    });
    return r.component;
  }
  // componentize-qjs is jco's dependency, not ours: reach it through jco.
  const req = createRequire(join(ROOT, 'node_modules/@bytecodealliance/jco/dist/api.js'));
  const qjs = req('componentize-qjs') as {
    componentize(o: object): Promise<{ component: Uint8Array }>;
  };
  const r = await qjs.componentize({
    witPath: wit,
    jsSource: source,
    jsPath: join(dir, 'actor.js'),
    world: 'bench',
    sync: true,
    optSize: engine === 'quickjs-opt-size',
  });
  return r.component;
}

async function callRate(component: Uint8Array, dir: string, calls: number): Promise<number> {
  const { transpile } = await import('@bytecodealliance/jco');
  const runtime = join(dir, 'runtime.js');
  writeFileSync(
    runtime,
    'export const log = () => {}; export const getState = () => new Uint8Array(); export const shutdown = () => {};',
  );
  const out = await transpile(component, {
    name: 'component',
    map: { 'theater:simple/runtime@0.1.0': runtime },
    quiet: true,
    noTypescript: true,
  });
  // Inside the repo, so that the generated JS finds jco's WASI shim in node_modules.
  const js = join(ROOT, 'bench', '.cache', 'engines', Math.random().toString(36).slice(2));
  for (const [n, c] of Object.entries(out.files as Record<string, Uint8Array>)) {
    mkdirSync(dirname(join(js, n)), { recursive: true });
    writeFileSync(join(js, n), c);
  }
  writeFileSync(join(js, 'package.json'), '{"type":"module"}');
  const m = (await import(pathToFileURL(join(js, 'component.js')).href)) as Record<
    string,
    Record<string, (...a: unknown[]) => unknown>
  >;
  const pick = (k: string) => m[k] ?? m[`theater:simple/${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}@0.1.0`]!;
  const te = new TextEncoder();
  let [state] = pick('actor').init!(undefined, ['bench']) as [Uint8Array];
  const msc = pick('messageServerClient');
  for (let i = 0; i < 200; i++)
    [state] = msc.handleRequest!(state, ['r', te.encode(`{"key":"w${i % 30}","value":${i}}`)]) as [Uint8Array];
  const t = performance.now();
  for (let i = 0; i < calls; i++)
    [state] = msc.handleRequest!(state, ['r', te.encode(`{"key":"k${i % 30}","value":${i}}`)]) as [Uint8Array];
  return calls / ((performance.now() - t) / 1000);
}

const mode = process.argv[2];
if (mode === '--one-build') {
  // A child process: one cold build, its time on stdout.
  const [engine, dir] = [process.argv[3] as Engine, process.argv[4]!];
  const t = performance.now();
  const c = await build(engine, dir, 0);
  writeFileSync(join(dir, `${engine}.wasm`), c);
  process.stdout.write(String((performance.now() - t) / 1000));
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'theater-engines-'));
mkdirSync(join(dir, 'wit', 'deps', 'theater'), { recursive: true });
writeFileSync(join(dir, 'wit', 'world.wit'), WORLD);
writeFileSync(join(dir, 'wit', 'deps', 'theater', 'theater.wit'), readFileSync(join(ROOT, 'wit/theater.wit')));
const figures: Record<Engine, { cold: number[]; warm: number[]; size: number; rate: number[] }> = {
  starlingmonkey: { cold: [], warm: [], size: 0, rate: [] },
  quickjs: { cold: [], warm: [], size: 0, rate: [] },
  'quickjs-opt-size': { cold: [], warm: [], size: 0, rate: [] },
};
const load0 = loadavg()[0]!;
try {
  for (let r = 0; r < rounds; r++) {
    for (const e of ENGINES) {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', new URL(import.meta.url).pathname, '--one-build', e, dir],
        { encoding: 'utf8' },
      );
      figures[e].cold.push(Number(out));
      await build(e, dir, r + 1); // this process's first build of it pays its set-up; the next one is warm
      const t = performance.now();
      const c = await build(e, dir, r + 100);
      figures[e].warm.push((performance.now() - t) / 1000);
      figures[e].size = c.length;
      figures[e].rate.push(await callRate(c, dir, 10_000));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log('| engine | cold build (s) | warm rebuild (s) | component | calls/s |');
console.log('|---|---|---|---|---|');
for (const e of ENGINES) {
  const f = figures[e];
  console.log(
    `| ${e} | ${med(f.cold).toFixed(1)} | ${med(f.warm).toFixed(1)} | ${(f.size / 1e6).toFixed(2)} MB | ${Math.round(med(f.rate)).toLocaleString('en-US')} |`,
  );
}
console.log(
  `\n${rounds} interleaved rounds, medians; load average ${load0.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`,
);
process.exit(0);
