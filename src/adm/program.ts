// The cairnadm command line (commander): init, join, reset, each with `phase <name>` subcommands
// built from its phase list, plus config and certs. Flags are parsed here and nothing else: the
// work is in the phases.
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { readCairnVersion } from '../server';
import { CERT_LIST, checkExpiration, formatExpiration } from '../pki';
import { hostByName, initDefaults, type AdmConfig } from './config';
import { AdmError, messageOf } from './errors';
import { phaseTree, flattenPhases, type Phase } from './phase';
import { runPhases } from './runner';
import { loadCommandConfig, targetHosts, type ConfigFlags } from './commands/load';
import { openSession, type Session, type SessionOptions } from './commands/session';
import { certificatesNamed, renewPhases, type RenewSession } from './commands/renew';
import { backupPhases, type BackupSession } from './commands/backup';
import { restorePhases, type RestoreSession } from './commands/restore';
import { initPhases, planInit } from './commands/init';
import { clusterEndpoints, joinPhases, joinSession } from './commands/join';
import { resetPhases } from './commands/reset';
import { showCluster } from './commands/show';
import { clientUrl } from './health';
import { hostPkiFiles } from './pki-files';
import { LocalHost } from '../ssh';

interface CommonFlags extends ConfigFlags {
  dryRun?: boolean;
  verbose?: boolean;
  skipPhases?: string[];
  ignorePreflightErrors?: string[];
  force?: boolean;
}

export interface AdmIo {
  out(line: string): void;
  err(line: string): void;
  /** a confirmation line, or null when there is no terminal to ask on */
  confirm(question: string): Promise<string | null>;
}

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

type Kind = 'init' | 'join' | 'reset' | 'renew' | 'backup' | 'restore';

function commonOptions(cmd: Command, kind: Kind): Command {
  // options after a nested phase name belong to that phase, not its parent
  cmd
    .enablePositionalOptions()
    .option('--config <file>', 'the cluster configuration file (see `cairnadm config print init-defaults`)')
    .option('--local', 'act on this machine without SSH (LocalHost)')
    .option('--dir <dir>', 'put every file (PKI, config, data, bundle) under this directory, so no root is needed')
    .option('--dry-run', 'print what would be written and run, change nothing')
    .option('-v, --verbose', 'print the commands run on each host');
  cmd
    .addOption(new Option('--runtime <runtime>', 'how members run').choices(['systemd', 'static-pod', 'process']))
    .option('--client-port <port>', 'client port of every member (default 2379)')
    .option('--peer-port <port>', 'peer port of every member (default 2380)')
    .option('--metrics-port <port>', 'metrics/health port of every member (default 2381)');
  if (kind === 'init' || kind === 'join') {
    cmd
      .option('--key-algorithm <name>', 'rsa-2048, rsa-3072, rsa-4096, ecdsa-p256 or ecdsa-p384')
      .option('--ignore-preflight-errors <checks>', 'preflight checks to report as warnings (comma-separated, or all)', list);
  }
  if (kind === 'reset' || kind === 'restore') cmd.option('-f, --force', `${kind} without asking for confirmation`);
  return cmd.option('--skip-phases <phases>', 'phases to skip (comma-separated, e.g. preflight,certs/etcd-ca)', list);
}

function commandSession(config: AdmConfig, flags: CommonFlags, io: AdmIo, opts: Pick<SessionOptions, 'caHost' | 'targets' | 'ignorePreflightErrors' | 'clusterEndpoints'>): Session {
  return openSession(config, { local: flags.local, dryRun: flags.dryRun, verbose: flags.verbose, print: io.out, printVerbose: io.err, ...opts });
}

async function execute(kind: 'init' | 'join' | 'reset', hostArgs: string[], flags: CommonFlags, io: AdmIo, only?: string): Promise<void> {
  const config = await loadCommandConfig(flags);
  const targets = targetHosts(config, hostArgs);
  if (kind === 'join' && targets.length !== 1) throw new AdmError('join takes exactly one host');
  const caHost = kind === 'init' ? targets[0] : config.hosts[0].name;
  if (kind === 'reset') await confirmOrStop(io, flags, `[reset] This removes the cairn member(s) ${targets.join(', ')} and wipes their data, certificates and files. Are you sure you want to proceed? [y/N]: `, 'reset');
  const base = commandSession(config, flags, io, {
    caHost,
    targets: kind === 'reset' ? [...targets].reverse() : targets,
    ignorePreflightErrors: flags.ignorePreflightErrors,
    clusterEndpoints: kind === 'join' ? clusterEndpoints(config, targets) : undefined,
  });
  const session = kind === 'join' ? joinSession(base) : base;
  try {
    const phases = (kind === 'init' ? initPhases() : kind === 'join' ? joinPhases() : resetPhases()) as Phase<Session>[];
    if (kind === 'init') planInit(session);
    await runPhases(phases, session, { targets: session.targets, skipPhases: flags.skipPhases, only, renderer: 'simple' });
    if (!only && kind !== 'reset') {
      const endpoints = kind === 'init' ? targets.map((t) => clientUrl(hostByName(config, t))) : [...clusterEndpoints(config, targets), clientUrl(hostByName(config, targets[0]))];
      await showCluster(session, endpoints);
    }
    if (kind === 'reset' && !only) io.out(`[reset] done: ${targets.join(', ')} reset`);
  } finally {
    await session.close();
  }
}

function addPhaseCommands(parent: Command, phases: readonly Phase<Session>[], kind: 'init' | 'join' | 'reset', io: AdmIo, prefix = ''): void {
  for (const phase of phases) {
    const full = prefix ? `${prefix}/${phase.name}` : phase.name;
    const cmd = commonOptions(new Command(phase.name).description(phase.help), kind).argument(kind === 'join' ? '<host>' : '[hosts...]', 'host names from the configuration');
    cmd.action(async (hosts: string[] | string, flags: CommonFlags) => execute(kind, Array.isArray(hosts) ? hosts : [hosts], flags, io, full));
    parent.addCommand(cmd);
    if (phase.phases?.length) addPhaseCommands(cmd, phase.phases, kind, io, full);
  }
}

function workflowCommand(kind: 'init' | 'join' | 'reset', description: string, phases: readonly Phase<Session>[], io: AdmIo): Command {
  const cmd = commonOptions(new Command(kind).description(description), kind)
    .argument(kind === 'join' ? '<host>' : '[hosts...]', kind === 'join' ? 'the configured host to add' : 'host names from the configuration (default: every host)')
    .addHelpText('after', `\nThe "${kind}" command executes the following phases:\n\n${phaseTree(phases)}\n`)
    .action(async (hosts: string[] | string, flags: CommonFlags) => execute(kind, Array.isArray(hosts) ? hosts : [hosts], flags, io));
  const phaseCmd = new Command('phase').enablePositionalOptions().description(`Use this command to invoke a single phase of the ${kind} workflow (${flattenPhases(phases).map((n) => n.fullName).join(', ')})`);
  addPhaseCommands(phaseCmd, phases, kind, io);
  cmd.addCommand(phaseCmd);
  return cmd;
}

function certsCommand(io: AdmIo): Command {
  const certs = new Command('certs').description('Commands related to handling the cluster certificates');
  certs
    .command('check-expiration')
    .description('Check the expiration of the certificates of the local PKI (as kubeadm certs check-expiration)')
    .option('--config <file>', 'the cluster configuration file')
    .option('--dir <dir>', 'the --dir given to init --local')
    .option('--local', 'this machine (the default)')
    .option('--host <name>', 'read the certificates of this configured host over SSH')
    .action(async (flags: ConfigFlags & { host?: string }) => {
      const config = await loadCommandConfig({ ...flags, local: flags.host ? flags.local : true });
      const host = flags.host ? openSession(config, { caHost: flags.host, targets: [flags.host] }).host(flags.host) : new LocalHost();
      try {
        const report = await checkExpiration(hostPkiFiles(host, { certificatesDir: config.paths.certificatesDir, caHost: host }), { certificatesDir: config.paths.certificatesDir });
        io.out(formatExpiration(report).replace(/\n$/, ''));
      } finally {
        await host.close();
      }
    });
  certs.addCommand(
    commonOptions(new Command('renew'), 'renew')
      .description('Renew certificates (all, or one by name) on the configured hosts, then restart the members one at a time without downtime')
      .argument('<certificate>', `all, or one of ${CERT_LIST.filter((c) => c.caName).map((c) => c.name).join(', ')}`)
      .argument('[hosts...]', 'host names from the configuration (default: every host)')
      .addHelpText('after', `\nThe "certs renew" command executes the following phases:\n\n${phaseTree(renewPhases())}\n`)
      .action(async (name: string, hosts: string[], flags: CommonFlags) => renewCommand(name, hosts, flags, io)),
  );
  return certs;
}

async function renewCommand(name: string, hostArgs: string[], flags: CommonFlags, io: AdmIo): Promise<void> {
  const certs = certificatesNamed(name);
  const config = await loadCommandConfig(flags);
  const targets = targetHosts(config, hostArgs);
  io.out(`[renew] Reading configuration from ${flags.config ?? 'the --local defaults'}${flags.dir ? ` under ${flags.dir}` : ''}`);
  const session: RenewSession = Object.assign(commandSession(config, flags, io, { caHost: config.hosts[0].name, targets }), { certs });
  await runSession(session, renewPhases(), flags);
  if (flags.dryRun) return;
  const restarted = !(flags.skipPhases ?? []).includes('restart');
  io.out(
    restarted
      ? `\nDone renewing certificates. cairnadm restarted the members (${targets.join(', ')}) one at a time, each healthy again before the next, so they use the new certificates.`
      : `\nDone renewing certificates. You must restart the members (${targets.join(', ')}) so that they use the new certificates.`,
  );
}

function backupCommand(io: AdmIo): Command {
  return commonOptions(new Command('backup'), 'backup')
    .description('Save a snapshot of the cluster from a healthy member (Maintenance Snapshot, as etcdctl snapshot save), with its sha256')
    .requiredOption('-o, --output <file>', 'the snapshot file to write on this machine (must not exist); FILE.sha256 goes beside it')
    .option('--with-pki', 'also copy the etcd CA certificate and key of the CA host to FILE.pki/etcd/')
    .argument('[hosts...]', 'members to take the snapshot from, the first healthy one wins (default: every host)')
    .addHelpText('after', `\nThe "backup" command executes the following phases:\n\n${phaseTree(backupPhases())}\n`)
    .action(async (hosts: string[], flags: CommonFlags & { output: string; withPki?: boolean }) => {
      const config = await loadCommandConfig(flags);
      const targets = targetHosts(config, hosts);
      const session: BackupSession = Object.assign(commandSession(config, flags, io, { caHost: config.hosts[0].name, targets }), { output: resolve(flags.output), withPki: flags.withPki === true });
      await runSession(session, backupPhases(), flags);
    });
}

function restoreCommand(io: AdmIo): Command {
  return commonOptions(new Command('restore'), 'restore')
    .description('Disaster recovery: stop every member, rebuild each data dir from a snapshot (as etcdctl snapshot restore), start them as a new cluster')
    .requiredOption('--snapshot <file>', 'the snapshot file (from cairnadm backup or etcdctl snapshot save)')
    .addHelpText('after', `\nThe "restore" command executes the following phases:\n\n${phaseTree(restorePhases())}\n`)
    .action(async (flags: CommonFlags & { snapshot: string }) => {
      const config = await loadCommandConfig(flags);
      const targets = config.hosts.map((h) => h.name);
      await confirmOrStop(io, flags, `[restore] This stops every cairn member (${targets.join(', ')}) and replaces their data with ${flags.snapshot}; what was written after it is lost. Are you sure you want to proceed? [y/N]: `, 'restore');
      const session: RestoreSession = Object.assign(commandSession(config, flags, io, { caHost: config.hosts[0].name, targets }), { snapshot: resolve(flags.snapshot) });
      await runSession(session, restorePhases(), flags);
      if (!flags.dryRun) io.out(`[restore] done: the members (${targets.join(', ')}) serve the data of ${flags.snapshot}`);
    });
}

async function runSession<S extends Session>(session: S, phases: Phase<S>[], flags: CommonFlags): Promise<void> {
  try {
    await runPhases(phases, session, { targets: session.targets, skipPhases: flags.skipPhases, renderer: 'simple' });
  } finally {
    await session.close();
  }
}

/** kubeadm's confirmation before a destructive command, unless --force or --dry-run. */
async function confirmOrStop(io: AdmIo, flags: CommonFlags, question: string, what: string): Promise<void> {
  if (flags.force || flags.dryRun) return;
  const answer = await io.confirm(question);
  if (answer === null) throw new AdmError(`${what}: standard input is not a terminal, so nothing was changed; pass --force to ${what} without confirmation`);
  if (!/^y(es)?$/i.test(answer.trim())) throw new AdmError(`${what}: aborted; nothing was changed`);
}

export function admProgram(io: AdmIo): Command {
  const program = new Command('cairnadm')
    .description('cairnadm: easily bootstrap a secure cairn (etcd-compatible) cluster')
    .version(`cairnadm version: ${readCairnVersion()}`, '--version', 'print the version and exit')
    .showHelpAfterError()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) });
  program.addCommand(workflowCommand('init', 'Run this command to set up a cairn cluster on the configured hosts (or this machine with --local)', initPhases(), io));
  program.addCommand(workflowCommand('join', 'Run this command on a running cluster to add one configured host as a member', joinPhases() as Phase<Session>[], io));
  program.addCommand(workflowCommand('reset', 'Performs a best effort revert of changes made by cairnadm init or join', resetPhases(), io));
  const config = new Command('config').description('Manage the cairnadm configuration');
  config
    .command('print')
    .description('Print configuration')
    .command('init-defaults')
    .description('Print a complete, commented default configuration for init')
    .action(() => io.out(initDefaults().replace(/\n$/, '')));
  program.addCommand(config);
  program.addCommand(certsCommand(io));
  program.addCommand(backupCommand(io));
  program.addCommand(restoreCommand(io));
  return program;
}

/** Runs cairnadm with these arguments; resolves with the exit code. */
export async function runAdm(args: readonly string[], io: AdmIo): Promise<number> {
  const program = admProgram(io);
  program.exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : ((err as { exitCode?: number }).exitCode ?? 1);
    io.err(`error: ${messageOf(err)}`);
    return 1;
  }
}

/** A confirmation read from standard input when it is a terminal. */
export function terminalConfirm(question: string): Promise<string | null> {
  if (!process.stdin.isTTY) return Promise.resolve(null);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(answer))));
}
