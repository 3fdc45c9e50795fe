// The preflight checks of one host, as kubeadm's Checkers: each has a name (for
// --ignore-preflight-errors) and reports errors and warnings apart. One read-only script gathers
// the facts, so a host costs one round trip; parsing is pure and tested on its own.
import { isIP } from 'node:net';
import { shellQuote, type Host } from '../ssh';
import type { AdmConfig, HostConfig } from './config';
import { memberRunning } from './runtime';

export interface CheckResult {
  /** check name, e.g. Port-2379 or DirAvailable--var-lib-etcd */
  check: string;
  host: string;
  level: 'error' | 'warning';
  message: string;
}

export interface HostFacts {
  platform: string;
  /** the host's clock in ms, and the round trip it was read in */
  clockMs: number;
  roundTripMs: number;
  /** free KiB on the file system that holds the data dir */
  freeKiB: number;
  /** names in the data dir; undefined when it does not exist */
  dataDirEntries?: string[];
  /** listening TCP sockets as address + port */
  listening: { address: string; port: number }[];
}

export const MIN_FREE_KIB = 300 * 1024;
export const MAX_CLOCK_SKEW_MS = 1_000;

/** kubeadm's name for a directory check: DirAvailable--var-lib-etcd. */
export const dirCheckName = (dir: string): string => `DirAvailable-${dir.replace(/\//g, '-')}`;

function factsScript(dataDir: string): string {
  const d = shellQuote(dataDir);
  return [
    'echo "uname=$(uname -sm)"',
    'echo "now=$(date +%s%N)"',
    `d=${d}; while [ ! -e "$d" ]; do d=$(dirname "$d"); done; echo "dfk=$(df -Pk "$d" | awk 'NR==2{print $4}')"`,
    `if [ -d ${d} ]; then echo "datadir=$(ls -A ${d} | tr '\\n' '/')"; fi`,
    `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4=="0A"{print "listen=" $2}'`,
  ].join('; ');
}

/** "0100007F:094B" (little-endian IPv4) or a 32-digit IPv6 address, as /proc/net/tcp writes them. */
export function parseProcAddress(text: string): { address: string; port: number } {
  const [hex, portHex] = text.split(':');
  const port = parseInt(portHex, 16);
  if (hex.length === 8) {
    const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16)).reverse();
    return { address: bytes.join('.'), port };
  }
  // IPv6: four little-endian 32-bit words
  const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
  const groups = words.join('').match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  return { address: groups.join(':').toLowerCase(), port };
}

export function parseFacts(stdout: string, sentAt: number, receivedAt: number): HostFacts {
  const lines = stdout.split('\n');
  const value = (key: string) => lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
  const dataDir = value('datadir');
  return {
    platform: value('uname') ?? '',
    clockMs: Number(BigInt(value('now') || '0') / 1_000_000n),
    roundTripMs: receivedAt - sentAt,
    freeKiB: Number(value('dfk') ?? 0),
    dataDirEntries: dataDir === undefined ? undefined : dataDir.split('/').filter((x) => x !== ''),
    listening: lines.filter((l) => l.startsWith('listen=')).map((l) => parseProcAddress(l.slice(7))),
  };
}

const WILDCARD = new Set(['0.0.0.0', '0:0:0:0:0:0:0:0']);

/** Listeners that would clash with the member: the same port on a wildcard, loopback or the advertise address. */
export function portClashes(facts: HostFacts, h: HostConfig): { port: number; address: string }[] {
  const mine = new Set(['127.0.0.1', '0:0:0:0:0:0:0:1', h.advertiseAddress]);
  const ports = [h.ports.client, h.ports.peer, h.ports.metrics];
  const v6 = isIP(h.advertiseAddress) === 6;
  return facts.listening.filter((l) => ports.includes(l.port) && (WILDCARD.has(l.address) || mine.has(l.address) || (v6 && l.address === h.advertiseAddress)));
}

/** Whether a non-empty data dir was made by this cluster: the member's rendered file names this token and member. */
async function dataDirIsOurs(host: Host, config: AdmConfig, h: HostConfig): Promise<boolean> {
  const file = config.runtime === 'static-pod' ? config.paths.manifestFile : config.paths.configFile;
  if (!(await host.exists(file))) return false;
  const text = (await host.read(file)).toString('utf8');
  const has = (key: string, value: string) => new RegExp(`(^|\\s|--)${key}[:=]\\s*['"]?${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]?(\\s|$)`, 'm').test(text);
  return has('initial-cluster-token', config.token) && has('name', h.name);
}

/** Every check on one host; an unreachable host gives one error and nothing else. */
export async function checkHost(host: Host, config: AdmConfig, h: HostConfig, opts: { platform: string; now?: () => number }): Promise<CheckResult[]> {
  const now = opts.now ?? Date.now;
  const out: CheckResult[] = [];
  const say = (check: string, level: CheckResult['level'], message: string) => out.push({ check, host: h.name, level, message });
  let facts: HostFacts;
  try {
    const sentAt = now();
    const r = await host.exec(factsScript(config.paths.dataDir), { timeoutMs: 30_000, readOnly: true });
    facts = parseFacts(r.stdout, sentAt, now());
    const skew = Math.abs(facts.clockMs - (sentAt + facts.roundTripMs / 2));
    if (facts.clockMs > 0 && skew > MAX_CLOCK_SKEW_MS + facts.roundTripMs / 2) {
      say('ClockSkew', 'error', `the clock is ${(skew / 1000).toFixed(1)} s off from this machine's (bound ${MAX_CLOCK_SKEW_MS / 1000} s); sync both with NTP (e.g. systemd-timesyncd or chrony)`);
    }
  } catch (err) {
    return [{ check: 'Reachable', host: h.name, level: 'error', message: `${(err as Error).message}` }];
  }
  if (facts.platform !== opts.platform) {
    say('OS', 'error', `the host is ${facts.platform || 'of unknown OS/arch'}, but cairnadm ships a Node runtime for ${opts.platform}; run cairnadm from a ${facts.platform || 'matching'} machine`);
  }
  if (facts.freeKiB < MIN_FREE_KIB) {
    say('DiskSpace', 'error', `only ${Math.floor(facts.freeKiB / 1024)} MiB free for ${config.paths.dataDir} and ${config.paths.installDir}, ${MIN_FREE_KIB / 1024} MiB needed; free some space`);
  }
  const running = await memberRunning(host, config).catch(() => false);
  const ours = facts.dataDirEntries !== undefined && facts.dataDirEntries.length > 0 ? await dataDirIsOurs(host, config, h) : true;
  if (!ours) {
    say(dirCheckName(config.paths.dataDir), 'error', `${config.paths.dataDir} is not empty (${facts.dataDirEntries!.slice(0, 3).join(', ')}) and was not made for cluster token ${JSON.stringify(config.token)} and member ${h.name}; it may hold another cluster's data: move it away, or run \`cairnadm reset\` on that host`);
  }
  if (!(running && ours)) {
    const portFlag: Record<number, string> = { [h.ports.client]: 'client', [h.ports.peer]: 'peer', [h.ports.metrics]: 'metrics' };
    for (const clash of portClashes(facts, h)) {
      say(`Port-${clash.port}`, 'error', `port ${clash.port} is in use on ${clash.address}; stop what listens there, or choose another port (ports.${portFlag[clash.port]} in the configuration)`);
    }
  }
  return out;
}
