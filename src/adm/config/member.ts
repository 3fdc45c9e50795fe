// From the cluster configuration to what the PKI and render modules take for one host.
import * as path from 'node:path';
import type { EnsureOptions } from '../../pki';
import type { ClusterMember, MemberRenderInput } from '../../render';
import { ConfigError } from './errors';
import type { AdmConfig, HostConfig } from './types';

export function hostByName(config: AdmConfig, name: string): HostConfig {
  const host = config.hosts.find((h) => h.name === name);
  if (!host) throw new ConfigError([{ path: 'hosts', message: `no host named ${JSON.stringify(name)} (hosts: ${config.hosts.map((h) => h.name).join(', ')})` }]);
  return host;
}

/** The URL peers reach a host's member at. */
export function peerUrl(host: HostConfig): string {
  const h = host.advertiseAddress.includes(':') ? `[${host.advertiseAddress}]` : host.advertiseAddress;
  return `https://${h}:${host.ports.peer}`;
}

/** The certs phase's options for one host (the files' location is the caller's). */
export function certificateOptions(config: AdmConfig, hostName: string): EnsureOptions {
  const host = hostByName(config, hostName);
  return {
    certificatesDir: config.paths.certificatesDir,
    host: { name: host.name, advertiseAddress: host.advertiseAddress },
    serverCertSANs: config.certificates.serverCertSANs,
    peerCertSANs: config.certificates.peerCertSANs,
    keyAlgorithm: config.keyAlgorithm,
    validityMs: config.certificates.validityMs,
    caValidityMs: config.certificates.caValidityMs,
  };
}

/**
 * The render input of one host. `initialCluster` is the member list to start into (for join,
 * the one from the member-add answer); without it the member starts a new cluster of itself.
 */
export function memberRenderInput(
  config: AdmConfig,
  hostName: string,
  options: { initialCluster?: readonly ClusterMember[]; initialClusterState?: 'new' | 'existing' } = {},
): MemberRenderInput {
  const host = hostByName(config, hostName);
  return {
    name: host.name,
    advertiseAddress: host.advertiseAddress,
    ports: host.ports,
    dataDir: config.paths.dataDir,
    certificatesDir: config.paths.certificatesDir,
    initialCluster: options.initialCluster ?? [],
    initialClusterState: options.initialClusterState ?? 'new',
    initialClusterToken: config.token,
    extraArgs: config.extraArgs,
    configFile: config.paths.configFile,
    unitFile: config.paths.unitFile,
    manifestFile: config.paths.manifestFile,
    cairnBinary: path.posix.join(config.paths.installDir, 'bin', 'cairn'),
    installDir: config.paths.installDir,
    image: config.staticPod.image,
  };
}

/** Every file of a member under DIR, so no root is needed (`init --local --dir DIR`). */
export function withBaseDir(config: AdmConfig, dir: string): AdmConfig {
  const under = (...parts: string[]): string => path.resolve(dir, ...parts);
  return {
    ...config,
    paths: {
      certificatesDir: under('pki'),
      manifestFile: under('manifests', 'etcd.yaml'),
      dataDir: under('data'),
      configFile: under('cairn.yaml'),
      unitFile: under('cairn.service'),
      installDir: under('install'),
    },
  };
}
