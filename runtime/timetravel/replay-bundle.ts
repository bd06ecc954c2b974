/**
 * Replay straight from a bundle file, with no store in between: what a chain test does. The bundle is read and
 * verified whole first (a bundle that fails any check is refused before anything runs), then its entries are
 * folded against a build of the component. A bundle may hold a range that starts after the root: the fold then
 * continues from the range's first entry with the state recorded there.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, toHex } from '../chain/entry.ts';
import { defaultCacheDir, loadComponent, type ComponentInfo } from '../component/loader.ts';
import { loadBundle, type BundleHeader, type LoadedBundle } from './bundle-read.ts';
import { replayFold, type CompareField, type ReplayResult } from './replay-engine.ts';
import { instantiator } from './replay.ts';
import { TimeTravelError } from './state.ts';
import { makeDirs } from '../make-dirs.ts';

export interface BundleReplayRequest {
  readonly file: string;
  /** The bundle, when the caller has already loaded (and so verified) it. */
  readonly loaded?: LoadedBundle;
  /** The build to replay against; default: the component embedded in the bundle, if it has one. */
  readonly component?: string;
  /** Undefined: every entry's hash must match (see COMPARE_FIELDS). */
  readonly compare?: readonly CompareField[];
  readonly cacheDir?: string;
}

export type BundleReplayReport = ReplayResult & {
  readonly header: BundleHeader;
  /** Entries in the bundle. */
  readonly entries: number;
  /** sha256 of the component replayed, and of the one that recorded the bundle. */
  readonly component: { readonly sha256: string; readonly recorded: string | null; readonly path: string };
};

/** Throws BundleError when the file fails verification, TimeTravelError when there is no component to run. */
export async function replayBundle(req: BundleReplayRequest): Promise<BundleReplayReport> {
  const bundle = req.loaded ?? loadBundle(req.file);
  const cache = req.cacheDir ?? defaultCacheDir();
  let component: ComponentInfo;
  if (req.component) component = await loadComponent(req.component, cache);
  else if (bundle.component) component = await loadComponent(spill(bundle.component), cache);
  else
    throw new TimeTravelError(
      `${req.file} does not embed its component: name the build to replay against (--component <file.wasm>)`,
    );
  const result = await replayFold(bundle.entries, {
    instantiate: instantiator(component),
    range: true,
    compare: req.compare && new Set(req.compare),
  });
  return {
    ...result,
    header: bundle.header,
    entries: bundle.entries.length,
    component: { sha256: component.sha256, recorded: bundle.header.component, path: component.path },
  };
}

/** An embedded component, written where the loader (which reads files) can find it; named by its hash. */
function spill(bytes: Uint8Array): string {
  const dir = join(tmpdir(), 'theater-components');
  makeDirs(dir);
  const file = join(dir, `${toHex(sha256(bytes))}.wasm`);
  writeFileSync(file, bytes);
  return file;
}
