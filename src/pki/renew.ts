// `certs renew`: a new certificate with the same subject, SANs and usages as the one on disk,
// signed by the CA, with the same key unless a new one is asked for (kubeadm keeps the key).
// checkRenewal looks without writing, so a command can check every host before it changes one.
import type { KeyObject } from 'node:crypto';
import { CertSpec, CertProfile } from './cert-list';
import { CERT_FILE_MODE, KEY_FILE_MODE, PkiFiles, certPath, keyPath } from './files';
import { CertKeyPair, IssueOptions, signLeaf } from './issue';
import { parsePrivateKey } from './key-algorithm';
import { CertificateInfo, readCertificate } from './read';
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

/** What a renewal starts from: the certificate on disk, checked, and the key it keeps. */
export interface RenewalPlan {
  spec: CertSpec;
  certPath: string;
  keyPath: string;
  current: CertificateInfo;
  profile: CertProfile;
  key?: KeyObject;
}

/** Reads and checks the pair to renew; throws, naming the file, when it cannot be renewed as it is. */
export async function checkRenewal(spec: CertSpec, files: PkiFiles, options: RenewOptions): Promise<RenewalPlan> {
  if (!spec.caName) throw new PkiError(`${spec.name} is a CA; cairnadm renews only the certificates it signs`);
  if (!options.ca.key) throw new PkiError(`cannot renew ${spec.name}: the CA key is not here`);
  const c = certPath(options.certificatesDir, spec.baseName);
  const k = keyPath(options.certificatesDir, spec.baseName);
  const certPem = await files.read(c);
  if (certPem === undefined) throw new PkiError(`${c}: missing; nothing to renew (create it with the certs phase)`, c);
  const current = readCertificate(certPem, c);
  const ca = options.ca.cert.x509;
  if (!(current.x509.checkIssued(ca) && current.x509.verify(ca.publicKey))) {
    throw new PkiError(`${c}: not signed by the etcd CA ${options.ca.cert.commonName}; renewing it would change who trusts it: remove it and run the certs phase instead`, c);
  }
  const profile: CertProfile = {
    commonName: current.commonName,
    organizations: current.organizations,
    dnsNames: current.dnsNames,
    ipAddresses: current.ipAddresses,
    extKeyUsages: current.extKeyUsages,
    isCA: false,
  };
  if (options.newKey) return { spec, certPath: c, keyPath: k, current, profile };
  const keyPem = await files.read(k);
  if (keyPem === undefined) throw new PkiError(`${k}: missing; renew with a new key instead`, k);
  const key = parsePrivateKey(keyPem, k);
  if (!current.x509.checkPrivateKey(key)) throw new PkiError(`${c}: the certificate does not match the private key ${k}`, c);
  return { spec, certPath: c, keyPath: k, current, profile, key };
}

export async function renewCertificate(spec: CertSpec, files: PkiFiles, options: RenewOptions): Promise<RenewResult> {
  const plan = await checkRenewal(spec, files, options);
  const renewed = signLeaf(plan.profile, options.ca, { ...options, key: plan.key });
  if (options.newKey) await files.write(plan.keyPath, renewed.keyPem, KEY_FILE_MODE);
  await files.write(plan.certPath, renewed.certPem, CERT_FILE_MODE);
  return { name: spec.name, certPath: plan.certPath, keyPath: plan.keyPath, notAfter: renewed.cert.notAfter, newKey: Boolean(options.newKey) };
}
