// The cairnctl program: etcdctl's global flags and commands on commander, etcdctl's error lines
// and exit codes.
import { Command, CommanderError, Option } from 'commander';
import { normaliseBoolFlags } from './argv';
import { CtlContext, type CtlIo } from './context';
import { CtlError, ExitCode, FatalLogError, FlagParseError } from './exit';
import { checkApiVersion, type RawGlobalFlags } from './global';
import { registerKvCommands } from './commands/kv';
import { registerTxnCommand } from './commands/txn';
import { registerWatchCommand } from './commands/watch';
import { registerLeaseCommands } from './commands/lease';
import { registerMemberCommands } from './commands/member';
import { registerClusterCommands } from './commands/cluster';
import { registerAuthCommands } from './commands/auth';
import { registerDirCommands } from './commands/dirs';
import { registerVersionCommand } from './commands/version';
import { registerSnapshotCommands } from './commands/snapshot';
import { registerCheckCommands } from './commands/check';
import { registerLockCommand } from './commands/lock';
import { registerElectCommand } from './commands/elect';
import { registerMakeMirrorCommand } from './commands/make-mirror';
import { toCtlError } from './commands/shared';

export interface CtlRegistration {
  (program: Command, ctx: CtlContext): void;
}

const COMMANDS: CtlRegistration[] = [
  registerKvCommands, registerTxnCommand, registerWatchCommand, registerLeaseCommands, registerMemberCommands, registerClusterCommands,
  registerAuthCommands, registerDirCommands, registerVersionCommand,
  registerSnapshotCommands, registerCheckCommands, registerLockCommand, registerElectCommand, registerMakeMirrorCommand,
];

/**
 * Flags that take a value (so `--name=true` is left alone), for the command the line invokes: the
 * same name can be a boolean in one command and take a value in another (--prefix in get and in
 * check perf).
 */
function valueFlags(program: Command, argv: readonly string[]): Set<string> {
  const names = new Set<string>();
  const add = (cmd: Command) => {
    for (const option of cmd.options) if (option.required || option.optional) names.add(option.long?.replace(/^--/, '') ?? '');
  };
  add(program);
  let cmd = program;
  for (const arg of argv) {
    if (arg === '--') break;
    const sub = cmd.commands.find((c) => c.name() === arg);
    if (sub) {
      cmd = sub;
      add(cmd);
    }
  }
  return names;
}

function addGlobalOptions(program: Command): void {
  program
    .option('--endpoints <list>', 'gRPC endpoints (default [127.0.0.1:2379])')
    .addOption(new Option('-w, --write-out <format>', 'set the output format (fields, json, protobuf, simple, table) (default "simple")'))
    .option('--hex', 'print byte strings as hex encoded strings')
    .option('--debug', 'enable client-side debug logging')
    .option('--dial-timeout <duration>', 'dial timeout for client connections (default 2s)')
    .option('--command-timeout <duration>', 'timeout for short running command (excluding dial timeout) (default 5s)')
    .option('--keepalive-time <duration>', 'keepalive time for client connections (default 2s)')
    .option('--keepalive-timeout <duration>', 'keepalive timeout for client connections (default 6s)')
    .option('--insecure-transport <bool>', 'disable transport security for client connections (default true)')
    .option('--insecure-skip-tls-verify', 'skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)')
    .option('--insecure-discovery <bool>', 'accept insecure SRV records describing cluster endpoints (default true)')
    .option('--cert <file>', 'identify secure client using this TLS certificate file')
    .option('--key <file>', 'identify secure client using this TLS key file')
    .option('--cacert <file>', 'verify certificates of TLS-enabled secure servers using this CA bundle')
    .option('--user <name[:password]>', 'username[:password] for authentication')
    .option('--password <password>', 'password for authentication (if this option is used, --user option shouldn\'t include password)')
    .option('-d, --discovery-srv <domain>', 'domain name to query for SRV records describing cluster endpoints (not supported: give --endpoints)')
    .option('--discovery-srv-name <name>', 'service name to query when using DNS discovery')
    .option('--api-version <version>', 'the etcd API version; only 3 is supported');
}

/** Commander's camelCase option values -> etcdctl's flag names. */
function rawFlags(program: Command): RawGlobalFlags {
  const o = program.opts();
  const flags: Record<string, string | boolean | undefined> = {};
  for (const option of program.options) {
    const name = option.long?.replace(/^--/, '') ?? '';
    const value = o[option.attributeName()];
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}

export function buildProgram(io: CtlIo): { program: Command; ctx: CtlContext } {
  const program = new Command('cairnctl');
  program
    .description('A simple command line client for etcd3 and cairn.')
    .usage('[global options] command [command options] [arguments...]')
    .helpOption('-h, --help', 'help for cairnctl')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.output.out(s), writeErr: () => undefined });
  addGlobalOptions(program);
  const ctx = new CtlContext(io, () => rawFlags(program));
  for (const register of COMMANDS) register(program, ctx);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (s) => io.output.out(s), writeErr: () => undefined });
  return { program, ctx };
}

/** Runs one command line; resolves to the process exit code. Never throws. */
export async function runCtl(argv: readonly string[], io: CtlIo): Promise<number> {
  const { program, ctx } = buildProgram(io);
  ctx.argv = argv;
  try {
    checkApiVersion(io.env);
    const api = argv.find((a) => a.startsWith('--api-version'));
    if (api && !/^--api-version(=3(\.\d+)?)?$/.test(api)) throw new CtlError(ExitCode.badFeature, 'only the v3 API is supported (--api-version=3)');
    await program.parseAsync(normaliseBoolFlags(argv, valueFlags(program, argv)), { from: 'user' });
    if (argv.length === 0) program.outputHelp();
    return ExitCode.success;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.success;
      const message = commanderMessage(err);
      // cobra prints a flag or command error, then etcdctl prints it again (first line only).
      io.output.err(`Error: ${message}\n${err.code === 'commander.unknownCommand' ? '' : '\n'}Error: ${message.split('\n')[0]}\n`);
      return ExitCode.error;
    }
    if (err instanceof FlagParseError) {
      io.output.err(`Error: ${err.message}\n\nError: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof FatalLogError) {
      io.output.err(`${capnslogTime(new Date())} C | ${err.message}\n`);
      return err.exitCode;
    }
    const ctlError = toCtlError(err);
    if (ctlError.message !== '') io.output.err(`Error: ${ctlError.message}\n`);
    return ctlError.exitCode;
  } finally {
    ctx.close();
  }
}

/** capnslog's timestamp: "2006-01-02 15:04:05.000000" in local time. */
function capnslogTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** etcdctl's (cobra's) wording for command-line mistakes. */
function commanderMessage(err: CommanderError): string {
  const option = /unknown option '([^']+)'/.exec(err.message);
  // pflag names the first letter of an unknown short flag ("unknown shorthand flag: 'c' in -c").
  if (option) return /^-[^-]/.test(option[1]) ? `unknown shorthand flag: '${option[1][1]}' in ${option[1]}` : `unknown flag: ${option[1]}`;
  const command = /unknown command '([^']+)'/.exec(err.message);
  if (command) return `unknown command ${JSON.stringify(command[1])} for "cairnctl"\nRun 'cairnctl --help' for usage.`;
  const missing = /option '([^']+)' argument missing/.exec(err.message);
  if (missing) return `flag needs an argument: ${missing[1].split(/[ ,]+/).pop()}`;
  return err.message.replace(/^error: /, '');
}
