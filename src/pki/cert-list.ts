// The certificates cairnadm makes, as data, in the shape of kubeadm's certlist.go: a name, a file
// base name under the certificates dir, the CA that signs it, a base profile and the config
// mutators that fill in what depends on the host.
import type { ExtKeyUsage } from './certificate';
import { AltNames, appendSans, dedupeAltNames } from './sans';
import { PkiError } from './errors';
import { ipToBytes } from './ip';

/** The host a per-host certificate is for. */
export interface CertHost {
  name: string;
  advertiseAddress: string;
}

/** What the mutators read: the host, and the extra SANs of the server and peer certificates. */
export interface ProfileContext {
  host?: CertHost;
  serverCertSANs?: readonly string[];
  peerCertSANs?: readonly string[];
}

export interface CertProfile extends AltNames {
  commonName: string;
  organizations: string[];
  extKeyUsages: ExtKeyUsage[];
  isCA: boolean;
}

export type ConfigMutator = (profile: CertProfile, ctx: ProfileContext, cert: CertSpec) => CertProfile;

export type CertName = 'etcd-ca' | 'etcd-server' | 'etcd-peer' | 'etcd-healthcheck-client' | 'apiserver-etcd-client';

export interface CertSpec {
  name: CertName;
  longName: string;
  /** Path of the .crt/.key pair relative to the certificates dir, without extension. */
  baseName: string;
  /** The CA that signs it; absent for a CA. */
  caName?: CertName;
  /** Whether the certificate differs per host (and so must be checked against the host). */
  perHost: boolean;
  profile: CertProfile;
  mutators: readonly ConfigMutator[];
}

function requireHost(ctx: ProfileContext, cert: CertSpec): CertHost {
  if (!ctx.host) throw new PkiError(`certificate ${cert.name} needs a host`);
  return ctx.host;
}

/** CN = the host's name, as kubeadm's setCommonNameToNodeName. */
const commonNameFromHost: ConfigMutator = (p, ctx, cert) => ({ ...p, commonName: requireHost(ctx, cert).name });

/**
 * kubeadm's etcd alt names: the host name, localhost, the advertise address, 127.0.0.1 and ::1,
 * plus the extra SANs for this certificate.
 */
const hostAltNames =
  (extra: 'serverCertSANs' | 'peerCertSANs'): ConfigMutator =>
  (p, ctx, cert) => {
    const host = requireHost(ctx, cert);
    if (!ipToBytes(host.advertiseAddress)) {
      throw new PkiError(`advertise address ${JSON.stringify(host.advertiseAddress)} of host ${host.name} is not an IP address`);
    }
    const base: AltNames = {
      dnsNames: [host.name, 'localhost'],
      ipAddresses: [host.advertiseAddress, '127.0.0.1', '::1'],
    };
    return { ...p, ...dedupeAltNames(appendSans(base, ctx[extra] ?? [], cert.name)) };
  };

const profile = (commonName: string, extKeyUsages: ExtKeyUsage[], isCA = false): CertProfile => ({
  commonName,
  organizations: [],
  dnsNames: [],
  ipAddresses: [],
  extKeyUsages,
  isCA,
});

export const ETCD_CA: CertSpec = {
  name: 'etcd-ca',
  longName: 'self-signed CA to provision identities for etcd',
  baseName: 'etcd/ca',
  perHost: false,
  // Go's self-signed CA template also carries its CN as a DNS SAN.
  profile: { ...profile('etcd-ca', [], true), dnsNames: ['etcd-ca'] },
  mutators: [],
};

export const ETCD_SERVER: CertSpec = {
  name: 'etcd-server',
  longName: 'certificate for serving etcd',
  baseName: 'etcd/server',
  caName: 'etcd-ca',
  perHost: true,
  // Client auth too: etcd's own gateway and grpc-gateway dial the server with this certificate.
  profile: profile('', ['serverAuth', 'clientAuth']),
  mutators: [hostAltNames('serverCertSANs'), commonNameFromHost],
};

export const ETCD_PEER: CertSpec = {
  name: 'etcd-peer',
  longName: 'credentials for etcd nodes to communicate with each other',
  baseName: 'etcd/peer',
  caName: 'etcd-ca',
  perHost: true,
  profile: profile('', ['serverAuth', 'clientAuth']),
  mutators: [hostAltNames('peerCertSANs'), commonNameFromHost],
};

// Current kubeadm (since 1.28/1.29) no longer puts O=system:masters on these two.
export const ETCD_HEALTHCHECK_CLIENT: CertSpec = {
  name: 'etcd-healthcheck-client',
  longName: 'client certificate for liveness probes to healthcheck etcd',
  baseName: 'etcd/healthcheck-client',
  caName: 'etcd-ca',
  perHost: false,
  profile: profile('kube-etcd-healthcheck-client', ['clientAuth']),
  mutators: [],
};

export const APISERVER_ETCD_CLIENT: CertSpec = {
  name: 'apiserver-etcd-client',
  longName: 'certificate the apiserver uses to access etcd',
  baseName: 'apiserver-etcd-client',
  caName: 'etcd-ca',
  perHost: false,
  profile: profile('kube-apiserver-etcd-client', ['clientAuth']),
  mutators: [],
};

/** Every certificate, CA first, in kubeadm's order. */
export const CERT_LIST: readonly CertSpec[] = [ETCD_CA, ETCD_SERVER, ETCD_PEER, ETCD_HEALTHCHECK_CLIENT, APISERVER_ETCD_CLIENT];

export function certSpec(name: string): CertSpec {
  const spec = CERT_LIST.find((c) => c.name === name);
  if (!spec) throw new PkiError(`unknown certificate ${JSON.stringify(name)} (known: ${CERT_LIST.map((c) => c.name).join(', ')})`);
  return spec;
}

/** The profile of a certificate for this context: the base profile run through the mutators. */
export function certProfile(spec: CertSpec, ctx: ProfileContext = {}): CertProfile {
  return spec.mutators.reduce((p, mutate) => mutate(p, ctx, spec), spec.profile);
}
