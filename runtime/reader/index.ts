export {
  eachEntry,
  type AuditBlobRow,
  type AuditBranchRow,
  type AuditReader,
  type ChainReader,
  type EntryInput,
  type EntryRange,
  type FnName,
  type IndexRow,
  type LeanEntryRow,
  type PathEntry,
  type PathOptions,
} from './chain-reader.ts';
export { KIND_CODES, ORIGIN_CODES, kindName, originName } from './codes.ts';
export { ActorIndex, Path, type PathRow } from './path-index.ts';
