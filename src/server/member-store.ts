// Members and the cluster version as etcd keeps them in the backend: the `members` sub-database maps
// the member ID in hex to the member as JSON, and `cluster` holds `clusterVersion`.
import type { BackendSnapshot, BackendWriter } from '../mvcc';
import type { Member } from './membership';

const clusterVersionKey = Buffer.from('clusterVersion');

function memberKey(id: bigint): Buffer {
  return Buffer.from(id.toString(16));
}

/** JSON as etcd writes it; the ID is written as a plain number, which may exceed 2^53, so it is spliced in as text. */
export function encodeMember(m: Member): Buffer {
  const rest = JSON.stringify({ peerURLs: m.peerUrls, ...(m.isLearner ? { isLearner: true } : {}), name: m.name, clientURLs: m.clientUrls });
  return Buffer.from(`{"id":${m.id.toString()},${rest.slice(1)}`);
}

export function decodeMember(bytes: Buffer): Member {
  const text = bytes.toString('utf8');
  const idMatch = /"id":\s*(\d+)/.exec(text);
  if (idMatch === null) throw new Error(`etcdserver: member record without id: ${text}`);
  const parsed = JSON.parse(text) as { peerURLs?: string[]; isLearner?: boolean; name?: string; clientURLs?: string[] };
  return {
    id: BigInt(idMatch[1]),
    name: parsed.name ?? '',
    peerUrls: parsed.peerURLs ?? [],
    clientUrls: parsed.clientURLs ?? [],
    isLearner: parsed.isLearner ?? false,
  };
}

export function unsafeSaveMembers(writer: BackendWriter, members: Member[], clusterVersion: string): void {
  for (const m of members) writer.put('members', memberKey(m.id), encodeMember(m));
  writer.put('cluster', clusterVersionKey, Buffer.from(clusterVersion));
}

export function unsafeDeleteMember(writer: BackendWriter, id: bigint): void {
  writer.delete('members', memberKey(id));
}

export function readMembers(snapshot: BackendSnapshot): Member[] {
  const members: Member[] = [];
  for (const { value } of snapshot.entries('members')) members.push(decodeMember(value));
  return members;
}
