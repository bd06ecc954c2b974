/**
 * Conversions from the time-travel engine's results (runtime/timetravel) to the contract's views, and engine errors
 * to not-found/bad-request ApiErrors. The reads themselves are in chain-views.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ActorSystem,
  type ChainStore,
  type CrossingView,
  type ImportResult,
  type ReplayReport,
  saveChainTest,
  SqliteReader,
  type StateDiff,
  TimeTravelError,
  BundleError,
  makeDirs,
} from '../../runtime/index.ts';
import type {
  DiffChange,
  DiffView,
  EntryKind,
  Hex,
  ReplayResultView,
  SavedTestView,
  SaveTestRequest,
  UploadedFile,
} from '../contract.ts';
import { badRequest, notFound, StudioError } from './api-error.ts';
import { parseHash } from './entry-views.ts';

/** Engine errors are about what the user asked for (no such entry/branch, bad bundle): not-found, not internal. */
export async function engine<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StudioError) throw e;
    if (e instanceof TimeTravelError) throw notFound(e.message);
    if (e instanceof BundleError) throw badRequest(e.message);
    throw e;
  }
}

export function diffView(a: Hex, b: Hex, d: StateDiff): DiffView {
  switch (d.kind) {
    case 'equal':
      return { a, b, identical: true, changes: [] };
    case 'json':
      return {
        a,
        b,
        identical: d.changes.length === 0,
        changes: d.changes.map((c): DiffChange => {
          switch (c.op) {
            case 'added':
              return { op: 'added', path: c.path, after: c.value };
            case 'removed':
              return { op: 'removed', path: c.path, before: c.value };
            case 'changed':
              return { op: 'changed', path: c.path, before: c.before, after: c.after };
            case 'moved':
              // The contract has no "moved": shown as a change of position.
              return { op: 'changed', path: c.path, before: c.value, after: c.value };
            default:
              return assertNever(c);
          }
        }),
      };
    case 'text':
      return { a, b, identical: false, text: d.hunks.map((h) => `${h.op}${h.text}`).join('\n') };
    default:
      return assertNever(d);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}

function crossing(c: CrossingView | null): {
  iface: string;
  fn: string;
  kind: EntryKind;
  input: unknown;
  output: unknown;
} {
  if (!c) return { iface: '', fn: '(nothing: the replay ended here)', kind: 'event', input: null, output: null };
  return { iface: c.iface, fn: c.fn, kind: c.kind as EntryKind, input: c.input, output: c.output };
}

/** Runs a replay (engine errors become not-found) and shapes its report for the contract. */
export async function replayView(run: () => Promise<ReplayReport>): Promise<ReplayResultView> {
  const r = await engine(run);
  // Which build ran, so a verdict names it ("verified against counter.wasm, the recorded build").
  const build = {
    path: r.component.path,
    sha256: r.component.sha256,
    recorded: r.component.sha256 === r.component.recorded,
  };
  // A chain recorded by several builds was replayed segment by segment, each against the build that recorded it.
  const segments =
    r.builds.length > 1
      ? { builds: r.builds.map((b) => ({ path: b.path, sha256: b.sha256, recorded: true, from: b.from })) }
      : {};
  switch (r.status) {
    case 'verified':
      return { status: 'verified', count: r.count, head: r.head ?? '', build, ...segments };
    case 'diverged':
      return {
        status: 'diverged',
        build,
        ...segments,
        index: r.index,
        entry: r.expected?.hash ?? '',
        seq: r.expected?.seq ?? r.index,
        expected: crossing(r.expected),
        got: crossing(r.got),
        stateDiff: diffView(r.expected?.state ?? '', r.got?.state ?? '', r.stateDiff),
      };
    case 'failed':
      return { status: 'failed', message: r.message };
    default:
      return assertNever(r);
  }
}

/** Writes an upload to `dir` (or takes the path given) and imports it with `run`. */
export function importView(
  dir: string,
  p: { path?: string; upload?: UploadedFile },
  run: (file: string) => Promise<ImportResult>,
) {
  return engine(async () => {
    let file = p.path;
    if (p.upload) {
      makeDirs(dir);
      file = join(dir, `upload-${Date.now()}-${p.upload.name}`);
      writeFileSync(file, Buffer.from(p.upload.base64, 'base64'));
    }
    const r = await run(file!);
    return { actor: r.actor, branch: r.branch, entries: r.entries, added: r.entries - r.existing };
  });
}

/**
 * Save as test: what this Studio's runtime has queued is committed first, so the range the user sees is the range
 * written. It only reads the chain (through the Studio's read connection), so it works while another process writes.
 */
export function saveTestView(
  system: ActorSystem | undefined,
  store: ChainStore,
  p: SaveTestRequest,
): Promise<SavedTestView> {
  return engine(async () => {
    await system?.committed();
    const r = await saveChainTest(SqliteReader.of(store), {
      actor: p.actor,
      branch: p.branch,
      from: p.from ? parseHash(p.from) : undefined,
      to: p.to ? parseHash(p.to) : undefined,
      dir: p.dir,
      name: p.name,
      overwrite: p.overwrite,
    });
    return { file: r.file, bundle: r.bundle, entries: r.entries, fromSeq: r.from.seq, toSeq: r.to.seq };
  });
}
