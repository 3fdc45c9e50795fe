// elect: campaigns in a named election and holds the leadership until SIGINT or SIGTERM, or (-l)
// prints each leader as it changes, as etcdctl does (clientv3/concurrency's Election).
import type { Command } from 'commander';
import { DEFAULT_SESSION_TTL, Election, holdUntilStopped, observeLeaders, type Session, throwIfCanceled } from '../concurrency';
import type { CtlContext } from '../context';
import { badArgs } from '../exit';
import { inSession } from './in-session';
import { getKey } from './shared';

async function observe(ctx: CtlContext, name: string, stop: AbortSignal): Promise<void> {
  for await (const leader of observeLeaders(ctx.client(), name, stop)) ctx.printer.get(leader);
  if (!stop.aborted) throw new Error('elect: observer lost');
}

async function campaign(ctx: CtlContext, session: Session, name: string, proposal: string, stop: AbortSignal): Promise<void> {
  const election = new Election(session, name);
  await election.campaign(proposal, stop);
  throwIfCanceled(stop);
  ctx.printer.get(await getKey(ctx.client(), election.key));
  await holdUntilStopped(session, stop, 'elect: session expired');
  await election.resign();
}

export function registerElectCommand(program: Command, ctx: CtlContext): void {
  program.command('elect')
    .description('Observes and participates in leader election')
    .usage('<election-name> [proposal] [options]')
    .argument('[args...]')
    .option('-l, --listen', 'observation mode')
    .action(async (args: string[], o: { listen?: boolean }) => {
      if (args.length !== 1 && args.length !== 2) throw badArgs('elect takes one election name argument and an optional proposal argument');
      // the client is made before the -l checks, as etcdctl makes it (a bad endpoint flag is reported first)
      ctx.client();
      if (args.length === 1 && !o.listen) throw badArgs('no proposal argument but -l not set');
      if (args.length === 2 && o.listen) throw badArgs('proposal given but -l is set');
      // etcdctl opens a session to observe as well, though nothing is put on its lease.
      await inSession(ctx, DEFAULT_SESSION_TTL, (session, stop) => (args.length === 1 ? observe(ctx, args[0], stop) : campaign(ctx, session, args[0], args[1], stop)));
    });
}
