// The cairnadm configuration after defaults are applied: what commands and phases read.
import type { KeyAlgorithm } from '../../pki';
import type { FlagValue, MemberPorts, Runtime } from '../../render';

export const API_VERSION = 'cairnadm/v1alpha1';
export const KIND = 'ClusterConfiguration';

export interface HostConfig {
  /** Member name, also the CN of the host's server and peer certificates. */
  name: string;
  /** SSH address (IP or DNS name). */
  address: string;
  /** SSH port. */
  port: number;
  user: string;
  /** Private key for SSH, with ~ expanded; absent to rely on the agent only. */
  privateKeyFile?: string;
  /** ssh-agent socket; absent when the agent is not used. */
  agent?: string;
  knownHostsFile: string;
  /** The IP address the member advertises to clients and peers. */
  advertiseAddress: string;
  /** The member's ports (the cluster's unless overridden for this host). */
  ports: MemberPorts;
}

export interface PathsConfig {
  /** kubeadm's certificatesDir; etcd's certificates are under <dir>/etcd/. */
  certificatesDir: string;
  manifestFile: string;
  dataDir: string;
  configFile: string;
  unitFile: string;
  /** Where the shipped cairn bundle is installed on each host. */
  installDir: string;
}

export interface CertificatesConfig {
  validityMs: number;
  caValidityMs: number;
  serverCertSANs: string[];
  peerCertSANs: string[];
}

export interface AdmConfig {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  clusterName: string;
  /** etcd's initial-cluster-token. */
  token: string;
  runtime: Runtime;
  keyAlgorithm: KeyAlgorithm;
  certificates: CertificatesConfig;
  paths: PathsConfig;
  ports: MemberPorts;
  staticPod: { image: string };
  /** Extra server flags, laid over cairnadm's own (as kubeadm's etcd.local.extraArgs). */
  extraArgs: Record<string, FlagValue>;
  ssh: { connectTimeoutMs: number };
  hosts: HostConfig[];
}
