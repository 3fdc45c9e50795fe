// Member and cluster identity, derived as etcd derives them so that IDs match what etcd would print
// for the same flags: a member ID is the first 8 bytes (big-endian) of SHA-1 over its sorted peer
// URLs followed by the cluster token; the cluster ID is the same over the sorted member IDs.
import { createHash } from 'node:crypto';

export interface Member {
  id: bigint;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

function firstUint64(bytes: Buffer): bigint {
  return createHash('sha1').update(bytes).digest().readBigUInt64BE(0);
}

export function computeMemberId(peerUrls: readonly string[], clusterToken: string): bigint {
  const sorted = [...peerUrls].sort();
  return firstUint64(Buffer.from(sorted.join('') + clusterToken, 'utf8'));
}

export function computeClusterId(memberIds: readonly bigint[]): bigint {
  const sorted = [...memberIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = Buffer.alloc(8 * sorted.length);
  sorted.forEach((id, i) => bytes.writeBigUInt64BE(id, 8 * i));
  return firstUint64(bytes);
}

/** Parses `--initial-cluster` (`name=url,name=url`) into name -> peer URLs. */
export function parseInitialCluster(text: string): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = part.indexOf('=');
    // The name may be empty: `member add` prints members that have not started yet that way.
    if (eq < 0 || eq === part.length - 1) {
      throw new Error(`etcdserver: --initial-cluster entry ${JSON.stringify(part)} is not name=url`);
    }
    const name = part.slice(0, eq);
    const urls = members.get(name) ?? [];
    urls.push(part.slice(eq + 1));
    members.set(name, urls);
  }
  return members;
}

export interface ClusterIdentity {
  clusterId: bigint;
  self: Member;
  members: Member[];
}

/** The cluster a new member boots into, from its flags; this member must appear in --initial-cluster. */
export function bootstrapCluster(options: {
  name: string;
  initialCluster: string;
  clusterToken: string;
  advertiseClientUrls: string[];
}): ClusterIdentity {
  const byName = parseInitialCluster(options.initialCluster);
  if (!byName.has(options.name)) {
    throw new Error(`etcdserver: couldn't find local name "${options.name}" in the initial cluster configuration`);
  }
  const members = [...byName].map(([name, peerUrls]) => ({
    id: computeMemberId(peerUrls, options.clusterToken),
    name,
    peerUrls: [...peerUrls].sort(),
    clientUrls: name === options.name ? options.advertiseClientUrls : [],
    isLearner: false,
  }));
  const self = members.find((m) => m.name === options.name) as Member;
  return { clusterId: computeClusterId(members.map((m) => m.id)), self, members };
}
