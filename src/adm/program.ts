// The cairnadm command line (commander): init, join, reset, certs renew, backup and restore, each
// with `phase <name>` subcommands built from its phase list, plus config and certs
// check-expiration. Flags are parsed here and nothing else: the work is in the phases.
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

/**
 * A command made of phases. The command and each of its `phase <name>` subcommands take the same
 * options and arguments (define) and run the same way (run), the subcommand with its phase alone.
 */
interface Workflow<C> {
  /** the command's name under its parent */
  name: string;
  /** how help names it: "init", "certs renew" */
  label: string;
  description: string;
  phases: readonly Phase<C>[];
  define(cmd: Command): Command;
  /** `args` are commander's processed arguments, in order */
  run(args: unknown[], flags: CommonFlags, only?: string): Promise<void>;
}

function runFrom<C>(workflow: Workflow<C>, only?: string) {
  return async (...actionArgs: unknown[]): Promise<void> => {
    // commander passes the arguments, then the options, then the command itself
    const cmd = actionArgs[actionArgs.length - 1] as Command;
    await workflow.run(cmd.processedArgs as unknown[], cmd.opts<CommonFlags>(), only);
  };
}

function addPhaseCommands<C>(parent: Command, workflow: Workflow<C>, phases: readonly Phase<C>[], prefix = ''): void {
  for (const phase of phases) {
    const full = prefix ? `${prefix}/${phase.name}` : phase.name;
    const cmd = workflow.define(new Command(phase.name)).description(phase.help).action(runFrom(workflow, full));
    parent.addCommand(cmd);
    if (phase.phases?.length) addPhaseCommands(cmd, workflow, phase.phases, full);
  }
}

function workflowCommand<C>(workflow: Workflow<C>): Command {
  const cmd = workflow.define(new Command(workflow.name))
    .description(workflow.description)
    .addHelpText('after', `\nThe "${workflow.label}" command executes the following phases:\n\n${phaseTree(workflow.phases)}\n`)
    .action(runFrom(workflow));
  const phaseCmd = new Command('phase').enablePositionalOptions()
    .description(`Use this command to invoke a single phase of the ${workflow.label} workflow (${flattenPhases(workflow.phases).map((n) => n.fullName).join(', ')})`);
  addPhaseCommands(phaseCmd, workflow, workflow.phases);
  cmd.addCommand(phaseCmd);
  return cmd;
}

function setUpWorkflow(kind: 'init' | 'join' | 'reset', description: string, phases: readonly Phase<Session>[], io: AdmIo): Workflow<Session> {
  return {
    name: kind,
    label: kind,
    description,
    phases,
    define: (cmd) => commonOptions(cmd, kind).argument(kind === 'join' ? '<host>' : '[hosts...]', kind === 'join' ? 'the configured host to add' : 'host names from the configuration (default: every host)'),
    run: ([hosts], flags, only) => execute(kind, Array.isArray(hosts) ? (hosts as string[]) : [String(hosts)], flags, io, only),
  };
}

function certsCommand(io: AdmIo): Command {
  // positional options here too, or `renew` would take the options given after `renew phase <name>`
  const certs = new Command('certs').enablePositionalOptions().description('Commands related to handling the cluster certificates');
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
  certs.addCommand(workflowCommand<RenewSession>({
    name: 'renew',
    label: 'certs renew',
    description: 'Renew certificates (all, or one by name) on the configured hosts, then restart the members one at a time without downtime',
    phases: renewPhases(),
    define: (cmd) => commonOptions(cmd, 'renew')
      .argument('<certificate>', `all, or one of ${CERT_LIST.filter((c) => c.caName).map((c) => c.name).join(', ')}`)
      .argument('[hosts...]', 'host names from the configuration (default: every host)'),
    run: ([name, hosts], flags, only) => renewCommand(String(name), hosts as string[], flags, io, only),
  }));
  return certs;
}

async function renewCommand(name: string, hostArgs: string[], flags: CommonFlags, io: AdmIo, only?: string): Promise<void> {
  const certs = certificatesNamed(name);
  const config = await loadCommandConfig(flags);
  const targets = targetHosts(config, hostArgs);
  io.out(`[renew] Reading configuration from ${flags.config ?? 'the --local defaults'}${flags.dir ? ` under ${flags.dir}` : ''}`);
  const session: RenewSession = Object.assign(commandSession(config, flags, io, { caHost: config.hosts[0].name, targets }), { certs });
  await runSession(session, renewPhases(), flags, only);
  if (flags.dryRun || (only !== undefined && only !== 'renew')) return;
  const restarted = only === undefined && !(flags.skipPhases ?? []).includes('restart');
  io.out(
    restarted
      ? `\nDone renewing certificates. cairnadm restarted the members (${targets.join(', ')}) one at a time, each healthy again before the next, so they use the new certificates.`
      : `\nDone renewing certificates. You must restart the members (${targets.join(', ')}) so that they use the new certificates (cairnadm certs renew phase restart ${name} does it one at a time).`,
  );
}

/**
 * What commander's requiredOption checks, checked here instead: commander would also ask for the
 * option on the command above a `phase <name>` subcommand, which gets it only after the name.
 */
function requireOption(value: string | undefined, option: string): void {
  if (value === undefined) throw new AdmError(`required option '${option}' not specified`);
}

type BackupFlags = CommonFlags & { output: string; withPki?: boolean };

function backupWorkflow(io: AdmIo): Workflow<BackupSession> {
  return {
    name: 'backup',
    label: 'backup',
    description: 'Save a snapshot of the cluster from a healthy member (Maintenance Snapshot, as etcdctl snapshot save), with its sha256',
    phases: backupPhases(),
    define: (cmd) => commonOptions(cmd, 'backup')
      .option('-o, --output <file>', 'the snapshot file to write on this machine (must not exist); FILE.sha256 goes beside it (required)')
      .option('--with-pki', 'also copy the etcd CA certificate and key of the CA host to FILE.pki/etcd/')
      .argument('[hosts...]', 'members to take the snapshot from, the first healthy one wins (default: every host)'),
    run: async ([hosts], commonFlags, only) => {
      const flags = commonFlags as BackupFlags;
      requireOption(flags.output, '-o, --output <file>');
      const config = await loadCommandConfig(flags);
      const targets = targetHosts(config, hosts as string[]);
      const session: BackupSession = Object.assign(commandSession(config, flags, io, { caHost: config.hosts[0].name, targets }), { output: resolve(flags.output), withPki: flags.withPki === true });
      await runSession(session, backupPhases(), flags, only);
    },
  };
}

function restoreWorkflow(io: AdmIo): Workflow<RestoreSession> {
  return {
    name: 'restore',
    label: 'restore',
    description: 'Disaster recovery: stop every member, rebuild each data dir from a snapshot (as etcdctl snapshot restore), start them as a new cluster',
    phases: restorePhases(),
    define: (cmd) => commonOptions(cmd, 'restore').option('--snapshot <file>', 'the snapshot file, from cairnadm backup or etcdctl snapshot save (required)'),
    run: async (_args, commonFlags, only) => {
      const flags = commonFlags as CommonFlags & { snapshot: string };
      requireOption(flags.snapshot, '--snapshot <file>');
      const config = await loadCommandConfig(flags);
      const targets = config.hosts.map((h) => h.name);
      // the check changes nothing, so it alone runs without asking
      if (only !== 'check') await confirmOrStop(io, flags, `[restore] This stops every cairn member (${targets.join(', ')}) and replaces their data with ${flags.snapshot}; what was written after it is lost. Are you sure you want to proceed? [y/N]: `, 'restore');
      const session: RestoreSession = Object.assign(commandSession(config, flags, io, { caHost: config.hosts[0].name, targets }), { snapshot: resolve(flags.snapshot) });
      await runSession(session, restorePhases(), flags, only);
      if (!flags.dryRun && only === undefined) io.out(`[restore] done: the members (${targets.join(', ')}) serve the data of ${flags.snapshot}`);
    },
  };
}

async function runSession<S extends Session>(session: S, phases: Phase<S>[], flags: CommonFlags, only?: string): Promise<void> {
  try {
    await runPhases(phases, session, { targets: session.targets, skipPhases: flags.skipPhases, only, renderer: 'simple' });
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
  program.addCommand(workflowCommand(setUpWorkflow('init', 'Run this command to set up a cairn cluster on the configured hosts (or this machine with --local)', initPhases(), io)));
  program.addCommand(workflowCommand(setUpWorkflow('join', 'Run this command on a running cluster to add one configured host as a member', joinPhases() as Phase<Session>[], io)));
  program.addCommand(workflowCommand(setUpWorkflow('reset', 'Performs a best effort revert of changes made by cairnadm init or join', resetPhases(), io)));
  const config = new Command('config').description('Manage the cairnadm configuration');
  config
    .command('print')
    .description('Print configuration')
    .command('init-defaults')
    .description('Print a complete, commented default configuration for init')
    .action(() => io.out(initDefaults().replace(/\n$/, '')));
  program.addCommand(config);
  program.addCommand(certsCommand(io));
  program.addCommand(workflowCommand(backupWorkflow(io)));
  program.addCommand(workflowCommand(restoreWorkflow(io)));
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
