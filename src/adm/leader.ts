// The cluster's leader as every started member sees it, and handing leadership over before a
// member restarts (etcd's MoveLeader), so writes never wait for an election.
import { etcdserverpb } from '../api';
import type { EtcdClient } from '../client';
import { messageOf } from './errors';
import type { WaitOptions } from './health';
import { listMembers, memberIdHex, type Member } from './members';

const Maintenance = etcdserverpb.MaintenanceService;

/** Members that run (have client URLs), with the URL cairnadm reaches each at. */
export async function startedMembers(client: EtcdClient): Promise<Member[]> {
  return (await listMembers(client)).filter((m) => m.clientURLs.length > 0);
}

export async function memberStatus(client: EtcdClient, url: string): Promise<etcdserverpb.StatusResponse> {
  const one = client.forEndpoint(url);
  try {
    return await one.unary(Maintenance.status, {}, { timeoutMs: 5_000 });
  } finally {
    one.close();
  }
}

/** The leader every started member names; throws when one has none, cannot answer, or they differ. */
export async function agreedLeader(client: EtcdClient, members: readonly Member[]): Promise<bigint> {
  const seen = new Set<bigint>();
  for (const m of members) {
    const status = await memberStatus(client, m.clientURLs[0]);
    if (status.leader === 0n) throw new Error(`member ${m.name} has no leader`);
    seen.add(status.leader);
  }
  if (seen.size !== 1) throw new Error(`members name different leaders (${[...seen].map(memberIdHex).join(', ')})`);
  return [...seen][0];
}

/** Waits, with bounded tries, until every started member names the same leader; returns its ID. */
export async function waitAgreedLeader(client: EtcdClient, opts: WaitOptions): Promise<bigint> {
  let last = 'no answer yet';
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      return await agreedLeader(client, await startedMembers(client));
    } catch (err) {
      last = messageOf(err);
    }
    if (attempt < opts.attempts) await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
  throw new Error(`the cluster has no leader all members agree on after ${opts.attempts} checks ${opts.intervalMs} ms apart: ${last}`);
}

/**
 * When the member at `url` leads, hands leadership to another voting member and returns that
 * member; undefined when it does not lead.
 */
export async function moveLeaderFrom(client: EtcdClient, url: string, opts: WaitOptions): Promise<Member | undefined> {
  const status = await memberStatus(client, url);
  const self = status.header?.memberId ?? 0n;
  if (status.leader !== self) return undefined;
  const target = (await startedMembers(client)).find((m) => m.ID !== self && !m.isLearner);
  if (!target) return undefined; // a single voting member: nobody to hand over to
  const leader = client.forEndpoint(url);
  try {
    await leader.unary(Maintenance.moveLeader, { targetID: target.ID }, { timeoutMs: 10_000 });
  } finally {
    leader.close();
  }
  const now = await waitAgreedLeader(client, opts);
  if (now === self) throw new Error(`leadership stayed with member ${memberIdHex(self)} after MoveLeader to ${target.name}`);
  return target;
}
