/** loadManifest: read a manifest file defensively, then parseManifest. */
import fs from 'node:fs';
import path from 'node:path';
import { fileVersion } from '../file-version.ts';
import { ManifestError } from './manifest-error.ts';
import { parseManifest } from './parse-manifest.ts';
import { MAX_FILE_BYTES, type Manifest } from './types.ts';

export function loadManifest(file: string): Manifest {
  const abs = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ManifestError({
      file: abs,
      reason: code === 'ENOENT' ? 'manifest file not found.' : `cannot read manifest: ${(e as Error).message}.`,
      ...(code === 'ENOENT' ? { hint: 'Check the path; manifests are usually named manifest.toml.' } : {}),
      cause: e,
    });
  }
  if (stat.isDirectory()) {
    const inside = path.join(abs, 'manifest.toml');
    throw new ManifestError({
      file: abs,
      reason: 'is a directory, not a manifest file.',
      hint: fs.existsSync(inside) ? `Did you mean ${inside}?` : 'Pass the path of the .toml manifest file.',
    });
  }
  // A device or FIFO reports size 0 and may never end (/dev/zero, a named pipe): never read one.
  if (!stat.isFile()) {
    throw new ManifestError({
      file: abs,
      reason: 'is not a regular file (a device, FIFO or socket).',
      hint: 'Pass the path of the .toml manifest file.',
    });
  }
  // Checked before reading: a huge file is almost certainly the wrong file (a .wasm, a log), not a manifest.
  if (stat.size > MAX_FILE_BYTES) {
    throw new ManifestError({
      file: abs,
      reason: `file is ${stat.size} bytes; a manifest may be at most ${MAX_FILE_BYTES} bytes (1 MiB).`,
      hint: 'Is this the right file? Manifests are small TOML files.',
    });
  }
  // Unchanged since it was last parsed (file-version.ts): not even read again.
  const version = fileVersion(stat);
  const known = parsed.get(abs);
  if (version !== undefined && known?.version === version) return known.manifest;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(abs));
  } catch (e) {
    throw new ManifestError({
      file: abs,
      reason: `cannot read manifest as UTF-8 text: ${(e as Error).message}.`,
      hint: 'Save it as UTF-8 TOML.',
      cause: e,
    });
  }
  const manifest = known?.text === text ? known.manifest : parseManifest(text, abs);
  parsed.set(abs, { version, text, manifest });
  return manifest;
}

/**
 * The last manifest parsed from each file: a supervisor spawning the same child again only stats the file (reading
 * and decoding it was ~0.12 ms of a warm spawn, measured), and a file whose stat cannot vouch for it (just written,
 * or touched) is read but not parsed again while its text is unchanged. A Manifest is a readonly value, safe to share.
 */
const parsed = new Map<
  string,
  { readonly version: string | undefined; readonly text: string; readonly manifest: Manifest }
>();
