// The PKI module writes through PkiFiles; this adapter points it at a Host. For a host other than
// the CA host, the CA's certificate and key are read from the CA host (the key is only held in
// memory to sign), and only the CA certificate is written to the host.
import { CERT_FILE_MODE, certPath, keyPath, type PkiFiles } from '../pki';
import type { Host } from '../ssh';

export function hostPkiFiles(host: Host, opts: { certificatesDir: string; caHost: Host }): PkiFiles {
  const etcd = `${opts.certificatesDir}/etcd`;
  const caFiles = new Set([certPath(etcd, 'ca'), keyPath(etcd, 'ca')]);
  const readFrom = async (h: Host, file: string): Promise<string | undefined> => ((await h.exists(file)) ? (await h.read(file)).toString('utf8') : undefined);
  return {
    read: (file) => readFrom(caFiles.has(file) ? opts.caHost : host, file),
    write: (file, data, mode) => host.upload(file, data, { mode }),
  };
}

/** Copies the CA certificate to a host that lacks it or has another one; true when it wrote. */
export async function copyCaCertificate(host: Host, opts: { certificatesDir: string; caHost: Host }): Promise<boolean> {
  const file = certPath(`${opts.certificatesDir}/etcd`, 'ca');
  const want = (await opts.caHost.read(file)).toString('utf8');
  const have = (await host.exists(file)) ? (await host.read(file)).toString('utf8') : undefined;
  if (have === want) return false;
  if (have !== undefined) throw new Error(`${file} on ${host.name} is not the CA certificate of ${opts.caHost.name}; move it away (or run cairnadm reset on ${host.name}) and re-run`);
  await host.upload(file, want, { mode: CERT_FILE_MODE });
  return true;
}
