/**
 * A chain test: a recorded range of an actor's chain kept as a regression test. Two files side by side:
 *
 *   <name>.bundle      the range as a verifiable bundle (docs/chain-format.md): what replay checks against;
 *   <name>.test.json   a small manifest: which actor, which build to test (a .wasm path relative to this file),
 *                      what to compare, the bundle's SHA-256, and the range written out one step per line with
 *                      the state it ends in — so a pull request that adds or changes a test shows, in a
 *                      reviewable diff, exactly what behaviour it pins.
 *
 * The written-out steps are not decoration: `theater test` checks that they still describe the bundle, so the
 * readable part of a review cannot drift from what is enforced. Saving snaps a range to whole calls (a test starts
 * at a call or an event and ends at a return, an error or an event), because replay re-issues whole calls.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { decode } from '../chain/canonical.ts';
import { bytesAsJson, toDisplay } from '../chain/describe.ts';
import { hashEquals, sha256, toHex, type Hash } from '../chain/entry.ts';
import { loadManifest } from '../manifest/index.ts';
import type { ChainReader, PathEntry } from '../reader/chain-reader.ts';
import type { StoredEntry } from '../store/index.ts';
import { exportBundle } from './bundle-export.ts';
import { loadBundle, type LoadedBundle } from './bundle-read.ts';
import { COMPARE_FIELDS, type CompareField } from './replay-engine.ts';
import { readEntry, TimeTravelError } from './state.ts';
import { makeDirs } from '../make-dirs.ts';

export const CHAIN_TEST_FORMAT = 1;
export const TEST_SUFFIX = '.test.json';
/** Where tests go by default, beside the actor's manifest. */
export const DEFAULT_TEST_DIR = 'theater-tests';

/** A test file that cannot be used as written: names the file and what is wrong. */
export class ChainTestError extends Error {
  override readonly name = 'ChainTestError';
  constructor(
    readonly file: string,
    /** What is wrong, without the file's name. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

const hex = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-digit lowercase hex hash');
const point = z.object({ seq: z.number().int().min(0), hash: hex }).strict();

/** The manifest as written to disk. Key order here is the order in the file. */
const ManifestSchema = z
  .object({
    'theater-test': z.literal(CHAIN_TEST_FORMAT),
    name: z.string().min(1),
    actor: z.string().min(1),
    component: z.string().min(1),
    bundle: z.string().min(1),
    bundleSha256: hex,
    compare: z.array(z.enum(COMPARE_FIELDS)).min(1),
    recorded: z
      .object({
        branch: z.string().min(1),
        component: hex.nullable(),
        from: point,
        to: point,
        entries: z.number().int().min(1),
      })
      .strict(),
    steps: z.array(z.string()),
    finalState: z.unknown(),
  })
  .strict();

export type ChainTestManifest = z.infer<typeof ManifestSchema>;

export interface ChainTest {
  /** The manifest file. */
  readonly file: string;
  readonly manifest: ChainTestManifest;
  /** Absolute paths, resolved against the manifest's folder. */
  readonly bundlePath: string;
  readonly componentPath: string;
}

/** Reads and checks a test manifest (not its bundle: see checkChainTest). */
export function loadChainTest(file: string): ChainTest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ChainTestError(file, `not a readable JSON test manifest: ${(e as Error).message}`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ChainTestError(file, `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const dir = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  return {
    file,
    manifest: parsed.data,
    bundlePath: at(parsed.data.bundle),
    componentPath: at(parsed.data.component),
  };
}

/**
 * Loads the test's bundle (verifying all of it: BundleError when it fails) and checks that the manifest still
 * describes it: its SHA-256, its range and the written-out steps. Returns the bundle, ready to replay.
 */
export function checkChainTest(t: ChainTest): LoadedBundle {
  if (!existsSync(t.bundlePath)) throw new ChainTestError(t.file, `its bundle ${t.bundlePath} does not exist`);
  const digest = toHex(sha256(readFileSync(t.bundlePath)));
  const m = t.manifest;
  if (digest !== m.bundleSha256)
    throw new ChainTestError(
      t.file,
      `its bundle ${m.bundle} has SHA-256 ${digest}, the manifest says ${m.bundleSha256}: one of them was changed`,
    );
  const bundle = loadBundle(t.bundlePath);
  const first = bundle.entries[0];
  const last = bundle.entries[bundle.entries.length - 1];
  if (!first || !last) throw new ChainTestError(t.file, 'its bundle holds no entries');
  if (bundle.header.actor !== m.actor)
    throw new ChainTestError(t.file, `its bundle is actor ${bundle.header.actor}'s, the manifest says ${m.actor}`);
  if (toHex(first.hash) !== m.recorded.from.hash || toHex(last.hash) !== m.recorded.to.hash)
    throw new ChainTestError(t.file, 'recorded.from/to are not the first and last entries of its bundle');
  const steps = describeSteps(bundle.entries);
  const i = steps.findIndex((s, k) => s !== m.steps[k]);
  if (i >= 0 || steps.length !== m.steps.length) {
    const k = i >= 0 ? i : Math.min(steps.length, m.steps.length);
    throw new ChainTestError(
      t.file,
      `its steps do not describe its bundle (step ${k + 1}: the bundle has ${JSON.stringify(steps[k] ?? '(none)')}, ` +
        `the manifest ${JSON.stringify(m.steps[k] ?? '(none)')}); save the test again rather than editing it`,
    );
  }
  if (JSON.stringify(stateOf(last)) !== JSON.stringify(m.finalState))
    throw new ChainTestError(t.file, 'finalState is not the state its bundle ends in');
  return bundle;
}

export interface SaveTestOptions {
  readonly actor: string;
  /** Default: the live branch. */
  readonly branch?: string;
  /** First entry (default: the root); moved back to the start of its call. */
  readonly from?: Hash;
  /** Last entry (default: the branch head); moved forward to the end of its call. */
  readonly to?: Hash;
  /** The manifest file to write (its bundle goes beside it). Default: <dir>/<name>.test.json. */
  readonly file?: string;
  /** Default: theater-tests/ beside the actor's manifest. */
  readonly dir?: string;
  /** Default: <actor>-<first seq>-<last seq>. */
  readonly name?: string;
  /** The build to test against (default: the actor's manifest's component). */
  readonly component?: string;
  readonly compare?: readonly CompareField[];
  /** Replace existing files of the same name. */
  readonly overwrite?: boolean;
}

export interface SavedTest {
  readonly file: string;
  readonly bundle: string;
  readonly entries: number;
  readonly from: { readonly seq: number; readonly hash: string };
  readonly to: { readonly seq: number; readonly hash: string };
}

/**
 * Writes a chain test for a range of an actor's branch. Reads through a ChainReader (a db, or a hub node): the
 * range is read the way every other history reader reads it.
 */
export async function saveChainTest(store: ChainReader, o: SaveTestOptions): Promise<SavedTest> {
  const branch = o.branch ?? (await store.liveBranch(o.actor));
  const head = await store.head(o.actor, branch);
  if (!head) throw new TimeTravelError(`actor ${o.actor} has no entries on branch ${branch}`);
  const { from, to } = await snapRange(store, o.actor, head, o.from, o.to);
  const manifestFile = (await store.actors()).find((a) => a.id === o.actor)?.manifest ?? null;
  const component = o.component ? resolve(o.component) : componentOf(manifestFile);
  if (!component)
    throw new TimeTravelError(
      `no build is known for actor ${o.actor} (its manifest is not at hand): name one (--component <file.wasm>)`,
    );
  const dir = o.file
    ? dirname(resolve(o.file))
    : resolve(o.dir ?? join(manifestFile ? dirname(manifestFile) : '.', DEFAULT_TEST_DIR));
  const slug = (o.name ?? `${o.actor}-${from.seq}-${to.seq}`).replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  const file = o.file ? resolve(o.file) : join(dir, `${slug || 'test'}${TEST_SUFFIX}`);
  if (!file.endsWith(TEST_SUFFIX)) throw new TimeTravelError(`a test manifest's name ends in ${TEST_SUFFIX}: ${file}`);
  const bundle = file.slice(0, -TEST_SUFFIX.length) + '.bundle';
  if (!o.overwrite)
    for (const f of [file, bundle])
      if (existsSync(f)) throw new TimeTravelError(`${f} already exists (choose another name, or overwrite)`);
  makeDirs(dir);

  const out = await exportBundle(store, bundle, { actor: o.actor, branch, from: from.hash, to: to.hash });
  const loaded = loadBundle(bundle); // describe what was written, not what we meant to write
  const last = loaded.entries[loaded.entries.length - 1]!;
  const manifest: ChainTestManifest = {
    'theater-test': CHAIN_TEST_FORMAT,
    name: o.name ?? `${o.actor} #${from.seq}..#${to.seq}`,
    actor: o.actor,
    component: portable(relative(dir, component)),
    bundle: basename(bundle),
    bundleSha256: toHex(sha256(readFileSync(bundle))),
    compare: [...(o.compare ?? COMPARE_FIELDS)],
    recorded: {
      branch,
      component: out.component,
      from: { seq: from.seq, hash: toHex(from.hash) },
      to: { seq: to.seq, hash: toHex(to.hash) },
      entries: out.entries,
    },
    steps: describeSteps(loaded.entries),
    finalState: stateOf(last),
  };
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return { file, bundle, entries: out.entries, from: manifest.recorded.from, to: manifest.recorded.to };
}

/**
 * Widens a range to whole calls: `from` back to the call it is inside (an import, return or error is), `to`
 * forward along the branch to the return or error of the call it is inside (a call or an import is).
 */
async function snapRange(
  store: ChainReader,
  actor: string,
  head: StoredEntry,
  fromHash: Hash | undefined,
  toHash: Hash | undefined,
): Promise<{ from: StoredEntry; to: StoredEntry }> {
  let to = toHash ? await readEntry(store, toHash, actor) : head;
  if (to.seq > head.seq) throw new TimeTravelError(`entry #${to.seq} is after the head of the branch (#${head.seq})`);
  let from: StoredEntry | undefined = fromHash ? await readEntry(store, fromHash, actor) : undefined;
  // Refused, as export refuses it, rather than swapped: ends given the wrong way round are as likely a wrong hash
  // as a slip, and a test saved from a range nobody asked for would be reviewed as the one they meant.
  if (from && from.seq > to.seq) {
    const at = (e: StoredEntry) => `#${e.seq} ${toHex(e.hash).slice(0, 12)}`;
    throw new TimeTravelError(
      `the range is reversed: --from ${at(from)} comes after --to ${at(to)}; give the earlier entry as --from`,
    );
  }
  // The branch must pass through `to`; when `to` is inside a call, the branch goes on to that call's end.
  let at: StoredEntry | undefined;
  let end: StoredEntry | undefined;
  const inCall = to.kind === 'call' || to.kind === 'import';
  walk: for await (const page of store.path(head.id, { fromSeq: to.seq })) {
    for (const e of page) {
      if (!at) {
        at = e;
        if (!hashEquals(e.hash, to.hash) || !inCall) break walk;
        continue;
      }
      if (e.kind === 'return' || e.kind === 'error') end = e;
      if (e.kind !== 'import') break walk;
    }
  }
  if (!at || !hashEquals(at.hash, to.hash))
    throw new TimeTravelError(`entry #${to.seq} ${toHex(to.hash).slice(0, 12)} is not on this branch`);
  if (inCall) {
    if (!end) throw new TimeTravelError(`the range ends inside a call that has not returned (#${to.seq})`);
    to = end;
  }
  if (!from) {
    for await (const page of store.path(to.id, { fromSeq: 0 })) {
      if (page[0]) return { from: page[0], to };
    }
    throw new TimeTravelError('empty branch');
  }
  while (from.kind === 'import' || from.kind === 'return' || from.kind === 'error') {
    const up: StoredEntry | undefined = from.parent ? await store.entry(from.parent, actor) : undefined;
    if (!up) break;
    from = up;
  }
  return { from, to };
}

/** The manifest's build, when the actor's manifest is still where it was. */
function componentOf(manifest: string | null): string | null {
  if (!manifest || !existsSync(manifest)) return null;
  try {
    return loadManifest(manifest).componentPath;
  } catch {
    return null;
  }
}

function portable(p: string): string {
  return p.split(sep).join('/');
}

const MAX_STEP = 160;

/** One line per entry, for the manifest: seq, kind, interface.function and what went in or came out. */
export function describeSteps(entries: readonly PathEntry[]): string[] {
  let prevState: Hash | null | undefined;
  return entries.map((e) => {
    const fn = `${e.iface.replace(/^[^/]*\//, '').replace(/@[\d.]+$/, '')}.${e.fn}`;
    let what: string;
    switch (e.kind) {
      case 'call':
      case 'event':
        what = json(e.inputBytes);
        break;
      case 'import':
        what = `${json(e.inputBytes)} -> ${json(e.outputBytes)}`;
        break;
      case 'return':
      case 'error':
        what = `-> ${json(e.outputBytes)}`;
        if (e.kind === 'return' && prevState !== undefined && !hashEquals(prevState, e.state))
          what += `; state ${clip(JSON.stringify(stateOf(e)))}`;
        break;
      default: {
        const never: never = e.kind;
        what = String(never);
      }
    }
    prevState = e.state;
    return `#${e.seq} ${e.kind} ${fn} ${what}`;
  });
}

function json(b: Uint8Array | null): string {
  if (!b) return 'none';
  try {
    return clip(JSON.stringify(toDisplay(decode(b))) ?? 'none');
  } catch {
    return `<${b.length} undecodable bytes>`;
  }
}

function clip(s: string): string {
  return s.length > MAX_STEP ? `${s.slice(0, MAX_STEP - 1)}…` : s;
}

/** The state as JSON, or {hex} when it is not JSON, or null when there is none. */
function stateOf(e: PathEntry): unknown {
  if (!e.stateBytes) return null;
  const j = bytesAsJson(e.stateBytes);
  return j === undefined ? { hex: toHex(e.stateBytes) } : j;
}
