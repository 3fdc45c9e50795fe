// --client-crl-file and --peer-crl-file: a certificate revocation list, read as etcd 3.4's checkCRL
// (pkg/transport/listener_tls.go) reads it. etcd takes DER, or PEM when the file starts with
// "-----BEGIN X509 CRL"; cairn takes a PEM block anywhere in the file. A certificate is revoked when
// its serial number is in the list; the issuer, the list's signature and its update times are not
// looked at, as etcd does not. Serials are compared as unsigned numbers (Go's big.Int.Bytes()).
import { readFileSync, statSync } from 'node:fs';

export class CrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrlError';
  }
}

interface Tlv {
  readonly tag: number;
  /** content start and end in the buffer */
  readonly start: number;
  readonly end: number;
}

/** One DER element at `at`; throws CrlError past `limit`. Definite lengths only, as DER has. */
function readTlv(der: Buffer, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new CrlError('truncated DER');
  const tag = der[at];
  if ((tag & 0x1f) === 0x1f) throw new CrlError('unexpected multi-byte DER tag');
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new CrlError('bad DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new CrlError('truncated DER');
  return { tag, start, end };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const tlv = readTlv(der, at, parent.end);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;

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
  const list = readTlv(der, 0, der.length);
  if (list.tag !== SEQUENCE) throw new CrlError('not a CertificateList');
  const parts = children(der, list);
  if (parts.length !== 3 || parts[0].tag !== SEQUENCE) throw new CrlError('not a CertificateList');
  const tbs = children(der, parts[0]);
  let i = tbs[0]?.tag === INTEGER ? 1 : 0; // version
  i += 3; // signature, issuer, thisUpdate
  if (tbs.length < i) throw new CrlError('not a CertificateList');
  // nextUpdate is a UTCTime (0x17) or GeneralizedTime (0x18)
  if (tbs[i] !== undefined && (tbs[i].tag === 0x17 || tbs[i].tag === 0x18)) i++;
  const serials = new Set<string>();
  const revoked = tbs[i];
  if (revoked === undefined || revoked.tag !== SEQUENCE) return serials;
  for (const entry of children(der, revoked)) {
    if (entry.tag !== SEQUENCE) throw new CrlError('bad revoked certificate entry');
    const serial = children(der, entry)[0];
    if (serial?.tag !== INTEGER) throw new CrlError('bad revoked certificate entry');
    serials.add(serialHex(der.subarray(serial.start, serial.end).toString('hex')));
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
