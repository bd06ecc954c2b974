/**
 * The runtime's public API: everything outside runtime/ (the Studio's service, the Electron shell, tools) uses the
 * runtime through this file only, and the linter holds them to it. Inside runtime/, modules import each other
 * directly. Add here what a client needs rather than reaching past it.
 */

// Running actors.
export { ActorSystem } from './actors/system.ts';
export { ACTOR_STATUSES, type ActorStatus } from './actors/actor-host.ts';
export type { ActorSummary, Listener, RuntimeOptions, StartOptions, SystemEvents } from './actors/types.ts';
export type { ActorErrorInfo, CallOutcome, ErrorKind, ExportOutcome } from './chain/recorder.ts';
export { HTTP_SERVER, type HttpRequestRecord, type HttpResponseRecord } from './ingress/http-server.ts';
export { encodeFrame, splitFrames } from './ingress/message-server.ts';

// Manifests and components.
export { loadManifest, ManifestError, formatManifestError, type Manifest } from './manifest/index.ts';
export { ActorLoadError } from './component/check.ts';
export { ComponentError } from './component/loader.ts';
export { makeDirs } from './make-dirs.ts';
export { plural } from './plural.ts';
export { theaterInterface } from './component/names.ts';

// The chain: hashes, the canonical encoding, how an entry reads.
export {
  ENTRY_KINDS,
  ORIGINS,
  RUNTIME_EVENTS,
  fromHex,
  hashEquals,
  sha256,
  toHex,
  type Entry,
  type EntryKind,
  type Hash,
  type Origin,
} from './chain/entry.ts';
export { decode, encode, type Value } from './chain/canonical.ts';
export { bytesAsJson, shortText, summarizeEntry, toDisplay } from './chain/describe.ts';
export { verifyChain, type VerifyOptions, type VerifyResult, type VerifiedHead } from './chain/verify.ts';
export { verifyOffThread } from './chain/verify-job.ts';

// Reading a chain, wherever it is (the SQLite store, a hub node), and the in-memory index of an actor's branch paths.
export { ActorIndex, Path, type ChainReader, type PathEntry, type PathRow } from './reader/index.ts';

// The SQLite store (the runtime writes; its SqliteReader reads).
export {
  ChainConflictError,
  ChainStore,
  ChainStoreOpenError,
  MAIN_BRANCH,
  SqliteReader,
  STORED_STATUSES,
  type ActorRow,
  type BranchRow,
  type StoredEntry,
  type StoredStatus,
} from './store/index.ts';

// One writer per db: the writer lease, who holds it, where its actors listen (runtime/store/writer-lease.ts).
export {
  WriterBusyError,
  WriterLease,
  describeHolder,
  type ListenerRow,
  type WriterInfo,
  type WriterStatus,
} from './store/index.ts';

// Time travel: state at an entry, diffs, forks, replay, bundles, who-wrote.
export * from './timetravel/index.ts';

// Hash-correct chains built without wasm, for tests and benchmarks of the runtime's clients.
export { TestChain } from './store/test-chain.ts';
// The hub: a PostgreSQL database holding many nodes' chains (docs/hub.md). Its nodes read as ChainReaders.
export {
  Hub,
  HubOpenError,
  attestationsOf,
  describeUrl,
  type AttestationRow,
  type HubNotification,
  type NodeRow,
} from './store-pg/index.ts';
export { hubFarSide } from './hub/far-side.ts';
export { attest, type AttestOptions, type Attested } from './hub/attest.ts';
export { checkHeads, verifyHub, verdictOk, type NodeVerdict } from './hub/hub-verify.ts';
export { checkSignature, fingerprint, loadNodeKey, ATTESTATION_STATEMENT, type NodeKey } from './hub/signing.ts';
// A node's shipper, for programs that embed the runtime (`theater run --hub` runs it on its own thread: HubLink).
export { Shipper, type ShipperOptions, type ShipperStatus } from './hub/shipper.ts';
export { HubLink } from './hub/hub-link.ts';

// An actor's log read back from the chain (runtime.log lines and what it wrote to stdout/stderr through WASI), cut
// into lines exactly as `theater run` and the live log show them.
export { LogLines, mayLog, type LogLine, type LogStream } from './chain/log-lines.ts';

// Actor projects (`theater new`, `theater build`): for a front end that builds, e.g. to rebuild and then offer a
// replay against the new component.
export { buildProject, describeResult, type BuildResult } from './build/build.ts';
export { BuildError, loadProject, type Project } from './build/project.ts';
