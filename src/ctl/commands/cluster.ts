// endpoint health|status|hashkv, move-leader, alarm list|disarm, defrag, version: etcdctl's
// per-endpoint and maintenance commands.
import type { Command } from 'commander';
import { etcdserverpb, EtcdError } from '../../api';
import type { CtlContext } from '../context';
import { formatGoDuration } from '../../go-values';
import { badArgs, CtlError, ExitCode } from '../exit';
import type { EndpointHashKV, EndpointHealth, EndpointStatus } from '../printers';
import { callOrFail, parseInt64, toCtlError } from './shared';

/** --endpoints, or with --cluster every client URL of the member list. */
async function endpointsFor(ctx: CtlContext, cluster: boolean): Promise<string[]> {
  if (!cluster) return ctx.global.endpoints;
  const resp = await callOrFail(ctx.client().unary(etcdserverpb.ClusterService.memberList, { linearizable: false }, { idempotent: true }),
    ExitCode.error, (m) => `failed to fetch endpoints from etcd cluster member list: ${m}`);
  return resp.members.flatMap((m) => m.clientURLs);
}

async function health(ctx: CtlContext, ep: string): Promise<EndpointHealth> {
  const started = process.hrtime.bigint();
  try {
    await ctx.clientFor(ep).unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('health') }), { idempotent: true });
    return { ep, health: true, took: formatGoDuration(Number(process.hrtime.bigint() - started) / 1e6) };
  } catch (err) {
    const took = formatGoDuration(Number(process.hrtime.bigint() - started) / 1e6);
    // Permission denied still proves a committed read, so etcdctl counts it as healthy.
    if (err instanceof EtcdError && err.message === 'etcdserver: permission denied') return { ep, health: true, took };
    return { ep, health: false, took, error: toCtlError(err).message };
  }
}

export function registerClusterCommands(program: Command, ctx: CtlContext): void {
  const endpoint = program.command('endpoint').description('Endpoint related commands');
  const clusterFlag = '--cluster';
  const clusterHelp = 'use all endpoints from the cluster member list';

  endpoint.command('health').description('Checks the healthiness of endpoints specified in `--endpoints` flag').argument('[args...]')
    .option(clusterFlag, clusterHelp)
    .action(async (_args: string[], o: { cluster?: boolean }) => {
      const eps = await endpointsFor(ctx, !!o.cluster);
      const list = await Promise.all(eps.map((ep) => health(ctx, ep)));
      ctx.printer.endpointHealth(list);
      if (list.some((h) => h.error)) throw new CtlError(ExitCode.error, 'unhealthy cluster');
    });

  endpoint.command('status').description('Prints out the status of endpoints specified in `--endpoints` flag').argument('[args...]')
    .option(clusterFlag, clusterHelp)
    .action(async (_args: string[], o: { cluster?: boolean }) => {
      const list: EndpointStatus[] = [];
      let failed = false;
      for (const ep of await endpointsFor(ctx, !!o.cluster)) {
        try {
          list.push({ ep, resp: await ctx.clientFor(ep).unary(etcdserverpb.MaintenanceService.status, {}, { idempotent: true }) });
        } catch (err) {
          ctx.output.err(`Failed to get the status of endpoint ${ep} (${toCtlError(err).message})\n`);
          failed = true;
        }
      }
      ctx.printer.endpointStatus(list);
      if (failed) throw new CtlError(ExitCode.error, 'context deadline exceeded');
    });

  endpoint.command('hashkv').description('Prints the KV history hash for each endpoint in --endpoints').argument('[args...]')
    .option(clusterFlag, clusterHelp)
    .option('--rev <n>', 'maximum revision to hash (default: all revisions)', '0')
    .action(async (_args: string[], o: { cluster?: boolean; rev: string }) => {
      const revision = parseInt64('rev', o.rev);
      const list: EndpointHashKV[] = [];
      let failed = false;
      for (const ep of await endpointsFor(ctx, !!o.cluster)) {
        try {
          list.push({ ep, resp: await ctx.clientFor(ep).unary(etcdserverpb.MaintenanceService.hashKv, { revision }, { idempotent: true }) });
        } catch (err) {
          ctx.output.err(`Failed to get the hash of endpoint ${ep} (${toCtlError(err).message})\n`);
          failed = true;
        }
      }
      ctx.printer.endpointHashKV(list);
      if (failed) throw new CtlError(ExitCode.error, 'context deadline exceeded');
    });

  program.command('move-leader').description('Transfers leadership to another etcd cluster member.').usage('<transferee-member-id>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('move-leader command needs 1 argument');
      if (!/^[0-9a-fA-F]+$/.test(args[0])) throw badArgs(`strconv.ParseUint: parsing ${JSON.stringify(args[0])}: invalid syntax`);
      const target = BigInt(`0x${args[0]}`);
      for (const ep of ctx.global.endpoints) {
        const client = ctx.clientFor(ep);
        const status = await callOrFail(client.unary(etcdserverpb.MaintenanceService.status, {}, { idempotent: true }));
        if (status.header?.memberId === status.leader) {
          const resp = await callOrFail(client.unary(etcdserverpb.MaintenanceService.moveLeader, { targetID: target }));
          ctx.printer.moveLeader(status.leader, target, resp);
          return;
        }
      }
      throw badArgs(`no leader endpoint given at [${ctx.global.endpoints.join(' ')}]`);
    });

  const alarm = program.command('alarm').description('Alarm related commands');
  alarm.command('list').description('Lists all alarms').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 0) throw badArgs('alarm list command accepts no arguments');
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.MaintenanceService.alarm, etcdserverpb.AlarmRequest.fromPartial({}), { idempotent: true }));
      ctx.printer.alarm(resp);
    });
  alarm.command('disarm').description('Disarms all alarms').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 0) throw badArgs('alarm disarm command accepts no arguments');
      const client = ctx.client();
      const list = await callOrFail(client.unary(etcdserverpb.MaintenanceService.alarm, etcdserverpb.AlarmRequest.fromPartial({}), { idempotent: true }));
      const disarmed: etcdserverpb.AlarmMember[] = [];
      for (const a of list.alarms) {
        const resp = await callOrFail(client.unary(etcdserverpb.MaintenanceService.alarm, etcdserverpb.AlarmRequest.fromPartial({
          action: etcdserverpb.AlarmRequest_AlarmAction.DEACTIVATE, memberID: a.memberID, alarm: a.alarm,
        })));
        disarmed.push(...resp.alarms);
      }
      ctx.printer.alarm(etcdserverpb.AlarmResponse.fromPartial({ alarms: disarmed }));
    });

  program.command('defrag').description('Defragments the storage of the etcd members with given endpoints').argument('[args...]')
    .option(clusterFlag, clusterHelp)
    .action(async (_args: string[], o: { cluster?: boolean }) => {
      let failures = 0;
      for (const ep of await endpointsFor(ctx, !!o.cluster)) {
        try {
          await ctx.clientFor(ep).unary(etcdserverpb.MaintenanceService.defragment, {}, { timeoutMs: Math.max(ctx.global.commandTimeoutMs, 60_000) });
          ctx.output.out(`Finished defragmenting etcd member[${ep}]\n`);
        } catch (err) {
          ctx.output.err(`Failed to defragment etcd member[${ep}] (${toCtlError(err).message})\n`);
          failures++;
        }
      }
      // etcdctl exits without a further error line: each failure is already on stderr.
      if (failures) throw new CtlError(ExitCode.error, '');
    });
}
