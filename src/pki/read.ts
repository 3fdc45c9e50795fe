// Reads the fields cairnadm checks out of a PEM certificate. node:crypto parses and verifies;
// forge's ASN.1 reader gives the few fields node does not expose in structured form.
import { X509Certificate } from 'node:crypto';
import * as der from './der';
import { EKU_BY_OID, ExtKeyUsage, OID } from './certificate';
import { ipFromBytes } from './ip';
import { PkiError } from './errors';

export interface CertificateInfo {
  x509: X509Certificate;
  der: Buffer;
  commonName: string;
  organizations: string[];
  /** Subject and issuer Names as DER, for byte-exact comparison and for signing children. */
  subjectName: Buffer;
  issuerName: Buffer;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  extKeyUsages: ExtKeyUsage[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
}

function readTime(node: der.Asn1): Date {
  const s = typeof node.value === 'string' ? node.value : '';
  const full = node.type === 23 ? `${Number(s.slice(0, 2)) >= 50 ? '19' : '20'}${s}` : s;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(full);
  if (!m) throw new Error(`bad time ${s}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function readName(name: der.Asn1): { commonName: string; organizations: string[] } {
  let commonName = '';
  const organizations: string[] = [];
  for (const rdn of der.children(name)) {
    for (const atv of der.children(rdn)) {
      const [type, value] = der.children(atv);
      const text = der.content(value).toString(value.type === 12 ? 'utf8' : 'latin1');
      if (der.oidOf(type) === OID.commonName) commonName = text;
      if (der.oidOf(type) === OID.organization) organizations.push(text);
    }
  }
  return { commonName, organizations };
}

export function readCertificate(pem: string, file?: string): CertificateInfo {
  const what = file ?? 'certificate';
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    throw new PkiError(`${what}: not a PEM certificate`, file);
  }
  try {
    const certDer = x509.raw;
    const tbs = der.children(der.children(der.fromDer(certDer))[0]);
    const fields = tbs[0].tagClass === 0x80 ? tbs.slice(1) : tbs;
    const [serial, , issuer, validity, subject] = fields;
    const info: CertificateInfo = {
      x509,
      der: certDer,
      ...readName(subject),
      subjectName: der.toDer(subject),
      issuerName: der.toDer(issuer),
      serialHex: der.content(serial).toString('hex'),
      notBefore: readTime(der.children(validity)[0]),
      notAfter: readTime(der.children(validity)[1]),
      isCA: false,
      dnsNames: [],
      ipAddresses: [],
      extKeyUsages: [],
    };
    const extsWrapper = fields.find((f) => f.tagClass === 0x80 && f.type === 3);
    for (const ext of extsWrapper ? der.children(der.children(extsWrapper)[0]) : []) {
      const parts = der.children(ext);
      const id = der.oidOf(parts[0]);
      const value = der.fromDer(der.content(parts[parts.length - 1]));
      if (id === OID.basicConstraints) {
        const first = der.children(value)[0];
        info.isCA = first !== undefined && first.type === 1 && der.content(first)[0] !== 0;
      } else if (id === OID.extKeyUsage) {
        for (const u of der.children(value)) {
          const name = EKU_BY_OID[der.oidOf(u)];
          if (name) info.extKeyUsages.push(name);
        }
      } else if (id === OID.subjectAltName) {
        for (const gn of der.children(value)) {
          if (gn.type === 2) info.dnsNames.push(der.content(gn).toString('latin1'));
          if (gn.type === 7) info.ipAddresses.push(ipFromBytes(der.content(gn)));
        }
      } else if (id === OID.subjectKeyId) {
        info.subjectKeyId = der.content(value);
      } else if (id === OID.authorityKeyId) {
        const keyId = der.children(value).find((c) => c.tagClass === 0x80 && c.type === 0);
        if (keyId) info.authorityKeyId = der.content(keyId);
      }
    }
    return info;
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError(`${what}: malformed certificate`, file);
  }
}
