// What a command hands its phases. Each phase declares the part it reads (a Pick of AdmContext),
// as kubeadm's InitData, so a phase cannot reach for more than it needs.
import type { Host } from '../ssh';
import type { AdmConfig } from './config';
import type { ClusterCredentials } from './credentials';
import type { ClusterMember } from '../render';

export interface AdmContext {
  config: AdmConfig;
  /** the host of that name, opened on first use (wrapped for --dry-run and -v) */
  host(name: string): Host;
  /** the host that holds the CA key; other hosts get certificates signed through it */
  caHost: string;
  dryRun: boolean;
  /** `[phase] ...` lines for the operator (standard output) */
  print(line: string): void;
  /** runs a wait, or under --dry-run only says what it would wait for (kubeadm's dry-run Waiter) */
  wait(what: string, action: () => Promise<void>): Promise<void>;
  /** client TLS material of the cluster (the healthcheck-client certificate), fetched on first use */
  credentials(): Promise<ClusterCredentials>;
  /** the member list each host starts into, as init or the member-add answer decides */
  initialCluster: Map<string, { members: ClusterMember[]; state: 'new' | 'existing' }>;
  /** hosts whose rendered files changed in this run, so launch restarts them */
  changed: Set<string>;
}
