// The PKI of a cairn cluster in kubeadm's layout and profiles: the etcd CA, per-host server and
// peer certificates, the healthcheck client and the apiserver's etcd client.
export { PkiError } from './errors';
export {
  KEY_ALGORITHMS,
  DEFAULT_KEY_ALGORITHM,
  generatePrivateKey,
  isKeyAlgorithm,
  keyAlgorithmOf,
  parsePrivateKey,
  privateKeyToPem,
} from './key-algorithm';
export type { KeyAlgorithm, KeyGenerator } from './key-algorithm';
export {
  CERT_LIST,
  ETCD_CA,
  ETCD_SERVER,
  ETCD_PEER,
  ETCD_HEALTHCHECK_CLIENT,
  APISERVER_ETCD_CLIENT,
  certSpec,
  certProfile,
} from './cert-list';
export type { CertSpec, CertName, CertHost, CertProfile, ConfigMutator, ProfileContext } from './cert-list';
export type { ExtKeyUsage } from './certificate';
export { readCertificate } from './read';
export type { CertificateInfo } from './read';
export {
  CERTIFICATE_BACKDATE_MS,
  DEFAULT_CERT_VALIDITY_MS,
  DEFAULT_CA_VALIDITY_MS,
  createCA,
  createLeaf,
  randomSerial,
} from './issue';
export type { IssueOptions, CertKeyPair, SignedPair } from './issue';
export { KEY_FILE_MODE, CERT_FILE_MODE, certPath, keyPath, localPkiFiles } from './files';
export type { PkiFiles } from './files';
export { certificateProblems } from './verify';
export type { VerifyInput } from './verify';
export { ensureCA, ensureLeaf, ensureCertificates, inspectCertificates, loadSigningCA } from './ensure';
export type { CertAction, CertResult, CertState, CertInspection, EnsureOptions } from './ensure';
export { checkExpiration, formatExpiration, formatExpiry, shortHumanDuration } from './expiration';
export type { ExpirationReport, ExpirationRow } from './expiration';
export { checkRenewal, renewCertificate } from './renew';
export type { RenewOptions, RenewResult, RenewalPlan } from './renew';
export { isDnsSubdomain } from './sans';
