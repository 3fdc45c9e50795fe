// TLS server options from etcd's TLS settings. As etcd does, a trusted CA file alone already requires
// client certificates signed by it; --client-cert-auth without a CA file checks them against the
// system's roots. --cipher-suites sets the TLS 1.2 suites; --client-crl-file and
// --client-cert-allowed-hostname become a policy the listener checks after each handshake
// (src/tls-hardening says why after, and why not with node's `crl` option).
import { readFileSync } from 'node:fs';
import type { TlsOptions } from 'node:tls';
import type { TlsInfo, TlsVersion } from '../config';
import { CrlError, CrlFile, opensslCipherList, type CertificatePolicy } from '../../tls-hardening';

export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

export interface TlsVersions {
  readonly min: TlsVersion;
  readonly max: TlsVersion;
}

/** Node's name of an etcd TLS version ('' when none is set). */
export function nodeVersion(version: TlsVersion): 'TLSv1.2' | 'TLSv1.3' | undefined {
  return version === 'TLS1.2' ? 'TLSv1.2' : version === 'TLS1.3' ? 'TLSv1.3' : undefined;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ListenError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Reads the key pair and CA of `info` into Node TLS server options; missing or unreadable files throw
 * ListenError naming them. `cipherSuites` are Go's names, already checked by the configuration.
 */
export function serverTlsOptions(info: TlsInfo, versions: TlsVersions = { min: 'TLS1.2', max: '' }, cipherSuites: readonly string[] = []): TlsOptions {
  const requireClientCert = info.clientCertAuth || info.trustedCAFile !== '';
  const ciphers = opensslCipherList(cipherSuites);
  return {
    cert: readPem(info.certFile, 'TLS certificate'),
    key: readPem(info.keyFile, 'TLS key'),
    ...(info.trustedCAFile !== '' ? { ca: readPem(info.trustedCAFile, 'trusted CA file') } : {}),
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
    minVersion: nodeVersion(versions.min) ?? 'TLSv1.2',
    ...(nodeVersion(versions.max) ? { maxVersion: nodeVersion(versions.max) } : {}),
    ...(ciphers !== undefined ? { ciphers } : {}),
  };
}

/**
 * What client listeners check in client certificates after the handshake (--client-crl-file,
 * --client-cert-allowed-hostname); undefined when nothing. The CRL file is read here: an unreadable or
 * malformed one throws ListenError naming the flag and the file.
 */
export function clientCertificatePolicy(info: TlsInfo): CertificatePolicy | undefined {
  if (info.crlFile === '' && info.allowedHostname === '') return undefined;
  let crl: CrlFile | undefined;
  if (info.crlFile !== '') {
    try {
      crl = new CrlFile(info.crlFile);
    } catch (err) {
      if (err instanceof CrlError) throw new ListenError(`cannot read --client-crl-file ${info.crlFile}: ${err.message}`);
      throw err;
    }
  }
  return { crl, allowedHostname: info.allowedHostname };
}
