// Values of etcd's `members`, `members_removed` and `cluster` buckets. A member is stored under
// its ID in hex without padding (Go's types.ID.String) as the JSON Go's encoding/json writes for
// etcd's Member struct: {"id":<uint64>,"peerURLs":[...],"isLearner":true,"name":"...",
// "clientURLs":[...]}, with isLearner, name and clientURLs left out when empty.
import { SnapshotError } from './errors';

export interface EtcdMember {
  id: bigint;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** The value etcd stores in `members_removed` under a removed member's key. */
export const REMOVED_MEMBER_VALUE = Buffer.from('removed');
/** The key of the cluster version in the `cluster` bucket. */
export const CLUSTER_VERSION_KEY = Buffer.from('clusterVersion');

export function memberKey(id: bigint): Buffer {
  return Buffer.from(id.toString(16));
}

export function parseMemberKey(key: Uint8Array): bigint {
  const text = Buffer.from(key).toString('latin1');
  if (!/^[0-9a-f]{1,16}$/.test(text)) throw new SnapshotError('bad-value', `malformed member key ${JSON.stringify(text)}`);
  return BigInt(`0x${text}`);
}

export function encodeMember(m: EtcdMember): Buffer {
  const parts = [`"id":${m.id.toString(10)}`, `"peerURLs":${goJsonArray(m.peerURLs)}`];
  if (m.isLearner) parts.push('"isLearner":true');
  if (m.name !== '') parts.push(`"name":${goJsonString(m.name)}`);
  if (m.clientURLs.length > 0) parts.push(`"clientURLs":${goJsonArray(m.clientURLs)}`);
  return Buffer.from(`{${parts.join(',')}}`);
}

export function decodeMember(value: Uint8Array): EtcdMember {
  const text = Buffer.from(value).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SnapshotError('bad-value', `malformed member JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The id is a uint64; JSON.parse would round it, so its digits are taken from the text.
  const id = /"id"\s*:\s*(\d+)/.exec(text);
  if (id === null || typeof parsed !== 'object' || parsed === null) {
    throw new SnapshotError('bad-value', `malformed member JSON ${JSON.stringify(text)}`);
  }
  const o = parsed as Record<string, unknown>;
  return {
    id: BigInt(id[1]),
    name: typeof o.name === 'string' ? o.name : '',
    peerURLs: stringList(o.peerURLs),
    clientURLs: stringList(o.clientURLs),
    isLearner: o.isLearner === true,
  };
}

export function encodeClusterVersion(version: string): Buffer {
  if (!/^\d+\.\d+\.\d+/.test(version)) throw new SnapshotError('bad-input', `cluster version ${JSON.stringify(version)} is not a semantic version`);
  return Buffer.from(version);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function goJsonArray(list: string[]): string {
  return `[${list.map(goJsonString).join(',')}]`;
}

/** JSON string as Go writes it: like JSON.stringify, plus \u escapes for <, >, & and U+2028/9. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
