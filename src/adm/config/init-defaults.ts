// The text of `cairnadm config print init-defaults`: every field with its default and what it
// does. A test parses it back, so the example and the defaults cannot drift apart.
import { DEFAULT_KEY_ALGORITHM, KEY_ALGORITHMS } from '../../pki';
import { RUNTIMES } from '../../render';
import { DEFAULTS } from './defaults';
import { API_VERSION, KIND } from './types';

export function initDefaults(): string {
  const d = DEFAULTS;
  return `# cairnadm configuration: the cluster, its hosts, and how members run.
# Print this again with: cairnadm config print init-defaults
apiVersion: ${API_VERSION}
kind: ${KIND}

# Cluster name, and the token members use to recognise each other at bootstrap
# (etcd's initial-cluster-token; defaults to the cluster name).
clusterName: ${d.clusterName}
token: ${d.clusterName}

# How members run: systemd (a unit running cairn --config-file), static-pod (a kubelet
# manifest in kubeadm's shape), or process (cairnadm's own supervisor).
# One of: ${RUNTIMES.join(', ')}.
runtime: ${d.runtime}

# Private keys of every certificate. One of: ${KEY_ALGORITHMS.join(', ')}.
keyAlgorithm: ${DEFAULT_KEY_ALGORITHM}

certificates:
  # Validity of the server, peer and client certificates, and of the etcd CA (Go durations).
  validity: ${d.certificates.validity}
  caValidity: ${d.certificates.caValidity}
  # Extra SANs (IP addresses or DNS names) for each host's server and peer certificates,
  # besides the host name, localhost, the advertise address, 127.0.0.1 and ::1.
  serverCertSANs: []
  peerCertSANs: []

# Files on each host, in kubeadm's layout.
paths:
  certificatesDir: ${d.paths.certificatesDir}    # etcd/ca.crt, etcd/server.crt, ... and apiserver-etcd-client.crt
  manifestFile: ${d.paths.manifestFile}
  dataDir: ${d.paths.dataDir}
  configFile: ${d.paths.configFile}          # etcd --config-file format (systemd and process runtimes)
  unitFile: ${d.paths.unitFile}
  installDir: ${d.paths.installDir}                    # where cairn and its Node runtime are shipped

# Member ports (etcd's: clients, peers, and the plain-HTTP metrics/health URL on localhost).
ports:
  client: ${d.ports.client}
  peer: ${d.ports.peer}
  metrics: ${d.ports.metrics}

# The image of the static pod (it runs the shipped bundle from installDir).
staticPod:
  image: ${d.staticPod.image}

# Extra server flags (etcd 3.4 flag names without --), laid over cairnadm's own.
# name, data-dir and the initial-cluster flags are cairnadm's to set.
extraArgs:
  # heartbeat-interval: 100
  # election-timeout: 1000
  # auto-compaction-mode: periodic
  # auto-compaction-retention: "1"

# SSH defaults for every host; each host may override them.
ssh:
  user: ${d.ssh.user}
  port: ${d.ssh.port}
  # privateKeyFile: ~/.ssh/id_ed25519
  # agent: true                             # use SSH_AUTH_SOCK, or give the socket path
  knownHostsFile: ${d.ssh.knownHostsFile}      # an unknown or changed host key stops the command
  connectTimeout: ${d.ssh.connectTimeout}

# The control-plane hosts. init starts the first; join adds the others one by one.
# name: member name and certificate CN (a lowercase DNS name).
# address: where SSH reaches the host. advertiseAddress: the IP peers and clients use
# (defaults to address when that is an IP).
hosts:
- name: cp-1
  address: 10.0.0.11
- name: cp-2
  address: 10.0.0.12
- name: cp-3
  address: 10.0.0.13
#  port: 22
#  user: root
#  privateKeyFile: ~/.ssh/id_ed25519
#  knownHostsFile: ~/.ssh/known_hosts
#  advertiseAddress: 192.168.0.13
#  ports: {client: 2379, peer: 2380, metrics: 2381}
`;
}
