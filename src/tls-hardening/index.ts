// etcd 3.4's TLS hardening flags, shared by the client listeners (src/server/listen) and the peer
// transport (src/transport): --client-crl-file / --peer-crl-file, --peer-cert-allowed-cn,
// --client-cert-allowed-hostname / --peer-cert-allowed-hostname and --cipher-suites.
export { CrlError, CrlFile, revokedSerials, revokedSerialsFromDer, serialHex } from './crl';
export {
  authenticationFailed,
  checksClients,
  clientRefusal,
  identityAllowed,
  rejectionFields,
  serverIdentityCheck,
  validForHostname,
} from './policy';
export type { CertificatePolicy } from './policy';
export { cipherSuiteNames, cipherSuitesProblem, opensslCipherList, opensslCipherName } from './cipher-suites';
