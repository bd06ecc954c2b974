/** Time travel over a chain store: the engine behind the Studio's rewind, replay and diff panels and the CLI. */
export {
  stateAt,
  diffEntries,
  diffBranches,
  mergeBase,
  TimeTravelError,
  DamagedChainError,
  checkedBlob,
  readEntry,
  type BlobRole,
  type StateAt,
  type EntryDiff,
  type BranchDiff,
} from './state.ts';
export {
  diffStates,
  diffJson,
  renderDiff,
  formatPath,
  parsePath,
  pathProblem,
  valueAt,
  type Change,
  type StateDiff,
  type PathSegment,
} from './json-diff.ts';
export { forkAt, listBranches, makeLive, nextForkName, type BranchInfo, type ForkResult } from './fork.ts';
export { replay, replayHere, type ReplayReport, type ReplayRequest, type Progress } from './replay.ts';
export {
  replayFold,
  COMPARE_FIELDS,
  type CompareField,
  type ReplayResult,
  type CrossingView,
  type CopiedStep,
  type Instantiate,
} from './replay-engine.ts';
export { exportBundle, type ExportOptions, type ExportResult } from './bundle-export.ts';
export { importBundle, type ImportOptions, type ImportResult } from './bundle-import.ts';
export { BundleError, BUNDLE_FORMAT } from './bundle-format.ts';
export { loadBundle, type BundleHeader, type LoadedBundle } from './bundle-read.ts';
export { replayBundle, type BundleReplayReport, type BundleReplayRequest } from './replay-bundle.ts';
export {
  ChainTestError,
  CHAIN_TEST_FORMAT,
  DEFAULT_TEST_DIR,
  TEST_SUFFIX,
  checkChainTest,
  describeSteps,
  loadChainTest,
  saveChainTest,
  type ChainTest,
  type ChainTestManifest,
  type SaveTestOptions,
  type SavedTest,
} from './chain-test.ts';
export {
  noOps,
  whoWrote,
  followMessage,
  causalLinks,
  followFrom,
  type FarEntry,
  type FarSide,
  type NoOp,
  type WhoWrote,
  type MessageLink,
  type CausalLinks,
} from './insight.ts';
