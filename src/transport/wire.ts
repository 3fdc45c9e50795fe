// Paths, headers and refusal texts of the peer protocol (see index.ts). The refusal texts are the
// body lines etcd's rafthttp answers with, so a log reads the same.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { idToHex } from './ids';

export const raftPathPrefix = '/raft';
export const streamPathPrefix = '/raft/stream/';
export const snapshotPath = '/raft/snapshot';
export const probingPath = '/raft/probing';
/** The Upgrade token a message stream asks for: after 101 the connection carries frames only. */
export const streamProtocol = 'cairn-raft-stream';

export const header = {
  clusterId: 'x-etcd-cluster-id',
  from: 'x-server-from',
  version: 'x-server-version',
  to: 'x-raft-to',
  peerUrls: 'x-peerurls',
} as const;

export const refusal = {
  clusterIdMismatch: 'cluster ID mismatch',
  toMismatch: 'to field mismatch',
  removed: 'removed member',
  invalidFrom: 'invalid from',
} as const;

/** What a member says about itself on every request and response. */
export interface LocalIdentity {
  readonly memberId: bigint;
  readonly clusterId: bigint;
  readonly serverVersion: string | undefined;
  /** This member's advertised peer URLs, so a peer that does not know it yet can answer. */
  readonly advertiseUrls: readonly string[];
}

/** The headers a raft request carries: who sends it, from which cluster, and for whom. */
export function identityHeaders(local: LocalIdentity, to?: bigint): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/octet-stream',
    [header.clusterId]: idToHex(local.clusterId),
    [header.from]: idToHex(local.memberId),
  };
  if (local.serverVersion !== undefined) headers[header.version] = local.serverVersion;
  if (to !== undefined) headers[header.to] = idToHex(to);
  if (local.advertiseUrls.length > 0) headers[header.peerUrls] = local.advertiseUrls.join(',');
  return headers;
}

export function requestHeaders(local: LocalIdentity, method: string, path: string, to?: bigint): OutgoingHttpHeaders {
  return { ':method': method, ':path': path, ...identityHeaders(local, to) };
}

/** The headers every answer carries. */
export function identityResponseHeaders(local: LocalIdentity): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { [header.clusterId]: idToHex(local.clusterId) };
  if (local.serverVersion !== undefined) headers[header.version] = local.serverVersion;
  return headers;
}

export function responseHeaders(local: LocalIdentity, status: number): OutgoingHttpHeaders {
  return { ':status': status, ...identityResponseHeaders(local) };
}

export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
