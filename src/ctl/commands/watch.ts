// watch: streams events of a key or range, optionally running a command per event (`-- cmd args`),
// or reads `watch ...` / `progress` lines in interactive mode (-i), as etcdctl does.
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { etcdserverpb, mvccpb, prefixRange } from '../../api';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { callOrFail, parseInt64 } from './shared';
import { argify } from './txn-parse';
import { goExecError } from '../exec-command';
import { ResumingWatch, watchCancelReason } from '../watch-stream';

interface WatchSpec {
  readonly key: string;
  readonly rangeEnd?: string;
  readonly prefix: boolean;
  readonly rev: bigint;
  readonly prevKv: boolean;
  readonly progressNotify: boolean;
  readonly exec: readonly string[];
}

function createRequest(spec: WatchSpec): Partial<etcdserverpb.WatchCreateRequest> {
  if (spec.rangeEnd !== undefined && spec.prefix) throw badArgs('`range_end` and `--prefix` are mutually exclusive');
  const range = spec.prefix ? prefixRange(spec.key) : { key: Buffer.from(spec.key), rangeEnd: Buffer.from(spec.rangeEnd ?? '') };
  return { ...range, startRevision: spec.rev, prevKv: spec.prevKv, progressNotify: spec.progressNotify };
}

function goQuote(bytes: Uint8Array): string {
  return JSON.stringify(Buffer.from(bytes).toString());
}

/**
 * Prints every response of the watch (and runs the command per event). In a single watch, a cancel
 * or a failed command ends the watch; `failure` is what then ends cairnctl with a code of its own.
 */
class WatchPrinter {
  failure: CtlError | undefined;

  constructor(private readonly ctx: CtlContext, private readonly exec: readonly string[], private readonly single: boolean) {}

  print(watch: ResumingWatch, resp: etcdserverpb.WatchResponse): void {
    const { ctx, exec } = this;
    if (this.failure !== undefined) return;
    if (resp.created && resp.events.length === 0 && !resp.canceled) return;
    if (resp.canceled) {
      ctx.output.err(`watch was canceled (${watchCancelReason(resp)})\n`);
      if (this.single) watch.close();
      return;
    }
    if (resp.events.length === 0 && resp.compactRevision === 0n && (resp.header?.revision ?? 0n) !== 0n) {
      ctx.output.out(`progress notify: ${resp.header?.revision}\n`);
    }
    ctx.printer.watch(resp);
    for (const ev of resp.events) {
      if (exec.length === 0) break;
      // The command's output goes through cairnctl's own streams, in order with the events.
      const result = spawnSync(exec[0], exec.slice(1), {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...ctx.io.env,
          ETCD_WATCH_REVISION: String(resp.header?.revision ?? 0n),
          ETCD_WATCH_EVENT_TYPE: JSON.stringify(ev.type === mvccpb.Event_EventType.DELETE ? 'DELETE' : 'PUT'),
          ETCD_WATCH_KEY: goQuote(ev.kv?.key ?? Buffer.alloc(0)),
          ETCD_WATCH_VALUE: goQuote(ev.kv?.value ?? Buffer.alloc(0)),
        },
      });
      if (result.stdout?.length) ctx.output.out(result.stdout);
      if (result.stderr?.length) ctx.output.err(result.stderr.toString());
      if (result.status !== 0) {
        // etcdctl prints this line itself (no "Error:") and exits 1.
        const words = exec.map((w) => JSON.stringify(w)).join(' ');
        const why = goExecError(exec[0], result);
        ctx.output.err(`command [${words}] error (${why})\n`);
        this.failure = new CtlError(ExitCode.error, '');
        watch.close();
        return;
      }
    }
  }

  /** Waits for the end of the watch; an error that ended it is reported as etcdctl reports a cancel. */
  async ended(watch: ResumingWatch): Promise<void> {
    await watch.done.catch((err: Error) => { this.ctx.output.err(`watch was canceled (${err.message})\n`); });
    if (this.failure !== undefined) throw this.failure;
  }
}

/** A watch stream that asks for a leader, as etcdctl's does. */
async function openWatch(ctx: CtlContext, printer: WatchPrinter): Promise<ResumingWatch> {
  const watch: ResumingWatch = new ResumingWatch(ctx.client(), (resp) => printer.print(watch, resp), { requireLeader: true });
  await callOrFail(watch.open(), ExitCode.badConnection);
  return watch;
}

function specFrom(args: readonly string[], exec: readonly string[], o: { prefix?: boolean; rev: string; prevKv?: boolean; progressNotify?: boolean }, env: NodeJS.ProcessEnv): WatchSpec {
  const envKey = env.ETCDCTL_WATCH_KEY ?? '';
  const envRange = env.ETCDCTL_WATCH_RANGE_END ?? '';
  if (envKey === '' && envRange !== '') throw badArgs(`ETCDCTL_WATCH_KEY is empty but got ETCDCTL_WATCH_RANGE_END=${JSON.stringify(envRange)}`);
  if (envKey !== '' && args.length > 0) throw badArgs('key and range_end are defined in both command line and environment variable');
  const words = envKey !== '' ? [envKey, ...(envRange ? [envRange] : [])] : args;
  if (words.length < 1 || words.length > 2) throw badArgs('bad number of arguments');
  return {
    key: words[0], rangeEnd: words[1], prefix: !!o.prefix, rev: parseInt64('rev', o.rev),
    prevKv: !!o.prevKv, progressNotify: !!o.progressNotify, exec,
  };
}

async function interactive(ctx: CtlContext, o: { prefix?: boolean; rev: string; prevKv?: boolean; progressNotify?: boolean }): Promise<void> {
  const printer = new WatchPrinter(ctx, [], false);
  const watch = await openWatch(ctx, printer);
  void printer.ended(watch);
  for (;;) {
    const line = await ctx.io.readLine();
    if (line === null) {
      watch.close();
      throw new CtlError(ExitCode.invalidInput, 'Error reading watch request line: EOF');
    }
    const words = argify(line);
    if (words[0] === 'progress') {
      watch.requestProgress();
    } else if (words[0] === 'watch' && words.length >= 2) {
      const flags = { ...o, prefix: words.includes('--prefix') || o.prefix, prevKv: words.includes('--prev-kv') || o.prevKv };
      const revArg = words.find((w) => w.startsWith('--rev='));
      const args = words.slice(1).filter((w) => !w.startsWith('--'));
      try {
        watch.create(createRequest(specFrom(args, [], { ...flags, rev: revArg ? revArg.slice(6) : o.rev }, {})));
      } catch (err) {
        ctx.output.err(`Invalid command ${line} (${err instanceof Error ? err.message : String(err)})\n`);
      }
    } else {
      ctx.output.err(`Invalid command ${line} (only support watch)\n`);
    }
  }
}

export function registerWatchCommand(program: Command, ctx: CtlContext): void {
  program.command('watch')
    .description('Watches events stream on keys or prefixes')
    .usage('[options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]')
    .argument('[args...]')
    .option('-i, --interactive', 'Interactive mode')
    .option('--prefix', 'Watch on a prefix if prefix is set')
    .option('--rev <n>', 'Revision to start watching', '0')
    .option('--prev-kv', 'get the previous key-value pair before the event happens')
    .option('--progress-notify', 'get periodic watch progress notification from server')
    .action(async (args: string[], o: { interactive?: boolean; prefix?: boolean; rev: string; prevKv?: boolean; progressNotify?: boolean }) => {
      if (o.interactive) return interactive(ctx, o);
      const separator = ctx.argv.indexOf('--');
      const execCount = separator >= 0 ? ctx.argv.length - separator - 1 : 0;
      if (separator >= 0 && execCount === 0) throw badArgs('"--" is not followed by exec-command');
      const watchArgs = args.slice(0, args.length - execCount);
      const exec = args.slice(args.length - execCount);
      const spec = specFrom(watchArgs, exec, o, ctx.io.env);
      const request = createRequest(spec);
      const printer = new WatchPrinter(ctx, spec.exec, true);
      const watch = await openWatch(ctx, printer);
      watch.create(request);
      await printer.ended(watch);
      throw new CtlError(ExitCode.interrupted, 'watch is canceled by the server');
    });
}
