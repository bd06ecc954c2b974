/**
 * Opening actors from manifests: load errors become a LoadErrorView (file, line, what to change) instead of an
 * exception; uploads are written into their own temp folder first; recently opened manifests are remembered in a
 * small JSON file in the Studio's data dir.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ActorLoadError,
  type ActorSystem,
  ComponentError,
  loadManifest,
  type Manifest,
  ManifestError,
  makeDirs,
} from '../../runtime/index.ts';
import type { LoadErrorView, OpenResult, UploadedFile } from '../contract.ts';
import { badRequest } from './api-error.ts';

export function loadErrorView(e: unknown, file: string): LoadErrorView {
  if (e instanceof ManifestError) {
    return {
      file: e.file,
      line: e.line,
      column: e.column,
      message: e.field ? `${e.field}: ${e.reason}` : e.reason,
      hint: e.hint,
    };
  }
  if (e instanceof ActorLoadError)
    return { file: e.loc.file, line: e.loc.line, column: e.loc.column, message: e.problems.join('\n') };
  if (e instanceof ComponentError) return { file: e.path, message: e.message };
  return { file, message: e instanceof Error ? e.message : String(e) };
}

/** The manifest with every server on an ephemeral port: for when the ports it names are taken on this machine. */
function withEphemeralPorts(m: Manifest): Manifest {
  return {
    ...m,
    handlers: m.handlers.map((h) =>
      h.type === 'http-server' || (h.type === 'message-server' && h.port !== undefined) ? { ...h, port: 0 } : h,
    ),
  };
}

const PORT_TAKEN = /already in use/;

/**
 * Starts the actor. A manifest whose actor is running already is that actor (opening it again selects it). A port
 * conflict is not a reason to refuse the example the user asked for: the actor is started on ephemeral ports
 * instead, and the result's `note` says where it listens (`log` gets it too).
 */
export async function openManifest(system: ActorSystem, path: string, log: (msg: string) => void): Promise<OpenResult> {
  const file = resolve(path);
  const running = system.list().find((a) => a.manifest === file && a.parent === null);
  if (running) return { ok: true, actor: running.id, alreadyRunning: true };
  let manifest: Manifest;
  try {
    manifest = loadManifest(file);
  } catch (e) {
    return { ok: false, error: loadErrorView(e, file) };
  }
  try {
    return { ok: true, actor: await system.start(manifest) };
  } catch (e) {
    if (!(e instanceof Error) || !PORT_TAKEN.test(e.message)) return { ok: false, error: loadErrorView(e, file) };
    let actor: string;
    try {
      actor = await system.start(withEphemeralPorts(manifest));
    } catch (e2) {
      return { ok: false, error: loadErrorView(e2, file) };
    }
    const taken = /port (\d+)/.exec(e.message)?.[1] ?? 'port';
    const where = (system.describe(actor)?.listeners ?? [])
      .map((l) => `${l.kind === 'http-server' ? 'HTTP' : 'messages'} on ${l.host}:${l.port}`)
      .join(', ');
    const note = `The manifest's port ${taken} is in use by another program: ${actor} listens on other ports instead (${where}).`;
    log(note);
    return { ok: true, actor, note };
  }
}

/**
 * Brings a stopped supervised child back under its running supervisor, resuming its own chain (as a resumed
 * supervisor does with the children it had). Already back (its supervisor resumed it): nothing to do.
 */
export async function startChild(
  system: ActorSystem,
  child: { readonly id: string; readonly parent: string; readonly manifest: string },
): Promise<OpenResult> {
  if (system.describe(child.id)) return { ok: true, actor: child.id };
  try {
    return { ok: true, actor: await system.start(child.manifest, { parent: child.parent, id: child.id }) };
  } catch (e) {
    return { ok: false, error: loadErrorView(e, child.manifest) };
  }
}

/** Writes an upload into a fresh folder under `uploadsDir`; returns the manifest's path there. */
export function writeUpload(uploadsDir: string, manifest: UploadedFile, files: readonly UploadedFile[]): string {
  const names = new Set<string>();
  for (const f of [manifest, ...files]) {
    // The schemas refuse separators already; checked again because this is the line that touches the disk.
    if (/[\\/\0]/.test(f.name) || f.name === '.' || f.name === '..')
      throw badRequest(`refused file name ${JSON.stringify(f.name)}`);
    if (names.has(f.name)) throw badRequest(`file ${f.name} given twice`);
    names.add(f.name);
  }
  makeDirs(uploadsDir);
  const dir = mkdtempSync(join(uploadsDir, 'upload-'));
  for (const f of files) writeFileSync(join(dir, f.name), Buffer.from(f.base64, 'base64'));
  const path = join(dir, manifest.name);
  writeFileSync(path, Buffer.from(manifest.base64, 'base64'));
  return path;
}

const MAX_RECENT = 10;

export class RecentManifests {
  constructor(private readonly file: string) {}

  list(): string[] {
    try {
      const v: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
    } catch {
      return []; // missing or unreadable: start a new list rather than fail the Studio
    }
  }

  add(path: string): void {
    const next = [path, ...this.list().filter((p) => p !== path)].slice(0, MAX_RECENT);
    try {
      makeDirs(join(this.file, '..'));
      writeFileSync(this.file, `${JSON.stringify(next, null, 2)}\n`);
    } catch {
      // A read-only data dir loses the recent list, nothing else.
    }
  }
}
