// Render inputs shared by the render tests.
import type { MemberRenderInput } from '../../src/render';

export function memberInput(overrides: Partial<MemberRenderInput> = {}): MemberRenderInput {
  return {
    name: 'cp-1',
    advertiseAddress: '10.0.0.11',
    ports: { client: 2379, peer: 2380, metrics: 2381 },
    dataDir: '/var/lib/etcd',
    certificatesDir: '/etc/kubernetes/pki',
    initialCluster: [],
    initialClusterState: 'new',
    initialClusterToken: 'cairn',
    extraArgs: {},
    configFile: '/etc/cairn/cairn.yaml',
    unitFile: '/etc/systemd/system/cairn.service',
    manifestFile: '/etc/kubernetes/manifests/etcd.yaml',
    cairnBinary: '/opt/cairn/bin/cairn',
    installDir: '/opt/cairn',
    image: 'docker.io/library/debian:bookworm-slim',
    ...overrides,
  };
}

/** The third member joining a cluster of three, with extra flags. */
export const joiningMember = memberInput({
  name: 'cp-3',
  advertiseAddress: '10.0.0.13',
  initialClusterState: 'existing',
  initialCluster: [
    { name: 'cp-1', peerUrl: 'https://10.0.0.11:2380' },
    { name: 'cp-2', peerUrl: 'https://10.0.0.12:2380' },
    { name: 'cp-3', peerUrl: 'https://10.0.0.13:2380' },
  ],
  extraArgs: { 'heartbeat-interval': 250, 'election-timeout': '2500', 'experimental-watch-progress-notify-interval': '5s', 'auto-compaction-retention': '8' },
});
