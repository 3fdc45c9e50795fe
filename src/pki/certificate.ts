// Encodes and signs X.509 v3 certificates. node-forge builds the DER; node:crypto signs, because
// forge cannot sign with ECDSA keys. One path serves RSA and ECDSA alike. The extensions and their
// order follow what Go's crypto/x509 writes for kubeadm's templates, so our files look like theirs.
import { createHash, KeyObject, sign } from 'node:crypto';
import * as der from './der';
import type { Asn1 } from './der';
import { ipToBytes } from './ip';
import { PkiError } from './errors';

export type ExtKeyUsage = 'serverAuth' | 'clientAuth';

const EKU_OID: Record<ExtKeyUsage, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};
export const EKU_BY_OID: Record<string, ExtKeyUsage> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
};

export const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
} as const;

export interface Subject {
  commonName: string;
  organizations?: readonly string[];
}

/** What goes into one certificate. Dates are cut to whole seconds, as X.509 stores them. */
export interface CertificateTemplate {
  serial: Buffer;
  subject: Subject;
  notBefore: Date;
  notAfter: Date;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  isCA: boolean;
  extKeyUsages: readonly ExtKeyUsage[];
  publicKey: KeyObject;
}

/** The signer: its Name (DER, copied byte for byte into the issuer field), key id and private key. */
export interface Issuer {
  name: Buffer;
  keyId?: Buffer;
  privateKey: KeyObject;
}

export function encodeName(subject: Subject): Buffer {
  // Go's pkix.Name order: O before CN.
  const rdns: Asn1[] = [];
  for (const o of subject.organizations ?? []) {
    rdns.push(der.set([der.seq([der.oid(OID.organization), der.directoryString(o)])]));
  }
  rdns.push(der.set([der.seq([der.oid(OID.commonName), der.directoryString(subject.commonName)])]));
  return der.toDer(der.seq(rdns));
}

/** RFC 5280 key identifier, method 1 (what Go uses): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = der.fromDer(publicKey.export({ type: 'spki', format: 'der' }));
  const bits = der.content(der.children(spki)[1]).subarray(1);
  return createHash('sha1').update(bits).digest();
}

interface SignatureAlgorithm {
  hash: 'sha256' | 'sha384';
  identifier: () => Asn1;
}

/** Go's choice: SHA-256 with RSA for every RSA size, the curve's matching hash for ECDSA. */
export function signatureAlgorithm(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    return { hash: 'sha256', identifier: () => der.seq([der.oid('1.2.840.113549.1.1.11'), der.nul()]) };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { hash: 'sha256', identifier: () => der.seq([der.oid('1.2.840.10045.4.3.2')]) };
    if (curve === 'secp384r1') return { hash: 'sha384', identifier: () => der.seq([der.oid('1.2.840.10045.4.3.3')]) };
  }
  throw new PkiError(`unsupported signing key type ${key.asymmetricKeyType}`);
}

const extension = (id: string, critical: boolean, value: Buffer): Asn1 =>
  der.seq(critical ? [der.oid(id), der.bool(true), der.octets(value)] : [der.oid(id), der.octets(value)]);

/** keyUsage bits as Go writes them: digitalSignature | keyEncipherment, plus keyCertSign for a CA. */
function keyUsageValue(isCA: boolean): Buffer {
  const bits = isCA ? 0xa4 : 0xa0;
  const unused = isCA ? 2 : 5;
  return der.toDer(der.bitString(Buffer.from([bits]), unused));
}

function extensions(t: CertificateTemplate, issuer: Issuer, selfSigned: boolean): Asn1[] {
  const exts: Asn1[] = [extension(OID.keyUsage, true, keyUsageValue(t.isCA))];
  if (t.extKeyUsages.length > 0) {
    exts.push(extension(OID.extKeyUsage, false, der.toDer(der.seq(t.extKeyUsages.map((u) => der.oid(EKU_OID[u]))))));
  }
  exts.push(extension(OID.basicConstraints, true, der.toDer(der.seq(t.isCA ? [der.bool(true)] : []))));
  if (t.isCA) exts.push(extension(OID.subjectKeyId, false, der.toDer(der.octets(keyIdentifier(t.publicKey)))));
  if (!selfSigned && issuer.keyId) {
    exts.push(extension(OID.authorityKeyId, false, der.toDer(der.seq([der.implicit(0, issuer.keyId)]))));
  }
  const names: Asn1[] = [
    ...t.dnsNames.map((n) => der.implicit(2, Buffer.from(n, 'ascii'))),
    ...t.ipAddresses.map((ip) => {
      const bytes = ipToBytes(ip);
      if (!bytes) throw new PkiError(`invalid IP address SAN ${JSON.stringify(ip)}`);
      return der.implicit(7, bytes);
    }),
  ];
  if (names.length > 0) exts.push(extension(OID.subjectAltName, false, der.toDer(der.seq(names))));
  return exts;
}

/** Builds the certificate and signs it with the issuer's key. Returns DER. */
export function signCertificate(t: CertificateTemplate, issuer: Issuer): Buffer {
  const subjectName = encodeName(t.subject);
  const selfSigned = subjectName.equals(issuer.name);
  const alg = signatureAlgorithm(issuer.privateKey);
  const spki = t.publicKey.export({ type: 'spki', format: 'der' });
  const tbs = der.seq([
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(t.serial),
    alg.identifier(),
    der.fromDer(issuer.name),
    der.seq([der.time(t.notBefore), der.time(t.notAfter)]),
    der.fromDer(subjectName),
    der.fromDer(spki),
    der.explicit(3, der.seq(extensions(t, issuer, selfSigned))),
  ]);
  const tbsDer = der.toDer(tbs);
  const signature = sign(alg.hash, tbsDer, issuer.privateKey);
  return der.toDer(der.seq([der.fromDer(tbsDer), alg.identifier(), der.bitString(signature)]));
}

export function certificateToPem(certDer: Buffer): string {
  const b64 = certDer.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
