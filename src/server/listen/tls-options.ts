// TLS server options from etcd's TLS settings. As etcd does, a trusted CA file alone already requires
// client certificates signed by it; --client-cert-auth without a CA file checks them against the
// system's roots.
import { readFileSync } from 'node:fs';
import type { TlsOptions } from 'node:tls';
import type { TlsInfo, TlsVersion } from '../config';

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

function nodeVersion(version: TlsVersion): 'TLSv1.2' | 'TLSv1.3' | undefined {
  return version === 'TLS1.2' ? 'TLSv1.2' : version === 'TLS1.3' ? 'TLSv1.3' : undefined;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ListenError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads the key pair and CA of `info` into Node TLS server options; missing or unreadable files throw ListenError naming them. */
export function serverTlsOptions(info: TlsInfo, versions: TlsVersions = { min: 'TLS1.2', max: '' }): TlsOptions {
  const requireClientCert = info.clientCertAuth || info.trustedCAFile !== '';
  return {
    cert: readPem(info.certFile, 'TLS certificate'),
    key: readPem(info.keyFile, 'TLS key'),
    ...(info.trustedCAFile !== '' ? { ca: readPem(info.trustedCAFile, 'trusted CA file') } : {}),
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
    minVersion: nodeVersion(versions.min) ?? 'TLSv1.2',
    ...(nodeVersion(versions.max) ? { maxVersion: nodeVersion(versions.max) } : {}),
  };
}
