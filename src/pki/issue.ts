// Making new certificates: a self-signed CA and leaves signed by it.
import { randomBytes as cryptoRandomBytes, createPublicKey, KeyObject } from 'node:crypto';
import { CertificateTemplate, certificateToPem, encodeName, keyIdentifier, signCertificate } from './certificate';
import { CertProfile, CertSpec, ProfileContext, certProfile } from './cert-list';
import { DEFAULT_KEY_ALGORITHM, KeyAlgorithm, KeyGenerator, generatePrivateKey, privateKeyToPem } from './key-algorithm';
import { CertificateInfo, readCertificate } from './read';
import { PkiError } from './errors';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** kubeadm's CertificateBackdate: NotBefore lies this far in the past, for small clock skew. */
export const CERTIFICATE_BACKDATE_MS = 5 * MINUTE;
/** kubeadm's CertificateValidity (leaves) and CA validity. */
export const DEFAULT_CERT_VALIDITY_MS = 365 * DAY;
export const DEFAULT_CA_VALIDITY_MS = 10 * 365 * DAY;

/** Injected inputs of certificate creation; every field has a default. */
export interface IssueOptions {
  keyAlgorithm?: KeyAlgorithm;
  generateKey?: KeyGenerator;
  clock?: () => Date;
  randomBytes?: (size: number) => Buffer;
  /** Validity of leaf certificates, in milliseconds. */
  validityMs?: number;
  /** Validity of the CA certificate, in milliseconds. */
  caValidityMs?: number;
}

/** A certificate with its private key (the key may be absent for a CA whose key stays elsewhere). */
export interface CertKeyPair {
  cert: CertificateInfo;
  certPem: string;
  key?: KeyObject;
}

export interface SignedPair extends CertKeyPair {
  key: KeyObject;
  keyPem: string;
}

/** A random serial in [1, 2^63 - 1], as kubeadm draws them. */
export function randomSerial(randomBytes: (size: number) => Buffer = cryptoRandomBytes): Buffer {
  for (let i = 0; i < 8; i++) {
    const bytes = Buffer.from(randomBytes(8));
    bytes[0] &= 0x7f;
    if (bytes.some((b) => b !== 0)) return bytes;
  }
  throw new PkiError('random source gives only zeros');
}

const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

function template(profile: CertProfile, publicKey: KeyObject, validityMs: number, options: IssueOptions): CertificateTemplate {
  const now = (options.clock ?? (() => new Date()))().getTime();
  return {
    serial: randomSerial(options.randomBytes),
    subject: { commonName: profile.commonName, organizations: profile.organizations },
    notBefore: wholeSeconds(now - CERTIFICATE_BACKDATE_MS),
    notAfter: wholeSeconds(now + validityMs),
    dnsNames: profile.dnsNames,
    ipAddresses: profile.ipAddresses,
    isCA: profile.isCA,
    extKeyUsages: profile.extKeyUsages,
    publicKey,
  };
}

function newKey(options: IssueOptions): KeyObject {
  return (options.generateKey ?? generatePrivateKey)(options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM);
}

function pair(certDer: Buffer, key: KeyObject): SignedPair {
  const certPem = certificateToPem(certDer);
  return { cert: readCertificate(certPem), certPem, key, keyPem: privateKeyToPem(key) };
}

/** A new self-signed CA with a new key. */
export function createCA(spec: CertSpec, options: IssueOptions = {}): SignedPair {
  if (!spec.profile.isCA) throw new PkiError(`certificate ${spec.name} is not a CA`);
  const key = newKey(options);
  const profile = certProfile(spec);
  const t = template(profile, createPublicKey(key), options.caValidityMs ?? DEFAULT_CA_VALIDITY_MS, options);
  return pair(signCertificate(t, { name: encodeName(t.subject), privateKey: key }), key);
}

/** Signs a certificate for this profile with the CA; the key is `key` or a new one. */
export function signLeaf(profile: CertProfile, ca: CertKeyPair, options: IssueOptions & { key?: KeyObject } = {}): SignedPair {
  if (!ca.key) throw new PkiError('the CA private key is not available');
  const key = options.key ?? newKey(options);
  const t = template(profile, createPublicKey(key), options.validityMs ?? DEFAULT_CERT_VALIDITY_MS, options);
  const keyId = ca.cert.subjectKeyId ?? keyIdentifier(createPublicKey(ca.key));
  return pair(signCertificate(t, { name: ca.cert.subjectName, keyId, privateKey: ca.key }), key);
}

/** A new leaf from the table entry, for the context's host. */
export function createLeaf(spec: CertSpec, ca: CertKeyPair, options: IssueOptions & ProfileContext = {}): SignedPair {
  if (spec.profile.isCA) throw new PkiError(`certificate ${spec.name} is a CA; use createCA`);
  return signLeaf(certProfile(spec, options), ca, options);
}
