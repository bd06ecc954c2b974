/**
 * `theater new`: an actor project in the user's own folder, from the templates in assets/templates/: the source,
 * a commented manifest, the project's own WIT world composed from the chosen handlers (so the component exports only
 * what is asked for), Theater's WIT beside it, typed bindings for TypeScript, a README of three commands and a first
 * test. Nothing gets installed into the folder: `theater` brings everything the build needs.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildError, type Lang } from './project.ts';
import { writeTypes } from './types-gen.ts';
import { makeDirs } from '../make-dirs.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEMPLATES = join(REPO, 'assets', 'templates');
const THEATER_WIT = join(REPO, 'wit', 'theater.wit');
const C_HEADERS = join(REPO, 'assets', 'examples', 'c');
const VERSION = '@0.1.0';

export const NEW_HANDLERS = ['http', 'message', 'supervisor', 'timing', 'random'] as const;
export type NewHandler = (typeof NEW_HANDLERS)[number];

/** What each handler adds to the world: Theater interfaces imported and exported. */
const WORLD: Record<NewHandler, { readonly imports: readonly string[]; readonly exports: readonly string[] }> = {
  http: { imports: [], exports: ['http-server'] },
  message: { imports: ['message-server-host'], exports: ['message-server-client'] },
  supervisor: { imports: ['supervisor'], exports: ['supervisor-handlers'] },
  timing: { imports: ['timing'], exports: [] },
  random: { imports: ['random'], exports: [] },
};

export interface NewOptions {
  readonly lang: Lang;
  readonly handlers: readonly NewHandler[];
  readonly name?: string;
}

export interface NewResult {
  readonly dir: string;
  readonly name: string;
  readonly files: readonly string[];
}

export function parseHandlerList(list: string): NewHandler[] {
  const out: NewHandler[] = [];
  for (const raw of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const h = NEW_HANDLERS.find((n) => n === raw || `${n}-server` === raw);
    if (!h) throw new BuildError(`unknown handler "${raw}": choose from ${NEW_HANDLERS.join(', ')}`);
    if (!out.includes(h)) out.push(h);
  }
  if (out.length === 0) throw new BuildError(`--handlers is empty: choose from ${NEW_HANDLERS.join(', ')}`);
  return out;
}

export function slugName(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return out || 'my-actor';
}

/** The project's world: Theater's runtime and actor always, plus what the handlers bring. */
export function worldWit(name: string, handlers: readonly NewHandler[]): string {
  const imports = ['runtime', ...handlers.flatMap((h) => WORLD[h].imports)];
  const exports = ['actor', ...handlers.flatMap((h) => WORLD[h].exports)];
  return [
    `// ${name}'s world: what the actor imports from Theater and what it exports. docs/wit-worlds.md explains it.`,
    '// WASI (clocks, random, stdout, ...) is not listed: toolchains add what the code uses and Theater provides it.',
    `package local:${name};`,
    '',
    `world ${name} {`,
    ...imports.map((i) => `  import theater:simple/${i}${VERSION};`),
    ...exports.map((e) => `  export theater:simple/${e}${VERSION};`),
    '}',
    '',
  ].join('\n');
}

/** Keeps or drops the lines between `{{#x}}` and `{{/x}}` (marker lines are dropped), then fills `{{key}}`. */
export function render(text: string, on: ReadonlySet<string>, vars: Readonly<Record<string, string>>): string {
  const out: string[] = [];
  const stack: boolean[] = [];
  for (const line of text.split('\n')) {
    const open = /\{\{#([a-z]+)\}\}/.exec(line);
    const close = /\{\{\/([a-z]+)\}\}/.exec(line);
    if (open) stack.push(on.has(open[1]!));
    else if (close) stack.pop();
    else if (stack.every(Boolean)) out.push(line);
  }
  return out
    .join('\n')
    .replace(/\{\{([a-zA-Z]+)\}\}/g, (m, k: string) => vars[k] ?? m)
    .replace(/\n{3,}/g, '\n\n');
}

export async function newProject(dirArg: string, o: NewOptions): Promise<NewResult> {
  const dir = resolve(dirArg);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BuildError(`${dir} exists and is not empty: \`theater new\` only writes into a new or empty folder.`);
  }
  const name = slugName(o.name ?? basename(dir));
  const on = new Set<string>(o.handlers);
  const ts = o.lang === 'ts';
  const source = ts ? 'src/actor.ts' : 'src/actor.c';
  const vars: Record<string, string> = {
    name,
    httpPort: '8080',
    messagePort: '8081',
    langName: ts ? 'TypeScript' : 'C',
    source,
    typesRow: ts ? '| `types/` | typed bindings generated from the world (`theater build` regenerates them) |\n' : '',
    tryIt: tryIt(o),
    httpTest: ts
      ? [
          "    const put = await fetch(`${url}/greeting`, { method: 'PUT', body: 'hello' });",
          '    assert.equal(put.status, 200);',
          '    const got = await (await fetch(`${url}/greeting`)).json();',
          "    assert.deepEqual(got, { key: 'greeting', value: 'hello' });",
          '    assert.equal((await fetch(`${url}/%E0%A4%A`)).status, 400); // a bad escape is a 400, not a trap',
          '    assert.match(run.output(), /put greeting = "hello"/); // console.log, shown as the actor\'s log',
        ].join('\n')
      : [
          "    const post = await fetch(`${url}/increment`, { method: 'POST' });",
          '    assert.deepEqual(await post.json(), { count: 1 });',
          '    const got = await (await fetch(`${url}/`)).json();',
          '    assert.equal(got.count, 1);',
          "    assert.match(run.output(), /count -> 1 at \\d+/); // printf, shown as the actor's log",
        ].join('\n'),
    messageTest: ts
      ? [
          "    const r = await request(Number(port), { op: 'put', key: 'k', value: 'v' });",
          "    assert.deepEqual(r, { ok: true, response: { key: 'k', value: 'v' } });",
        ].join('\n')
      : [
          "    const r = await request(Number(port), { op: 'increment' });",
          '    assert.deepEqual(r, { ok: true, response: { count: 1 } });',
        ].join('\n'),
  };
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    const file = join(dir, rel);
    makeDirs(dirname(file));
    writeFileSync(file, text);
    files.push(rel);
  };
  const template = (rel: string) => readFileSync(join(TEMPLATES, rel), 'utf8');

  write('manifest.toml', render(template('common/manifest.toml.tmpl'), on, vars));
  write('wit/world.wit', worldWit(name, o.handlers));
  write('wit/deps/theater/theater.wit', readFileSync(THEATER_WIT, 'utf8'));
  write('README.md', render(template('common/README.md.tmpl'), on, vars));
  write('.gitignore', template('common/gitignore.tmpl'));
  if (on.has('http') || on.has('message')) {
    write('test/actor.test.mjs', render(template('common/test/actor.test.mjs.tmpl'), on, vars));
  }
  if (ts) {
    write(source, render(template('ts/src/actor.ts.tmpl'), on, vars));
    write('tsconfig.json', template('ts/tsconfig.json.tmpl'));
    await writeTypes({ dir, witDir: join(dir, 'wit'), world: name });
    files.push('types/');
  } else {
    write(source, render(template('c/src/actor.c.tmpl'), on, vars));
    for (const h of ['theater-abi.h', 'theater-json.h']) {
      makeDirs(join(dir, 'include'));
      copyFileSync(join(C_HEADERS, h), join(dir, 'include', h));
      files.push(`include/${h}`);
    }
  }
  return { dir, name, files };
}

function tryIt(o: NewOptions): string {
  if (o.handlers.includes('http')) {
    return o.lang === 'ts'
      ? 'Try it while it runs:\n\n```sh\ncurl -X PUT localhost:8080/greeting -d hello\ncurl localhost:8080/greeting   # {"key":"greeting","value":"hello"}\n```'
      : 'Try it while it runs:\n\n```sh\ncurl -X POST localhost:8080/increment   # {"count":1}\ncurl localhost:8080/                   # {"count":1,"lucky":...}\n```';
  }
  return '';
}
