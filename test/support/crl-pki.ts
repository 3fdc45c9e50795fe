// Certificates with a chosen CN and subject alternative names, and certificate revocation lists, made
// with the openssl CLI from a CA already in a directory (`ca.crt` and `ca.key`, as test/cluster/peer-certs.ts
// and test/server-edge/tls-fixtures.ts leave them). A CRL is made with `openssl ca -revoke` and
// `openssl ca -gencrl` on a minimal CA configuration in a directory of its own.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(dir: string, args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000, encoding: 'utf8' });
}

export interface IssuedCert {
  readonly cert: string;
  readonly key: string;
  /** the serial number as openssl prints it (uppercase hex) */
  readonly serial: string;
}

export interface IssueOptions {
  /** subject CN */
  readonly cn: string;
  /** e.g. ['IP:127.0.0.1', 'DNS:peer.example']; none when empty */
  readonly sans?: readonly string[];
  /** default serverAuth,clientAuth */
  readonly usage?: string;
}

/** A certificate and key (`<base>.crt`, `<base>.key`, mode 0600) signed by the directory's CA. */
export function issueCert(dir: string, base: string, options: IssueOptions): IssuedCert {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${options.cn}`]);
  chmodSync(join(dir, `${base}.key`), 0o600);
  const ext = [`extendedKeyUsage=${options.usage ?? 'serverAuth,clientAuth'}`];
  if (options.sans && options.sans.length > 0) ext.push(`subjectAltName=${options.sans.join(',')}`);
  writeFileSync(join(dir, `${base}.ext`), `${ext.join('\n')}\n`);
  openssl(dir, ['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${base}.crt`, '-days', '2', '-extfile', `${base}.ext`]);
  const serial = openssl(dir, ['x509', '-in', `${base}.crt`, '-noout', '-serial']).trim().replace(/^serial=/, '');
  return { cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`), serial };
}

const caConfig = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 1
`;

/**
 * Writes a CRL from the directory's CA revoking these certificate files to `out` (PEM, or DER when
 * asked), replacing what was there: a fresh CA database each time, so the list holds exactly these.
 */
export function writeCrl(dir: string, out: string, revoked: readonly string[], options: { der?: boolean } = {}): void {
  const work = mkdtempSync(join(dir, 'crl-'));
  try {
    writeFileSync(join(work, 'ca.cnf'), caConfig);
    writeFileSync(join(work, 'index.txt'), '');
    writeFileSync(join(work, 'crlnumber'), '01\n');
    const ca = ['-config', 'ca.cnf', '-keyfile', join(dir, 'ca.key'), '-cert', join(dir, 'ca.crt')];
    for (const cert of revoked) openssl(work, ['ca', ...ca, '-revoke', cert]);
    openssl(work, ['ca', ...ca, '-gencrl', '-out', 'crl.pem']);
    // Written in place of the old file in one rename, so a reader never sees half a list.
    const next = join(work, 'crl.out');
    if (options.der) openssl(work, ['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', next]);
    else openssl(work, ['crl', '-in', 'crl.pem', '-out', next]);
    renameSync(next, out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
