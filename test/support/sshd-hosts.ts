// Real sshd test hosts for the ssh and cairnadm tests. Each host is one Debian sshd listening on its own
// loopback address (127.0.0.11, 127.0.0.12, ...; all of 127.0.0.0/8 is on lo, no setup needed), inside
// its own mount and UTS namespace: /etc/kubernetes, /var/lib/etcd and /etc/systemd/system are bind
// mounts of the host's own directories under rootDir, and `hostname` prints the host's name, so
// three hosts on this one machine look like three machines to whatever logs in. root's home is private
// too and starts empty, as on a fresh machine: this machine's /root/.bashrc (which bash runs for
// every SSH command) stays out of the tests. Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimAddress, portIsFree, type AddressClaim } from './ssh-address';
import { freePort } from './ports';
import { generateKeyPair, knownHostsName, publicKeyBody } from './ssh-keys';
import { endNamespace, killNamespaceNow, mountNamespaceOf } from './ssh-namespace';
import { renderSshdConfig } from './ssh-sshd-config';

const SSHD = '/usr/sbin/sshd';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const POLL_MS = 50;
const BIND_ATTEMPTS = 3;

/** Directories each host has for itself (besides /root); every other path is the shared file system of this machine. */
export const PRIVATE_DIRS = ['/etc/kubernetes', '/var/lib/etcd', '/etc/systemd/system'];
const HOME = '/root';

export interface SshdHostsOptions {
  /** how many hosts (default 1) */
  count?: number;
  /** host names (default node1, node2, ...) */
  names?: string[];
  /** absolute paths private to each host (default PRIVATE_DIRS) */
  privateDirs?: string[];
  /** listen on port 22 where it is free on the address (default true); false always picks a free port */
  preferPort22?: boolean;
}

export interface SshdTestHost {
  name: string;
  address: string;
  port: number;
  user: string;
  /** the client's private key (mode 0600); its public half is the host's only authorized key */
  keyFile: string;
  /** a known_hosts file listing the host keys of every host of this set */
  knownHosts: string;
  /** the host's private directories live at join(rootDir, dir), e.g. <rootDir>/etc/kubernetes */
  rootDir: string;
  /** the host key as `type base64`, the way known_hosts and authorized_keys write it */
  hostPublicKey: string;
  /** sshd's log (LogLevel VERBOSE): one "Accepted publickey" line per login */
  logFile: string;
  /** the sshd's pid, and the mount namespace every process of this host is in */
  pid: number;
  mountNamespace: string;
}

export interface SshdHosts {
  hosts: SshdTestHost[];
  stop(): Promise<void>;
}

interface Running {
  host: SshdTestHost;
  child: ChildProcess;
  claim: AddressClaim;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** True once the daemon at address:port sends its "SSH-2.0-" banner. */
function answersSsh(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    let banner = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => {
      banner += chunk.toString('latin1');
      if (banner.includes('\n')) done(banner.startsWith('SSH-2.0-'));
    });
    socket.on('end', () => done(false));
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command run under unshare: mount the private dirs, name the host, become sshd. */
function namespaceScript(name: string, rootDir: string, privateDirs: string[], configFile: string): string {
  const mounts = privateDirs.map((dir) => `mount --bind ${shellQuote(join(rootDir, dir))} ${shellQuote(dir)}`);
  // sshd gets SIGKILL if the test process dies without stop() (killed by a signal, say); its
  // sessions then end with their connections
  const sshd = `exec setpriv --pdeathsig KILL -- ${SSHD} -D -e -f ${shellQuote(configFile)}`;
  return [`hostname ${shellQuote(name)}`, ...mounts, sshd].join(' && ');
}

async function launch(host: SshdTestHost, dir: string, privateDirs: string[]): Promise<ChildProcess | 'address-in-use'> {
  const configFile = join(dir, 'sshd_config');
  await writeFile(
    configFile,
    renderSshdConfig({
      address: host.address,
      port: host.port,
      hostKeyFile: join(dir, 'ssh_host_ed25519_key'),
      authorizedKeysFile: join(dir, 'authorized_keys'),
      pidFile: join(dir, 'sshd.pid'),
    }),
  );
  const logFile = host.logFile;
  const log = openSync(logFile, 'w'); // one attempt's log, so a retry judges its own failure
  const script = namespaceScript(host.name, host.rootDir, privateDirs, configFile);
  const child = spawn('unshare', ['--mount', '--uts', '--propagation', 'private', 'sh', '-c', script], {
    stdio: ['ignore', log, log],
    detached: true, // its own process group: a Ctrl-C aimed at the test runner must not skip stop()
  });
  closeSync(log);
  child.unref();
  const exited = waitForExit(child);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await answersSsh(host.address, host.port)) return child;
    await Promise.race([sleep(POLL_MS), exited]);
  }
  const text = readFileSync(logFile, 'utf8');
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(STOP_GRACE_MS)]);
    throw new Error(`sshd-hosts: sshd for ${host.name} did not answer on ${host.address}:${host.port} within ${START_TIMEOUT_MS} ms; log ${logFile}:\n${text}`);
  }
  if (/Address already in use/.test(text)) return 'address-in-use';
  throw new Error(`sshd-hosts: sshd for ${host.name} exited (${child.exitCode ?? child.signalCode}); log ${logFile}:\n${text}`);
}

async function choosePort(address: string, preferPort22: boolean): Promise<number> {
  if (preferPort22 && (await portIsFree(address, 22))) return 22;
  return freePort(address);
}

async function startOne(name: string, base: string, keyFile: string, knownHosts: string, opts: Required<Pick<SshdHostsOptions, 'privateDirs' | 'preferPort22'>>, taken: Set<string>): Promise<Running> {
  const claim = await claimAddress(taken);
  taken.add(claim.address);
  try {
    const dir = join(base, name);
    const rootDir = join(dir, 'root');
    for (const privateDir of [HOME, ...opts.privateDirs]) {
      // the mount point must exist on this machine; an empty directory there changes nothing for it
      mkdirSync(privateDir, { recursive: true });
      await mkdir(join(rootDir, privateDir), { recursive: true });
    }
    await chmod(join(rootDir, HOME), 0o700);
    if (opts.privateDirs.includes('/var/lib/etcd')) await chmod(join(rootDir, '/var/lib/etcd'), 0o700);
    const hostPublicKey = publicKeyBody(await generateKeyPair(join(dir, 'ssh_host_ed25519_key'), { comment: `${name}-host-key` }));
    await writeFile(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`));
    for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
      const port = await choosePort(claim.address, opts.preferPort22 && attempt === 1);
      const host: SshdTestHost = { name, address: claim.address, port, user: 'root', keyFile, knownHosts, rootDir, hostPublicKey, logFile: join(dir, 'sshd.log'), pid: 0, mountNamespace: '' };
      const child = await launch(host, dir, [HOME, ...opts.privateDirs]);
      if (child === 'address-in-use') continue; // someone took the port between our probe and sshd's bind
      host.pid = child.pid!;
      host.mountNamespace = mountNamespaceOf(host.pid) ?? '';
      if (!host.mountNamespace || host.mountNamespace === mountNamespaceOf('self')) {
        child.kill('SIGKILL');
        throw new Error(`sshd-hosts: sshd for ${name} is not in a mount namespace of its own`);
      }
      return { host, child, claim };
    }
    throw new Error(`sshd-hosts: no free port for ${name} on ${claim.address} after ${BIND_ATTEMPTS} attempts`);
  } catch (err) {
    await claim.release();
    throw err;
  }
}

async function stopOne(running: Running): Promise<void> {
  const left = await endNamespace(running.host.mountNamespace, STOP_GRACE_MS);
  await running.claim.release();
  if (left.length > 0) throw new Error(`sshd-hosts: processes ${left.join(', ')} of ${running.host.name} survived SIGKILL`);
}

/** Starts the hosts; the caller must call stop() (in an after hook), which also removes every file. */
export async function startSshdHosts(opts: SshdHostsOptions = {}): Promise<SshdHosts> {
  if (process.getuid?.() !== 0) throw new Error('sshd-hosts: the sshd test hosts need root (mount namespaces, port 22, root login)');
  const count = opts.names?.length ?? opts.count ?? 1;
  const names = opts.names ?? Array.from({ length: count }, (_, i) => `node${i + 1}`);
  const settings = { privateDirs: opts.privateDirs ?? PRIVATE_DIRS, preferPort22: opts.preferPort22 ?? true };
  for (const dir of settings.privateDirs) if (!dir.startsWith('/')) throw new Error(`sshd-hosts: private dir must be absolute: ${dir}`);

  // sshd's privilege separation directory; Debian creates it at boot, a container may not have it
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const base = await mkdtemp(join(tmpdir(), 'cairn-sshd-'));
  const keyFile = join(base, 'id_ed25519');
  const knownHosts = join(base, 'known_hosts');
  const running: Running[] = [];
  const killOnExit = () => running.forEach((r) => killNamespaceNow(r.host.mountNamespace));
  process.on('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const results = await Promise.allSettled(running.map(stopOne));
    process.removeListener('exit', killOnExit);
    await rm(base, { recursive: true, force: true });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    await generateKeyPair(keyFile, { comment: 'cairn-test-client' });
    const taken = new Set<string>();
    for (const name of names) running.push(await startOne(name, base, keyFile, knownHosts, settings, taken));
    const lines = running.map(({ host }) => `${knownHostsName(host.address, host.port)} ${host.hostPublicKey}\n`);
    await writeFile(knownHosts, lines.join(''));
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { hosts: running.map((r) => r.host), stop };
}
