// A CA and one peer certificate per member (server and client use, SAN IP 127.0.0.1), made with
// openssl for the cluster tests; keys are written mode 0600.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PeerCerts {
  ca: string;
  cert(name: string): string;
  key(name: string): string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30000 });
}

export function makePeerCerts(dir: string, names: readonly string[]): PeerCerts {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=cairn-test-ca']);
  chmodSync(join(dir, 'ca.key'), 0o600);
  for (const name of names) {
    writeFileSync(
      join(dir, `${name}.ext`),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n',
    );
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    chmodSync(join(dir, `${name}.key`), 0o600);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  }
  return { ca: join(dir, 'ca.crt'), cert: (n) => join(dir, `${n}.crt`), key: (n) => join(dir, `${n}.key`) };
}
