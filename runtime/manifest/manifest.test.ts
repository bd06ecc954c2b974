import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, formatManifestError, loadManifest, parseManifest } from './index.ts';

const SEED = `name = "my-actor"
component_path = "path/to/actor.wasm"

[interface]
implements = "ntwk:simple-actor/actor"

[[handlers]]
type = "Http-server"
config = { port = 8080 }

[[handlers]]
type = "Message-server"
config = { port = 8081 }
`;

const THEATER = `name = "counter"
component = "../build/counter.wasm"
version = "0.1.0"
description = "Counts requests."
init_state = "init.json"

[[handler]]
type = "http-server"
port = 8080
host = "0.0.0.0"
max_body_bytes = 2048

[[handler]]
type = "message-server"

[[handler]]
type = "supervisor"

[[handler]]
type = "timing"

[[handler]]
type = "random"

[[handler]]
type = "runtime"

[limits]
call_timeout_ms = 250
`;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-test-'));
  fs.mkdirSync(path.join(tmp, 'actor'));
  fs.writeFileSync(path.join(tmp, 'actor', 'init.json'), '{"count": 3}');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const write = (rel: string, text: string | Buffer) => {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};
const caught = (fn: () => unknown): ManifestError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return e as ManifestError;
  }
  throw new Error('expected a ManifestError');
};
const json = (b: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(b));

describe('seed form', () => {
  it('loads verbatim', () => {
    const m = parseManifest(SEED, '/srv/actors/manifest.toml');
    expect(m.form).toBe('seed');
    expect(m.name).toBe('my-actor');
    expect(m.file).toBe('/srv/actors/manifest.toml');
    expect(m.dir).toBe('/srv/actors');
    expect(m.componentPath).toBe('/srv/actors/path/to/actor.wasm');
    expect(m.componentLoc).toEqual({ file: '/srv/actors/manifest.toml', line: 2, column: 18 });
    expect(m.implements).toBe('theater:simple/actor');
    expect(m.callTimeoutMs).toBe(5000);
    expect(m.initState).toBeUndefined();
    expect(m.handlers).toEqual([
      {
        type: 'http-server',
        port: 8080,
        host: '127.0.0.1',
        maxBodyBytes: 1048576,
        loc: { file: m.file, line: 7, column: 1 },
      },
      { type: 'message-server', port: 8081, host: '127.0.0.1', loc: { file: m.file, line: 11, column: 1 } },
    ]);
  });

  it('accepts handler types in any case and separator style', () => {
    for (const t of ['Http-server', 'http-server', 'HttpServer', 'HTTP_SERVER', 'http server']) {
      const m = parseManifest(
        `name = "a"\ncomponent_path = "a.wasm"\n[[handlers]]\ntype = "${t}"\nconfig = { port = 1 }\n`,
        '/m.toml',
      );
      expect(m.handlers[0]?.type).toBe('http-server');
    }
    const m = parseManifest(
      'name = "a"\ncomponent_path = "a.wasm"\n[[handlers]]\ntype = "Supervisor"\nconfig = {}\n[[handlers]]\ntype = "MessageServer"\n',
      '/m.toml',
    );
    expect(m.handlers.map((h) => h.type)).toEqual(['supervisor', 'message-server']);
    expect(m.handlers[1]).not.toHaveProperty('port');
  });

  it('normalizes interface names', () => {
    const base = 'name = "a"\ncomponent_path = "a.wasm"\n[interface]\nimplements = ';
    expect(parseManifest(`${base}"theater:simple/actor@0.1.0"`, '/m.toml').implements).toBe('theater:simple/actor');
    expect(parseManifest(`${base}"Theater:Simple/Http-Server"`, '/m.toml').implements).toBe(
      'theater:simple/http-server',
    );
  });
});

describe("Theater's later form", () => {
  it('loads every handler type, limits, init_state file', () => {
    const file = write('actor/manifest.toml', THEATER);
    const m = loadManifest(file);
    expect(m.form).toBe('theater');
    expect(m.componentPath).toBe(path.join(tmp, 'build', 'counter.wasm'));
    expect(m.componentLoc).toMatchObject({ line: 2, column: 13 });
    expect(m.implements).toBeUndefined();
    expect(m.callTimeoutMs).toBe(250);
    expect(json(m.initState)).toEqual({ count: 3 });
    expect(m.handlers.map((h) => h.type)).toEqual([
      'http-server',
      'message-server',
      'supervisor',
      'timing',
      'random',
      'runtime',
    ]);
    expect(m.handlers[0]).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      maxBodyBytes: 2048,
      loc: { line: 7, column: 1 },
    });
    expect(m.handlers[1]).toEqual({ type: 'message-server', host: '127.0.0.1', loc: { file, line: 13, column: 1 } });
  });

  it('converts an inline init_state table to JSON', () => {
    const m = parseManifest(
      'name = "a"\ncomponent = "a.wasm"\ninit_state = { count = 0, tags = ["x", "y"], nested = { ok = true, ratio = 0.5 } }\n',
      '/m.toml',
    );
    expect(json(m.initState)).toEqual({ count: 0, tags: ['x', 'y'], nested: { ok: true, ratio: 0.5 } });
  });

  it('accepts init_state as a [init_state] table', () => {
    const m = parseManifest('name = "a"\ncomponent = "a.wasm"\n[init_state]\ngreeting = "hi"\n', '/m.toml');
    expect(json(m.initState)).toEqual({ greeting: 'hi' });
  });

  it('resolves relative paths against the manifest folder, not the cwd', () => {
    const m = parseManifest('name = "a"\ncomponent = "./bin/../a.wasm"\n', 'rel/dir/manifest.toml');
    expect(m.file).toBe(path.resolve('rel/dir/manifest.toml'));
    expect(m.componentPath).toBe(path.resolve('rel/dir/a.wasm'));
    expect(parseManifest('name = "a"\ncomponent = "/abs/a.wasm"\n', '/x/m.toml').componentPath).toBe('/abs/a.wasm');
    const file = write(
      'nested/deep/manifest.toml',
      'name = "a"\ncomponent = "a.wasm"\ninit_state = "../../actor/init.json"\n',
    );
    expect(json(loadManifest(file).initState)).toEqual({ count: 3 });
  });

  it('defaults: loopback host, 1 MiB bodies, 5 s calls, no handlers', () => {
    const m = parseManifest(
      'name = "a"\ncomponent = "a.wasm"\n[[handler]]\ntype = "http-server"\nport = 80\n',
      '/m.toml',
    );
    expect(m.handlers[0]).toMatchObject({ host: '127.0.0.1', maxBodyBytes: 1024 * 1024 });
    expect(m.callTimeoutMs).toBe(5000);
    expect(parseManifest('name = "a"\ncomponent = "a.wasm"\n', '/m.toml').handlers).toEqual([]);
  });

  it('tolerates a UTF-8 BOM', () => {
    expect(parseManifest('\uFEFFname = "a"\ncomponent = "a.wasm"\n', '/m.toml').name).toBe('a');
  });
});

describe('loadManifest file checks', () => {
  it('refuses a 2 MiB file before parsing it', () => {
    const file = write('big/manifest.toml', `name = "a"\ncomponent = "a.wasm"\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const e = caught(() => loadManifest(file));
    expect(e.reason).toMatch(/at most 1048576 bytes/);
    expect(e.file).toBe(file);
  });

  it('reports a missing file', () => {
    const e = caught(() => loadManifest(path.join(tmp, 'nope.toml')));
    expect(e.reason).toBe('manifest file not found.');
    expect(e.line).toBeUndefined();
  });

  it('reports a directory, suggesting the manifest inside it', () => {
    const e = caught(() => loadManifest(path.join(tmp, 'actor')));
    expect(e.reason).toMatch(/is a directory/);
    expect(e.hint).toBe(`Did you mean ${path.join(tmp, 'actor', 'manifest.toml')}?`);
  });

  it('sees a manifest edited since it was last loaded', () => {
    const file = write('edited/manifest.toml', 'name = "before"\ncomponent = "a.wasm"\n');
    expect(loadManifest(file).name).toBe('before');
    write('edited/manifest.toml', 'name = "after"\ncomponent = "a.wasm"\n');
    expect(loadManifest(file).name).toBe('after');
    expect(loadManifest(file)).toBe(loadManifest(file)); // unchanged text: the same parsed value
  });

  it('sees a same-size edit made just after a load (within one file timestamp tick)', () => {
    const file = write('racy/manifest.toml', 'name = "first"\ncomponent = "a.wasm"\n');
    expect(loadManifest(file).name).toBe('first');
    // Same size, within the same timestamp tick: inode, size, mtime and ctime may all be unchanged.
    write('racy/manifest.toml', 'name = "again"\ncomponent = "a.wasm"\n');
    expect(loadManifest(file).name).toBe('again');
  });

  it('refuses invalid UTF-8', () => {
    const file = write('bad-utf8.toml', Buffer.from([0x6e, 0x3d, 0x22, 0xff, 0x22, 0x0a]));
    expect(caught(() => loadManifest(file)).reason).toMatch(/UTF-8/);
  });

  it('formats errors relative to the working directory', () => {
    const e = caught(() =>
      parseManifest(SEED.replace('port = 8080', 'port = "80a"'), 'examples/counter/manifest.toml'),
    );
    expect(formatManifestError(e)).toBe(
      'examples/counter/manifest.toml:9:19 handlers[0].config.port: expected an integer 1..65535, got "80a". Write port = 8080.',
    );
    expect(e.message).toContain(path.resolve('examples/counter/manifest.toml'));
  });
});
