// snapshot save | status: a database snapshot (Maintenance.Snapshot) to a file and back. The file is
// etcd's format: a bbolt database followed by its SHA-256, checked before it is kept.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { etcdserverpb } from '../../api';
import { restoreDataDir } from '../../restore';
import { saveSnapshotStream, snapshotStatus } from '../../snapshot';
import type { CtlContext } from '../context';
import { badArgs, CtlError, ExitCode } from '../exit';
import { callOrFail, toCtlError } from './shared';

export function registerSnapshotCommands(program: Command, ctx: CtlContext): void {
  const snapshot = program.command('snapshot').description('Manages etcd node snapshots');

  snapshot.command('save').description('Stores an etcd node backend snapshot to a given file').usage('<filename>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('snapshot save expects one argument');
      if (ctx.global.endpoints.length !== 1) throw badArgs(`snapshot must be requested to one selected node, not multiple [${ctx.global.endpoints.join(' ')}]`);
      const stream = await callOrFail(ctx.client().serverStream(etcdserverpb.MaintenanceService.snapshot, {}));
      async function* blobs(): AsyncGenerator<Uint8Array> {
        for await (const resp of stream as AsyncIterable<etcdserverpb.SnapshotResponse>) yield resp.blob;
      }
      try {
        // Written to FILE.part, fsynced and checked against the trailer before the rename: a broken
        // stream never leaves a file that looks like a snapshot.
        await saveSnapshotStream(blobs(), args[0]);
      } catch (err) {
        throw toCtlError(err, ExitCode.error, (m) => `could not save snapshot: ${m}`);
      }
      ctx.output.out(`Snapshot saved at ${args[0]}\n`);
    });

  snapshot.command('status').description('Gets backend snapshot status of a given file').usage('<filename>').argument('[args...]')
    .action(async (args: string[]) => {
      if (args.length !== 1) throw badArgs('snapshot status requires exactly one argument');
      if (!existsSync(args[0])) throw new CtlError(ExitCode.error, `stat ${args[0]}: no such file or directory`);
      let status;
      try {
        status = await snapshotStatus(args[0]);
      } catch (err) {
        throw new CtlError(ExitCode.error, err instanceof Error ? err.message : String(err));
      }
      ctx.printer.dbStatus({ hash: status.hash, revision: BigInt(status.revision), totalKey: status.totalKey, totalSize: status.totalSize });
    });

  snapshot.command('restore').description('Restores an etcd member snapshot to an etcd directory').usage('<filename> [options]').argument('[args...]')
    .option('--data-dir <dir>', 'Path to the data directory', '')
    .option('--wal-dir <dir>', 'Path to the WAL directory (use --data-dir if none given)', '')
    .option('--name <name>', 'Human-readable name for this member', 'default')
    .option('--initial-cluster <list>', 'Initial cluster configuration for restore bootstrap', '')
    .option('--initial-cluster-token <token>', 'Initial cluster token for the etcd cluster during restore bootstrap', 'etcd-cluster')
    .option('--initial-advertise-peer-urls <urls>', 'List of this member\'s peer URLs to advertise to the rest of the cluster', 'http://localhost:2380')
    .option('--skip-hash-check', 'Ignore snapshot integrity hash value (required if copied from data directory)')
    .action(async (args: string[], o: { dataDir: string; walDir: string; name: string; initialCluster: string; initialClusterToken: string; initialAdvertisePeerUrls: string; skipHashCheck?: boolean }) => {
      if (args.length !== 1) throw badArgs('snapshot restore requires exactly one argument');
      try {
        await restoreDataDir(args[0], {
          dataDir: o.dataDir || `${o.name}.etcd`,
          name: o.name,
          initialCluster: o.initialCluster || undefined,
          initialClusterToken: o.initialClusterToken,
          initialAdvertisePeerUrls: o.initialAdvertisePeerUrls,
          skipHashCheck: !!o.skipHashCheck,
          walDir: o.walDir || undefined,
        });
      } catch (err) {
        throw new CtlError(ExitCode.error, err instanceof Error ? err.message : String(err));
      }
    });
}
