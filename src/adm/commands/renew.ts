// cairnadm certs renew all|<name> [HOST...]: kubeadm's certs renew, then the restart kubeadm leaves
// to the operator, done without downtime: every certificate on every host is checked first (the CA
// key there and valid, each pair signed by it with its key), the cluster must be healthy with a
// leader, then the certificates are re-signed (same key, subject and SANs; new serial and
// validity) and the members restart one at a time, each healthy and serving its new certificate,
// with a leader all agree on, before the next.
import { X509Certificate } from 'node:crypto';
import { CERT_LIST, ETCD_SERVER, certPath, certSpec, checkRenewal, formatExpiry, loadSigningCA, renewCertificate, type CertKeyPair, type CertSpec } from '../../pki';
import { certificateOptions, hostByName } from '../config';
import { clientUrl, HEALTH_WAIT, waitMemberDown, waitMemberHealthy } from '../health';
import { moveLeaderFrom, startedMembers, waitAgreedLeader } from '../leader';
import { memberIdHex } from '../members';
import type { Phase } from '../phase';
import { hostPkiFiles } from '../pki-files';
import { restartMember } from '../runtime';
import { servingCertificate } from '../serving-cert';
import type { Session } from './session';

export type RenewSession = Session & {
  /** the certificates to renew, in kubeadm's order */
  certs: readonly CertSpec[];
  /** the etcd CA with its key, loaded by the check phase */
  ca?: CertKeyPair;
};

/** `all` or one leaf certificate's name, as kubeadm's subcommands. */
export function certificatesNamed(name: string): CertSpec[] {
  if (name === 'all') return CERT_LIST.filter((c) => c.caName);
  const spec = certSpec(name);
  if (!spec.caName) throw new Error(`${name} is the CA; cairnadm renews the certificates it signs (all, ${CERT_LIST.filter((c) => c.caName).map((c) => c.name).join(', ')})`);
  return [spec];
}

function pkiFiles(ctx: RenewSession, name: string) {
  return hostPkiFiles(ctx.host(name), { certificatesDir: ctx.config.paths.certificatesDir, caHost: ctx.host(ctx.caHost) });
}

/** The etcd CA with its key, read from the CA host once. */
async function signingCA(ctx: RenewSession): Promise<CertKeyPair> {
  try {
    ctx.ca ??= await loadSigningCA(pkiFiles(ctx, ctx.caHost), certificateOptions(ctx.config, ctx.caHost));
  } catch (err) {
    throw new Error(`on ${ctx.caHost} (the CA host): ${(err as Error).message}`);
  }
  return ctx.ca;
}

async function renewOptions(ctx: RenewSession, name: string) {
  return { ...certificateOptions(ctx.config, name), ca: await signingCA(ctx) };
}

async function checkCA(ctx: RenewSession): Promise<void> {
  ctx.print(`[check] etcd CA on ${ctx.caHost}: valid until ${formatExpiry((await signingCA(ctx)).cert.notAfter)}`);
}

async function checkHost(ctx: RenewSession, name: string): Promise<void> {
  for (const spec of ctx.certs) await checkRenewal(spec, pkiFiles(ctx, name), await renewOptions(ctx, name));
  const url = clientUrl(hostByName(ctx.config, name));
  await waitMemberHealthy(url, await ctx.credentials(), { attempts: 3, intervalMs: 1_000 }).catch((err: Error) => {
    throw new Error(`${err.message}; a rolling restart needs every member healthy: bring it back first (or renew with --skip-phases restart and restart by hand)`);
  });
  ctx.print(`[check] ${name}: ${ctx.certs.map((c) => c.name).join(', ')} can be renewed; member healthy at ${url}`);
}

async function renewOnHost(ctx: RenewSession, name: string): Promise<void> {
  for (const spec of ctx.certs) {
    const r = await renewCertificate(spec, pkiFiles(ctx, name), await renewOptions(ctx, name));
    ctx.print(`[renew] ${name}: ${spec.longName} renewed (valid until ${formatExpiry(r.notAfter)})`);
  }
}

async function restartOnHost(ctx: RenewSession, name: string): Promise<void> {
  const url = clientUrl(hostByName(ctx.config, name));
  const creds = await ctx.credentials();
  const client = await ctx.cluster();
  await ctx.wait(`every member to agree on a leader before restarting ${name}`, async () => {
    await waitAgreedLeader(client, HEALTH_WAIT);
  });
  if (ctx.dryRun) ctx.print(`[dryrun] Would move leadership away from ${name} if it leads`);
  else {
    const to = await moveLeaderFrom(client, url, HEALTH_WAIT);
    if (to) ctx.print(`[restart] ${name}: it led the cluster; moved leadership to ${to.name} (${memberIdHex(to.ID)})`);
  }
  await restartMember(ctx.host(name), ctx.config, () => ctx.wait(`member ${name} to stop`, () => waitMemberDown(url, creds)));
  await ctx.wait(`member ${name} to report healthy and serve its renewed certificate`, async () => {
    await waitMemberHealthy(url, creds);
    const leader = await waitAgreedLeader(client, HEALTH_WAIT);
    const served = await servingCertificate(url, creds);
    const file = certPath(ctx.config.paths.certificatesDir, ETCD_SERVER.baseName);
    const onDisk = new X509Certificate(await ctx.host(name).read(file));
    if (onDisk.serialNumber !== served.serialNumber) throw new Error(`${name} restarted but serves certificate serial ${served.serialNumber}, not ${onDisk.serialNumber} of ${file}`);
    const members = (await startedMembers(client)).length;
    ctx.print(`[restart] ${name}: restarted (runtime ${ctx.config.runtime}); healthy, serving certificate serial ${served.serialNumber} valid until ${served.validTo}; leader ${memberIdHex(leader)} (${members === 1 ? 'the only member' : `all ${members} members agree`})`);
  });
}

/** Followers first, the leader last: leadership then changes hands once, not at every restart. */
async function restartOrder(ctx: RenewSession, targets: readonly string[]): Promise<string[]> {
  const client = await ctx.cluster();
  const leader = await waitAgreedLeader(client, HEALTH_WAIT);
  const leaderUrls = (await startedMembers(client)).find((m) => m.ID === leader)?.clientURLs ?? [];
  const leads = (name: string) => leaderUrls.includes(clientUrl(hostByName(ctx.config, name)));
  const order = [...targets.filter((t) => !leads(t)), ...targets.filter(leads)];
  const leaderName = targets.find(leads);
  ctx.print(`[restart] order: ${order.join(', ')}${leaderName ? ` (${leaderName} leads, so it goes last)` : ''}`);
  return order;
}

export function renewPhases(): Phase<RenewSession>[] {
  return [
    { name: 'check', help: 'Check the CA, every certificate to renew and the health of every member; nothing changes', run: checkCA, runOnHost: checkHost },
    { name: 'renew', help: 'Re-sign the certificates with the etcd CA (same key, subject and SANs; new serial and validity)', runOnHost: renewOnHost, dependencies: ['check'] },
    { name: 'restart', help: 'Restart the members one at a time (the leader last), each healthy with its new certificate before the next', hosts: restartOrder, runOnHost: restartOnHost },
  ];
}
