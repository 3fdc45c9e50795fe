// --client-crl-file and --peer-crl-file: a certificate revocation list, read as etcd 3.4's checkCRL
// (pkg/transport/listener_tls.go) reads it. etcd takes DER, or PEM when the file starts with
// "-----BEGIN X509 CRL"; cairn takes a PEM block anywhere in the file. A certificate is revoked when
// its serial number is in the list; the issuer, the list's signature and its update times are not
// looked at, as etcd does not. Serials are compared as unsigned numbers (Go's big.Int.Bytes()).
import { readFileSync, statSync } from 'node:fs';
import type * as Der from '../pki/der';

export class CrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrlError';
  }
}

/** A serial as lowercase hex of its unsigned big-endian bytes, without leading zero bytes (Go's %x of Bytes()). */
export function serialHex(hex: string): string {
  const digits = hex.toLowerCase().replace(/^0+/, '');
  return digits.length % 2 === 0 ? digits : `0${digits}`;
}

/**
 * The revoked serial numbers of a DER CertificateList (RFC 5280 §5.1):
 * SEQUENCE { tbsCertList SEQUENCE { version INTEGER OPTIONAL, signature, issuer, thisUpdate,
 * nextUpdate OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER, ... }
 * OPTIONAL, [0] crlExtensions OPTIONAL }, signatureAlgorithm, signatureValue }
 */
export function revokedSerialsFromDer(der: Buffer): Set<string> {
  // Loaded here, not at start-up: node-forge's ASN.1 reader costs a member memory only a CRL needs.
  const { fromDer, children, content, isUniversal } = require('../pki/der') as typeof Der;
  let list: Der.Asn1;
  try {
    list = fromDer(der);
  } catch (err) {
    throw new CrlError(err instanceof Error ? err.message : String(err));
  }
  const parts = children(list);
  if (!isUniversal(list, 'SEQUENCE') || parts.length !== 3 || !isUniversal(parts[0], 'SEQUENCE')) throw new CrlError('not a CertificateList');
  const tbs = children(parts[0]);
  let i = isUniversal(tbs[0], 'INTEGER') ? 1 : 0; // version
  i += 3; // signature, issuer, thisUpdate
  if (tbs.length < i) throw new CrlError('not a CertificateList');
  if (isUniversal(tbs[i], 'UTCTIME') || isUniversal(tbs[i], 'GENERALIZEDTIME')) i++; // nextUpdate
  const serials = new Set<string>();
  if (!isUniversal(tbs[i], 'SEQUENCE')) return serials;
  for (const entry of children(tbs[i])) {
    const serial = children(entry)[0];
    if (!isUniversal(entry, 'SEQUENCE') || !isUniversal(serial, 'INTEGER')) throw new CrlError('bad revoked certificate entry');
    serials.add(serialHex(content(serial).toString('hex')));
  }
  return serials;
}

const pemBlock = /-----BEGIN X509 CRL-----([A-Za-z0-9+/=\s]*?)-----END X509 CRL-----/;

/** The revoked serials of a CRL file's bytes: its first PEM "X509 CRL" block, or else the whole file as DER. */
export function revokedSerials(bytes: Buffer): Set<string> {
  const pem = pemBlock.exec(bytes.toString('latin1'));
  const der = pem ? Buffer.from(pem[1].replace(/\s+/g, ''), 'base64') : bytes;
  try {
    return revokedSerialsFromDer(der);
  } catch (err) {
    if (err instanceof CrlError) {
      throw new CrlError(`not a ${pem ? 'PEM' : 'DER (nor PEM)'} certificate revocation list: ${err.message}`);
    }
    throw err;
  }
}

/** The text of a failed read: the errno code (ENOENT, EACCES, ...) or the message. */
function readFailure(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/**
 * A CRL file, read at start (an unreadable or malformed one is an error there) and read again when it
 * changes: etcd reads the file on every connection, so a list replaced on disk holds for the next
 * connection without a restart; here a stat per connection notices the change.
 */
export class CrlFile {
  private serials: Set<string>;
  private stamp: string;
  /** Why the file could not be read again, while it cannot; connections are refused meanwhile, as etcd refuses them. */
  private failure: string | undefined;

  /** Reads the file; throws CrlError saying what is wrong (`ENOENT`, `not a PEM certificate revocation list: ...`). */
  constructor(readonly path: string) {
    let bytes: Buffer;
    try {
      this.stamp = this.currentStamp();
      bytes = readFileSync(path);
    } catch (err) {
      throw new CrlError(readFailure(err));
    }
    this.serials = revokedSerials(bytes);
  }

  private currentStamp(): string {
    const st = statSync(this.path);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  }

  private refresh(): void {
    let stamp: string;
    try {
      stamp = this.currentStamp();
    } catch (err) {
      this.failure = `cannot read CRL file ${this.path}: ${readFailure(err)}`;
      this.stamp = '';
      return;
    }
    if (stamp === this.stamp) return;
    try {
      this.serials = revokedSerials(readFileSync(this.path));
      this.failure = undefined;
    } catch (err) {
      this.failure = `cannot read CRL file ${this.path}: ${err instanceof CrlError ? err.message : readFailure(err)}`;
    }
    this.stamp = stamp;
  }

  /**
   * Why a connection presenting certificates with these serials (hex, as node gives them) must be
   * refused: etcd's `transport: certificate serial <hex> revoked`, or the file's read error.
   */
  refusal(serials: readonly string[]): string | undefined {
    this.refresh();
    if (this.failure !== undefined) return this.failure;
    for (const serial of serials) {
      const hex = serialHex(serial);
      if (this.serials.has(hex)) return `transport: certificate serial ${hex} revoked`;
    }
    return undefined;
  }
}
