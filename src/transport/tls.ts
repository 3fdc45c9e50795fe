// Peer TLS from etcd's flags: --peer-cert-file, --peer-key-file, --peer-trusted-ca-file and
// --peer-client-cert-auth. The files are read once, at start.
import { readFileSync } from 'node:fs';
import type { SecureClientSessionOptions, SecureServerOptions } from 'node:http2';
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
}

export interface PeerTlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
  readonly clientCertAuth: boolean;
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TransportError(`transport: cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? errorText(err)}`);
  }
}

/** Reads the files; undefined when no certificate is configured. */
export function loadPeerTls(options: PeerTlsOptions | undefined): PeerTlsMaterial | undefined {
  if (!options || (!options.certFile && !options.keyFile)) {
    if (options?.clientCertAuth) throw new TransportError('transport: --peer-client-cert-auth needs --peer-cert-file and --peer-key-file');
    return undefined;
  }
  if (!options.certFile || !options.keyFile) {
    throw new TransportError('transport: --peer-cert-file and --peer-key-file must be given together');
  }
  if (options.clientCertAuth && !options.trustedCaFile) {
    throw new TransportError('transport: --peer-client-cert-auth needs --peer-trusted-ca-file');
  }
  return {
    cert: readPem(options.certFile, '--peer-cert-file'),
    key: readPem(options.keyFile, '--peer-key-file'),
    ca: options.trustedCaFile ? readPem(options.trustedCaFile, '--peer-trusted-ca-file') : undefined,
    clientCertAuth: options.clientCertAuth === true,
  };
}

export function serverTlsOptions(tls: PeerTlsMaterial): SecureServerOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.clientCertAuth,
    rejectUnauthorized: tls.clientCertAuth,
    minVersion: 'TLSv1.2',
  };
}

/** A member dials peers with its own certificate, so a peer that requires client certificates accepts it. */
export function clientTlsOptions(tls: PeerTlsMaterial | undefined): SecureClientSessionOptions {
  if (!tls) return { minVersion: 'TLSv1.2' };
  return { cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.2' };
}
