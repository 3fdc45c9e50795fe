// --auto-tls: a generated certificate for the client URLs, kept under <data-dir>/fixtures/client as
// etcd keeps its own, and reused on restart. It is signed by a throwaway CA, so clients connect with
// --insecure-skip-tls-verify, as they must with etcd's self-signed one.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type * as Pki from '../../pki';

export interface AutoTlsOptions {
  readonly logger: Logger;
}

/** The certificate and key files for --auto-tls, created when missing; `hosts` become subject alternative names. */
export function autoTlsFiles(dataDir: string, hosts: readonly string[], options: AutoTlsOptions): { certFile: string; keyFile: string } {
  const dir = join(dataDir, 'fixtures', 'client');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  // Loaded here, not at start-up: node-forge is ~0.9 MB of JavaScript, ~5 MiB of a member's memory
  // that only --auto-tls needs.
  const { ETCD_CA, ETCD_SERVER, KEY_FILE_MODE, createCA, createLeaf } = require('../../pki') as typeof Pki;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const names = [...new Set(hosts.filter((h) => h !== '' && h !== '0.0.0.0' && h !== '::'))];
  const ca = createCA(ETCD_CA);
  const leaf = createLeaf(ETCD_SERVER, ca, {
    host: { name: 'localhost', advertiseAddress: names.find((h) => isIP(h) !== 0) ?? '127.0.0.1' },
    serverCertSANs: names,
  });
  writeFileSync(keyFile, leaf.keyPem, { mode: KEY_FILE_MODE });
  writeFileSync(certFile, leaf.certPem + ca.certPem, { mode: 0o644 });
  options.logger.info({ cert: certFile, key: keyFile, hosts: names }, 'generated a self-signed certificate for --auto-tls');
  return { certFile, keyFile };
}
