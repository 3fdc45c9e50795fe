// cairnadm backup --output FILE [HOST...]: a snapshot of the cluster's data from a healthy member
// through the Maintenance Snapshot RPC (as etcdctl snapshot save: etcd's format with its SHA-256
// trailer, checked before the file is kept), FILE.sha256 beside it (sha256sum format), and with
// --with-pki a copy of the etcd CA (certificate and key) from the CA host under FILE.pki/.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { etcdserverpb } from '../../api';
import { CERT_FILE_MODE, certPath, ETCD_CA, KEY_FILE_MODE, keyPath } from '../../pki';
import { saveSnapshotStream, snapshotStatus } from '../../snapshot';
import { hostByName } from '../config';
import { messageOf } from '../errors';
import { clientUrl, waitMemberHealthy } from '../health';
import type { Phase } from '../phase';
import type { Session } from './session';

export type BackupSession = Session & {
  /** the snapshot file to write on this machine */
  output: string;
  withPki: boolean;
  /** the member the snapshot comes from, chosen by the check phase */
  source?: string;
};

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The sidecar file that holds a snapshot's checksum, as `sha256sum` writes it. */
export const checksumFile = (snapshot: string): string => `${snapshot}.sha256`;
export const pkiCopyDir = (snapshot: string): string => `${snapshot}.pki`;

async function check(ctx: BackupSession): Promise<void> {
  if (existsSync(ctx.output)) throw new Error(`${ctx.output} exists; choose another --output file, or move it away`);
  if (!existsSync(dirname(ctx.output))) throw new Error(`${dirname(ctx.output)}: no such directory for --output`);
  const creds = await ctx.credentials();
  const problems: string[] = [];
  for (const name of ctx.targets) {
    const url = clientUrl(hostByName(ctx.config, name));
    try {
      await waitMemberHealthy(url, creds, { attempts: 2, intervalMs: 1_000 });
      ctx.source = name;
      ctx.print(`[check] ${name}: healthy at ${url}; the snapshot comes from it`);
      return;
    } catch (err) {
      problems.push(`${name}: ${messageOf(err)}`);
    }
  }
  throw new Error(`no healthy member to take the snapshot from (${problems.join('; ')}); start one, or name a healthy host`);
}

async function snapshot(ctx: BackupSession): Promise<void> {
  const source = ctx.source ?? ctx.targets[0];
  const url = clientUrl(hostByName(ctx.config, source));
  if (ctx.dryRun) return ctx.print(`[dryrun] Would save a snapshot of ${source} (${url}) to ${ctx.output} and its sha256 to ${checksumFile(ctx.output)}`);
  const client = (await ctx.cluster()).forEndpoint(url);
  try {
    const stream = await client.serverStream(etcdserverpb.MaintenanceService.snapshot, {});
    async function* blobs(): AsyncGenerator<Uint8Array> {
      for await (const resp of stream as AsyncIterable<etcdserverpb.SnapshotResponse>) yield resp.blob;
    }
    await saveSnapshotStream(blobs(), ctx.output);
  } finally {
    client.close();
  }
  const status = await snapshotStatus(ctx.output);
  const sum = await sha256OfFile(ctx.output);
  await writeFile(checksumFile(ctx.output), `${sum}  ${basename(ctx.output)}\n`, { mode: 0o600 });
  ctx.print(`[snapshot] saved ${ctx.output} from ${source}: revision ${status.revision}, ${status.totalKey} keys, ${status.totalSize} bytes, sha256 ${sum}`);
}

async function copyPki(ctx: BackupSession): Promise<void> {
  const etcd = `${ctx.config.paths.certificatesDir}/etcd`;
  const host = ctx.host(ctx.caHost);
  const to = join(pkiCopyDir(ctx.output), 'etcd');
  if (ctx.dryRun) return ctx.print(`[dryrun] Would copy the etcd CA of ${ctx.caHost} to ${to}`);
  await mkdir(to, { recursive: true, mode: 0o700 });
  for (const [file, mode] of [[certPath(etcd, 'ca'), CERT_FILE_MODE], [keyPath(etcd, 'ca'), KEY_FILE_MODE]] as const) {
    await writeFile(join(to, basename(file)), await host.read(file), { mode });
  }
  ctx.print(`[pki] copied the ${ETCD_CA.name} certificate and key of ${ctx.caHost} to ${to} (the key is mode 0600: keep it as safe as the hosts)`);
}

export function backupPhases(): Phase<BackupSession>[] {
  return [
    { name: 'check', help: 'Check the output file is new and find a healthy member', run: check },
    { name: 'snapshot', help: 'Save a snapshot through the Maintenance Snapshot RPC, with its sha256 beside it', run: snapshot },
    { name: 'pki', help: 'With --with-pki, copy the etcd CA certificate and key', run: copyPki, runIf: (ctx) => ctx.withPki },
  ];
}
