/**
 * Runs chain tests: each manifest is loaded and its bundle verified (a test that fails here is an error, not a
 * failure: nothing was replayed), then the bundle is replayed against the build the manifest names, or the one
 * given instead, comparing what the manifest asks. One outcome per test, as data; printing is report.ts's job.
 */
import {
  BundleError,
  ChainTestError,
  ComponentError,
  TimeTravelError,
  checkChainTest,
  loadChainTest,
  replayBundle,
  type BundleReplayReport,
  type ChainTest,
} from '../index.ts';

export type TestOutcome =
  | {
      readonly status: 'passed';
      readonly file: string;
      readonly name: string;
      readonly actor: string;
      readonly ms: number;
      readonly entries: number;
      readonly component: string;
    }
  | {
      readonly status: 'failed';
      readonly file: string;
      readonly name: string;
      readonly actor: string;
      readonly ms: number;
      readonly entries: number;
      readonly component: string;
      /** The replay's divergence (or its failure to run the component at all). */
      readonly report: Exclude<BundleReplayReport, { status: 'verified' }>;
    }
  | {
      readonly status: 'error';
      readonly file: string;
      readonly name: string;
      readonly actor: string | null;
      readonly ms: number;
      /** What made the test unusable: a manifest or bundle that fails its checks, a missing build. */
      readonly message: string;
    };

export interface RunOptions {
  /** Replay every test against this build instead of the one its manifest names. */
  readonly component?: string;
  readonly cacheDir?: string;
}

export async function runTest(file: string, o: RunOptions = {}): Promise<TestOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  let test: ChainTest | undefined;
  try {
    test = loadChainTest(file);
    const loaded = checkChainTest(test);
    const component = o.component ?? test.componentPath;
    const report = await replayBundle({
      file: test.bundlePath,
      loaded,
      component,
      compare: test.manifest.compare,
      cacheDir: o.cacheDir,
    });
    const base = {
      file,
      name: test.manifest.name,
      actor: test.manifest.actor,
      entries: report.entries,
      component: report.component.path,
    };
    if (report.status === 'verified') return { status: 'passed', ...base, ms: ms() };
    return { status: 'failed', ...base, ms: ms(), report };
  } catch (e) {
    if (!isUsageProblem(e)) throw e;
    const message =
      e instanceof BundleError
        ? `its bundle fails verification: ${e.message}`
        : e instanceof ChainTestError
          ? e.reason
          : e.message;
    return {
      status: 'error',
      file,
      name: test?.manifest.name ?? file,
      actor: test?.manifest.actor ?? null,
      ms: ms(),
      message,
    };
  }
}

/** Errors that say a test cannot run as written; anything else is a bug of ours and propagates. */
function isUsageProblem(e: unknown): e is Error {
  return (
    e instanceof ChainTestError ||
    e instanceof BundleError ||
    e instanceof TimeTravelError ||
    e instanceof ComponentError
  );
}

/** Runs the tests one after the other (each replay uses the CPU fully), calling `onOutcome` as each ends. */
export async function runTests(
  files: readonly string[],
  o: RunOptions = {},
  onOutcome?: (t: TestOutcome) => void,
): Promise<TestOutcome[]> {
  const out: TestOutcome[] = [];
  for (const f of files) {
    const t = await runTest(f, o);
    onOutcome?.(t);
    out.push(t);
  }
  return out;
}
