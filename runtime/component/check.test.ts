import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../manifest/index.ts';
import { example, tempDir, withSystem } from '../testing/helpers.ts';
import { ActorLoadError, checkComponent } from './check.ts';
import { ComponentError, loadComponent } from './loader.ts';

describe('loading a component', () => {
  const { dir } = tempDir();
  const cache = join(dir, 'cache');

  it('reads the real imports and exports from the component', async () => {
    const c = await loadComponent(example('counter', 'counter.wasm'), cache);
    expect(c.exports).toEqual([
      'theater:simple/actor',
      'theater:simple/http-server',
      'theater:simple/message-server-client',
    ]);
    expect(c.imports).toEqual(['theater:simple/runtime']);
    expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sees a component rebuilt in place since it was last loaded', async () => {
    const path = join(dir, 'rebuilt.wasm');
    copyFileSync(example('counter', 'counter.wasm'), path);
    const before = await loadComponent(path, cache);
    copyFileSync(example('counter-by-two', 'counter-by-two.wasm'), path);
    const after = await loadComponent(path, cache);
    expect(after.sha256).not.toBe(before.sha256);
    expect(after.sha256).toBe((await loadComponent(example('counter-by-two', 'counter-by-two.wasm'), cache)).sha256);
  });

  it.each([
    ['missing.wasm', null, 'component file not found'],
    ['text.wasm', 'hello, I am not wasm', 'is not a WebAssembly file'],
    ['core.wasm', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 'is a core WebAssembly module, not a component'],
    ['truncated.wasm', 'TRUNCATE', 'is not a valid component'],
  ])('refuses %s clearly', async (name, content, message) => {
    const path = join(dir, name);
    if (content === 'TRUNCATE') writeFileSync(path, readFileSync(example('counter', 'counter.wasm')).subarray(0, 2000));
    else if (content !== null) writeFileSync(path, content);
    const err = await loadComponent(path, cache).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComponentError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toContain(message);
  });
});

describe('checking a component against its manifest', () => {
  const { dir } = tempDir();
  const manifestFor = (component: string, handlers: string) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(file, `name = "x"\ncomponent = "${component}"\n${handlers}`);
    return parseManifest(readFileSync(file, 'utf8'), file);
  };

  it('names the handler line when the manifest asks for an export the component lacks', async () => {
    copyFileSync(example('js-notes', 'js-notes.wasm'), join(dir, 'notes.wasm'));
    const m = manifestFor(
      'notes.wasm',
      '\n[[handler]]\ntype = "timing"\n[[handler]]\ntype = "random"\n[[handler]]\ntype = "http-server"\nport = 9000\n',
    );
    const c = await loadComponent(m.componentPath, join(dir, 'cache'));
    const err = (() => {
      try {
        checkComponent(c, m);
      } catch (e) {
        return e as ActorLoadError;
      }
    })();
    expect(err).toBeInstanceOf(ActorLoadError);
    expect(err!.loc.line).toBe(8);
    expect(err!.message).toContain(
      'manifest asks for http-server but the component does not export theater:simple/http-server',
    );
  });

  it('refuses imports the manifest does not grant, saying what to add', async () => {
    copyFileSync(example('js-notes', 'js-notes.wasm'), join(dir, 'notes2.wasm'));
    const m = manifestFor('notes2.wasm', '\n[[handler]]\ntype = "message-server"\n');
    const c = await loadComponent(m.componentPath, join(dir, 'cache'));
    expect(() => checkComponent(c, m)).toThrow(
      /imports theater:simple\/timing but the manifest does not grant it\. Add \[\[handler\]\] type = "timing"/,
    );
  });

  it('refuses to start such an actor and records nothing', async () => {
    copyFileSync(example('js-notes', 'js-notes.wasm'), join(dir, 'notes3.wasm'));
    const m = manifestFor('notes3.wasm', '\n[[handler]]\ntype = "message-server"\n');
    await withSystem(async (system) => {
      await expect(system.start(m)).rejects.toThrow(ActorLoadError);
      expect(system.store.countEntries()).toBe(0);
      expect(system.list()).toEqual([]);
    });
  });
});
