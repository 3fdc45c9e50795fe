// Idempotent creation of the certificate tree, as kubeadm's certs phase: a pair that exists and
// checks out is reused, a pair that is absent is created, and anything else is an error that
// names the file. The whole tree is inspected before anything is written, so a run that would
// fail changes nothing; nothing existing is ever overwritten.
import type { KeyObject } from 'node:crypto';
import { CERT_LIST, CertSpec, ETCD_CA, ProfileContext, certProfile, certSpec } from './cert-list';
import { CERT_FILE_MODE, KEY_FILE_MODE, PkiFiles, certPath, keyPath } from './files';
import { CertKeyPair, IssueOptions, SignedPair, createCA, createLeaf } from './issue';
import { parsePrivateKey } from './key-algorithm';
import { CertificateInfo, readCertificate } from './read';
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

/** What is on disk for one certificate: absent (will be created), valid (reused) or invalid. */
export type CertState = 'absent' | 'valid' | 'invalid';

export interface CertInspection {
  name: string;
  certPath: string;
  keyPath: string;
  state: CertState;
  /** Why the run would stop; each names its file. Empty when ensure would succeed. */
  problems: string[];
  /** The file the first problem is about. */
  problemFile?: string;
  notAfter?: Date;
}

export interface EnsureOptions extends IssueOptions, ProfileContext {
  certificatesDir: string;
}

interface Loaded {
  inspection: CertInspection;
  cert?: CertificateInfo;
  certPem?: string;
  key?: KeyObject;
}

/** Reads a pair and parses what exists; parse failures become problems. */
async function load(files: PkiFiles, dir: string, spec: CertSpec): Promise<Loaded> {
  const c = certPath(dir, spec.baseName);
  const k = keyPath(dir, spec.baseName);
  const [certPem, keyPem] = await Promise.all([files.read(c), files.read(k)]);
  const inspection: CertInspection = { name: spec.name, certPath: c, keyPath: k, state: 'absent', problems: [] };
  const loaded: Loaded = { inspection, certPem };
  const problem = (file: string, text: string): void => {
    inspection.problems.push(text);
    inspection.problemFile ??= file;
  };
  if (certPem === undefined && keyPem === undefined) return loaded;
  inspection.state = 'valid';
  if (certPem === undefined) problem(c, `${c}: missing, but its key ${k} exists`);
  else {
    try {
      loaded.cert = readCertificate(certPem, c);
      inspection.notAfter = loaded.cert.notAfter;
    } catch (err) {
      problem(c, (err as Error).message.replace(/^pki: /, ''));
    }
  }
  if (keyPem === undefined) {
    if (spec.caName) problem(k, `${k}: missing, but its certificate ${c} exists`);
  } else {
    try {
      loaded.key = parsePrivateKey(keyPem, k);
    } catch (err) {
      problem(k, (err as Error).message.replace(/^pki: /, ''));
    }
  }
  return loaded;
}

function addProblems(loaded: Loaded, problems: string[]): void {
  const i = loaded.inspection;
  if (problems.length > 0) i.problemFile ??= i.certPath;
  i.problems.push(...problems);
  if (i.problems.length > 0 && i.state !== 'absent') i.state = 'invalid';
}

const clockOf = (options: IssueOptions): Date => (options.clock ?? (() => new Date()))();

/** The CA as found on disk. A CA certificate without its key is valid: the key stays where init ran. */
async function inspectCA(files: PkiFiles, options: EnsureOptions): Promise<Loaded> {
  const loaded = await load(files, options.certificatesDir, ETCD_CA);
  if (loaded.cert) {
    const expected = { ...certProfile(ETCD_CA), commonName: loaded.cert.commonName, dnsNames: [] };
    addProblems(loaded, certificateProblems({ cert: loaded.cert, key: loaded.key, certPath: loaded.inspection.certPath, keyPath: loaded.inspection.keyPath }, { now: clockOf(options), expected }));
  } else addProblems(loaded, []);
  return loaded;
}

async function inspectLeaf(spec: CertSpec, files: PkiFiles, options: EnsureOptions, ca: Loaded): Promise<Loaded> {
  const loaded = await load(files, options.certificatesDir, spec);
  const i = loaded.inspection;
  const caPath = ca.inspection.certPath;
  const problems: string[] = [];
  if (i.state === 'absent') {
    if (ca.inspection.state === 'valid' && !ca.key) problems.push(`${i.certPath}: missing, and the CA key is not here to sign it; create it where the CA key is`);
  } else if (!ca.cert) {
    problems.push(`${i.certPath}: exists, but its CA ${caPath} does not`);
  } else if (loaded.cert) {
    problems.push(
      ...certificateProblems(
        { cert: loaded.cert, key: loaded.key, certPath: i.certPath, keyPath: i.keyPath },
        { now: clockOf(options), expected: certProfile(spec, options), ca: ca.cert, caPath },
      ),
    );
  }
  addProblems(loaded, problems);
  return loaded;
}

function leavesOf(only?: readonly string[]): CertSpec[] {
  for (const name of only ?? []) certSpec(name); // an unknown name is an error
  return CERT_LIST.filter((c) => c.caName && (!only || only.includes(c.name)));
}

/**
 * The state of the CA and the leaves (all, or `only` these) without writing anything: what a
 * preflight check or a dry run reports.
 */
export async function inspectCertificates(files: PkiFiles, options: EnsureOptions & { only?: readonly string[] }): Promise<CertInspection[]> {
  const ca = await inspectCA(files, options);
  const out = [ca.inspection];
  for (const spec of leavesOf(options.only)) out.push((await inspectLeaf(spec, files, options, ca)).inspection);
  return out;
}

function stop(i: CertInspection): never {
  throw new PkiError(`${i.problems.join('; ')}; remove the files to have them created again, or renew them`, i.problemFile);
}

async function writePair(files: PkiFiles, i: CertInspection, pair: SignedPair): Promise<void> {
  // Key first: a certificate without its key would be reported as broken on the next run.
  await files.write(i.keyPath, pair.keyPem, KEY_FILE_MODE);
  await files.write(i.certPath, pair.certPem, CERT_FILE_MODE);
}

const result = (i: CertInspection, action: CertAction, notAfter: Date): CertResult => ({
  name: i.name,
  certPath: i.certPath,
  keyPath: i.keyPath,
  action,
  notAfter,
});

/** Loads the CA, or creates it when neither of its files exists. */
export async function ensureCA(files: PkiFiles, options: EnsureOptions): Promise<{ ca: CertKeyPair; result: CertResult }> {
  const loaded = await inspectCA(files, options);
  const i = loaded.inspection;
  if (i.problems.length > 0) stop(i);
  if (loaded.cert && loaded.certPem) {
    return { ca: { cert: loaded.cert, certPem: loaded.certPem, key: loaded.key }, result: result(i, 'reused', loaded.cert.notAfter) };
  }
  const created = createCA(ETCD_CA, options);
  await writePair(files, i, created);
  return { ca: created, result: result(i, 'created', created.cert.notAfter) };
}

/**
 * The CA that signs renewals: both files here, valid now, the key matching. Unlike ensureCA it
 * never creates one, and an expired CA is refused: what it signed again would be trusted by no one.
 */
export async function loadSigningCA(files: PkiFiles, options: EnsureOptions): Promise<CertKeyPair & { key: KeyObject }> {
  const loaded = await inspectCA(files, options);
  const i = loaded.inspection;
  if (i.problems.length > 0) {
    throw new PkiError(`${i.problems.join('; ')}; certificates signed by this CA cannot be renewed: a new CA needs new certificates on every host (cairnadm reset, then init)`, i.problemFile);
  }
  if (!loaded.cert || !loaded.certPem) throw new PkiError(`${i.certPath}: missing; there is no etcd CA here to renew with (run cairnadm init first)`, i.certPath);
  if (!loaded.key) throw new PkiError(`${i.keyPath}: missing; renew on the host that holds the etcd CA key`, i.keyPath);
  return { cert: loaded.cert, certPem: loaded.certPem, key: loaded.key };
}

/** Reuses, creates or refuses one leaf certificate of the table. */
export async function ensureLeaf(spec: CertSpec, files: PkiFiles, options: EnsureOptions & { ca: CertKeyPair }): Promise<CertResult> {
  const ca: Loaded = {
    inspection: { name: ETCD_CA.name, certPath: certPath(options.certificatesDir, ETCD_CA.baseName), keyPath: keyPath(options.certificatesDir, ETCD_CA.baseName), state: 'valid', problems: [] },
    cert: options.ca.cert,
    key: options.ca.key,
  };
  const loaded = await inspectLeaf(spec, files, options, ca);
  const i = loaded.inspection;
  if (i.problems.length > 0) stop(i);
  if (i.state === 'valid' && loaded.cert) return result(i, 'reused', loaded.cert.notAfter);
  const created = createLeaf(spec, options.ca, options);
  await writePair(files, i, created);
  return result(i, 'created', created.cert.notAfter);
}

/**
 * The whole tree for one host: the CA, then each leaf in table order (or only the leaves named
 * in `only`, for `init phase certs/<name>`; the CA is always loaded because every leaf needs
 * it). Everything is inspected first: if any file is wrong, nothing is written.
 */
export async function ensureCertificates(files: PkiFiles, options: EnsureOptions & { only?: readonly string[] }): Promise<CertResult[]> {
  const bad = (await inspectCertificates(files, options)).find((i) => i.problems.length > 0);
  if (bad) stop(bad);
  const { ca, result: caResult } = await ensureCA(files, options);
  const results = [caResult];
  for (const spec of leavesOf(options.only)) results.push(await ensureLeaf(spec, files, { ...options, ca }));
  return results;
}
