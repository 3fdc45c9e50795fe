// Opening the configured hosts: SSH (with known_hosts verification) or this machine, wrapped for
// -v (VerboseHost) and --dry-run (DryRunHost, which records and prints instead of changing).
import { DryRunHost, LocalHost, SshHost, VerboseHost, type Host } from '../ssh';
import type { AdmConfig, HostConfig } from './config';

export interface HostPoolOptions {
  /** every host is this machine (`--local`) */
  local?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  print?: (line: string) => void;
  /** for -v lines (default standard error) */
  printVerbose?: (line: string) => void;
}

export function openHost(config: AdmConfig, h: HostConfig, opts: HostPoolOptions): Host {
  let host: Host = opts.local
    ? new LocalHost({ name: h.name })
    : new SshHost({
        address: h.address,
        port: h.port,
        user: h.user,
        name: h.name,
        keyFile: h.privateKeyFile,
        agent: h.agent,
        knownHosts: h.knownHostsFile,
        connectTimeoutMs: config.ssh.connectTimeoutMs,
      });
  if (opts.verbose) host = new VerboseHost(host, { print: opts.printVerbose });
  if (opts.dryRun) host = new DryRunHost(host, { print: opts.print });
  return host;
}

/** Hosts by name, each opened once on first use; close() ends every connection. */
export class HostPool {
  private readonly open = new Map<string, Host>();
  constructor(
    private readonly config: AdmConfig,
    private readonly opts: HostPoolOptions,
  ) {}

  get(name: string): Host {
    let host = this.open.get(name);
    if (!host) {
      const h = this.config.hosts.find((x) => x.name === name);
      if (!h) throw new Error(`no host named ${JSON.stringify(name)} in the configuration (hosts: ${this.config.hosts.map((x) => x.name).join(', ')})`);
      host = openHost(this.config, h, this.opts);
      this.open.set(name, host);
    }
    return host;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((h) => h.close().catch(() => undefined)));
    this.open.clear();
  }
}

