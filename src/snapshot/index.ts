// Snapshots in etcd's own format: bbolt files with etcd's bucket schema.
export { SnapshotError, type SnapshotErrorCode, isSnapshotError } from './errors';
export {
  type KeyValuePair,
  type SnapshotBucket,
  type SnapshotSource,
  type WriteSnapshotOptions,
  type WriteSnapshotResult,
  writeSnapshot,
} from './writer';
export { type ReadBucket, type SnapshotInfo, SnapshotReader, openSnapshot } from './reader';
export type { Meta } from './meta';
