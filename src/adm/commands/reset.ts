// cairnadm reset [HOST...]: take members out of the cluster and off their hosts, as kubeadm reset:
// remove the member (not when it is the last; not found counts as done), stop it, then wipe its
// data dir, rendered files, certificates and the shipped bundle.
import { hostByName, peerUrl } from '../config';
import { certPath, keyPath } from '../../pki';
import { clientUrl, clusterClient } from '../health';
import { messageOf } from '../errors';
import { removeMemberAt } from '../members';
import type { Phase } from '../phase';
import { stopMember } from '../runtime';
import { dirname } from 'node:path';
import { shellQuote } from '../../ssh';
import type { Session } from './session';

async function removeMember(ctx: Session, name: string): Promise<void> {
  const h = hostByName(ctx.config, name);
  const url = peerUrl(h);
  let creds;
  try {
    creds = await ctx.credentials();
  } catch (err) {
    return ctx.print(`[remove-member] ${name}: no client certificate to reach the cluster (${messageOf(err)}); skipping the member removal`);
  }
  // ask the other members first: the one being reset may already be down
  const endpoints = [...ctx.config.hosts.filter((x) => x.name !== name).map(clientUrl), clientUrl(h)];
  const client = clusterClient(endpoints, creds);
  try {
    if (ctx.dryRun) return ctx.print(`[dryrun] Would remove the member at ${url} from the cluster unless it is the last`);
    const outcome = await removeMemberAt(client, url);
    const says = { removed: 'removed its member from the cluster', 'not-found': `no member at ${url}; nothing to remove`, 'last-member': 'it is the last member; the cluster goes with it' };
    ctx.print(`[remove-member] ${name}: ${says[outcome]}`);
  } catch (err) {
    ctx.print(`[remove-member] ${name}: the cluster could not be reached to remove the member (${messageOf(err)}); remove it by hand with cairnctl member remove if the cluster lives on`);
  } finally {
    client.close();
  }
}

async function stop(ctx: Session, name: string): Promise<void> {
  await stopMember(ctx.host(name), ctx.config);
  ctx.print(`[stop] ${name}: stopped cairn (runtime ${ctx.config.runtime})`);
}

async function cleanup(ctx: Session, name: string): Promise<void> {
  const host = ctx.host(name);
  const p = ctx.config.paths;
  const etcdPki = `${p.certificatesDir}/etcd`;
  const walDir = ctx.config.extraArgs['wal-dir'];
  const targets: [string, boolean][] = [
    [p.dataDir, true],
    // a WAL left behind would be read by the next member made on this host, with an empty data dir
    ...(typeof walDir === 'string' && walDir !== '' ? [[walDir, true] as [string, boolean]] : []),
    [p.manifestFile, false],
    [p.unitFile, false],
    [p.configFile, false],
    [etcdPki, true],
    [certPath(p.certificatesDir, 'apiserver-etcd-client'), false],
    [keyPath(p.certificatesDir, 'apiserver-etcd-client'), false],
    [p.installDir, true],
  ];
  for (const [path, recursive] of targets) {
    if (!(await host.exists(path))) continue;
    if (recursive) {
      // the contents first: the directory itself may be a mount point (kubeadm wipes /var/lib/etcd's contents too)
      const r = await host.exec(`find ${shellQuote(path)} -mindepth 1 -delete && { rmdir ${shellQuote(path)} 2>/dev/null; true; }`, { timeoutMs: 120_000 });
      if (r.code !== 0) throw new Error(`cannot empty ${path}: ${r.stderr.trim() || `exit ${r.code}`}`);
    } else await host.remove(path);
    ctx.print(`[cleanup] ${name}: removed ${path}`);
  }
  // the certificates dir itself goes when nothing else is left in it (kubeadm's other files may be)
  await host.exec(`rmdir ${shellQuote(p.certificatesDir)} ${shellQuote(dirname(p.manifestFile))} 2>/dev/null; true`, { timeoutMs: 30_000 });
  if (ctx.config.runtime === 'systemd') await host.exec('systemctl daemon-reload', { timeoutMs: 60_000 });
}

export function resetPhases(): Phase<Session>[] {
  return [
    { name: 'remove-member', help: 'Remove the member from the cluster (not when it is the last)', runOnHost: removeMember },
    { name: 'stop', help: 'Stop the member under its runtime', runOnHost: stop },
    { name: 'cleanup', help: 'Remove the data dir, rendered files, certificates and the cairn bundle', runOnHost: cleanup, dependencies: ['stop'] },
  ];
}
