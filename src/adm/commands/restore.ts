// cairnadm restore --snapshot FILE: disaster recovery from a backup, as `etcdctl snapshot restore`
// on every member: the file is checked first (its .sha256 beside it when there, etcd's trailer, the
// bbolt pages), every host must be reachable and have cairn installed; then every member stops,
// each data dir is rebuilt from the snapshot on its host (the shipped cairnctl runs the restore,
// with the configured hosts as the initial cluster), the members start as a new cluster and are
// waited on until healthy.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { checkSnapshotHash, snapshotStatus } from '../../snapshot';
import { shellCommand, shellQuote } from '../../ssh';
import { hostByName, peerUrl } from '../config';
import { messageOf } from '../errors';
import type { Phase } from '../phase';
import { launchPhase } from '../phases/launch';
import { renderPhase } from '../phases/render';
import { waitHealthyPhase } from '../phases/wait-healthy';
import { stopMember } from '../runtime';
import { checksumFile, sha256OfFile } from './backup';
import { planInit } from './init';
import type { Session } from './session';

export type RestoreSession = Session & { snapshot: string };

const RESTORE_TIMEOUT_MS = 600_000;

const shippedNode = (installDir: string) => posix.join(installDir, 'bin', 'node');
const shippedCairnctl = (installDir: string) => posix.join(installDir, 'lib', 'dist', 'src', 'cli', 'cairnctl.js');
const uploadedSnapshot = (installDir: string) => posix.join(installDir, 'restore', 'snapshot.db');

/** The snapshot file is whole: its recorded sha256 (when there), etcd's trailer, every page. */
async function checkSnapshot(ctx: RestoreSession): Promise<void> {
  const file = ctx.snapshot;
  if (!existsSync(file)) throw new Error(`--snapshot ${file}: no such file; give the file cairnadm backup (or etcdctl snapshot save) wrote`);
  const sidecar = checksumFile(file);
  if (existsSync(sidecar)) {
    const recorded = (await readFile(sidecar, 'utf8')).split(/\s+/)[0];
    const actual = await sha256OfFile(file);
    if (recorded !== actual) throw new Error(`${file}: sha256 ${actual} differs from ${recorded} recorded in ${sidecar}; the file is damaged: restore from another backup`);
  }
  let status;
  try {
    await checkSnapshotHash(file);
    status = await snapshotStatus(file);
  } catch (err) {
    throw new Error(`${file} is not a usable snapshot: ${messageOf(err)}; restore from another backup`);
  }
  ctx.print(`[check] snapshot ${file}: revision ${status.revision}, ${status.totalKey} keys, ${status.totalSize} bytes, hash ${status.hash.toString(16).padStart(8, '0')}`);
}

/** The host answers and has the cairn cairnadm shipped (its cairnctl does the restore there). */
async function checkHost(ctx: RestoreSession, name: string): Promise<void> {
  const host = ctx.host(name);
  const { installDir } = ctx.config.paths;
  for (const file of [shippedNode(installDir), shippedCairnctl(installDir)]) {
    if (!(await host.exists(file))) throw new Error(`${file} is missing: cairn was never installed here; run cairnadm init ${name} first, then restore`);
  }
  ctx.print(`[check] ${name}: reachable, cairn installed in ${installDir}`);
}

async function stop(ctx: RestoreSession, name: string): Promise<void> {
  await stopMember(ctx.host(name), ctx.config);
  ctx.print(`[stop] ${name}: stopped cairn (runtime ${ctx.config.runtime})`);
}

/** Rebuilds the data dir from the snapshot: restored beside it, then moved into it (it may be a mount point). */
async function restoreOnHost(ctx: RestoreSession, name: string): Promise<void> {
  const host = ctx.host(name);
  const h = hostByName(ctx.config, name);
  const { installDir, dataDir } = ctx.config.paths;
  const remote = uploadedSnapshot(installDir);
  await host.upload(remote, { localFile: ctx.snapshot }, { mode: 0o600 });
  const initialCluster = ctx.config.hosts.map((x) => `${x.name}=${peerUrl(x)}`).join(',');
  const restored = `${dataDir}.restored`;
  const restore = shellCommand([
    shippedNode(installDir),
    shippedCairnctl(installDir),
    'snapshot',
    'restore',
    remote,
    `--data-dir=${restored}`,
    `--name=${name}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-token=${ctx.config.token}`,
    `--initial-advertise-peer-urls=${peerUrl(h)}`,
  ]);
  const q = shellQuote;
  const script = [
    `rm -rf ${q(restored)}`,
    restore,
    `mkdir -p ${q(dataDir)}`,
    `find ${q(dataDir)} -mindepth 1 -delete`,
    `find ${q(restored)} -mindepth 1 -maxdepth 1 -exec mv {} ${q(dataDir)}/ \\;`,
    `rmdir ${q(restored)}`,
    `chmod 700 ${q(dataDir)}`,
    `rm -f ${q(remote)}`,
  ].join(' && ');
  const r = await host.exec(script, { timeoutMs: RESTORE_TIMEOUT_MS });
  if (r.code !== 0) throw new Error(`restoring ${dataDir} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n').slice(-6).join('\n')}`);
  ctx.print(`[restore] ${name}: ${dataDir} restored from ${ctx.snapshot} (initial cluster ${initialCluster})`);
}

export function restorePhases(): Phase<RestoreSession>[] {
  return [
    { name: 'check', help: 'Check the snapshot file (sha256, trailer, pages) and that every host is reachable with cairn installed', run: checkSnapshot, runOnHost: checkHost },
    { name: 'stop', help: 'Stop every member', runOnHost: stop, dependencies: ['check'] },
    { name: 'restore', help: "Rebuild each member's data dir from the snapshot (etcdctl snapshot restore)", runOnHost: restoreOnHost, dependencies: ['check', 'stop'] },
    { name: 'render', help: 'Render every member into one new cluster (initial-cluster-state new)', run: async (ctx) => planInit(ctx), runOnHost: renderPhase<RestoreSession>().runOnHost },
    { ...launchPhase<RestoreSession>(), dependencies: ['render'] },
    waitHealthyPhase(),
  ];
}
