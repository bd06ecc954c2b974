/**
 * How a node finds its hub: `theater run --hub URL [--node NAME] [--key FILE]`, or a config file (`--config FILE`,
 * else $THEATER_CONFIG, else .theater/config.toml when it exists) with a [hub] table:
 *
 *   [hub]
 *   url = "postgres://theater@hub.example:5432/theater"
 *   node = "edge-1"          # default: this machine's host name
 *   key = "node.key"         # default: node.key beside the chain db; relative to this file
 *
 * Flags win over the file. A config problem is a ManifestError (file, line, what to write), like a manifest's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ManifestError } from '../manifest/manifest-error.ts';
import { parseLocatedToml, pathKey } from '../manifest/located-toml.ts';

export interface HubSettings {
  readonly url: string;
  readonly node: string;
  readonly keyFile: string;
}

export interface HubFlags {
  readonly hub?: string;
  readonly node?: string;
  readonly key?: string;
  readonly config?: string;
}

const DEFAULT_CONFIG = join('.theater', 'config.toml');
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The hub settings for `theater run`, or undefined when no hub is configured (the node then ships nothing). */
export function hubSettings(flags: HubFlags, db: string): HubSettings | undefined {
  const file = flags.config ?? process.env.THEATER_CONFIG ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const fromFile = file ? readConfig(file) : {};
  const url = flags.hub ?? fromFile.url;
  if (!url) {
    if (flags.node || flags.key)
      throw new Error('--node and --key name a node of a hub: give --hub <postgres URL> too');
    return undefined;
  }
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`--hub takes a postgres:// URL, got ${url.slice(0, 40)}`);
  const node = flags.node ?? fromFile.node ?? defaultNodeName();
  if (!NODE_NAME.test(node)) {
    throw new Error(`node name ${JSON.stringify(node)}: use letters, digits, '.', '_' or '-' (at most 63)`);
  }
  const keyFile = flags.key ? resolve(flags.key) : (fromFile.key ?? join(dirname(resolve(db)), 'node.key'));
  return { url, node, keyFile };
}

function defaultNodeName(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 63) || 'node'
  );
}

function readConfig(file: string): { url?: string; node?: string; key?: string } {
  if (!existsSync(file)) throw new Error(`no config file at ${file}`);
  const { value, locs } = parseLocatedToml(readFileSync(file, 'utf8'), file);
  const at = (path: (string | number)[]) => locs.get(pathKey(path));
  const fail = (path: (string | number)[], reason: string, hint: string): never => {
    const loc = at(path);
    throw new ManifestError({
      file,
      reason,
      line: loc?.key?.line ?? loc?.value.line,
      column: loc?.key?.column ?? loc?.value.column,
      field: path.join('.'),
      hint,
    });
  };
  for (const k of Object.keys(value)) {
    if (k !== 'hub') fail([k], `unknown setting ${k}`, 'A node config has one table: [hub] with url, node and key.');
  }
  const hub = value.hub;
  if (hub === undefined) return {};
  if (typeof hub !== 'object' || hub === null || Array.isArray(hub)) {
    return fail(['hub'], 'hub must be a table', 'Write [hub] on a line of its own, then url = "postgres://...".');
  }
  const out: { url?: string; node?: string; key?: string } = {};
  for (const [k, v] of Object.entries(hub)) {
    if (k !== 'url' && k !== 'node' && k !== 'key') {
      fail(['hub', k], `unknown key ${k}`, '[hub] takes url, node and key.');
    }
    if (typeof v !== 'string') fail(['hub', k], `${k} must be a string`, `Write ${k} = "...".`);
    out[k as 'url' | 'node' | 'key'] = v as string;
  }
  if (out.url !== undefined && !/^postgres(ql)?:\/\//.test(out.url)) {
    fail(['hub', 'url'], 'url must be a PostgreSQL URL', 'Write url = "postgres://user@host:5432/database".');
  }
  if (out.key !== undefined) out.key = resolve(dirname(file), out.key);
  return out;
}
