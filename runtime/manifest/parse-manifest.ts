/** parseManifest: TOML text -> validated Manifest, or a ManifestError pointing at the offending line and field. */
import path from 'node:path';
import { FieldChecks, type Table } from './field-checks.ts';
import { parseHandlers } from './handlers.ts';
import { readInitState } from './init-state.ts';
import { parseLocatedToml, type TomlPath } from './located-toml.ts';
import { closest } from './manifest-error.ts';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  MAX_CALL_TIMEOUT_MS,
  MIN_CALL_TIMEOUT_MS,
  type HandlerConfig,
  type Manifest,
} from './types.ts';

const TOP_KEYS = [
  'name',
  'component_path',
  'component',
  'version',
  'description',
  'init_state',
  'interface',
  'handlers',
  'handler',
  'limits',
  'env',
  'args',
];
const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;
/** Interfaces a component can export per wit/theater.wit; `implements` names one of them. */
const EXPORTED = ['actor', 'message-server-client', 'http-server', 'supervisor-handlers'];
/** Package names used before `theater:simple`, e.g. the seed's `ntwk:simple-actor/actor`. */
const LEGACY_PACKAGES = ['ntwk:simple-actor', 'ntwk:simple', 'ntwk:theater', 'theater:simple-actor'];

export function parseManifest(text: string, file: string): Manifest {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  // A UTF-8 BOM is invisible in editors; don't let it become a syntax error at 1:1.
  const doc = parseLocatedToml(text.startsWith('\uFEFF') ? text.slice(1) : text, abs);
  const c = new FieldChecks(abs, doc);
  const t = doc.value;

  c.onlyKeys([], t, TOP_KEYS);
  refuseMix(
    c,
    t,
    'handlers',
    'handler',
    "the seed form uses [[handlers]] with config = { ... }; Theater's form uses flat [[handler]] entries. Use one form.",
  );
  refuseMix(c, t, 'component_path', 'component', 'write the component path once.');
  const form = 'handlers' in t ? 'seed' : 'handler' in t ? 'theater' : 'component_path' in t ? 'seed' : 'theater';

  const name = readName(c, t['name'], dir);
  const compKey = 'component_path' in t ? 'component_path' : 'component';
  if (t[compKey] === undefined) {
    c.fail(
      [compKey],
      `missing ${compKey}: the path of the actor's WebAssembly component.`,
      `Add ${compKey} = "${name}.wasm" (relative to ${dir}).`,
    );
  }
  const comp = c.nonEmptyStr([compKey], t[compKey], `Write ${compKey} = "${name}.wasm".`);
  if (t['version'] !== undefined) c.nonEmptyStr(['version'], t['version'], 'Write version = "0.1.0".');
  if (t['description'] !== undefined) c.str(['description'], t['description'], 'Write description = "...".');

  const implementsName = t['interface'] === undefined ? undefined : readInterface(c, t['interface']);
  const handlersKey = 'handlers' in t ? 'handlers' : 'handler';
  const handlers: HandlerConfig[] = t[handlersKey] === undefined ? [] : parseHandlers(c, handlersKey, t[handlersKey]);
  const initState = t['init_state'] === undefined ? undefined : readInitState(c, dir, t['init_state']);
  const callTimeoutMs = t['limits'] === undefined ? DEFAULT_CALL_TIMEOUT_MS : readLimits(c, t['limits']);
  const env = t['env'] === undefined ? [] : readEnv(c, t['env']);
  const args = t['args'] === undefined ? [] : readArgs(c, t['args']);

  return {
    file: abs,
    dir,
    name,
    componentPath: path.resolve(dir, comp),
    componentLoc: c.loc([compKey]),
    ...(implementsName !== undefined ? { implements: implementsName } : {}),
    handlers,
    ...(initState !== undefined ? { initState } : {}),
    env,
    args,
    callTimeoutMs,
    form,
  };
}

/** Two spellings of one thing in a file is ambiguous; point at whichever comes second. */
function refuseMix(c: FieldChecks, t: Table, a: string, b: string, why: string): void {
  if (!(a in t) || !(b in t)) return;
  const la = c.loc([a], 'key');
  const lb = c.loc([b], 'key');
  const [first, second] = la.line < lb.line || (la.line === lb.line && la.column < lb.column) ? [a, b] : [b, a];
  c.fail(
    [second],
    `${second} cannot be used together with ${first} (line ${c.loc([first], 'key').line}).`,
    `Mixed manifest forms: ${why}`,
    'key',
  );
}

function slug(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return out || 'my-actor';
}

function readName(c: FieldChecks, v: unknown, dir: string): string {
  if (v === undefined)
    c.fail(
      ['name'],
      'missing name: every actor needs one.',
      `Add name = "${slug(path.basename(dir))}" at the top of the file.`,
    );
  const name = c.str(['name'], v, `Write name = "${slug(path.basename(dir))}".`);
  if (!NAME_RE.test(name) || name.length > 64) {
    const why =
      name.length > 64
        ? `is ${name.length} characters; the limit is 64`
        : 'must be lowercase letters, digits, "-" or "_", starting with a letter or digit';
    c.fail(
      ['name'],
      `${JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name)} ${why}.`,
      `Write name = "${slug(name)}".`,
    );
  }
  return name;
}

/** Normalize to `theater:simple/<export>`; the seed's `ntwk:simple-actor/actor` is the same interface under an old name. */
function readInterface(c: FieldChecks, v: unknown): string | undefined {
  const at: TomlPath = ['interface'];
  const table = c.table(at, v, 'Write [interface] on its own line, then implements = "theater:simple/actor".');
  c.onlyKeys(at, table, ['implements']);
  if (table['implements'] === undefined) return undefined;
  const ip: TomlPath = ['interface', 'implements'];
  const hint = 'Write implements = "theater:simple/actor".';
  const raw = c.nonEmptyStr(ip, table['implements'], hint);
  const m = /^([a-z][a-z0-9-]*:[a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)(@[0-9A-Za-z.+-]+)?$/.exec(raw.trim().toLowerCase());
  if (!m) c.fail(ip, `expected an interface name like "theater:simple/actor", got ${JSON.stringify(raw)}.`, hint);
  const pkg = LEGACY_PACKAGES.includes(m[1] ?? '') ? 'theater:simple' : m[1];
  const iface = m[2] ?? '';
  if (pkg !== 'theater:simple')
    c.fail(ip, `unknown package ${JSON.stringify(m[1])}: Theater actors implement theater:simple interfaces.`, hint);
  if (!EXPORTED.includes(iface)) {
    const near = closest(iface, EXPORTED);
    c.fail(
      ip,
      `theater:simple has no exported interface ${JSON.stringify(iface)}.`,
      near ? `Did you mean "theater:simple/${near}"?` : hint,
    );
  }
  return `theater:simple/${iface}`;
}

function readLimits(c: FieldChecks, v: unknown): number {
  const table = c.table(['limits'], v, 'Write [limits] on its own line, then call_timeout_ms = 5000.');
  c.onlyKeys(['limits'], table, ['call_timeout_ms']);
  const ms = table['call_timeout_ms'];
  if (ms === undefined) return DEFAULT_CALL_TIMEOUT_MS;
  return c.int(
    ['limits', 'call_timeout_ms'],
    ms,
    MIN_CALL_TIMEOUT_MS,
    MAX_CALL_TIMEOUT_MS,
    `Write call_timeout_ms = ${DEFAULT_CALL_TIMEOUT_MS}.`,
  );
}

/** `[env]`: string values only, since that is all a program's environment can hold. */
function readEnv(c: FieldChecks, v: unknown): [string, string][] {
  const table = c.table(['env'], v, 'Write [env] on its own line, then NAME = "value" lines.');
  return Object.entries(table).map(([k, x]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      c.fail(['env', k], `${JSON.stringify(k)} is not an environment variable name.`, 'Use letters, digits and "_".');
    return [k, c.str(['env', k], x, `Write ${k} = "value" (environment values are strings).`)];
  });
}

function readArgs(c: FieldChecks, v: unknown): string[] {
  const hint = 'Write args = ["--verbose"] (a list of strings).';
  if (!Array.isArray(v)) c.fail(['args'], `expected a list of strings, got ${c.got(['args'], v)}.`, hint);
  return v.map((x: unknown, i: number) => c.str(['args', i], x, hint));
}
