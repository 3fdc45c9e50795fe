// The flags of a cluster of real `cairn` processes on 127.0.0.1: free client and peer ports, peer
// mutual TLS from one test CA, short heartbeat and election times so tests stay quick.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  peerUrl(i: number): string;
  /** `--initial-cluster` with every name: what a brand-new cluster of all of them starts with */
  allMembers: string;
  /** the flags of member i; by default it bootstraps with every name */
  args(i: number, initial?: InitialCluster): string[];
}

export async function makeTlsCluster(names: string[], token: string): Promise<TlsCluster> {
  const dir = mkdtempSync(join(tmpdir(), `${token}-`));
  const certs = makePeerCerts(dir, names);
  const ports = await freePorts(2 * names.length);
  const clientPorts = ports.slice(0, names.length);
  const peerUrl = (i: number) => `https://127.0.0.1:${ports[names.length + i]}`;
  const allMembers = names.map((n, i) => `${n}=${peerUrl(i)}`).join(',');
  return {
    dir,
    names,
    clientPorts,
    peerUrl,
    allMembers,
    endpoint: (i) => `127.0.0.1:${clientPorts[i]}`,
    args: (i, initial = { cluster: allMembers, state: 'new' }) => [
      '--name', names[i],
      '--data-dir', join(dir, names[i]),
      '--listen-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--advertise-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--listen-peer-urls', peerUrl(i),
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
