// Reads a snapshot back into etcd's terms: the inverse of etcdSnapshotSource. The `key` bucket,
// which can be as large as the store, goes pair by pair to a callback; the small buckets come
// back decoded. Buckets etcd 3.4 does not have (3.5 adds some) are named, not decoded.
import { type Lease, decodeLease } from './etcd-proto';
import { AUTH_KEY, ETCD_BUCKET, META_KEY, type EtcdAuthContent, decodeCompactRevision, decodeU64 } from './etcd-schema';
import { SnapshotError } from './errors';
import { type EtcdMember, CLUSTER_VERSION_KEY, decodeMember, parseMemberKey } from './members';
import { openSnapshot } from './reader';
import type { KeyValuePair } from './writer';

export interface ReadEtcdSnapshotOptions {
  /** Receives each `key` bucket pair (revision key, mvccpb.KeyValue bytes) in order; awaited. */
  onKeyBucketPair?: (key: Buffer, value: Buffer) => void | Promise<void>;
}

export interface EtcdSnapshotContents {
  /** Pairs in the `key` bucket (revisions kept, tombstones included). */
  keyBucketPairs: number;
  consistentIndex: bigint;
  scheduledCompactRevision?: number;
  finishedCompactRevision?: number;
  leases: Lease[];
  members: EtcdMember[];
  removedMemberIds: bigint[];
  clusterVersion?: string;
  auth: Required<Pick<EtcdAuthContent, 'users' | 'roles'>> & { enabled?: boolean; revision: bigint };
  alarms: Buffer[];
  /** Buckets outside etcd 3.4's schema, by name. */
  otherBuckets: string[];
}

export async function readEtcdSnapshot(path: string, opts: ReadEtcdSnapshotOptions = {}): Promise<EtcdSnapshotContents> {
  const out: EtcdSnapshotContents = {
    keyBucketPairs: 0,
    consistentIndex: 0n,
    leases: [],
    members: [],
    removedMemberIds: [],
    auth: { revision: 0n, users: [], roles: [] },
    alarms: [],
    otherBuckets: [],
  };
  const reader = await openSnapshot(path);
  try {
    for await (const bucket of reader.buckets()) {
      if (bucket.name === ETCD_BUCKET.key) {
        for await (const [k, v] of bucket.entries) {
          out.keyBucketPairs++;
          await opts.onKeyBucketPair?.(k, v);
        }
        continue;
      }
      const pairs: KeyValuePair[] = [];
      for await (const pair of bucket.entries) pairs.push(pair);
      if (!decodeSmallBucket(bucket.name, pairs, out)) out.otherBuckets.push(bucket.name);
    }
  } finally {
    await reader.close();
  }
  return out;
}

/** Decodes one of etcd's small buckets into `out`; false when the bucket is not etcd 3.4's. */
function decodeSmallBucket(name: string, pairs: KeyValuePair[], out: EtcdSnapshotContents): boolean {
  const get = (key: Buffer): Uint8Array | undefined => pairs.find(([k]) => Buffer.compare(k, key) === 0)?.[1];
  switch (name) {
    case ETCD_BUCKET.meta: {
      const index = get(META_KEY.consistentIndex);
      if (index !== undefined) out.consistentIndex = decodeU64(index, 'meta consistent_index');
      const scheduled = get(META_KEY.scheduledCompactRevision);
      if (scheduled !== undefined) out.scheduledCompactRevision = decodeCompactRevision(scheduled);
      const finished = get(META_KEY.finishedCompactRevision);
      if (finished !== undefined) out.finishedCompactRevision = decodeCompactRevision(finished);
      return true;
    }
    case ETCD_BUCKET.lease:
      out.leases = pairs.map(([, v]) => decodeLease(v));
      return true;
    case ETCD_BUCKET.members:
      out.members = pairs.map(([, v]) => decodeMember(v));
      return true;
    case ETCD_BUCKET.membersRemoved:
      out.removedMemberIds = pairs.map(([k]) => parseMemberKey(k));
      return true;
    case ETCD_BUCKET.cluster: {
      const version = get(CLUSTER_VERSION_KEY);
      if (version !== undefined) out.clusterVersion = Buffer.from(version).toString();
      return true;
    }
    case ETCD_BUCKET.auth: {
      const enabled = get(AUTH_KEY.enabled);
      if (enabled !== undefined) {
        if (enabled.length !== 1) throw new SnapshotError('bad-value', `auth authEnabled: want 1 byte, got ${enabled.length}`);
        out.auth.enabled = enabled[0] === 1;
      }
      const revision = get(AUTH_KEY.revision);
      if (revision !== undefined) out.auth.revision = decodeU64(revision, 'auth authRevision');
      return true;
    }
    case ETCD_BUCKET.authUsers:
      out.auth.users = pairs;
      return true;
    case ETCD_BUCKET.authRoles:
      out.auth.roles = pairs;
      return true;
    case ETCD_BUCKET.alarm:
      out.alarms = pairs.map(([k]) => Buffer.from(k));
      return true;
    default:
      return false;
  }
}
