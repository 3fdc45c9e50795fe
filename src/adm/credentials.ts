// The client certificate cairnadm talks to members with (kubeadm's etcd/healthcheck-client), as
// files on this machine: read where they are, or copied from the CA host into a private temporary
// directory removed when the command ends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { certPath, keyPath } from '../pki';
import type { Host } from '../ssh';

export interface ClusterCredentials {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** removes the temporary copies, if any */
  dispose(): Promise<void>;
}

export function credentialPaths(certificatesDir: string): Omit<ClusterCredentials, 'dispose'> {
  const etcd = path.posix.join(certificatesDir, 'etcd');
  return { caFile: certPath(etcd, 'ca'), certFile: certPath(etcd, 'healthcheck-client'), keyFile: keyPath(etcd, 'healthcheck-client') };
}

/** The files themselves when `host` is this machine, copies otherwise. */
export async function fetchCredentials(host: Host, certificatesDir: string): Promise<ClusterCredentials> {
  const remote = credentialPaths(certificatesDir);
  if (host.address === 'local') return { ...remote, dispose: async () => undefined };
  const dir = await mkdtemp(path.join(tmpdir(), 'cairnadm-'));
  const local = { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'healthcheck-client.crt'), keyFile: path.join(dir, 'healthcheck-client.key') };
  try {
    for (const key of ['caFile', 'certFile', 'keyFile'] as const) await writeFile(local[key], await host.read(remote[key]), { mode: 0o600 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { ...local, dispose: () => rm(dir, { recursive: true, force: true }) };
}
