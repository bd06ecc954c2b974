/**
 * TOML parsing with source positions for every key and value.
 *
 * Why toml-eslint-parser rather than smol-toml: smol-toml returns plain values only, so
 * pointing at `handlers[0].port` would mean re-scanning the text with a hand-written position finder — a second,
 * subtly different TOML parser (dotted keys, inline tables, arrays of tables, quoted keys). toml-eslint-parser is a
 * maintained TOML 1.0 parser (ota-meshi, used by eslint-plugin-toml) that yields an AST with line/column ranges
 * for every key and value, its own static-value conversion, and syntax errors with positions. One parser, one truth.
 */
import { parseTOML, getStaticTOMLValue, type AST } from 'toml-eslint-parser';
import { ManifestError } from './manifest-error.ts';

export type PathSeg = string | number;
export type TomlPath = readonly PathSeg[];

export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** Where one path was written: the key (absent for array elements) and the value or table header. */
export interface LocEntry {
  readonly key?: Pos;
  readonly value: Pos;
  /** TOML kind of a scalar ('integer', 'float', 'string', ...); lets callers tell `8080` from `8080.0`. */
  readonly kind?: string;
  /** The value's source text, for messages like `got 0x1F90`. */
  readonly raw?: string;
}

export interface LocatedToml {
  readonly value: Record<string, unknown>;
  /** Keyed by pathKey(path). */
  readonly locs: ReadonlyMap<string, LocEntry>;
}

export const pathKey = (p: TomlPath): string => JSON.stringify(p);

/** `handlers[0].config.port`; keys that are not bare TOML keys are quoted. */
export function formatPath(p: TomlPath): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const k = /^[A-Za-z0-9_-]+$/.test(seg) ? seg : JSON.stringify(seg);
      out += out === '' ? k : `.${k}`;
    }
  }
  return out;
}

// The AST's columns are 0-based; ours are 1-based like editors and compilers.
const pos = (p: AST.Position): Pos => ({ line: p.line, column: p.column + 1 });

const keyName = (k: AST.TOMLBare | AST.TOMLQuoted): string => (k.type === 'TOMLBare' ? k.name : k.value);

/** Where the parser gave up: line 1-based, column 0-based (as toml-eslint-parser's ParseError has them). */
interface ParseStop {
  readonly line: number;
  readonly column: number;
  readonly index: number;
  readonly message: string;
}

function parseStop(e: unknown): ParseStop | undefined {
  const err = e as { lineNumber?: unknown; column?: unknown; index?: unknown; message?: unknown };
  if (typeof err.lineNumber !== 'number' || typeof err.column !== 'number' || typeof err.index !== 'number') return;
  const message = (typeof err.message === 'string' ? err.message : String(e)).replace(/\.$/, '');
  return { line: err.lineNumber, column: err.column, index: err.index, message };
}

/**
 * A key/value pair, a table header and an inline table end with their line, but the parser notices a missing value
 * or bracket only at the next token: the start of a later line, or the end of the file (a line after the last one,
 * which no editor shows). Then the text up to the last line before that (comment lines skipped) is parsed alone: when it fails, its error
 * is on the line to fix, and is reported there (`component =` on line 2 was reported at 3:1), with where the
 * parser stopped. A line that is wrong in itself (a duplicate key) leaves the text before it parsing cleanly.
 */
function syntaxError(text: string, file: string, e: unknown): ManifestError {
  const stop = parseStop(e);
  let at = stop;
  let noticed = '';
  if (stop) {
    let upTo = text.slice(0, stop.index).trimEnd();
    // Without the comment lines in between: the line to fix is the last one with something on it.
    for (
      let cut = upTo.lastIndexOf('\n');
      cut >= 0 &&
      upTo
        .slice(cut + 1)
        .trimStart()
        .startsWith('#');
    )
      cut = (upTo = upTo.slice(0, cut).trimEnd()).lastIndexOf('\n');
    if (text.slice(upTo.length, stop.index).includes('\n')) {
      let earlier: ParseStop | undefined;
      try {
        parseTOML(upTo);
      } catch (e2) {
        earlier = parseStop(e2);
      }
      if (earlier) {
        at = earlier;
        const what = earlier.message === stop.message ? '' : `: ${stop.message}`;
        noticed = ` (the parser noticed it at ${stop.line}:${stop.column + 1}${what})`;
      }
    }
  }
  // Anything else the parser throws (e.g. RangeError on absurd nesting) is still a bad manifest, not a crash.
  const message = at?.message ?? (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
  return new ManifestError({
    file,
    reason: `TOML syntax error: ${message}${noticed}.`,
    line: at ? at.line : 1,
    column: at ? at.column + 1 : 1,
    hint: 'Check the TOML syntax at this position (https://toml.io).',
    cause: e,
  });
}

export function parseLocatedToml(text: string, file: string): LocatedToml {
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch (e) {
    throw syntaxError(text, file, e);
  }
  const locs = new Map<string, LocEntry>();
  const put = (p: TomlPath, entry: LocEntry) => {
    const k = pathKey(p);
    if (!locs.has(k)) locs.set(k, entry);
  };
  const rejectProto = (k: AST.TOMLBare | AST.TOMLQuoted) => {
    // A `__proto__` key would silently become a prototype in a plain-object conversion; no manifest needs one.
    if (keyName(k) === '__proto__')
      throw new ManifestError({
        file,
        reason: 'the key "__proto__" is not allowed',
        line: k.loc.start.line,
        column: k.loc.start.column + 1,
        hint: 'Rename or remove it.',
      });
  };

  const visitValue = (p: TomlPath, node: AST.TOMLContentNode) => {
    if (node.type === 'TOMLInlineTable') for (const kv of node.body) visitKeyValue(p, kv);
    else if (node.type === 'TOMLArray')
      node.elements.forEach((el, i) => {
        put([...p, i], describeNode(el, text));
        visitValue([...p, i], el);
      });
  };
  const visitKeyValue = (prefix: TomlPath, kv: AST.TOMLKeyValue) => {
    const names: string[] = [];
    for (const k of kv.key.keys) {
      rejectProto(k);
      names.push(keyName(k));
      // Dotted keys (`a.b = 1`) create intermediate tables; locate them at the key part that named them.
      if (names.length < kv.key.keys.length)
        put([...prefix, ...names], { key: pos(k.loc.start), value: pos(k.loc.start) });
    }
    const p = [...prefix, ...names];
    put(p, { key: pos(kv.key.loc.start), ...describeNode(kv.value, text) });
    visitValue(p, kv.value);
  };

  for (const item of ast.body[0].body) {
    if (item.type === 'TOMLKeyValue') {
      visitKeyValue([], item);
      continue;
    }
    for (const k of item.key.keys) rejectProto(k);
    const header = { key: pos(item.key.loc.start), value: pos(item.loc.start) };
    const p = item.resolvedKey;
    // For [[handlers]] the array itself is located at its first header; each element at its own header.
    if (item.kind === 'array') put(p.slice(0, -1), header);
    for (let i = 1; i < p.length; i++) if (typeof p[i] !== 'number') put(p.slice(0, i), header);
    put(p, header);
    for (const kv of item.body) visitKeyValue(p, kv);
  }
  return { value: getStaticTOMLValue(ast) as Record<string, unknown>, locs };
}

function describeNode(node: AST.TOMLContentNode, text: string): LocEntry {
  const value = pos(node.loc.start);
  if (node.type !== 'TOMLValue') return { value, kind: node.type === 'TOMLArray' ? 'array' : 'table' };
  return { value, kind: node.kind, raw: text.slice(node.range[0], node.range[1]) };
}
