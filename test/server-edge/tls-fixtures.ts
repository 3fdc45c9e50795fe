// A test PKI made with openssl in a temp dir: a CA, a server certificate for 127.0.0.1/localhost, a
// client certificate signed by the CA, and a client certificate from another CA (must be refused).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly strangerCert: string;
  readonly strangerKey: string;
  read(path: string): Buffer;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
}

function ca(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`]);
  chmodSync(join(dir, `${name}.key`), 0o600);
}

function leaf(dir: string, name: string, caName: string, ext: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  chmodSync(join(dir, `${name}.key`), 0o600);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-pki-'));
  ca(dir, 'ca');
  leaf(dir, 'server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  leaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  ca(dir, 'other-ca');
  leaf(dir, 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const path = (file: string): string => join(dir, file);
  return {
    dir,
    caFile: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    strangerCert: path('stranger.crt'),
    strangerKey: path('stranger.key'),
    read: (p) => readFileSync(p),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
