// The flags of a cluster of real `cairn` processes on 127.0.0.1: free client and peer ports, peer
// mutual TLS from one test CA, short heartbeat and election times so tests stay quick. With
// `viaProxies`, each member advertises a cut-proxy in front of its peer port as its peer URL, so every
// peer connection to it goes through a proxy the test controls (test/cluster/partition.ts cuts them).
import { mkdtempSync, rmSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { startCairn, type CairnProcess } from '../cli/cairn-process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CutProxy } from '../support/cut-proxy';
import { freePorts } from '../support/ports';
import { makePeerCerts } from './peer-certs';

export interface InitialCluster {
  cluster: string;
  state: 'new' | 'existing';
}

export interface TlsCluster {
  dir: string;
  names: string[];
  clientPorts: number[];
  endpoint(i: number): string;
  /** the peer URL member i advertises (its proxy's with `viaProxies`) */
  peerUrl(i: number): string;
  /** with `viaProxies`: the proxy in front of each member's peer port */
  proxies: CutProxy[];
  /** `--initial-cluster` with every name: what a brand-new cluster of all of them starts with */
  allMembers: string;
  /** the flags of member i; by default it bootstraps with every name */
  args(i: number, initial?: InitialCluster): string[];
}

export async function makeTlsCluster(names: string[], token: string, options: { viaProxies?: boolean } = {}): Promise<TlsCluster> {
  const dir = mkdtempSync(join(tmpdir(), `${token}-`));
  const certs = makePeerCerts(dir, names);
  const ports = await freePorts(2 * names.length);
  const clientPorts = ports.slice(0, names.length);
  const peerPort = (i: number) => ports[names.length + i];
  const proxies = options.viaProxies ? await Promise.all(names.map((_, i) => CutProxy.start({ host: '127.0.0.1', port: peerPort(i) }))) : [];
  const peerUrl = (i: number) => proxies[i]?.url('https') ?? `https://127.0.0.1:${peerPort(i)}`;
  const allMembers = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
  return {
    dir,
    names,
    clientPorts,
    peerUrl,
    proxies,
    allMembers,
    endpoint: (i) => `127.0.0.1:${clientPorts[i]}`,
    args: (i, initial = { cluster: allMembers, state: 'new' }) => [
      '--name', names[i],
      '--data-dir', join(dir, names[i]),
      '--listen-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--advertise-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--listen-peer-urls', `https://127.0.0.1:${peerPort(i)}`,
      '--initial-advertise-peer-urls', peerUrl(i),
      '--initial-cluster', initial.cluster,
      '--initial-cluster-state', initial.state,
      '--initial-cluster-token', token,
      '--peer-cert-file', certs.cert(names[i]),
      '--peer-key-file', certs.key(names[i]),
      '--peer-trusted-ca-file', certs.ca,
      '--peer-client-cert-auth',
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
    ],
  };
}

/** makeTlsCluster with every member started; when the test ends they are killed and the dir removed. */
export async function startTlsCluster(t: TestContext, names: string[], token: string): Promise<{ cluster: TlsCluster; procs: CairnProcess[] }> {
  const cluster = await makeTlsCluster(names, token);
  const procs: CairnProcess[] = [];
  t.after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  });
  for (const i of names.keys()) procs.push(await startCairn({ dataDir: cluster.dir, args: cluster.args(i) }));
  return { cluster, procs };
}
