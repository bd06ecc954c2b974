/** Every error class, with the exact line/column and field it points at. */
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest } from './index.ts';

const HEAD = 'name = "a"\ncomponent = "a.wasm"\n'; // lines 1-2
const SEED_HEAD = 'name = "a"\ncomponent_path = "a.wasm"\n';

interface Case {
  src: string;
  line: number;
  column: number;
  field?: string;
  reason: RegExp;
  hint?: RegExp;
}

const cases: Record<string, Case> = {
  // The parser stops at the end of the file, a line no editor shows (3:1 was printed): the value is missing on 2.
  'a missing value at the end is on its own line, not the next': {
    src: 'name = "a"\ncomponent = \n',
    line: 2,
    column: 12,
    reason: /^TOML syntax error: Unspecified values are invalid \(the parser noticed it at 3:1\)\.$/,
  },
  'an unclosed inline table is on its own line, not where the next table starts': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nconfig = { port = 8080\n# a comment\n\n[[handler]]\ntype = "runtime"\n`,
    line: 5,
    column: 23,
    reason: /^TOML syntax error: Unterminated inline table \(the parser noticed it at 8:1: Expected comma/,
  },
  'a line wrong in itself keeps the parser position': {
    src: `${HEAD}\n@port = 1\n`,
    line: 4,
    column: 1,
    reason: /^TOML syntax error: Unexpected character\.$/,
  },
  'unterminated string': { src: 'name = "a\n', line: 1, column: 10, reason: /Unterminated string/ },
  'duplicate key is a syntax error': { src: 'name = "a"\nname = "b"\n', line: 2, column: 1, reason: /multiple times/ },
  'unknown top-level key with did-you-mean': {
    src: 'name = "a"\ncompnent_path = "a.wasm"\n',
    line: 2,
    column: 1,
    field: 'compnent_path',
    reason: /unknown key "compnent_path"/,
    hint: /Did you mean component_path\?/,
  },
  'unknown key far from any': {
    src: `${HEAD}colour = "red"\n`,
    line: 3,
    column: 1,
    field: 'colour',
    reason: /unknown key/,
    hint: /Allowed here: name, /,
  },
  'missing name': {
    src: 'component = "a.wasm"\n',
    line: 1,
    column: 1,
    field: 'name',
    reason: /missing name/,
    hint: /Add name = "/,
  },
  'bad name': {
    src: 'name = "My Actor"\ncomponent = "a"\n',
    line: 1,
    column: 8,
    field: 'name',
    reason: /lowercase/,
    hint: /name = "my-actor"/,
  },
  'name too long': {
    src: `name = "${'a'.repeat(65)}"\ncomponent = "a"\n`,
    line: 1,
    column: 8,
    field: 'name',
    reason: /65 characters/,
  },
  'name not a string': {
    src: 'name = 7\ncomponent = "a"\n',
    line: 1,
    column: 8,
    field: 'name',
    reason: /expected a string, got 7/,
  },
  'missing component (theater)': {
    src: 'name = "a"\n',
    line: 1,
    column: 1,
    field: 'component',
    reason: /missing component/,
    hint: /Add component = "a.wasm"/,
  },
  'empty component_path': {
    src: 'name = "a"\ncomponent_path = ""\n',
    line: 2,
    column: 18,
    field: 'component_path',
    reason: /must not be empty/,
  },
  'component and component_path both': {
    src: 'name = "a"\ncomponent = "a"\ncomponent_path = "b"\n',
    line: 3,
    column: 1,
    field: 'component_path',
    reason: /cannot be used together with component \(line 2\)/,
  },
  'mixed [[handlers]] and [[handler]]': {
    src: `${HEAD}[[handlers]]\ntype = "timing"\n[[handler]]\ntype = "random"\n`,
    line: 5,
    column: 3,
    field: 'handler',
    reason: /handler cannot be used together with handlers \(line 3\)/,
    hint: /Mixed manifest forms/,
  },
  'handlers not an array': {
    src: `${HEAD}handlers = "x"\n`,
    line: 3,
    column: 12,
    field: 'handlers',
    reason: /expected an array of tables/,
  },
  'handler entry not a table': {
    src: `${HEAD}handler = [1]\n`,
    line: 3,
    column: 12,
    field: 'handler[0]',
    reason: /expected a table, got 1/,
  },
  'handler without type': {
    src: `${HEAD}[[handler]]\nport = 1\n`,
    line: 3,
    column: 1,
    field: 'handler[0]',
    reason: /no type/,
  },
  'unknown handler type with did-you-mean': {
    src: `${HEAD}[[handler]]\ntype = "http-sever"\n`,
    line: 4,
    column: 8,
    field: 'handler[0].type',
    reason: /unknown handler type "http-sever"/,
    hint: /Did you mean type = "http-server"\?/,
  },
  'port not an integer (string)': {
    src: `${SEED_HEAD}[[handlers]]\ntype = "Http-server"\nconfig = { port = "80a" }\n`,
    line: 5,
    column: 19,
    field: 'handlers[0].config.port',
    reason: /expected an integer 1\.\.65535, got "80a"\./,
    hint: /^Write port = 8080\.$/,
  },
  'quoted port says to drop quotes': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nport = "8080"\n`,
    line: 5,
    column: 8,
    field: 'handler[0].port',
    reason: /got "8080"/,
    hint: /port = 8080 \(no quotes\)/,
  },
  'port out of range': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nport = 70000\n`,
    line: 5,
    column: 8,
    field: 'handler[0].port',
    reason: /got 70000/,
  },
  'float port': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nport = 8080.0\n`,
    line: 5,
    column: 8,
    field: 'handler[0].port',
    reason: /got 8080\.0/,
  },
  'http-server without port': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\n`,
    line: 3,
    column: 1,
    field: 'handler[0].port',
    reason: /needs a port/,
    hint: /Add port = 8080/,
  },
  'duplicate port names the second': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nport = 9000\n[[handler]]\ntype = "message-server"\nport = 9000\n`,
    line: 8,
    column: 8,
    field: 'handler[1].port',
    reason: /port 9000 is already used by handler\[0\] \(http-server, line 5\)/,
    hint: /port = 8081/,
  },
  'duplicate handler type names the second': {
    src: `${HEAD}[[handler]]\ntype = "timing"\n[[handler]]\ntype = "Timing"\n`,
    line: 6,
    column: 8,
    field: 'handler[1].type',
    reason: /already declared at handler\[0\] \(line 3\)/,
  },
  'max_body_bytes over 64 MiB': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nport = 1\nmax_body_bytes = 67108865\n`,
    line: 6,
    column: 18,
    field: 'handler[0].max_body_bytes',
    reason: /1\.\.67108864/,
  },
  'bad host': {
    src: `${HEAD}[[handler]]\ntype = "http-server"\nport = 1\nhost = "http://x"\n`,
    line: 6,
    column: 8,
    field: 'handler[0].host',
    reason: /hostname or IP/,
  },
  'field that the type does not take': {
    src: `${HEAD}[[handler]]\ntype = "timing"\nport = 1\n`,
    line: 5,
    column: 1,
    field: 'handler[0].port',
    reason: /unknown key "port"/,
    hint: /timing handler does not take port/,
  },
  'config in the flat form': {
    src: `${HEAD}[[handler]]\ntype = "timing"\nconfig = {}\n`,
    line: 5,
    column: 1,
    field: 'handler[0].config',
    hint: /belongs with \[\[handlers\]\]/,
    reason: /unknown key/,
  },
  'flat field in the seed form': {
    src: `${SEED_HEAD}[[handlers]]\ntype = "http-server"\nport = 1\n`,
    line: 5,
    column: 1,
    field: 'handlers[0].port',
    reason: /unknown key/,
    hint: /config = \{ port = \.\.\. \}/,
  },
  'typo inside seed config': {
    src: `${SEED_HEAD}[[handlers]]\ntype = "http-server"\nconfig = { prot = 1 }\n`,
    line: 5,
    column: 12,
    field: 'handlers[0].config.prot',
    reason: /unknown key "prot"/,
    hint: /Did you mean port\?/,
  },
  'interface not a table': {
    src: `${HEAD}interface = "x"\n`,
    line: 3,
    column: 13,
    field: 'interface',
    reason: /expected a table/,
  },
  'bad interface syntax': {
    src: `${HEAD}[interface]\nimplements = "actor"\n`,
    line: 4,
    column: 14,
    field: 'interface.implements',
    reason: /like "theater:simple\/actor"/,
  },
  'unknown package': {
    src: `${HEAD}[interface]\nimplements = "foo:bar/actor"\n`,
    line: 4,
    column: 14,
    field: 'interface.implements',
    reason: /unknown package "foo:bar"/,
  },
  'unknown exported interface': {
    src: `${HEAD}[interface]\nimplements = "theater:simple/actr"\n`,
    line: 4,
    column: 14,
    reason: /no exported interface "actr"/,
    hint: /theater:simple\/actor/,
  },
  'init_state file missing': {
    src: `${HEAD}init_state = "nope.json"\n`,
    line: 3,
    column: 14,
    field: 'init_state',
    reason: /init_state file not found/,
  },
  'init_state wrong type': {
    src: `${HEAD}init_state = 3\n`,
    line: 3,
    column: 14,
    field: 'init_state',
    reason: /path to a JSON file or a table/,
  },
  'init_state integer beyond 2^53': {
    src: `${HEAD}init_state = { big = 9007199254740993 }\n`,
    line: 3,
    column: 22,
    field: 'init_state.big',
    reason: /2\^53/,
  },
  'init_state infinity': {
    src: `${HEAD}[init_state]\nx = [1, inf]\n`,
    line: 4,
    column: 9,
    field: 'init_state.x[1]',
    reason: /Infinity cannot be represented/,
  },
  'call_timeout_ms too small': {
    src: `${HEAD}[limits]\ncall_timeout_ms = 99\n`,
    line: 4,
    column: 19,
    field: 'limits.call_timeout_ms',
    reason: /100\.\.600000, got 99/,
  },
  'unknown limit': {
    src: `${HEAD}[limits]\ncall_timeout = 99\n`,
    line: 4,
    column: 1,
    field: 'limits.call_timeout',
    hint: /Did you mean call_timeout_ms\?/,
    reason: /unknown key/,
  },
  '__proto__ key refused': {
    src: `${HEAD}[init_state]\n__proto__ = { x = 1 }\n`,
    line: 4,
    column: 1,
    reason: /"__proto__" is not allowed/,
  },
};

describe('manifest errors point at the offending spot', () => {
  for (const [title, c] of Object.entries(cases)) {
    it(title, () => {
      let err: unknown;
      try {
        parseManifest(c.src, '/proj/actor/manifest.toml');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ManifestError);
      const e = err as ManifestError;
      expect({ line: e.line, column: e.column }).toEqual({ line: c.line, column: c.column });
      expect(e.file).toBe('/proj/actor/manifest.toml');
      expect(e.reason).toMatch(c.reason);
      if (c.field !== undefined) expect(e.field).toBe(c.field);
      if (c.hint) expect(e.hint).toMatch(c.hint);
      expect(e.message.startsWith(`/proj/actor/manifest.toml:${c.line}:${c.column}`)).toBe(true);
    });
  }
});
