// Members and the cluster version as etcd keeps them in the backend: the `members` sub-database maps
// the member ID in hex to the member as JSON, and `cluster` holds `clusterVersion`.
import type { BackendSnapshot, BackendWriter } from '../mvcc';
import { decodeMember as decodeEtcdMember, encodeMember as encodeEtcdMember, memberKey } from '../snapshot';
import type { Member } from './membership';

const clusterVersionKey = Buffer.from('clusterVersion');

/** The member as etcd's JSON (Go's encoding of its Member struct), as etcd stores it and sends it to peers. */
export function encodeMember(m: Member): Buffer {
  return encodeEtcdMember({ id: m.id, name: m.name, peerURLs: m.peerUrls, clientURLs: m.clientUrls, isLearner: m.isLearner });
}

export function decodeMember(bytes: Uint8Array): Member {
  const m = decodeEtcdMember(bytes);
  return { id: m.id, name: m.name, peerUrls: m.peerURLs, clientUrls: m.clientURLs, isLearner: m.isLearner };
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
