// lease grant | revoke | timetolive | list | keep-alive, as etcdctl.
import type { Command } from 'commander';
import { etcdserverpb } from '../../api';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { keepAliveOnce, keepLeaseAlive } from '../lease-keep-alive';
import { callOrFail, parseHexId, parseInt64 } from './shared';

function leaseFromArg(text: string): bigint {
  return parseHexId(text, (m) => `bad lease ID arg (${m}), expecting ID in Hex`);
}

export function registerLeaseCommands(program: Command, ctx: CtlContext): void {
  const lease = program.command('lease').description('Lease related commands');

  lease.command('grant').description('Creates leases').usage('<ttl>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('lease grant command needs TTL argument');
      let ttl: bigint;
      try {
        ttl = parseInt64(null, args[0]);
      } catch (err) {
        throw badArgs(`bad TTL (${(err as Error).message})`);
      }
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.LeaseService.leaseGrant, { TTL: ttl, ID: 0n }), ExitCode.error, (m) => `failed to grant lease (${m})`);
      ctx.printer.grant(resp);
    });

  lease.command('revoke').description('Revokes leases').usage('<leaseID>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('lease revoke command needs 1 argument');
      const id = leaseFromArg(args[0]);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.LeaseService.leaseRevoke, { ID: id }), ExitCode.error, (m) => `failed to revoke lease (${m})`);
      ctx.printer.revoke(id, resp);
    });

  lease.command('timetolive').description('Get lease information').usage('<leaseID> [options]').argument('[args...]')
    .option('--keys', 'Get keys attached to this lease')
    .action(async (args: string[], o: { keys?: boolean }) => {
      if (args.length !== 1) throw badArgs('lease timetolive command needs lease ID as argument');
      const id = leaseFromArg(args[0]);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.LeaseService.leaseTimeToLive, { ID: id, keys: !!o.keys }, { idempotent: true }), ExitCode.badConnection);
      ctx.printer.timeToLive(resp, !!o.keys);
    });

  lease.command('list').description('List all active leases').argument('[args...]')
    .action(async () => {
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.LeaseService.leaseLeases, {}, { idempotent: true }), ExitCode.badConnection);
      ctx.printer.leases(resp);
    });

  lease.command('keep-alive').description('Keeps leases alive (renew)').usage('[options] <leaseID>').argument('[args...]')
    .option('--once', 'Resets the keep-alive time to its original value and exits immediately')
    .action(async (args: string[], o: { once?: boolean }) => {
      if (args.length !== 1) throw badArgs('lease keep-alive command needs lease ID as argument');
      const id = leaseFromArg(args[0]);
      if (o.once) {
        const resp = await callOrFail(keepAliveOnce(ctx.client(), id), ExitCode.badConnection);
        if (resp.TTL <= 0n) throw new CtlError(ExitCode.badConnection, 'etcdserver: requested lease not found');
        ctx.printer.keepAlive(resp);
        return;
      }
      await keepLeaseAlive(ctx.client(), id, { firstDeadlineMs: ctx.global.dialTimeoutMs + 1000, onRenew: (resp) => ctx.printer.keepAlive(resp) });
      if (ctx.global.output === 'simple') ctx.output.out(`lease ${BigInt.asUintN(64, id).toString(16).padStart(16, '0')} expired or revoked.\n`);
    });
}
