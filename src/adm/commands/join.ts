// cairnadm join HOST: add one host's member to the running cluster the kubeadm way: check the
// cluster, add a learner (or resume the one an earlier run added), start it into the existing
// cluster, promote it once caught up, wait until healthy. Every step looks before it acts.
import { hostByName, peerUrl, type AdmConfig } from '../config';
import { clientUrl, waitMemberHealthy } from '../health';
import {
  addLearner,
  initialClusterOf,
  listMembers,
  memberAtPeerUrl,
  memberIdHex,
  PROMOTE_RETRY,
  promoteWhenReady,
  removeMemberById,
  type Member,
  type RetryOptions,
} from '../members';
import type { Phase } from '../phase';
import { certsPhase } from '../phases/certs';
import { launchPhase } from '../phases/launch';
import { preflightPhase } from '../phases/preflight';
import { renderPhase } from '../phases/render';
import { shipPhase } from '../phases/ship';
import { waitHealthyPhase } from '../phases/wait-healthy';
import { memberRunning, stopMember } from '../runtime';
import type { Session } from './session';
import { renderedInitialCluster } from './rendered';

export type JoinSession = Session & {
  /** the learner's ID once added (or found) */
  learner?: Member;
  promote: RetryOptions;
};

/** Client URLs of the configured hosts other than the joining ones (where the cluster runs). */
export function clusterEndpoints(config: AdmConfig, joining: readonly string[]): string[] {
  return config.hosts.filter((h) => !joining.includes(h.name)).map(clientUrl);
}

async function checkCluster(ctx: JoinSession): Promise<void> {
  const client = await ctx.cluster();
  const members = await listMembers(client);
  const creds = await ctx.credentials();
  const started = members.filter((m) => m.clientURLs.length > 0);
  if (started.length === 0) throw new Error('the cluster has no started member to join; run cairnadm init first');
  for (const m of started) await waitMemberHealthy(m.clientURLs[0], creds, { attempts: 3, intervalMs: 1_000 });
  ctx.print(`[check-cluster] ${started.length} member(s) healthy: ${started.map((m) => m.name).join(', ')}`);
  for (const name of ctx.targets) {
    const h = hostByName(ctx.config, name);
    const stale = memberAtPeerUrl(members, peerUrl(h));
    if (!stale) continue;
    const id = memberIdHex(stale.ID);
    if (stale.name === '') ctx.print(`[check-cluster] ${name}: member ${id} at ${peerUrl(h)} was added but never started (an earlier join stopped); reusing it`);
    else if (await ctx.host(name).exists(`${ctx.config.paths.dataDir}/member`)) ctx.print(`[check-cluster] ${name}: already member ${id}${stale.isLearner ? ' (learner)' : ''}; resuming the join`);
    else {
      // started once, but its data is gone: the entry is stale and the member must start afresh
      await removeMemberById(client, stale.ID);
      ctx.print(`[check-cluster] ${name}: removed stale member ${id} at ${peerUrl(h)} (its data dir is empty); adding it again`);
    }
  }
}

async function memberAdd(ctx: JoinSession, name: string): Promise<void> {
  const client = await ctx.cluster();
  const url = peerUrl(hostByName(ctx.config, name));
  if (ctx.dryRun) {
    ctx.print(`[dryrun] Would add a learner member at ${url}`);
    const members = await listMembers(client);
    ctx.initialCluster.set(name, { members: [...initialClusterOf(members, { id: -1n, name }), { name, peerUrl: url }], state: 'existing' });
    return;
  }
  const outcome = await addLearner(client, url);
  ctx.learner = outcome.member;
  // a member that has started keeps the files it started with (etcd ignores them after the first start)
  const kept = outcome.member.name !== '' ? await renderedInitialCluster(ctx.host(name), ctx.config.paths.configFile) : undefined;
  ctx.initialCluster.set(name, { members: kept ?? initialClusterOf(outcome.members, { id: outcome.member.ID, name }), state: 'existing' });
  ctx.print(`[member-add] ${name}: ${outcome.kind === 'added' ? 'added' : 'found'} member ${memberIdHex(outcome.member.ID)} at ${url}${outcome.member.isLearner ? ' as a learner' : ''}`);
}

async function promote(ctx: JoinSession, name: string): Promise<void> {
  const learner = ctx.learner;
  if (ctx.dryRun || !learner) return ctx.print(`[dryrun] Would promote the learner of ${name} once it has caught up`);
  if (!learner.isLearner) return ctx.print(`[promote] ${name}: member ${memberIdHex(learner.ID)} is already a voting member`);
  const client = await ctx.cluster();
  const ok = await promoteWhenReady(client, learner.ID, {
    ...ctx.promote,
    onRetry: (attempt) => ctx.print(`[promote] ${name}: learner not in sync with the leader yet (try ${attempt}/${ctx.promote.attempts})`),
  });
  if (ok) return ctx.print(`[promote] ${name}: promoted member ${memberIdHex(learner.ID)} to a voting member`);
  const host = ctx.host(name);
  if (!(await memberRunning(host, ctx.config))) {
    // it never started: undo the add, so the cluster does not keep an entry nobody serves
    await removeMemberById(client, learner.ID);
    await stopMember(host, ctx.config);
    throw new Error(`the learner never started on ${name}, so member ${memberIdHex(learner.ID)} was removed again; see its log, fix the cause and re-run cairnadm join ${name}`);
  }
  throw new Error(`learner ${memberIdHex(learner.ID)} on ${name} did not catch up after ${ctx.promote.attempts} tries ${ctx.promote.intervalMs / 1000} s apart; it keeps replicating: re-run cairnadm join ${name} to promote it`);
}

export function joinPhases(): Phase<JoinSession>[] {
  return [
    preflightPhase(),
    { name: 'check-cluster', help: 'Check the cluster is healthy and has no stale member at the new peer URL', run: checkCluster },
    certsPhase(),
    shipPhase(),
    { name: 'member-add', help: 'Add the member as a learner (or resume the one an earlier join added)', runOnHost: memberAdd },
    renderPhase(),
    launchPhase(),
    { name: 'promote', help: 'Promote the learner once it has caught up (8 tries, 5 s apart)', runOnHost: promote, dependencies: ['member-add'] },
    waitHealthyPhase(),
  ];
}

export function joinSession(session: Session): JoinSession {
  return Object.assign(session, { promote: PROMOTE_RETRY });
}
