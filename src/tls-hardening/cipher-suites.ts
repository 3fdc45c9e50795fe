// --cipher-suites: the names etcd 3.4 takes are Go's (pkg/tlsutil/cipher_suites.go looks each up in
// tls.CipherSuites() and tls.InsecureCipherSuites(), plus two older spellings of the ChaCha20
// suites); these are the ones etcd 3.4 built with Go 1.19 knows. Node's `ciphers` option wants
// OpenSSL's names, hence the table.
//
// Go applies the list to TLS 1.2 only: TLS 1.3 suites are never configurable in Go, so naming one is
// accepted and changes nothing, and TLS 1.3 always offers all three. Node takes TLS 1.3 suites from
// the same option and, given none, turns TLS 1.3 off, so the OpenSSL list always ends with the three.
import { getCiphers } from 'node:tls';

interface Suite {
  /** OpenSSL's name; for TLS 1.3 suites it is the same as Go's. */
  readonly openssl: string;
  readonly tls13?: boolean;
}

const suites = new Map<string, Suite>([
  // TLS 1.3: accepted, without effect (as in Go)
  ['TLS_AES_128_GCM_SHA256', { openssl: 'TLS_AES_128_GCM_SHA256', tls13: true }],
  ['TLS_AES_256_GCM_SHA384', { openssl: 'TLS_AES_256_GCM_SHA384', tls13: true }],
  ['TLS_CHACHA20_POLY1305_SHA256', { openssl: 'TLS_CHACHA20_POLY1305_SHA256', tls13: true }],
  // Go's tls.CipherSuites()
  ['TLS_RSA_WITH_AES_128_CBC_SHA', { openssl: 'AES128-SHA' }],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', { openssl: 'AES256-SHA' }],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', { openssl: 'AES128-GCM-SHA256' }],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', { openssl: 'AES256-GCM-SHA384' }],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', { openssl: 'ECDHE-ECDSA-AES128-SHA' }],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', { openssl: 'ECDHE-ECDSA-AES256-SHA' }],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', { openssl: 'ECDHE-RSA-AES128-SHA' }],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', { openssl: 'ECDHE-RSA-AES256-SHA' }],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', { openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256' }],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', { openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384' }],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', { openssl: 'ECDHE-RSA-AES128-GCM-SHA256' }],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', { openssl: 'ECDHE-RSA-AES256-GCM-SHA384' }],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', { openssl: 'ECDHE-RSA-CHACHA20-POLY1305' }],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', { openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305' }],
  // Go's tls.InsecureCipherSuites()
  ['TLS_RSA_WITH_RC4_128_SHA', { openssl: 'RC4-SHA' }],
  ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', { openssl: 'DES-CBC3-SHA' }],
  ['TLS_RSA_WITH_AES_128_CBC_SHA256', { openssl: 'AES128-SHA256' }],
  ['TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', { openssl: 'ECDHE-ECDSA-RC4-SHA' }],
  ['TLS_ECDHE_RSA_WITH_RC4_128_SHA', { openssl: 'ECDHE-RSA-RC4-SHA' }],
  ['TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', { openssl: 'ECDHE-RSA-DES-CBC3-SHA' }],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', { openssl: 'ECDHE-ECDSA-AES128-SHA256' }],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', { openssl: 'ECDHE-RSA-AES128-SHA256' }],
  // the names before Go 1.14, which etcd's GetCipherSuite still takes
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', { openssl: 'ECDHE-RSA-CHACHA20-POLY1305' }],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305', { openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305' }],
]);

/** The TLS 1.3 suites, all always on, as in Go (Node's default order). */
const tls13Suites = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** Every name --cipher-suites takes, in Go's order. */
export const cipherSuiteNames: readonly string[] = [...suites.keys()];

/** OpenSSL's name for a Go cipher suite name; undefined for a name etcd does not know. */
export function opensslCipherName(goName: string): string | undefined {
  return suites.get(goName)?.openssl;
}

let available: Set<string> | undefined;

/**
 * Why cairn cannot take this --cipher-suites list, or undefined when it can: etcd's error for a name
 * Go does not know, cairn's for a suite Node's OpenSSL lacks (RC4 and 3DES: Go still has them, and
 * dropping one without a word would serve other suites than the ones asked for).
 */
export function cipherSuitesProblem(names: readonly string[]): string | undefined {
  available ??= new Set(getCiphers());
  for (const name of names) {
    const suite = suites.get(name);
    if (!suite) return `unexpected TLS cipher suite ${JSON.stringify(name)}`;
    if (!available.has(suite.openssl.toLowerCase())) {
      return `TLS cipher suite ${JSON.stringify(name)} (OpenSSL ${suite.openssl}) is not available in this Node.js's OpenSSL`;
    }
  }
  return undefined;
}

/**
 * Node's `ciphers` option for a --cipher-suites list (undefined for an empty one: Node's defaults):
 * the TLS 1.2 suites named, in their order, then the three TLS 1.3 suites. Names must have passed
 * cipherSuitesProblem. With no TLS 1.2 suite left, TLS 1.2 handshakes fail, as Go's do then.
 */
export function opensslCipherList(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const tls12 = names.map((name) => suites.get(name)).filter((suite): suite is Suite => suite !== undefined && !suite.tls13);
  return [...new Set(tls12.map((suite) => suite.openssl)), tls13Suites].join(':');
}
