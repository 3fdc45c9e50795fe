// lock: takes a named lock (clientv3/concurrency's mutex on a session lease) and holds it until
// SIGINT or SIGTERM, or while a command runs, as etcdctl does.
import type { Command } from 'commander';
import { holdUntilStopped, Mutex, type Session, throwIfCanceled } from '../concurrency';
import type { CtlContext } from '../context';
import { badArgs } from '../exit';
import { runCommand } from '../exec-command';
import { inSession } from './in-session';
import { getKey, parseInt64 } from './shared';

/** Holds the lock until interrupted, or runs the command under it; unlocks either way. */
async function lockUntilSignal(ctx: CtlContext, session: Session, name: string, command: readonly string[], stop: AbortSignal): Promise<void> {
  const mutex = new Mutex(session, name);
  await mutex.lock(stop);
  if (command.length > 0) {
    // Before the inherited environment, so that (as with Go's exec) a variable already set there wins.
    const env = { ETCD_LOCK_KEY: mutex.key, ETCD_LOCK_REV: String(mutex.header?.revision ?? 0n), ...ctx.io.env };
    const failure = await runCommand(command, env, ctx.output);
    const unlocked = mutex.unlock();
    if (failure === undefined) return unlocked;
    await unlocked.catch(() => undefined);
    throw new Error(failure);
  }
  throwIfCanceled(stop);
  const resp = await getKey(ctx.client(), mutex.key);
  if (resp.kvs.length === 0) throw new Error('lock lost on init');
  ctx.printer.get(resp);
  await holdUntilStopped(session, stop, 'session expired');
  await mutex.unlock();
}

export function registerLockCommand(program: Command, ctx: CtlContext): void {
  program.command('lock')
    .description('Acquires a named lock')
    .usage('<lockname> [exec-command arg1 arg2 ...] [options]')
    .argument('[args...]')
    .option('--ttl <seconds>', 'timeout for session', '10')
    .action(async (args: string[], o: { ttl: string }) => {
      const ttl = parseInt64('ttl', o.ttl);
      if (args.length === 0) throw badArgs('lock takes a lock name argument and an optional command to execute');
      await inSession(ctx, ttl, (session, stop) => lockUntilSignal(ctx, session, args[0], args.slice(1), stop));
    });
}
