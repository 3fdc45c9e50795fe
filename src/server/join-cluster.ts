// Joining a running cluster (--initial-cluster-state existing, after `member add`), as etcd's
// NewServer does without a WAL: read the member list and cluster ID from the first running member
// that answers GET /members, check that --initial-cluster names exactly those members (by peer
// URLs), take this member's ID from the list, and check the cluster version of the running members.
// A new cluster's member asks the same question first, to refuse bootstrapping a member that a
// running cluster already knows as started. Errors read as etcd's.
import type { Logger } from '../log';
import type { PeerRequester } from '../transport';
import type { ClusterIdentity, Member } from './membership';
import { bootstrapCluster } from './membership';
import { decodeMemberList, membersPath, versionPath } from './peer-api';

// etcd gives each /members request 10 s when joining, 1 s (its bootstrap timeout) when bootstrapping.
const fetchTimeoutMs = 10_000;
const bootstrapCheckTimeoutMs = 1000;

export interface JoinOptions {
  name: string;
  initialCluster: string;
  clusterToken: string;
  advertiseClientUrls: string[];
}

const hex = (id: bigint): string => id.toString(16);
const byId = (a: Member, b: Member): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The cluster as Go prints etcd's RaftCluster with %v, for the validation error. */
function describeCluster(clusterId: bigint, members: Member[]): string {
  const list = [...members].sort(byId).map(
    (m) => `&{ID:${hex(m.id)} RaftAttributes:{PeerURLs:[${m.peerUrls.join(' ')}] IsLearner:${m.isLearner}} Attributes:{Name:${m.name} ClientURLs:[${m.clientUrls.join(' ')}]}}`,
  );
  return `{ClusterID:${hex(clusterId)} Members:[${list.join(' ')}] RemovedMemberIDs:[]}`;
}

/** Why two peer URL lists differ, as etcd's URLStringsEqual says it; undefined when equal. */
function urlsDiffer(a: string[], b: string[]): string | undefined {
  const x = [...a].sort();
  const y = [...b].sort();
  const quoted = (list: string[]) => `[${list.map((u) => JSON.stringify(u)).join(' ')}]`;
  if (x.length !== y.length) return `len(${quoted(x)}) != len(${quoted(y)})`;
  const i = x.findIndex((u, k) => u !== y[k]);
  return i < 0 ? undefined : `resolved urls: ${JSON.stringify(x[i])} != ${JSON.stringify(y[i])}`;
}

/** etcd's getClusterFromRemotePeers: the first peer URL that answers with a member list wins; failures are logged when `logger` is given. */
async function fetchRemoteCluster(request: PeerRequester, urls: string[], timeoutMs: number, logger?: Logger): Promise<{ clusterId: bigint; members: Member[] }> {
  for (const url of urls) {
    const address = `${url}${membersPath}`;
    let members: Member[];
    let clusterIdText: string | undefined;
    try {
      const answer = await request(url, 'GET', membersPath, timeoutMs);
      clusterIdText = answer.clusterId;
      members = decodeMemberList(answer.body);
    } catch (err) {
      logger?.warn({ address, error: err instanceof Error ? err.message : String(err) }, 'failed to get cluster response');
      continue;
    }
    if (clusterIdText === undefined || !/^[0-9a-f]{1,16}$/i.test(clusterIdText)) {
      logger?.warn({ address, header: clusterIdText ?? '' }, 'failed to parse cluster ID');
      continue;
    }
    if (members.length === 0) throw new Error('cannot fetch cluster info from peer urls: failed to get raft cluster member(s) from the given URLs');
    return { clusterId: BigInt(`0x${clusterIdText}`), members };
  }
  throw new Error('cannot fetch cluster info from peer urls: could not retrieve cluster information from the given URLs');
}

/** etcd's isCompatibleWithCluster: some running member reports a cluster version in [3.0, 3.4], none one outside it. */
async function compatibleWithCluster(request: PeerRequester, others: Member[], logger: Logger): Promise<boolean> {
  let compatible = false;
  for (const m of others) {
    let clusterVersion: string | undefined;
    for (const url of m.peerUrls) {
      try {
        const answer = await request(url, 'GET', versionPath, fetchTimeoutMs);
        clusterVersion = String((JSON.parse(answer.body) as { etcdcluster?: unknown }).etcdcluster ?? '');
        break;
      } catch (err) {
        logger.warn({ address: `${url}${versionPath}`, 'remote-member-id': hex(m.id), error: err instanceof Error ? err.message : String(err) }, 'failed to reach the peer URL');
      }
    }
    const parsed = /^(\d+)\.(\d+)\.\d+/.exec(clusterVersion ?? '');
    if (parsed === null) continue;
    const [major, minor] = [Number(parsed[1]), Number(parsed[2])];
    if (major !== 3 || minor > 4) {
      logger.warn({ 'remote-member-id': hex(m.id), 'remote-member-cluster-version': clusterVersion }, 'cluster version of remote member is not compatible');
      return false;
    }
    compatible = true;
  }
  return compatible;
}

/**
 * etcd's isMemberBootstrapped: the running members named in --initial-cluster already list this
 * member (by its ID) with client URLs, so it started before; a new cluster must not bootstrap it
 * again. A member that no one answers for is not bootstrapped.
 */
export async function checkNotBootstrapped(identity: ClusterIdentity, request: PeerRequester): Promise<void> {
  const urls = identity.members.filter((m) => m.id !== identity.self.id).flatMap((m) => m.peerUrls).sort();
  if (urls.length === 0) return;
  const remote = await fetchRemoteCluster(request, urls, bootstrapCheckTimeoutMs).catch(() => undefined);
  if (remote?.members.some((m) => m.id === identity.self.id && m.clientUrls.length > 0)) {
    throw new Error(`member ${hex(identity.self.id)} has already been bootstrapped`);
  }
}

/** This member's identity in the running cluster it was added to, and that cluster's members. */
export async function joinExistingCluster(options: JoinOptions, request: PeerRequester, logger: Logger): Promise<ClusterIdentity> {
  const local = bootstrapCluster({ ...options }).members;
  const remoteUrls = local.filter((m) => m.name !== options.name).flatMap((m) => m.peerUrls).sort();
  const existing = await fetchRemoteCluster(request, remoteUrls, fetchTimeoutMs, logger);
  const invalid = (why: string) => new Error(`error validating peerURLs ${describeCluster(existing.clusterId, existing.members)}: ${why}`);
  if (existing.members.length !== local.length) throw invalid('member count is unequal');
  // Each running member must be one of --initial-cluster by its peer URLs; it lends that entry its ID.
  const assigned = new Map<string, bigint>();
  for (const m of existing.members) {
    let why: string | undefined;
    const match = local.find((l) => (why = urlsDiffer(m.peerUrls, l.peerUrls)) === undefined);
    if (match === undefined) throw invalid(`PeerURLs: no match found for existing member (${hex(m.id)}, [${m.peerUrls.join(' ')}]), last resolver error (${why ?? ''})`);
    assigned.set(match.name, m.id);
  }
  const selfId = assigned.get(options.name) as bigint;
  const others = existing.members.filter((m) => m.id !== selfId);
  if (!(await compatibleWithCluster(request, others, logger))) throw new Error('incompatible with current running cluster');
  const members = existing.members.map((m) => (m.id === selfId ? { ...m, name: options.name, clientUrls: options.advertiseClientUrls } : m));
  return { clusterId: existing.clusterId, self: members.find((m) => m.id === selfId) as Member, members };
}
