// Peer TLS from etcd's flags: --peer-cert-file, --peer-key-file, --peer-trusted-ca-file and
// --peer-client-cert-auth. The files are read once, at start.
import { readFileSync } from 'node:fs';
import type { SecureServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
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
  /** This member's certificate and key; a member without them can dial https peers that do not ask for one, but not listen on https. */
  readonly identity: { readonly cert: Buffer; readonly key: Buffer } | undefined;
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
  const identity =
    options.certFile && options.keyFile
      ? { cert: readPem(options.certFile, '--peer-cert-file'), key: readPem(options.keyFile, '--peer-key-file') }
      : undefined;
  return {
    identity,
    ca: options.trustedCaFile ? readPem(options.trustedCaFile, '--peer-trusted-ca-file') : undefined,
    clientCertAuth: options.clientCertAuth === true,
  };
}

/** Server options for a member that has a certificate (the listener checks that first). */
export function serverTlsOptions(tls: PeerTlsMaterial, identity: { cert: Buffer; key: Buffer }): SecureServerOptions {
  return {
    cert: identity.cert,
    key: identity.key,
    ca: tls.ca,
    requestCert: tls.clientCertAuth,
    rejectUnauthorized: tls.clientCertAuth,
    minVersion: 'TLSv1.2',
  };
}

/** A member dials peers with its own certificate, so a peer that requires client certificates accepts it. */
export function clientTlsOptions(tls: PeerTlsMaterial | undefined): SecureContextOptions {
  if (!tls) return { minVersion: 'TLSv1.2' };
  return { cert: tls.identity?.cert, key: tls.identity?.key, ca: tls.ca, minVersion: 'TLSv1.2' };
}
