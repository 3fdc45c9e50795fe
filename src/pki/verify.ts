// Checks an existing certificate + key against the CA and the profile it should have, the way
// kubeadm decides to reuse a file: valid now, signed by the CA, key matching, names matching.
import type { KeyObject } from 'node:crypto';
import type { CertProfile } from './cert-list';
import type { CertificateInfo } from './read';
import { canonicalIp } from './sans';

export interface VerifyInput {
  cert: CertificateInfo;
  key?: KeyObject;
  certPath: string;
  keyPath: string;
}

/**
 * Every reason the pair cannot be reused, each naming the file; empty when it can.
 * `ca` is absent when checking the CA itself.
 */
export function certificateProblems(
  pair: VerifyInput,
  options: { now: Date; expected?: CertProfile; ca?: CertificateInfo; caPath?: string },
): string[] {
  const { cert, certPath } = pair;
  const problems: string[] = [];
  const now = options.now.getTime();
  if (now < cert.notBefore.getTime()) {
    problems.push(`${certPath}: the certificate is not valid yet (NotBefore ${cert.notBefore.toISOString()})`);
  }
  if (now > cert.notAfter.getTime()) {
    problems.push(`${certPath}: the certificate has expired (NotAfter ${cert.notAfter.toISOString()})`);
  }
  if (pair.key && !cert.x509.checkPrivateKey(pair.key)) {
    problems.push(`${certPath}: the certificate does not match the private key ${pair.keyPath}`);
  }
  if (options.ca) {
    const signed = cert.x509.checkIssued(options.ca.x509) && cert.x509.verify(options.ca.x509.publicKey);
    if (!signed) problems.push(`${certPath}: the certificate is not signed by the CA ${options.caPath ?? options.ca.commonName}`);
  }
  const expected = options.expected;
  if (!expected) return problems;
  if (expected.isCA && !cert.isCA) problems.push(`${certPath}: the certificate is not a CA`);
  if (cert.commonName !== expected.commonName) {
    problems.push(`${certPath}: the certificate is for ${JSON.stringify(cert.commonName)}, expected ${JSON.stringify(expected.commonName)}`);
  }
  const missingUsages = expected.extKeyUsages.filter((u) => !cert.extKeyUsages.includes(u));
  if (missingUsages.length > 0) problems.push(`${certPath}: the certificate lacks the key usages ${missingUsages.join(', ')}`);
  const ips = new Set(cert.ipAddresses.map(canonicalIp));
  const missingNames = [
    ...expected.dnsNames.filter((n) => !cert.dnsNames.includes(n)),
    ...expected.ipAddresses.filter((ip) => !ips.has(canonicalIp(ip))),
  ];
  if (missingNames.length > 0) problems.push(`${certPath}: the certificate lacks the SANs ${missingNames.join(', ')}`);
  return problems;
}
