/** The handler list: `[[handlers]]` + `config = {...}` (seed form) or flat `[[handler]]` entries (Theater form). */
import type { FieldChecks, Table } from './field-checks.ts';
import type { TomlPath } from './located-toml.ts';
import {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  HANDLER_TYPES,
  MAX_MAX_BODY_BYTES,
  type HandlerConfig,
  type HandlerType,
  type RemoteAddress,
} from './types.ts';
import { closest } from './manifest-error.ts';
import { formatPath } from './located-toml.ts';

/** Fields each handler type takes; anything else is a typo or a misunderstanding, so it is an error. */
const FIELDS: Record<HandlerType, readonly string[]> = {
  'http-server': ['port', 'host', 'max_body_bytes'],
  'message-server': ['port', 'host', 'remotes'],
  supervisor: [],
  timing: [],
  random: [],
  runtime: [],
};
const ALL_FIELDS = [...new Set(Object.values(FIELDS).flat())];
const SUGGESTED_PORT: Partial<Record<HandlerType, number>> = { 'http-server': 8080, 'message-server': 8081 };

/** The seed writes "Http-server"; others write "http_server" or "HttpServer". Compare letters only, ignoring case. */
export function normalizeHandlerType(raw: string): HandlerType | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
  return HANDLER_TYPES.find((t) => squash(t) === squash(raw));
}

export function parseHandlers(c: FieldChecks, key: 'handlers' | 'handler', list: unknown): HandlerConfig[] {
  const seed = key === 'handlers';
  const example = seed
    ? 'Write each entry as [[handlers]] with type = "http-server" and config = { port = 8080 } on the lines below it.'
    : 'Write each entry as [[handler]] with type = "http-server" and port = 8080 on the lines below it.';
  if (!Array.isArray(list)) c.fail([key], `expected an array of tables, got ${c.got([key], list)}.`, example);

  const out: HandlerConfig[] = [];
  const byType = new Map<HandlerType, TomlPath>();
  const byPort = new Map<number, { path: TomlPath; type: HandlerType }>();
  list.forEach((entryValue: unknown, i: number) => {
    const at: TomlPath = [key, i];
    const entry = c.table(at, entryValue, example);
    const type = readType(c, at, entry);

    const firstOfType = byType.get(type);
    if (firstOfType) {
      c.fail(
        [...at, 'type'],
        `a ${type} handler is already declared at ${formatPath(firstOfType)} (line ${c.loc(firstOfType).line}); at most one handler of each type.`,
        'Remove one of them.',
      );
    }
    byType.set(type, at);

    // Where this handler's fields live: inside `config` (seed) or directly in the entry (Theater form).
    let fieldsAt: TomlPath = at;
    let fields: Table = entry;
    if (seed) {
      c.onlyKeys(at, entry, ['type', 'config'], (k) =>
        ALL_FIELDS.includes(k)
          ? `In [[handlers]] entries, fields go inside config, e.g. config = { ${k} = ... }.`
          : undefined,
      );
      fieldsAt = [...at, 'config'];
      fields =
        entry['config'] === undefined ? {} : c.table(fieldsAt, entry['config'], 'Write config = { port = 8080 }.');
      c.onlyKeys(fieldsAt, fields, FIELDS[type], (k) => notForType(type, k));
    } else {
      c.onlyKeys(at, entry, ['type', ...FIELDS[type]], (k) =>
        k === 'config'
          ? '[[handler]] entries take their fields directly (e.g. port = 8080 on its own line); config = { ... } belongs with [[handlers]].'
          : notForType(type, k),
      );
    }

    const loc = c.loc(at);
    const port = readPort(c, [...fieldsAt, 'port'], fields['port'], type, byPort);
    const host = readHost(c, [...fieldsAt, 'host'], fields['host']);
    if (type === 'http-server') {
      if (port === undefined)
        c.fail(
          [...fieldsAt, 'port'],
          'an http-server handler needs a port.',
          seed ? 'Write config = { port = 8080 }.' : 'Add port = 8080.',
        );
      const mb = fields['max_body_bytes'];
      const maxBodyBytes =
        mb === undefined
          ? DEFAULT_MAX_BODY_BYTES
          : c.int(
              [...fieldsAt, 'max_body_bytes'],
              mb,
              1,
              MAX_MAX_BODY_BYTES,
              `Write max_body_bytes = ${DEFAULT_MAX_BODY_BYTES} (1 MiB; at most 64 MiB).`,
            );
      out.push({ type, port, host, maxBodyBytes, loc });
    } else if (type === 'message-server') {
      const remotes =
        fields['remotes'] === undefined ? {} : { remotes: readRemotes(c, [...fieldsAt, 'remotes'], fields['remotes']) };
      out.push(port === undefined ? { type, host, ...remotes, loc } : { type, port, host, ...remotes, loc });
    } else {
      out.push({ type, loc });
    }
  });
  return out;
}

function readType(c: FieldChecks, at: TomlPath, entry: Table): HandlerType {
  const options = HANDLER_TYPES.map((t) => `"${t}"`).join(', ');
  if (entry['type'] === undefined)
    c.fail(at, 'this handler has no type.', `Add type = "http-server" (one of ${options}).`);
  const raw = c.str([...at, 'type'], entry['type'], `Write type = "http-server" (one of ${options}).`);
  const type = normalizeHandlerType(raw);
  if (!type) {
    const near = closest(raw, HANDLER_TYPES);
    c.fail(
      [...at, 'type'],
      `unknown handler type ${JSON.stringify(raw)}.`,
      near ? `Did you mean type = "${near}"?` : `Use one of ${options}.`,
    );
  }
  return type;
}

function notForType(type: HandlerType, k: string): string | undefined {
  if (!ALL_FIELDS.includes(k)) return undefined;
  const takes = FIELDS[type];
  return `A ${type} handler does not take ${k}${takes.length ? `; it takes ${takes.join(', ')}` : '; it takes no fields'}.`;
}

function readPort(
  c: FieldChecks,
  at: TomlPath,
  v: unknown,
  type: HandlerType,
  byPort: Map<number, { path: TomlPath; type: HandlerType }>,
): number | undefined {
  if (v === undefined) return undefined;
  const suggested = SUGGESTED_PORT[type] ?? 8080;
  // `port = "8080"` is a common slip; say exactly what to write.
  const asNumber = typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : undefined;
  const hint =
    asNumber !== undefined && asNumber >= 1 && asNumber <= 65535
      ? `Write port = ${asNumber} (no quotes).`
      : `Write port = ${suggested}.`;
  const port = c.int(at, v, 1, 65535, hint);
  const first = byPort.get(port);
  if (first) {
    let free = suggested;
    while (byPort.has(free) || free === port) free++;
    c.fail(
      at,
      `port ${port} is already used by ${formatPath(first.path.slice(0, 2))} (${first.type}, line ${c.loc(first.path).line}).`,
      `Choose another port, e.g. port = ${free}.`,
    );
  }
  byPort.set(port, { path: at, type });
  return port;
}

function readHost(c: FieldChecks, at: TomlPath, v: unknown): string {
  // Default to loopback: an actor is exposed beyond this machine only when the manifest says so.
  if (v === undefined) return DEFAULT_HOST;
  const host = c.nonEmptyStr(at, v, `Write host = "${DEFAULT_HOST}".`);
  if (host.includes('/') || !/^[A-Za-z0-9.:%[\]-]+$/.test(host)) {
    c.fail(
      at,
      `expected a hostname or IP address, got ${JSON.stringify(host)}.`,
      `Write host = "${DEFAULT_HOST}" (no scheme, path or spaces).`,
    );
  }
  return host;
}

/**
 * `remotes = { name = "host:port", ... }`: actors on other nodes this actor may send to and request from by
 * `name`, through their message port. A name must not be empty; an address is a host (as for `host`) and a port.
 */
function readRemotes(c: FieldChecks, at: TomlPath, v: unknown): ReadonlyMap<string, RemoteAddress> {
  const out = new Map<string, RemoteAddress>();
  const example =
    'Write remotes = { counter = "10.0.0.2:8081" } (a name, then the host and message port of that actor).';
  const table = c.table(at, v, example);
  for (const [name, raw] of Object.entries(table)) {
    const addr = c.nonEmptyStr([...at, name], raw, example);
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.%-]+):(\d{1,5})$/.exec(addr);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) {
      c.fail([...at, name], `expected "host:port", got ${JSON.stringify(addr)}.`, example);
    }
    out.set(name, { host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return out;
}
