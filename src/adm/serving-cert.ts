// The certificate a member serves, as a client sees it in the TLS handshake (so a restart can be
// checked to have picked up renewed files).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { ClusterCredentials } from './credentials';

export function servingCertificate(url: string, creds: Pick<ClusterCredentials, 'caFile' | 'certFile' | 'keyFile'>, timeoutMs = 5_000): Promise<X509Certificate> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(u.port),
      // no SNI for an IP address; the certificate's IP SAN is checked
      servername: isIP(host) ? '' : host,
      ca: readFileSync(creds.caFile),
      cert: readFileSync(creds.certFile),
      key: readFileSync(creds.keyFile),
      ALPNProtocols: ['h2'],
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake with ${u.host} in ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
