// Defaults, as kubeadm's where kubeadm has one.
import { DEFAULT_KEY_ALGORITHM } from '../../pki';
import type { Runtime } from '../../render';

export const DEFAULTS = {
  clusterName: 'cairn',
  runtime: 'systemd' as Runtime,
  keyAlgorithm: DEFAULT_KEY_ALGORITHM,
  certificates: { validity: '8760h', caValidity: '87600h' },
  paths: {
    certificatesDir: '/etc/kubernetes/pki',
    manifestFile: '/etc/kubernetes/manifests/etcd.yaml',
    dataDir: '/var/lib/etcd',
    configFile: '/etc/cairn/cairn.yaml',
    unitFile: '/etc/systemd/system/cairn.service',
    installDir: '/opt/cairn',
  },
  ports: { client: 2379, peer: 2380, metrics: 2381 },
  staticPod: { image: 'docker.io/library/debian:bookworm-slim' },
  ssh: { user: 'root', port: 22, knownHostsFile: '~/.ssh/known_hosts', connectTimeout: '10s' },
} as const;

/** Flags cairnadm sets per member itself; an extra flag may not replace them. */
export const MANAGED_FLAGS: Readonly<Record<string, string>> = {
  name: 'hosts[].name',
  'data-dir': 'paths.dataDir',
  'initial-cluster': 'the hosts list (cairnadm computes it)',
  'initial-cluster-state': 'the command (init or join)',
  'initial-cluster-token': 'token',
};
