// Peer TLS from etcd's flags: --peer-cert-file, --peer-key-file, --peer-trusted-ca-file,
// --peer-client-cert-auth, --peer-crl-file, --peer-cert-allowed-cn, --peer-cert-allowed-hostname and
// --cipher-suites. The files are read once, at start (the CRL again whenever it changes on disk).
import { readFileSync } from 'node:fs';
import type { SecureServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
import {
  CrlError,
  CrlFile,
  cipherSuitesProblem,
  opensslCipherList,
  serverIdentityCheck,
  type CertificatePolicy,
} from '../tls-hardening';
import { TransportError, errorText } from './errors';

export interface PeerTlsOptions {
  /** --peer-cert-file: this member's certificate (PEM), presented as server and as client. */
  certFile?: string;
  /** --peer-key-file: its private key (PEM). */
  keyFile?: string;
  /** --peer-trusted-ca-file: the CA that signs peer certificates; without it, the system roots. */
  trustedCaFile?: string;
  /** --peer-client-cert-auth: peers must present a certificate the CA signed. */
  clientCertAuth?: boolean;
  /** --peer-crl-file: peers presenting a certificate whose serial it lists are refused by the listener. */
  crlFile?: string;
  /** --peer-cert-allowed-cn: the CN every peer certificate must carry, client and server alike (as etcd checks both). */
  allowedCn?: string;
  /** --peer-cert-allowed-hostname: the name every peer certificate must be valid for, client and server alike. */
  allowedHostname?: string;
  /** --cipher-suites: Go's names of the TLS 1.2 suites to offer, listening and dialling. */
  cipherSuites?: readonly string[];
  /** --tls-min-version / --tls-max-version, listening and dialling (etcd applies them to peers too); default TLS 1.2 and up */
  minVersion?: NodeTlsVersion;
  maxVersion?: NodeTlsVersion;
}

export type NodeTlsVersion = 'TLSv1.2' | 'TLSv1.3';

export interface PeerTlsMaterial {
  /** This member's certificate and key; a member without them can dial https peers that do not ask for one, but not listen on https. */
  readonly identity: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  readonly ca: Buffer | undefined;
  readonly clientCertAuth: boolean;
  /** What the listener checks in client certificates after the handshake, and dials check in server certificates. */
  readonly policy: CertificatePolicy;
  /** Node's `ciphers` for --cipher-suites; undefined for Node's defaults. */
  readonly ciphers: string | undefined;
  readonly versions: { readonly minVersion: NodeTlsVersion; readonly maxVersion?: NodeTlsVersion };
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TransportError(`transport: cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? errorText(err)}`);
  }
}

function readCrl(path: string): CrlFile {
  try {
    return new CrlFile(path);
  } catch (err) {
    if (err instanceof CrlError) throw new TransportError(`transport: cannot read --peer-crl-file ${path}: ${err.message}`);
    throw err;
  }
}

/** Reads the files; undefined when none is configured. */
export function loadPeerTls(options: PeerTlsOptions | undefined): PeerTlsMaterial | undefined {
  if (!options || (!options.certFile && !options.keyFile && !options.trustedCaFile)) {
    if (options?.clientCertAuth) throw new TransportError('transport: --peer-client-cert-auth needs --peer-cert-file and --peer-key-file');
    return undefined;
  }
  if (!options.certFile !== !options.keyFile) {
    throw new TransportError('transport: --peer-cert-file and --peer-key-file must be given together');
  }
  if (options.clientCertAuth && !options.trustedCaFile) {
    throw new TransportError('transport: --peer-client-cert-auth needs --peer-trusted-ca-file');
  }
  if (options.allowedCn && options.allowedHostname) {
    throw new TransportError(`transport: AllowedCN and AllowedHostname are mutually exclusive (cn=${JSON.stringify(options.allowedCn)}, hostname=${JSON.stringify(options.allowedHostname)})`);
  }
  const cipherSuites = options.cipherSuites ?? [];
  const cipherProblem = cipherSuitesProblem(cipherSuites);
  if (cipherProblem !== undefined) throw new TransportError(`transport: ${cipherProblem}`);
  const identity =
    options.certFile && options.keyFile
      ? { cert: readPem(options.certFile, '--peer-cert-file'), key: readPem(options.keyFile, '--peer-key-file') }
      : undefined;
  return {
    identity,
    ca: options.trustedCaFile ? readPem(options.trustedCaFile, '--peer-trusted-ca-file') : undefined,
    clientCertAuth: options.clientCertAuth === true,
    policy: {
      crl: options.crlFile ? readCrl(options.crlFile) : undefined,
      allowedCn: options.allowedCn || undefined,
      allowedHostname: options.allowedHostname || undefined,
    },
    ciphers: opensslCipherList(cipherSuites),
    versions: { minVersion: options.minVersion ?? 'TLSv1.2', ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}) },
  };
}

/**
 * Server options for a member that has a certificate (the listener checks that first). As etcd's
 * TLSInfo.ServerConfig, a trusted CA file alone already requires peers to present a certificate it signed.
 */
export function serverTlsOptions(tls: PeerTlsMaterial, identity: { cert: Buffer; key: Buffer }): SecureServerOptions {
  const requireClientCert = tls.clientCertAuth || tls.ca !== undefined;
  return {
    cert: identity.cert,
    key: identity.key,
    ca: tls.ca,
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
    ...tls.versions,
    ...(tls.ciphers !== undefined ? { ciphers: tls.ciphers } : {}),
  };
}

/**
 * A member dials peers with its own certificate, so a peer that requires client certificates accepts
 * it. With a certificate (etcd's TLSInfo not Empty), dials also offer only --cipher-suites and check
 * the peer's server certificate against the allowed CN or hostname; without one, etcd dials with
 * Go's defaults and so does this.
 */
export function clientTlsOptions(tls: PeerTlsMaterial | undefined): SecureContextOptions & { checkServerIdentity?: ReturnType<typeof serverIdentityCheck> } {
  if (!tls) return { minVersion: 'TLSv1.2' };
  const base = { cert: tls.identity?.cert, key: tls.identity?.key, ca: tls.ca, ...tls.versions };
  if (!tls.identity) return base;
  const checkServerIdentity = serverIdentityCheck(tls.policy);
  return {
    ...base,
    ...(tls.ciphers !== undefined ? { ciphers: tls.ciphers } : {}),
    ...(checkServerIdentity ? { checkServerIdentity } : {}),
  };
}
