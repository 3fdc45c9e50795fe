// The configuration a command runs with: the file (or, for --local without one, a single member
// on this machine), with flags laid over it, and everything under --dir when given.
import { hostname } from 'node:os';
import { isDnsSubdomain, isKeyAlgorithm } from '../../pki';
import { RUNTIMES, type Runtime } from '../../render';
import { ConfigError, loadConfigFile, resolveConfig, withBaseDir, type AdmConfig } from '../config';

export interface ConfigFlags {
  config?: string;
  local?: boolean;
  dir?: string;
  runtime?: string;
  keyAlgorithm?: string;
  clientPort?: string;
  peerPort?: string;
  metricsPort?: string;
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError([{ path: `--${flag}`, message: `${JSON.stringify(value)} is not a port (1-65535)` }]);
  return n;
}

/** A valid member name for this machine: its host name when that is one, else `cairn-local`. */
export function localMemberName(): string {
  const name = hostname().toLowerCase();
  return isDnsSubdomain(name) ? name : 'cairn-local';
}

export async function loadCommandConfig(flags: ConfigFlags): Promise<AdmConfig> {
  let config: AdmConfig;
  if (flags.config) config = await loadConfigFile(flags.config);
  else if (flags.local) config = resolveConfig({ runtime: 'process', hosts: [{ name: localMemberName(), address: '127.0.0.1' }] });
  else throw new ConfigError([{ path: '--config', message: 'required: the cluster configuration file (print an example with `cairnadm config print init-defaults`), or --local for this machine' }]);
  if (flags.runtime !== undefined) {
    if (!RUNTIMES.includes(flags.runtime as Runtime)) throw new ConfigError([{ path: '--runtime', message: `must be one of ${RUNTIMES.join(', ')}, not ${JSON.stringify(flags.runtime)}` }]);
    config = { ...config, runtime: flags.runtime as Runtime };
  }
  if (flags.keyAlgorithm !== undefined) {
    if (!isKeyAlgorithm(flags.keyAlgorithm)) throw new ConfigError([{ path: '--key-algorithm', message: `unknown key algorithm ${JSON.stringify(flags.keyAlgorithm)}` }]);
    config = { ...config, keyAlgorithm: flags.keyAlgorithm };
  }
  const ports = { client: port(flags.clientPort, 'client-port'), peer: port(flags.peerPort, 'peer-port'), metrics: port(flags.metricsPort, 'metrics-port') };
  if (ports.client || ports.peer || ports.metrics) {
    const over = <T extends object>(p: T): T => ({ ...p, ...Object.fromEntries(Object.entries(ports).filter(([, v]) => v !== undefined)) });
    config = { ...config, ports: over(config.ports), hosts: config.hosts.map((h) => ({ ...h, ports: over(h.ports) })) };
  }
  if (flags.dir) config = withBaseDir(config, flags.dir);
  return config;
}

/** Target hosts: the names given, checked against the configuration, or every host. */
export function targetHosts(config: AdmConfig, names: readonly string[]): string[] {
  for (const name of names) {
    if (!config.hosts.some((h) => h.name === name)) throw new ConfigError([{ path: 'hosts', message: `no host named ${JSON.stringify(name)} (hosts: ${config.hosts.map((h) => h.name).join(', ')})` }]);
  }
  return names.length > 0 ? [...names] : config.hosts.map((h) => h.name);
}
