// Snapshots in etcd's own format: bbolt files with etcd's bucket schema, written and read as
// streams, plus the pieces of etcd's snapshot protocol around them (SHA-256 trailer, status).
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
export { type SnapshotStatus, snapshotStatus } from './status';
export { type StreamSnapshotOptions, streamSnapshot } from './snapshot-stream';
export {
  type HashCheck,
  type HashCheckOptions,
  type SnapshotResponse,
  SHA256_SIZE,
  SNAPSHOT_CHUNK_SIZE,
  appendSha256Trailer,
  checkSnapshotHash,
  hasSha256Trailer,
  saveSnapshotStream,
  snapshotResponses,
} from './trailer';
export {
  type Revision,
  type RevisionKey,
  REVISION_KEY_SIZE,
  TOMBSTONE_KEY_SIZE,
  decodeRevisionKey,
  encodeRevisionKey,
  mainRevisionOf,
} from './revision-key';
export { type KeyValue, type Lease, decodeKeyValue, decodeLease, encodeKeyValue, encodeLease } from './etcd-proto';
export {
  type EtcdMember,
  CLUSTER_VERSION_KEY,
  REMOVED_MEMBER_VALUE,
  decodeMember,
  encodeClusterVersion,
  encodeMember,
  memberKey,
  parseMemberKey,
} from './members';
export {
  type EtcdAuthContent,
  type EtcdSnapshotContent,
  AUTH_KEY,
  ETCD_BUCKET,
  META_KEY,
  decodeCompactRevision,
  decodeU64,
  encodeCompactRevision,
  encodeU64,
  etcdSnapshotSource,
  leaseKey,
} from './etcd-schema';
export { type EtcdSnapshotContents, type ReadEtcdSnapshotOptions, readEtcdSnapshot } from './etcd-content';
