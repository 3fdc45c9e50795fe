// certs: the etcd CA on the CA host, then each host's server, peer and client certificates,
// reusing valid files (src/pki decides reuse, creation, or a problem naming the file).
import { CERT_LIST, ensureCertificates, keyPath } from '../../pki';
import { certificateOptions } from '../config';
import type { AdmContext } from '../context';
import type { Phase } from '../phase';
import { copyCaCertificate, hostPkiFiles } from '../pki-files';

export type CertsContext = Pick<AdmContext, 'config' | 'host' | 'caHost' | 'print' | 'dryRun'>;

async function certsOnHost(ctx: CertsContext, name: string, only?: string[]): Promise<void> {
  const host = ctx.host(name);
  const caHost = ctx.host(ctx.caHost);
  const { certificatesDir } = ctx.config.paths;
  if (name !== ctx.caHost && !(await caHost.exists(keyPath(`${certificatesDir}/etcd`, 'ca')))) {
    // the CA key is made on the CA host only, so another host waits for it
    if (ctx.dryRun) return ctx.print(`[certs] ${name}: would sign with the etcd CA made on ${ctx.caHost}`);
    throw new Error(`the etcd CA key is not on ${ctx.caHost} (${keyPath(`${certificatesDir}/etcd`, 'ca')}); run the certs phase there first (cairnadm init ${ctx.caHost})`);
  }
  const results = await ensureCertificates(hostPkiFiles(host, { certificatesDir, caHost }), { ...certificateOptions(ctx.config, name), only });
  // on another host, ensureCertificates read the CA from the CA host; put its certificate here too
  if (name !== ctx.caHost && (await copyCaCertificate(host, { certificatesDir, caHost }))) ctx.print(`[certs] ${name}: copied the etcd CA certificate from ${ctx.caHost}`);
  // a leaf's sub-phase loads the CA too; report only what the sub-phase is about
  for (const r of results.filter((x) => !only?.length || only.includes(x.name))) ctx.print(`[certs] ${name}: ${r.action === 'created' ? 'generated' : 'using existing'} ${r.name} certificate and key (${r.certPath})`);
}

/** The certs phase, with a sub-phase per certificate (kubeadm's certs/etcd-ca, certs/etcd-server, ...). */
export function certsPhase<C extends CertsContext>(): Phase<C> {
  return {
    name: 'certs',
    help: 'Certificate generation',
    phases: CERT_LIST.map((spec) => ({
      name: spec.name,
      help: `Generate the ${spec.longName}`,
      runOnHost: (ctx: C, host: string) => (spec.caName ? certsOnHost(ctx, host, [spec.name]) : certsOnHost(ctx, host, [])),
    })),
  };
}
