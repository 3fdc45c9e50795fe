// The hosts list: SSH settings (each host over the ssh section's defaults), advertise address,
// ports, and the checks across hosts.
import { isIP } from 'node:net';
import { isDnsSubdomain } from '../../pki';
import type { MemberPorts } from '../../render';
import { Fields, YamlMap, describe, isMap, join } from './fields';
import type { HostConfig } from './types';
import { PORT_RANGE, expandHome, ports } from './values';

const HOST = ['name', 'address', 'port', 'user', 'privateKeyFile', 'agent', 'knownHostsFile', 'advertiseAddress', 'ports'];

export type Env = Readonly<Record<string, string | undefined>>;

export function sshAgent(f: Fields, m: YamlMap, at: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const v = m.agent;
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) {
    const sock = env.SSH_AUTH_SOCK;
    if (!sock) f.issue(join(at, 'agent'), 'true, but SSH_AUTH_SOCK is not set (give the socket path instead)');
    return sock;
  }
  if (typeof v === 'string' && v !== '') return v;
  f.issue(join(at, 'agent'), `must be true, false or an ssh-agent socket path, not ${describe(v)}`);
  return undefined;
}

export interface SshDefaults {
  user: string;
  port: number;
  privateKeyFile?: string;
  agent?: string;
  knownHostsFile: string;
}

export function host(f: Fields, raw: unknown, at: string, defaults: SshDefaults, clusterPorts: MemberPorts, home: string, env: Env): HostConfig | undefined {
  if (!isMap(raw)) {
    f.issue(at, `must be a mapping with name and address, not ${describe(raw)}`);
    return undefined;
  }
  f.onlyKnown(raw, at, HOST);
  const name = f.str(raw, 'name', at);
  if (name !== undefined && !isDnsSubdomain(name)) {
    f.issue(join(at, 'name'), `${JSON.stringify(name)} must be a lowercase DNS name (letters, digits, '-' and '.'), as it becomes the certificates' CN and SAN`);
  }
  const address = f.str(raw, 'address', at);
  let advertiseAddress = f.optionalStr(raw, 'advertiseAddress', at);
  if (advertiseAddress === undefined && address !== undefined) {
    if (isIP(address)) advertiseAddress = address;
    else f.issue(join(at, 'advertiseAddress'), `required when address (${address}) is not an IP address`);
  } else if (advertiseAddress !== undefined && !isIP(advertiseAddress)) {
    f.issue(join(at, 'advertiseAddress'), `${JSON.stringify(advertiseAddress)} is not an IP address`);
  }
  if (advertiseAddress === '0.0.0.0' || advertiseAddress === '::') {
    f.issue(join(at, raw.advertiseAddress === undefined ? 'address' : 'advertiseAddress'), `${advertiseAddress} listens everywhere but cannot be advertised; give the host's own IP`);
  }
  const keyFile = f.optionalStr(raw, 'privateKeyFile', at);
  const agent = raw.agent === undefined ? defaults.agent : sshAgent(f, raw, at, env);
  const knownHosts = f.str(raw, 'knownHostsFile', at, defaults.knownHostsFile) ?? defaults.knownHostsFile;
  return {
    name: name ?? '',
    address: address ?? '',
    port: f.int(raw, 'port', at, defaults.port, PORT_RANGE),
    user: f.str(raw, 'user', at, defaults.user) ?? defaults.user,
    privateKeyFile: keyFile !== undefined ? expandHome(keyFile, home) : defaults.privateKeyFile,
    agent,
    knownHostsFile: expandHome(knownHosts, home),
    advertiseAddress: advertiseAddress ?? '',
    ports: ports(f, raw, 'ports', at, clusterPorts),
  };
}

export function checkUnique(f: Fields, hosts: HostConfig[]): void {
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    for (const [what, key] of [
      ['name', `name:${h.name}`],
      ['address', `address:${h.address}:${h.port}`],
    ]) {
      const first = seen.get(key);
      if (first !== undefined) f.issue(`hosts[${i}].${what}`, `same as hosts[${first}].${what}`);
      else seen.set(key, i);
    }
    const endpoint = (p: number): string => `${h.advertiseAddress}:${p}`;
    for (const [j, other] of hosts.slice(0, i).entries()) {
      if (other.advertiseAddress !== h.advertiseAddress) continue;
      const clash = [h.ports.client, h.ports.peer, h.ports.metrics].filter((p) => [other.ports.client, other.ports.peer, other.ports.metrics].includes(p));
      if (clash.length > 0) f.issue(`hosts[${i}].ports`, `${endpoint(clash[0])} is also used by hosts[${j}] (give members on one address different ports)`);
    }
  });
}

