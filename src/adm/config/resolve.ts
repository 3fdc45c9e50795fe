// Validates parsed configuration and fills in defaults, collecting every problem at once.
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { KEY_ALGORITHMS, isDnsSubdomain } from '../../pki';
import { FlagValue, MemberPorts, RUNTIMES, configKeyOfFlag, parseGoDuration, placeFlag } from '../../render';
import { DEFAULTS, MANAGED_FLAGS } from './defaults';
import { ConfigError } from './errors';
import { Fields, YamlMap, describe, isMap, join } from './fields';
import type { LineMap } from './positions';
import { API_VERSION, AdmConfig, HostConfig, KIND } from './types';

export interface ResolveOptions {
  /** Field lines, when the configuration came from a YAML file. */
  lines?: LineMap;
  /** The file, for messages. */
  file?: string;
  /** For ~ in file names; defaults to the user's home. */
  homeDir?: string;
  /** For `agent: true` (SSH_AUTH_SOCK); defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

const TOP = ['apiVersion', 'kind', 'clusterName', 'token', 'runtime', 'keyAlgorithm', 'certificates', 'paths', 'ports', 'staticPod', 'extraArgs', 'ssh', 'hosts'];
const HOST = ['name', 'address', 'port', 'user', 'privateKeyFile', 'agent', 'knownHostsFile', 'advertiseAddress', 'ports'];
const PORT_RANGE: [number, number] = [1, 65535];

function expandHome(file: string, home: string): string {
  return file === '~' ? home : file.startsWith('~/') ? path.join(home, file.slice(2)) : file;
}

function durationMs(f: Fields, parent: YamlMap, key: string, at: string, fallback: string, min: string): number {
  const text = f.str(parent, key, at, fallback) ?? fallback;
  const ns = parseGoDuration(text);
  const minNs = parseGoDuration(min) ?? 0;
  if (ns === undefined) f.issue(join(at, key), `must be a duration such as ${fallback} (units h, m, s, ms), not ${JSON.stringify(text)}`);
  else if (ns < minNs) f.issue(join(at, key), `must be at least ${min}, not ${JSON.stringify(text)}`);
  else return ns / 1e6;
  return (parseGoDuration(fallback) ?? 0) / 1e6;
}

function ports(f: Fields, parent: YamlMap, key: string, at: string, fallback: MemberPorts): MemberPorts {
  const m = f.map(parent, key, at);
  const p = join(at, key);
  f.onlyKnown(m, p, ['client', 'peer', 'metrics']);
  const out = {
    client: f.int(m, 'client', p, fallback.client, PORT_RANGE),
    peer: f.int(m, 'peer', p, fallback.peer, PORT_RANGE),
    metrics: f.int(m, 'metrics', p, fallback.metrics, PORT_RANGE),
  };
  const given = parent[key] !== undefined && parent[key] !== null;
  if (given && new Set([out.client, out.peer, out.metrics]).size < 3) f.issue(p, `client, peer and metrics ports must differ (${out.client}, ${out.peer}, ${out.metrics})`);
  return out;
}

function extraArgs(f: Fields, parent: YamlMap): Record<string, FlagValue> {
  const m = f.map(parent, 'extraArgs', '');
  const out: Record<string, FlagValue> = {};
  for (const [flag, value] of Object.entries(m)) {
    const at = join('extraArgs', flag);
    const where = configKeyOfFlag(flag);
    if (flag in MANAGED_FLAGS) f.issue(at, `set by cairnadm for each member; use ${MANAGED_FLAGS[flag]}`);
    else if (!where) f.issue(at, 'not an etcd 3.4 server flag (write flags without the leading --)');
    else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') f.issue(at, `must be a string, number or boolean, not ${describe(value)}`);
    else {
      try {
        placeFlag(flag, value);
        out[flag] = value;
      } catch {
        f.issue(at, `${JSON.stringify(value)} is not a valid ${where.type}`);
      }
    }
  }
  return out;
}

function sshAgent(f: Fields, m: YamlMap, at: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const v = m.agent;
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) {
    const sock = env.SSH_AUTH_SOCK;
    if (!sock) f.issue(join(at, 'agent'), 'true, but SSH_AUTH_SOCK is not set (give the socket path instead)');
    return sock;
  }
  if (typeof v === 'string' && v !== '') return v;
  f.issue(join(at, 'agent'), `must be true, false or an ssh-agent socket path, not ${describe(v)}`);
  return undefined;
}

interface SshDefaults {
  user: string;
  port: number;
  privateKeyFile?: string;
  agent?: string;
  knownHostsFile: string;
}

function host(f: Fields, raw: unknown, at: string, defaults: SshDefaults, clusterPorts: MemberPorts, home: string, env: ResolveOptions['env'] & object): HostConfig | undefined {
  if (!isMap(raw)) {
    f.issue(at, `must be a mapping with name and address, not ${describe(raw)}`);
    return undefined;
  }
  f.onlyKnown(raw, at, HOST);
  const name = f.str(raw, 'name', at);
  if (name !== undefined && !isDnsSubdomain(name)) {
    f.issue(join(at, 'name'), `${JSON.stringify(name)} must be a lowercase DNS name (letters, digits, '-' and '.'), as it becomes the certificates' CN and SAN`);
  }
  const address = f.str(raw, 'address', at);
  let advertiseAddress = f.optionalStr(raw, 'advertiseAddress', at);
  if (advertiseAddress === undefined && address !== undefined) {
    if (isIP(address)) advertiseAddress = address;
    else f.issue(join(at, 'advertiseAddress'), `required when address (${address}) is not an IP address`);
  } else if (advertiseAddress !== undefined && !isIP(advertiseAddress)) {
    f.issue(join(at, 'advertiseAddress'), `${JSON.stringify(advertiseAddress)} is not an IP address`);
  }
  if (advertiseAddress === '0.0.0.0' || advertiseAddress === '::') {
    f.issue(join(at, raw.advertiseAddress === undefined ? 'address' : 'advertiseAddress'), `${advertiseAddress} listens everywhere but cannot be advertised; give the host's own IP`);
  }
  const keyFile = f.optionalStr(raw, 'privateKeyFile', at);
  const agent = raw.agent === undefined ? defaults.agent : sshAgent(f, raw, at, env);
  const knownHosts = f.str(raw, 'knownHostsFile', at, defaults.knownHostsFile) ?? defaults.knownHostsFile;
  return {
    name: name ?? '',
    address: address ?? '',
    port: f.int(raw, 'port', at, defaults.port, PORT_RANGE),
    user: f.str(raw, 'user', at, defaults.user) ?? defaults.user,
    privateKeyFile: keyFile !== undefined ? expandHome(keyFile, home) : defaults.privateKeyFile,
    agent,
    knownHostsFile: expandHome(knownHosts, home),
    advertiseAddress: advertiseAddress ?? '',
    ports: ports(f, raw, 'ports', at, clusterPorts),
  };
}

function checkUnique(f: Fields, hosts: HostConfig[]): void {
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    for (const [what, key] of [
      ['name', `name:${h.name}`],
      ['address', `address:${h.address}:${h.port}`],
    ]) {
      const first = seen.get(key);
      if (first !== undefined) f.issue(`hosts[${i}].${what}`, `same as hosts[${first}].${what}`);
      else seen.set(key, i);
    }
    const endpoint = (p: number): string => `${h.advertiseAddress}:${p}`;
    for (const [j, other] of hosts.slice(0, i).entries()) {
      if (other.advertiseAddress !== h.advertiseAddress) continue;
      const clash = [h.ports.client, h.ports.peer, h.ports.metrics].filter((p) => [other.ports.client, other.ports.peer, other.ports.metrics].includes(p));
      if (clash.length > 0) f.issue(`hosts[${i}].ports`, `${endpoint(clash[0])} is also used by hosts[${j}] (give members on one address different ports)`);
    }
  });
}

/** Checks a parsed configuration and returns it with defaults filled in; throws ConfigError listing every problem. */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): AdmConfig {
  const f = new Fields(options.lines);
  const home = options.homeDir ?? homedir();
  const env = options.env ?? process.env;
  const top: YamlMap = isMap(raw) ? raw : {};
  if (!isMap(raw)) f.issue('(file)', `the configuration must be a YAML mapping, not ${describe(raw)}`);
  f.onlyKnown(top, '', TOP);
  const apiVersion = f.str(top, 'apiVersion', '', API_VERSION);
  if (apiVersion !== API_VERSION) f.issue('apiVersion', `must be ${API_VERSION}, not ${JSON.stringify(apiVersion)}`);
  const kind = f.str(top, 'kind', '', KIND);
  if (kind !== KIND) f.issue('kind', `must be ${KIND}, not ${JSON.stringify(kind)}`);
  const clusterName = f.str(top, 'clusterName', '', DEFAULTS.clusterName) ?? DEFAULTS.clusterName;

  const certs = f.map(top, 'certificates', '');
  f.onlyKnown(certs, 'certificates', ['validity', 'caValidity', 'serverCertSANs', 'peerCertSANs']);
  const pathsMap = f.map(top, 'paths', '');
  f.onlyKnown(pathsMap, 'paths', Object.keys(DEFAULTS.paths));
  const pathOf = (key: keyof typeof DEFAULTS.paths): string => {
    const v = f.str(pathsMap, key, 'paths', DEFAULTS.paths[key]) ?? DEFAULTS.paths[key];
    if (!path.isAbsolute(v)) f.issue(join('paths', key), `must be an absolute path, not ${JSON.stringify(v)}`);
    return v;
  };
  const staticPod = f.map(top, 'staticPod', '');
  f.onlyKnown(staticPod, 'staticPod', ['image']);
  const ssh = f.map(top, 'ssh', '');
  f.onlyKnown(ssh, 'ssh', ['user', 'port', 'privateKeyFile', 'agent', 'knownHostsFile', 'connectTimeout']);
  const sshKey = f.optionalStr(ssh, 'privateKeyFile', 'ssh');
  const sshDefaults: SshDefaults = {
    user: f.str(ssh, 'user', 'ssh', DEFAULTS.ssh.user) ?? DEFAULTS.ssh.user,
    port: f.int(ssh, 'port', 'ssh', DEFAULTS.ssh.port, PORT_RANGE),
    privateKeyFile: sshKey === undefined ? undefined : expandHome(sshKey, home),
    agent: sshAgent(f, ssh, 'ssh', env),
    knownHostsFile: f.str(ssh, 'knownHostsFile', 'ssh', DEFAULTS.ssh.knownHostsFile) ?? DEFAULTS.ssh.knownHostsFile,
  };
  const clusterPorts = ports(f, top, 'ports', '', DEFAULTS.ports);

  const hostsRaw = top.hosts;
  const hosts: HostConfig[] = [];
  if (hostsRaw === undefined || hostsRaw === null) f.issue('hosts', 'required: list at least one host');
  else if (!Array.isArray(hostsRaw)) f.issue('hosts', `must be a list of hosts, not ${describe(hostsRaw)}`);
  else if (hostsRaw.length === 0) f.issue('hosts', 'list at least one host');
  else hostsRaw.forEach((h, i) => {
    const resolved = host(f, h, `hosts[${i}]`, sshDefaults, clusterPorts, home, env);
    if (resolved) hosts.push(resolved);
  });
  checkUnique(f, hosts);

  const config: AdmConfig = {
    apiVersion: API_VERSION,
    kind: KIND,
    clusterName,
    token: f.str(top, 'token', '', clusterName) ?? clusterName,
    runtime: f.oneOf(top, 'runtime', '', RUNTIMES, DEFAULTS.runtime),
    keyAlgorithm: f.oneOf(top, 'keyAlgorithm', '', KEY_ALGORITHMS, DEFAULTS.keyAlgorithm),
    certificates: {
      validityMs: durationMs(f, certs, 'validity', 'certificates', DEFAULTS.certificates.validity, '1h'),
      caValidityMs: durationMs(f, certs, 'caValidity', 'certificates', DEFAULTS.certificates.caValidity, '1h'),
      serverCertSANs: f.strings(certs, 'serverCertSANs', 'certificates'),
      peerCertSANs: f.strings(certs, 'peerCertSANs', 'certificates'),
    },
    paths: {
      certificatesDir: pathOf('certificatesDir'),
      manifestFile: pathOf('manifestFile'),
      dataDir: pathOf('dataDir'),
      configFile: pathOf('configFile'),
      unitFile: pathOf('unitFile'),
      installDir: pathOf('installDir'),
    },
    ports: clusterPorts,
    staticPod: { image: f.str(staticPod, 'image', 'staticPod', DEFAULTS.staticPod.image) ?? DEFAULTS.staticPod.image },
    extraArgs: extraArgs(f, top),
    ssh: { connectTimeoutMs: durationMs(f, ssh, 'connectTimeout', 'ssh', DEFAULTS.ssh.connectTimeout, '100ms') },
    hosts,
  };
  checkSans(f, config);
  // In file order, so the list reads top to bottom; stable for issues on one line.
  const inFileOrder = [...f.issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (inFileOrder.length > 0) throw new ConfigError(inFileOrder, options.file);
  return config;
}

/** SANs must be IPs or DNS names (kubeadm would skip a bad one with a warning). */
function checkSans(f: Fields, config: AdmConfig): void {
  for (const key of ['serverCertSANs', 'peerCertSANs'] as const) {
    config.certificates[key].forEach((san, i) => {
      const wildcard = san.startsWith('*.') && isDnsSubdomain(san.slice(2));
      if (!isIP(san) && !isDnsSubdomain(san) && !wildcard) f.issue(`certificates.${key}[${i}]`, `${JSON.stringify(san)} is neither an IP address nor a DNS name`);
    });
  }
}
