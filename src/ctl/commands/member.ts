// member add | remove | update | list | promote, as etcdctl.
import type { Command } from 'commander';
import { etcdserverpb } from '../../api';
import type { CtlContext } from '../context';
import { badArgs } from '../exit';
import { callOrFail, parseMemberId } from './shared';

export function registerMemberCommands(program: Command, ctx: CtlContext): void {
  const member = program.command('member').description('Membership related commands');

  member.command('add').description('Adds a member into the cluster').usage('<memberName> [options]').argument('[args...]')
    .option('--peer-urls <urls>', 'comma separated peer URLs for the new member.', '')
    .option('--learner', 'indicates if the new member is raft learner')
    .action(async (args: string[], o: { peerUrls: string; learner?: boolean }) => {
      if (args.length < 1) throw badArgs('member name not provided');
      if (args.length > 1) {
        const hints = args.filter((s) => s.toLowerCase().startsWith('http')).map((s) => `, did you mean --peer-urls=${s}`).join('');
        throw badArgs(`too many arguments${hints}`);
      }
      if (o.peerUrls === '') throw badArgs('member peer urls not provided');
      const name = args[0];
      const peerURLs = o.peerUrls.split(',');
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.ClusterService.memberAdd, { peerURLs, isLearner: !!o.learner }));
      ctx.printer.memberAdd(resp);
      if (ctx.global.output === 'simple') {
        const newId = resp.member?.ID;
        const conf = resp.members.flatMap((m) => m.peerURLs.map((u) => `${m.ID === newId ? name : m.name}=${u}`));
        ctx.output.out(`\nETCD_NAME=${JSON.stringify(name)}\nETCD_INITIAL_CLUSTER=${JSON.stringify(conf.join(','))}\n` +
          `ETCD_INITIAL_ADVERTISE_PEER_URLS=${JSON.stringify(o.peerUrls)}\nETCD_INITIAL_CLUSTER_STATE="existing"\n`);
      }
    });

  member.command('remove').description('Removes a member from the cluster').usage('<memberID>').argument('[args...]')
    .action(async (args: string[]) => {
      const id = parseMemberId(args[0]);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.ClusterService.memberRemove, { ID: id }));
      ctx.printer.memberRemove(id, resp);
    });

  member.command('update').description('Updates a member in the cluster').usage('<memberID> [options]').argument('[args...]')
    .option('--peer-urls <urls>', 'comma separated peer URLs for the updated member.', '')
    .action(async (args: string[], o: { peerUrls: string }) => {
      const id = parseMemberId(args[0]);
      if (o.peerUrls === '') throw badArgs('member peer urls not provided');
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.ClusterService.memberUpdate, { ID: id, peerURLs: o.peerUrls.split(',') }));
      ctx.printer.memberUpdate(id, resp);
    });

  member.command('list').description('Lists all members in the cluster').argument('[args...]')
    .action(async () => {
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.ClusterService.memberList, { linearizable: false }, { idempotent: true }));
      ctx.printer.memberList(resp);
    });

  member.command('promote').description('Promotes a non-voting member in the cluster').usage('<memberID>').argument('[args...]')
    .action(async (args: string[]) => {
      const id = parseMemberId(args[0]);
      const resp = await callOrFail(ctx.client().unary(etcdserverpb.ClusterService.memberPromote, { ID: id }));
      ctx.printer.memberPromote(id, resp);
    });
}
