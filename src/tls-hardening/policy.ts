// What a TLS listener checks in a client certificate beyond its chain, and what a member checks in a
// peer's server certificate when it dials, as etcd 3.4 (pkg/transport/listener.go, listener_tls.go):
//
// - allowed CN (--peer-cert-allowed-cn): the certificate's subject CN must equal it;
// - allowed hostname (--client-cert-allowed-hostname, --peer-cert-allowed-hostname): the certificate
//   must be valid for it, by Go's VerifyHostname: subject alternative names only (Go 1.15 and later
//   ignore the CN), a wildcard only as a whole leftmost label;
// - a CRL (--client-crl-file, --peer-crl-file): no certificate of the chain may have a listed serial.
//
// etcd puts the first two in its tls.Config's VerifyPeerCertificate, which Go calls on both sides of
// a handshake: the listener checks its clients, and a member dialling a peer checks the peer's server
// certificate the same way (with the peer flags, peers must all carry the allowed CN, or all be valid
// for the allowed hostname). Its listener checks the CRL only after a handshake (checkCRL), and only
// on listeners: a member does not check the CRL against the peers it dials.
//
// Node has no hook inside a server handshake, so the listener checks everything once the handshake
// is done and closes a connection that fails, which is what etcd does for the CRL; for the CN and
// hostname etcd's client gets a bad_certificate alert instead, and a client of cairn a closed
// connection (etcdctl reports either as a deadline exceeded). Node's own `crl` option is not used:
// OpenSSL would also refuse every client once the CRL's nextUpdate passed, whenever the list is not
// signed by a trusted CA, or when a chain's intermediate CA has no CRL of its own, none of which etcd
// checks, and a list replaced on disk would need a new secure context; etcd reads the file again for
// every connection, and so does CrlFile (when it changed).
import { isIP } from 'node:net';
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CrlFile } from './crl';

/** etcd's error when the CN or hostname does not match, on either side. */
export const authenticationFailed = 'client certificate authentication failed';

export interface CertificatePolicy {
  /** Checked by listeners only. */
  readonly crl?: CrlFile;
  /** '' or undefined: not checked. */
  readonly allowedCn?: string;
  readonly allowedHostname?: string;
}

/** Go's Subject.CommonName: the last CN attribute. */
function commonName(cert: PeerCertificate): string {
  const cn = (cert.subject as unknown as Record<string, string | string[] | undefined>).CN;
  if (Array.isArray(cn)) return cn[cn.length - 1] ?? '';
  return cn ?? '';
}

/** Go's x509.Certificate.VerifyHostname, without its fallback to the CN (gone since Go 1.15). */
export function validForHostname(cert: X509Certificate, hostname: string): boolean {
  let host = hostname;
  if (host.length >= 3 && host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (isIP(host) !== 0) return cert.checkIP(host) !== undefined;
  host = host.replace(/\.$/, '');
  return cert.checkHost(host, { subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false, singleLabelSubdomains: false }) !== undefined;
}

/** Whether the certificate passes the allowed CN or hostname check (true when the policy sets neither). */
export function identityAllowed(cert: PeerCertificate, policy: CertificatePolicy): boolean {
  if (policy.allowedCn) return commonName(cert) === policy.allowedCn;
  if (policy.allowedHostname) return validForHostname(new X509Certificate(cert.raw), policy.allowedHostname);
  return true;
}

/** The serial numbers of the certificate and the issuers node links it to. */
function chainSerials(cert: DetailedPeerCertificate): string[] {
  const serials: string[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  for (let c: DetailedPeerCertificate | undefined = cert; c && c.raw && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    serials.push(c.serialNumber);
  }
  return serials;
}

/** Whether the policy asks anything of a listener's clients. */
export function checksClients(policy: CertificatePolicy): boolean {
  return policy.crl !== undefined || !!policy.allowedCn || !!policy.allowedHostname;
}

/**
 * Why a listener must close a connection whose handshake just completed, or undefined to keep it. A
 * client that presented no certificate is not checked (etcd checks only presented certificates; the
 * listener's requestCert / rejectUnauthorized decide whether one is required).
 */
export function clientRefusal(socket: TLSSocket, policy: CertificatePolicy): string | undefined {
  const cert = socket.getPeerCertificate(true);
  if (!cert || !cert.raw) return undefined;
  if (!identityAllowed(cert, policy)) return authenticationFailed;
  return policy.crl?.refusal(chainSerials(cert));
}

/**
 * checkServerIdentity for a member that dials with this policy: node's hostname check of the URL's
 * host, then the allowed CN or hostname. Undefined when the policy checks neither.
 */
export function serverIdentityCheck(policy: CertificatePolicy): ((host: string, cert: PeerCertificate) => Error | undefined) | undefined {
  if (!policy.allowedCn && !policy.allowedHostname) return undefined;
  return (host, cert) => checkServerIdentity(host, cert) ?? (identityAllowed(cert, policy) ? undefined : new Error(authenticationFailed));
}

/** The fields of etcd's "rejected connection" warning (embed/config_logging.go). */
export function rejectionFields(socket: TLSSocket, error: string): Record<string, unknown> {
  const address = socket.remoteAddress ?? '';
  const remote = `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`;
  const serverName = typeof socket.servername === 'string' ? socket.servername : '';
  let cert: PeerCertificate | undefined;
  try {
    cert = socket.getPeerCertificate();
  } catch {
    cert = undefined; // a socket whose handshake failed may have no TLS state left
  }
  if (!cert || !cert.raw) return { 'remote-addr': remote, 'server-name': serverName, error };
  const names = (cert.subjectaltname ?? '').split(', ').filter((n) => n !== '');
  return {
    'remote-addr': remote,
    'server-name': serverName,
    'ip-addresses': names.filter((n) => n.startsWith('IP Address:')).map((n) => n.slice('IP Address:'.length)),
    'dns-names': names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice('DNS:'.length)),
    error,
  };
}
