export { ChainStore, type BranchHead } from './chain-store.ts';
export type { Audit, AuditBlobRow, AuditBranchRow } from './audit.ts';
export type { CheckpointRow } from './checkpoints.ts';
export type { PathEntry } from './history.ts';
export {
  ChainConflictError,
  ChainStoreOpenError,
  SqliteDriverError,
  MAIN_BRANCH,
  type ActorInfo,
  type ActorRow,
  type AppendBatch,
  type BranchRow,
  type StoredEntry,
  STORED_STATUSES,
  type StoredStatus,
} from './types.ts';
export {
  WriterBusyError,
  WriterLease,
  describeHolder,
  leaseFile,
  refuseIfLeased,
  type ListenerRow,
  type WriterInfo,
  type WriterStatus,
} from './writer-lease.ts';

export { SqliteReader } from './sqlite-reader.ts';
