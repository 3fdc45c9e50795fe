// wait-healthy: each member answers /health and Status over TLS with the healthcheck client.
import { hostByName } from '../config';
import type { AdmContext } from '../context';
import { clientUrl, waitMemberHealthy } from '../health';
import type { Phase } from '../phase';

export type WaitHealthyContext = Pick<AdmContext, 'config' | 'print' | 'wait' | 'credentials'>;

export async function waitHealthyOnHost(ctx: WaitHealthyContext, name: string): Promise<void> {
  const url = clientUrl(hostByName(ctx.config, name));
  await ctx.wait(`member ${name} at ${url} to report healthy`, async () => {
    const status = await waitMemberHealthy(url, await ctx.credentials());
    ctx.print(`[wait-healthy] ${name}: healthy at ${url} (member ${status.header?.memberId.toString(16).padStart(16, '0')}, raft index ${status.raftIndex}${status.isLearner ? ', learner' : ''})`);
  });
}

export function waitHealthyPhase<C extends WaitHealthyContext>(): Phase<C> {
  return { name: 'wait-healthy', help: 'Wait until every member reports healthy (/health and Status over TLS)', runOnHost: waitHealthyOnHost, dependencies: ['launch'] };
}
