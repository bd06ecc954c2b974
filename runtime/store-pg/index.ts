export {
  Hub,
  type BranchStatus,
  type HeadRow,
  type HubNotification,
  type NodeEntry,
  type NodeRow,
} from './hub-reader.ts';
export { NodeReader } from './node-reader.ts';
export {
  HubWriter,
  NodeKeyMismatch,
  WatermarkMoved,
  NOTIFY_CHANNEL,
  type ShipPage,
  type ShipResult,
  type SignedHead,
} from './hub-writer.ts';
export { openHubPool, describeUrl } from './connect.ts';
export { HubOpenError, HUB_SCHEMA_VERSION, SCHEMA } from './schema.ts';
export { attestationsOf, recordAttestation, type AttestationRow, type NewAttestation } from './attestations.ts';
