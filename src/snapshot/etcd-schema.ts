// etcd's bucket schema (3.4; 3.5 adds buckets and meta keys, which the reader passes through) and
// a source that lays a store out in it, ready for writeSnapshot.
//
//   key              revision key (17/18 bytes) -> mvccpb.KeyValue
//   meta             consistent_index -> u64 big-endian; scheduledCompactRev and
//                    finishedCompactRev -> revision key bytes {main, 0}
//   lease            lease ID as 8-byte big-endian -> leasepb.Lease
//   members          member ID in hex -> member JSON; members_removed: ID in hex -> "removed"
//   cluster          clusterVersion -> "3.4.0"
//   auth             authEnabled -> [1] or [0] (only once auth was switched); authRevision -> u64 BE
//   authUsers        user name -> authpb.User; authRoles: role name -> authpb.Role
//   alarm            etcdserverpb.AlarmMember bytes -> empty
import { encodeLease, type Lease } from './etcd-proto';
import { type EtcdMember, CLUSTER_VERSION_KEY, REMOVED_MEMBER_VALUE, encodeClusterVersion, encodeMember, memberKey } from './members';
import { encodeRevisionKey, decodeRevisionKey } from './revision-key';
import { SnapshotError } from './errors';
import type { KeyValuePair, SnapshotBucket, SnapshotSource } from './writer';

export const ETCD_BUCKET = {
  key: 'key',
  meta: 'meta',
  lease: 'lease',
  alarm: 'alarm',
  cluster: 'cluster',
  members: 'members',
  membersRemoved: 'members_removed',
  auth: 'auth',
  authUsers: 'authUsers',
  authRoles: 'authRoles',
} as const;

export const META_KEY = {
  consistentIndex: Buffer.from('consistent_index'),
  scheduledCompactRevision: Buffer.from('scheduledCompactRev'),
  finishedCompactRevision: Buffer.from('finishedCompactRev'),
} as const;

export const AUTH_KEY = {
  enabled: Buffer.from('authEnabled'),
  revision: Buffer.from('authRevision'),
} as const;

export function encodeU64(n: bigint | number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(n));
  return out;
}

export function decodeU64(v: Uint8Array, what: string): bigint {
  if (v.length !== 8) throw new SnapshotError('bad-value', `${what}: want 8 bytes, got ${v.length}`);
  return Buffer.from(v.buffer, v.byteOffset, v.length).readBigUInt64BE(0);
}

/** The value of scheduledCompactRev / finishedCompactRev: a revision key with sub 0. */
export function encodeCompactRevision(main: number): Buffer {
  return encodeRevisionKey({ main, sub: 0 });
}

export function decodeCompactRevision(v: Uint8Array): number {
  return decodeRevisionKey(v).main;
}

export function leaseKey(id: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(id);
  return out;
}

export interface EtcdAuthContent {
  /** Absent: auth was never switched on or off, and etcd has written no authEnabled key. */
  enabled?: boolean;
  revision: bigint | number;
  /** authUsers pairs: user name -> authpb.User bytes. */
  users?: KeyValuePair[];
  /** authRoles pairs: role name -> authpb.Role bytes. */
  roles?: KeyValuePair[];
}

export interface EtcdSnapshotContent {
  /** The key bucket, copied as-is from the store: revision key -> mvccpb.KeyValue, ascending. */
  kvs: AsyncIterable<KeyValuePair> | Iterable<KeyValuePair>;
  consistentIndex: bigint | number;
  scheduledCompactRevision?: number;
  finishedCompactRevision?: number;
  leases?: Iterable<Lease>;
  members: EtcdMember[];
  removedMemberIds?: bigint[];
  clusterVersion?: string;
  auth?: EtcdAuthContent;
  /** etcdserverpb.AlarmMember bytes of the active alarms. */
  alarms?: Uint8Array[];
}

/** The ten buckets etcd 3.4 keeps, filled from `content`. Small buckets are sorted here. */
export function etcdSnapshotSource(content: EtcdSnapshotContent): SnapshotSource {
  const meta: KeyValuePair[] = [[META_KEY.consistentIndex, encodeU64(content.consistentIndex)]];
  if (content.scheduledCompactRevision !== undefined) {
    meta.push([META_KEY.scheduledCompactRevision, encodeCompactRevision(content.scheduledCompactRevision)]);
  }
  if (content.finishedCompactRevision !== undefined) {
    meta.push([META_KEY.finishedCompactRevision, encodeCompactRevision(content.finishedCompactRevision)]);
  }
  const auth: KeyValuePair[] = [];
  if (content.auth?.enabled !== undefined) auth.push([AUTH_KEY.enabled, Buffer.from([content.auth.enabled ? 1 : 0])]);
  if (content.auth !== undefined) auth.push([AUTH_KEY.revision, encodeU64(content.auth.revision)]);
  const buckets: SnapshotBucket[] = [
    { name: ETCD_BUCKET.key, entries: content.kvs },
    { name: ETCD_BUCKET.meta, entries: sorted(meta) },
    { name: ETCD_BUCKET.lease, entries: sorted([...(content.leases ?? [])].map((l) => [leaseKey(l.id), encodeLease(l)])) },
    { name: ETCD_BUCKET.alarm, entries: sorted((content.alarms ?? []).map((a) => [a, Buffer.alloc(0)])) },
    {
      name: ETCD_BUCKET.cluster,
      entries: content.clusterVersion === undefined ? [] : [[CLUSTER_VERSION_KEY, encodeClusterVersion(content.clusterVersion)]],
    },
    { name: ETCD_BUCKET.members, entries: sorted(content.members.map((m) => [memberKey(m.id), encodeMember(m)])) },
    {
      name: ETCD_BUCKET.membersRemoved,
      entries: sorted((content.removedMemberIds ?? []).map((id) => [memberKey(id), REMOVED_MEMBER_VALUE])),
    },
    { name: ETCD_BUCKET.auth, entries: sorted(auth) },
    { name: ETCD_BUCKET.authUsers, entries: sorted(content.auth?.users ?? []) },
    { name: ETCD_BUCKET.authRoles, entries: sorted(content.auth?.roles ?? []) },
  ];
  return buckets;
}

function sorted(pairs: KeyValuePair[]): KeyValuePair[] {
  return [...pairs].sort((a, b) => Buffer.compare(a[0], b[0]));
}
