// `certs renew`: a new certificate with the same subject, SANs and usages as the one on disk,
// signed by the CA, with the same key unless a new one is asked for (kubeadm keeps the key).
import { CertSpec, CertProfile } from './cert-list';
import { CERT_FILE_MODE, KEY_FILE_MODE, PkiFiles, certPath, keyPath } from './files';
import { CertKeyPair, IssueOptions, signLeaf } from './issue';
import { parsePrivateKey } from './key-algorithm';
import { readCertificate } from './read';
import { PkiError } from './errors';

export interface RenewOptions extends IssueOptions {
  certificatesDir: string;
  ca: CertKeyPair;
  /** Make a new private key instead of keeping the current one. */
  newKey?: boolean;
}

export interface RenewResult {
  name: string;
  certPath: string;
  keyPath: string;
  notAfter: Date;
  newKey: boolean;
}

export async function renewCertificate(spec: CertSpec, files: PkiFiles, options: RenewOptions): Promise<RenewResult> {
  if (!spec.caName) throw new PkiError(`${spec.name} is a CA; cairnadm renews only the certificates it signs`);
  if (!options.ca.key) throw new PkiError(`cannot renew ${spec.name}: the CA key is not here`);
  const c = certPath(options.certificatesDir, spec.baseName);
  const k = keyPath(options.certificatesDir, spec.baseName);
  const certPem = await files.read(c);
  if (certPem === undefined) throw new PkiError(`${c}: missing; nothing to renew (create it with the certs phase)`, c);
  const old = readCertificate(certPem, c);
  const profile: CertProfile = {
    commonName: old.commonName,
    organizations: old.organizations,
    dnsNames: old.dnsNames,
    ipAddresses: old.ipAddresses,
    extKeyUsages: old.extKeyUsages,
    isCA: false,
  };
  let key;
  if (!options.newKey) {
    const keyPem = await files.read(k);
    if (keyPem === undefined) throw new PkiError(`${k}: missing; renew with a new key instead`, k);
    key = parsePrivateKey(keyPem, k);
    if (!old.x509.checkPrivateKey(key)) throw new PkiError(`${c}: the certificate does not match the private key ${k}`, c);
  }
  const renewed = signLeaf(profile, options.ca, { ...options, key });
  if (options.newKey) await files.write(k, renewed.keyPem, KEY_FILE_MODE);
  await files.write(c, renewed.certPem, CERT_FILE_MODE);
  return { name: spec.name, certPath: c, keyPath: k, notAfter: renewed.cert.notAfter, newKey: Boolean(options.newKey) };
}
