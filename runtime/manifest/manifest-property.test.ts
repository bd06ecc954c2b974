/** Property tests: whatever text arrives, parseManifest either returns a Manifest or throws a located ManifestError. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest } from './index.ts';

// A manifest-flavoured vocabulary, so generated text often parses as TOML and reaches the validators.
const TOKENS = [
  'name',
  'component',
  'component_path',
  'version',
  'description',
  'init_state',
  'limits',
  'call_timeout_ms',
  'interface',
  'implements',
  'handlers',
  'handler',
  'type',
  'config',
  'port',
  'host',
  'max_body_bytes',
  '__proto__',
  'constructor',
  '"http-server"',
  '"Message-server"',
  '"timing"',
  '"ntwk:simple-actor/actor"',
  '"a.wasm"',
  '"my-actor"',
  '"127.0.0.1"',
  '"init.json"',
  '=',
  ' = ',
  '"',
  "'",
  '[',
  ']',
  '[[',
  ']]',
  '{',
  '}',
  ',',
  '.',
  '\n',
  ' ',
  '#',
  '0',
  '1',
  '8080',
  '-1',
  '65536',
  '1e400',
  'inf',
  'nan',
  '0x1F',
  'true',
  '1979-05-27',
  '"""',
  '\\u0000',
  '\uFEFF',
];

const tomlish = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join('')),
  fc.string({ maxLength: 200, unit: 'grapheme' }),
  fc.string({ maxLength: 200, unit: 'binary' }),
);

function outcome(text: string): 'ok' | ManifestError {
  try {
    parseManifest(text, '/nonexistent-fc-dir/actor/manifest.toml');
    return 'ok';
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw new Error(`non-ManifestError thrown for ${JSON.stringify(text)}: ${String(e)}`, { cause: e });
  }
}

describe('parseManifest on arbitrary input', () => {
  it('throws nothing but ManifestError, always located', () => {
    fc.assert(
      fc.property(tomlish, (text) => {
        const r = outcome(text);
        if (r !== 'ok') {
          expect(r.line).toBeGreaterThanOrEqual(1);
          expect(r.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('also for structurally valid TOML with random values', () => {
    const value = fc.oneof(
      fc.integer({ min: -10, max: 70000 }).map(String),
      fc.constantFrom('"x"', '1.5', 'true', '[]', '{}', '{ port = 1 }', '"HttpServer"', '"supervisor"'),
    );
    const entry = fc.tuple(fc.constantFrom('type', 'port', 'host', 'config', 'max_body_bytes', 'prot'), value);
    const doc = fc
      .tuple(
        fc.constantFrom('handlers', 'handler'),
        fc.array(fc.uniqueArray(entry, { selector: ([k]) => k, maxLength: 4 }), { maxLength: 4 }),
      )
      .map(([key, tables]) =>
        [
          'name = "a"',
          'component = "a.wasm"',
          ...tables.map((kvs) => [`[[${key}]]`, ...kvs.map(([k, v]) => `${k} = ${v}`)].join('\n')),
        ].join('\n'),
      );
    fc.assert(
      fc.property(doc, (text) => void outcome(text)),
      { numRuns: 2000 },
    );
  });

  it('accepts any valid name and port pair and reports them back', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
    fc.assert(
      fc.property(name, fc.integer({ min: 1, max: 65535 }), (n, port) => {
        const m = parseManifest(
          `name = "${n}"\ncomponent = "a.wasm"\n[[handler]]\ntype = "http-server"\nport = ${port}\n`,
          '/m.toml',
        );
        expect(m.name).toBe(n);
        expect(m.handlers[0]).toMatchObject({ type: 'http-server', port });
      }),
      { numRuns: 300 },
    );
  });
});
