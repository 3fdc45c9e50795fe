// What rendering a member's files needs, and the URLs derived from it as kubeadm derives them
// (local.go getEtcdCommand): clients on localhost and the advertise address, peers on the
// advertise address, metrics on localhost only.
import { isIP } from 'node:net';
import type { FlagValue } from './etcd-keys';
import { RenderError } from './errors';

export type Runtime = 'systemd' | 'static-pod' | 'process';
export const RUNTIMES: readonly Runtime[] = ['systemd', 'static-pod', 'process'];

export interface MemberPorts {
  client: number;
  peer: number;
  metrics: number;
}

export interface ClusterMember {
  name: string;
  peerUrl: string;
}

export interface MemberRenderInput {
  /** Member name (the host's name). */
  name: string;
  /** The IP address peers and clients reach this member at. */
  advertiseAddress: string;
  ports: MemberPorts;
  dataDir: string;
  /** kubeadm's certificates dir: etcd's files are under <dir>/etcd/. */
  certificatesDir: string;
  /** The members of the cluster this one starts into; empty for a new single member. */
  initialCluster: readonly ClusterMember[];
  initialClusterState: 'new' | 'existing';
  initialClusterToken: string;
  /** Extra flags, overriding the defaults; the config file gets them typed as etcd reads them. */
  extraArgs: Readonly<Record<string, FlagValue>>;
  /** Where the config file is placed (the systemd unit and the process runtime point at it). */
  configFile: string;
  /** Where the systemd unit is placed. */
  unitFile: string;
  /** Where the static pod manifest is placed (kubeadm: /etc/kubernetes/manifests/etcd.yaml). */
  manifestFile: string;
  /** The cairn executable on the host. */
  cairnBinary: string;
  /** Directory of the shipped bundle, mounted read-only into the static pod. */
  installDir: string;
  /** Container image of the static pod (it runs the shipped bundle, so any glibc image does). */
  image: string;
}

/** kubeadm's etcd snapshot count. */
export const DEFAULT_SNAPSHOT_COUNT = 10000;

export interface MemberUrls {
  listenClientUrls: string;
  advertiseClientUrls: string;
  listenPeerUrls: string;
  initialAdvertisePeerUrls: string;
  listenMetricsUrls: string;
  initialCluster: string;
  /** Where the kubelet probes /livez and /readyz. */
  probeHost: string;
}

/** host:port with IPv6 addresses in brackets. */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export function memberUrls(input: MemberRenderInput): MemberUrls {
  const family = isIP(input.advertiseAddress);
  if (family === 0) throw new RenderError(`advertise address ${JSON.stringify(input.advertiseAddress)} of ${input.name} is not an IP address`);
  const localhost = family === 6 ? '::1' : '127.0.0.1';
  const url = (scheme: string, host: string, port: number): string => `${scheme}://${joinHostPort(host, port)}`;
  const clientAdvertise = url('https', input.advertiseAddress, input.ports.client);
  const clientLocal = url('https', localhost, input.ports.client);
  const peer = url('https', input.advertiseAddress, input.ports.peer);
  // A member advertised on localhost itself must not listen twice on the same address.
  const listenClient = clientLocal === clientAdvertise ? clientLocal : `${clientLocal},${clientAdvertise}`;
  const cluster = input.initialCluster.length > 0 ? input.initialCluster : [{ name: input.name, peerUrl: peer }];
  if (!cluster.some((m) => m.name === input.name && m.peerUrl === peer)) {
    throw new RenderError(`initial cluster does not contain this member ${input.name}=${peer}`);
  }
  return {
    listenClientUrls: listenClient,
    advertiseClientUrls: clientAdvertise,
    listenPeerUrls: peer,
    initialAdvertisePeerUrls: peer,
    listenMetricsUrls: url('http', localhost, input.ports.metrics),
    initialCluster: cluster.map((m) => `${m.name}=${m.peerUrl}`).join(','),
    probeHost: localhost,
  };
}
