// One command's run: the configuration, its hosts, printing, dry-run waits and the client
// credentials, built once and handed to the phases as an AdmContext.
import type { AdmConfig } from '../config';
import type { AdmContext } from '../context';
import { fetchCredentials, type ClusterCredentials } from '../credentials';
import { buildBundle, type Bundle } from '../bundle';
import { HostPool } from '../hosts';
import { clientUrl, clusterClient } from '../health';
import type { EtcdClient } from '../../client';

export interface SessionOptions {
  local?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  print?: (line: string) => void;
  printVerbose?: (line: string) => void;
  caHost: string;
  targets: readonly string[];
  ignorePreflightErrors?: readonly string[];
  /** where the running cluster is reached (default: every configured host) */
  clusterEndpoints?: readonly string[];
}

export type Session = AdmContext & {
  targets: readonly string[];
  ignorePreflightErrors: readonly string[];
  bundle(): Promise<Bundle>;
  /** a client of the running cluster (healthcheck-client credentials), opened on first use */
  cluster(): Promise<EtcdClient>;
  close(): Promise<void>;
};

export function openSession(config: AdmConfig, opts: SessionOptions): Session {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pool = new HostPool(config, { local: opts.local, dryRun: opts.dryRun, verbose: opts.verbose, print, printVerbose: opts.printVerbose });
  let creds: Promise<ClusterCredentials> | undefined;
  let bundle: Promise<Bundle> | undefined;
  let client: EtcdClient | undefined;
  const endpoints = [...(opts.clusterEndpoints ?? config.hosts.map(clientUrl))];
  const credentials = (): Promise<ClusterCredentials> => (creds ??= fetchCredentials(pool.get(opts.caHost), config.paths.certificatesDir));
  return {
    config,
    host: (name) => pool.get(name),
    caHost: opts.caHost,
    dryRun: opts.dryRun === true,
    print,
    targets: opts.targets,
    ignorePreflightErrors: opts.ignorePreflightErrors ?? [],
    async wait(what, action) {
      if (opts.dryRun) print(`[dryrun] Would wait for ${what}`);
      else await action();
    },
    credentials,
    bundle() {
      bundle ??= buildBundle();
      return bundle;
    },
    async cluster() {
      if (endpoints.length === 0) throw new Error('no other configured host runs the cluster; run cairnadm init first');
      client ??= clusterClient(endpoints, await credentials());
      return client;
    },
    initialCluster: new Map(),
    changed: new Set(),
    async close() {
      client?.close();
      if (creds) await (await creds.catch(() => undefined))?.dispose();
      await pool.close();
    },
  };
}
