export { ChainStore } from './chain-store.ts';
export type { Audit, AuditBlobRow, AuditBranchRow } from './audit.ts';
export type { CheckpointRow } from './checkpoints.ts';
export {
  ChainConflictError,
  ChainStoreOpenError,
  MAIN_BRANCH,
  type ActorInfo,
  type ActorRow,
  type AppendBatch,
  type BranchRow,
  type StoredEntry,
} from './types.ts';
