// Idempotent creation of the certificate tree, as kubeadm's certs phase: a pair that exists and
// checks out is reused, a pair that is absent is created, and anything else is an error that
// names the file. Nothing existing is ever overwritten.
import type { KeyObject } from 'node:crypto';
import { CERT_LIST, CertSpec, ETCD_CA, ProfileContext, certProfile, certSpec } from './cert-list';
import { CERT_FILE_MODE, KEY_FILE_MODE, PkiFiles, certPath, keyPath } from './files';
import { CertKeyPair, IssueOptions, SignedPair, createCA, createLeaf } from './issue';
import { parsePrivateKey } from './key-algorithm';
import { readCertificate } from './read';
import { certificateProblems } from './verify';
import { PkiError } from './errors';

export type CertAction = 'created' | 'reused';

export interface CertResult {
  name: string;
  certPath: string;
  keyPath: string;
  action: CertAction;
  notAfter: Date;
}

export interface EnsureOptions extends IssueOptions, ProfileContext {
  certificatesDir: string;
}

interface Existing {
  cert?: { pem: string; path: string };
  key?: { pem: string; path: string };
}

async function readPair(files: PkiFiles, dir: string, spec: CertSpec): Promise<Existing & { certPath: string; keyPath: string }> {
  const c = certPath(dir, spec.baseName);
  const k = keyPath(dir, spec.baseName);
  const [certPem, keyPem] = await Promise.all([files.read(c), files.read(k)]);
  return {
    certPath: c,
    keyPath: k,
    cert: certPem === undefined ? undefined : { pem: certPem, path: c },
    key: keyPem === undefined ? undefined : { pem: keyPem, path: k },
  };
}

async function writePair(files: PkiFiles, paths: { certPath: string; keyPath: string }, pair: SignedPair): Promise<void> {
  // Key first: a certificate without its key would be reported as broken on the next run.
  await files.write(paths.keyPath, pair.keyPem, KEY_FILE_MODE);
  await files.write(paths.certPath, pair.certPem, CERT_FILE_MODE);
}

function fail(problems: string[], file: string): never {
  throw new PkiError(`${problems.join('; ')}; remove the files to have them created again, or renew them`, file);
}

/**
 * Loads the CA, or creates it when neither file exists. A CA certificate without its key is
 * accepted (the key stays on the host where init ran); leaves then can only be reused.
 */
export async function ensureCA(files: PkiFiles, options: EnsureOptions): Promise<{ ca: CertKeyPair; result: CertResult }> {
  const spec = ETCD_CA;
  const found = await readPair(files, options.certificatesDir, spec);
  const now = (options.clock ?? (() => new Date()))();
  if (!found.cert && found.key) {
    throw new PkiError(`${found.certPath}: missing, but its key ${found.keyPath} exists`, found.certPath);
  }
  if (!found.cert) {
    const created = createCA(spec, options);
    await writePair(files, found, created);
    return { ca: created, result: { name: spec.name, ...paths(found), action: 'created', notAfter: created.cert.notAfter } };
  }
  const cert = readCertificate(found.cert.pem, found.certPath);
  const key: KeyObject | undefined = found.key ? parsePrivateKey(found.key.pem, found.keyPath) : undefined;
  const problems = certificateProblems(
    { cert, key, certPath: found.certPath, keyPath: found.keyPath },
    { now, expected: { ...certProfile(spec), commonName: cert.commonName, dnsNames: [] } },
  );
  if (problems.length > 0) fail(problems, found.certPath);
  return {
    ca: { cert, certPem: found.cert.pem, key },
    result: { name: spec.name, ...paths(found), action: 'reused', notAfter: cert.notAfter },
  };
}

const paths = (p: { certPath: string; keyPath: string }): { certPath: string; keyPath: string } => ({
  certPath: p.certPath,
  keyPath: p.keyPath,
});

/** Reuses, creates or refuses one leaf certificate of the table. */
export async function ensureLeaf(spec: CertSpec, files: PkiFiles, options: EnsureOptions & { ca: CertKeyPair }): Promise<CertResult> {
  const found = await readPair(files, options.certificatesDir, spec);
  const expected = certProfile(spec, options);
  if (!found.cert && !found.key) {
    if (!options.ca.key) {
      throw new PkiError(`${found.certPath}: missing, and the CA key is not here to sign it; create it on the host that holds the CA key`, found.certPath);
    }
    const created = createLeaf(spec, options.ca, options);
    await writePair(files, found, created);
    return { name: spec.name, ...paths(found), action: 'created', notAfter: created.cert.notAfter };
  }
  if (!found.cert) throw new PkiError(`${found.certPath}: missing, but its key ${found.keyPath} exists`, found.certPath);
  if (!found.key) throw new PkiError(`${found.keyPath}: missing, but its certificate ${found.certPath} exists`, found.keyPath);
  const cert = readCertificate(found.cert.pem, found.certPath);
  const key = parsePrivateKey(found.key.pem, found.keyPath);
  const now = (options.clock ?? (() => new Date()))();
  const problems = certificateProblems(
    { cert, key, certPath: found.certPath, keyPath: found.keyPath },
    { now, expected, ca: options.ca.cert, caPath: certPath(options.certificatesDir, ETCD_CA.baseName) },
  );
  if (problems.length > 0) fail(problems, found.certPath);
  return { name: spec.name, ...paths(found), action: 'reused', notAfter: cert.notAfter };
}

/**
 * The whole tree for one host: the CA, then each leaf in table order. `only` limits the leaves
 * (for `init phase certs/<name>`); the CA is always loaded because every leaf needs it.
 */
export async function ensureCertificates(files: PkiFiles, options: EnsureOptions & { only?: readonly string[] }): Promise<CertResult[]> {
  const { ca, result } = await ensureCA(files, options);
  const results = [result];
  const leaves = CERT_LIST.filter((c) => c.caName && (!options.only || options.only.includes(c.name)));
  for (const name of options.only ?? []) certSpec(name); // unknown names are an error
  for (const spec of leaves) results.push(await ensureLeaf(spec, files, { ...options, ca }));
  return results;
}
