import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/helpers.ts';
import { childManifestPath } from './host-calls.ts';

describe("a child's manifest must lie inside its parent's folder", () => {
  const { dir } = tempDir();
  const parent = join(dir, 'parent');
  mkdirSync(join(parent, 'children'), { recursive: true });
  writeFileSync(join(parent, 'children', 'ok.toml'), '');
  writeFileSync(join(dir, 'secret.toml'), '');
  symlinkSync(join(dir, 'secret.toml'), join(parent, 'children', 'link.toml'));

  it('accepts a relative path inside', () => {
    expect(childManifestPath(parent, 'children/ok.toml')).toBe(join(parent, 'children', 'ok.toml'));
  });

  it.each([
    ['../secret.toml', /outside the parent's folder/],
    ['children/../../secret.toml', /outside the parent's folder/],
    ['/etc/passwd', /must be relative/],
    ['children/link.toml', /outside the parent's folder/], // a symlink pointing out is followed, then refused
    ['children/missing.toml', /not found/],
  ])('refuses %s', (requested, message) => {
    expect(() => childManifestPath(parent, requested)).toThrow(message);
  });
});
