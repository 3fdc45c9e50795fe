// Membership steps of join and reset, as kubeadm's etcd phases take them: look first, then act.
// They talk through MembershipClient (the unary call of EtcdClient), so they run against any
// member, and tests can drive them against a real single-member cairn.
import { etcdError, etcdserverpb, type EtcdError } from '../api';
import type { RpcMethod } from '../client';
import type { ClusterMember } from '../render';

export interface MembershipClient {
  unary<Req, Res>(method: RpcMethod<Req, Res>, request: Req): Promise<Res>;
}

export type Member = etcdserverpb.Member;
const Cluster = etcdserverpb.ClusterService;

export const LEARNER_NOT_READY = 'etcdserver: can only promote a learner member which is in sync with leader';
export const MEMBER_NOT_FOUND = 'etcdserver: member not found';

export const UNHEALTHY_CLUSTER = 'etcdserver: unhealthy cluster';

/** kubeadm's promote loop: 8 tries, 5 s apart. */
export const PROMOTE_RETRY = { attempts: 8, intervalMs: 5_000 };

/** A member add is refused until the member asked has been connected to every voter for 5 s (etcd's strict reconfig check). */
export const ADD_RETRY = { attempts: 6, intervalMs: 2_000 };

export const memberIdHex = (id: bigint): string => id.toString(16).padStart(16, '0');

export async function listMembers(client: MembershipClient): Promise<Member[]> {
  return (await client.unary(Cluster.memberList, { linearizable: true })).members;
}

export function memberAtPeerUrl(members: readonly Member[], url: string): Member | undefined {
  return members.find((m) => m.peerURLs.includes(url));
}

export type AddOutcome =
  | { kind: 'added'; member: Member; members: Member[] }
  | { kind: 'existing'; member: Member; members: Member[] };

/**
 * The member for `name` at `peerUrl`, as a learner: an existing one at that URL is reused (a join
 * that failed after its member-add resumes), anything else is added, retried while the member asked
 * answers `etcdserver: unhealthy cluster` (not connected to every voter for 5 s yet).
 */
export async function addLearner(client: MembershipClient, peerUrl: string, opts: RetryOptions = ADD_RETRY): Promise<AddOutcome> {
  const members = await listMembers(client);
  const existing = memberAtPeerUrl(members, peerUrl);
  if (existing) return { kind: 'existing', member: existing, members };
  const res = await retryWhile(UNHEALTHY_CLUSTER, () => client.unary(Cluster.memberAdd, { peerURLs: [peerUrl], isLearner: true }), opts);
  if (res === undefined) throw etcdError('unhealthy');
  return { kind: 'added', member: res.member!, members: res.members };
}

/** The initial cluster a joining member starts with: every member, named (the new one by `name`). */
export function initialClusterOf(members: readonly Member[], joining: { id: bigint; name: string }): ClusterMember[] {
  return members.map((m) => ({ name: m.ID === joining.id ? joining.name : m.name, peerUrl: m.peerURLs[0] })).filter((m) => m.name !== '' && m.peerUrl);
}

export interface RetryOptions {
  attempts: number;
  intervalMs: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (attempt: number, err: Error) => void;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Promotes the learner, retrying while etcd answers that it has not caught up. Returns false when
 * every try got that answer (the learner never caught up); other errors are thrown.
 */
export async function promoteWhenReady(client: MembershipClient, id: bigint, opts: RetryOptions = PROMOTE_RETRY): Promise<boolean> {
  return (await retryWhile(LEARNER_NOT_READY, async () => {
    await client.unary(Cluster.memberPromote, { ID: id });
    return true;
  }, opts)) ?? false;
}

/** Runs `call` again while it fails with etcd's error `message`; undefined when every try did. Other errors are thrown. */
async function retryWhile<T>(message: string, call: () => Promise<T>, opts: RetryOptions): Promise<T | undefined> {
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      return await call();
    } catch (err) {
      if ((err as EtcdError).message !== message) throw err;
      opts.onRetry?.(attempt, err as Error);
      if (attempt < opts.attempts) await (opts.sleep ?? sleepMs)(opts.intervalMs);
    }
  }
  return undefined;
}

export type RemoveOutcome = 'removed' | 'not-found' | 'last-member';

/**
 * Removes the member at peerUrl; none there counts as done, and the last member is never removed.
 * Retried while the member asked answers `etcdserver: unhealthy cluster` (its peers not connected
 * long enough yet, just after a join or a restart), as a member add is.
 */
export async function removeMemberAt(client: MembershipClient, peerUrl: string, opts: RetryOptions = ADD_RETRY): Promise<RemoveOutcome> {
  const members = await listMembers(client);
  const member = memberAtPeerUrl(members, peerUrl);
  if (!member) return 'not-found';
  if (members.length === 1) return 'last-member';
  try {
    const removed = await retryWhile(UNHEALTHY_CLUSTER, () => client.unary(Cluster.memberRemove, { ID: member.ID }), opts);
    if (removed === undefined) throw etcdError('unhealthy');
  } catch (err) {
    if ((err as EtcdError).message === MEMBER_NOT_FOUND) return 'not-found';
    throw err;
  }
  return 'removed';
}

/** Removes one member by ID (a learner that never started); not-found counts as done. */
export async function removeMemberById(client: MembershipClient, id: bigint): Promise<void> {
  try {
    await client.unary(Cluster.memberRemove, { ID: id });
  } catch (err) {
    if ((err as EtcdError).message !== MEMBER_NOT_FOUND) throw err;
  }
}
