// Validates parsed configuration and fills in defaults, collecting every problem at once.
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { KEY_ALGORITHMS, isDnsSubdomain } from '../../pki';
import { FlagValue, RUNTIMES, configKeyOfFlag, placeFlag } from '../../render';
import { DEFAULTS, MANAGED_FLAGS } from './defaults';
import { ConfigError } from './errors';
import { Fields, YamlMap, describe, isMap, join } from './fields';
import { Env, SshDefaults, checkUnique, host, sshAgent } from './hosts';
import type { LineMap } from './positions';
import { API_VERSION, AdmConfig, HostConfig, KIND } from './types';
import { PORT_RANGE, durationMs, expandHome, ports } from './values';

export interface ResolveOptions {
  /** Field lines, when the configuration came from a YAML file. */
  lines?: LineMap;
  /** The file, for messages. */
  file?: string;
  /** For ~ in file names; defaults to the user's home. */
  homeDir?: string;
  /** For `agent: true` (SSH_AUTH_SOCK); defaults to process.env. */
  env?: Env;
}

const TOP = ['apiVersion', 'kind', 'clusterName', 'token', 'runtime', 'keyAlgorithm', 'certificates', 'paths', 'ports', 'staticPod', 'extraArgs', 'ssh', 'hosts'];

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
