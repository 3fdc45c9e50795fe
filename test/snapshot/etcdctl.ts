// Runs the real etcdctl (Debian's etcd-client, 3.4) for the snapshot tests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EtcdctlStatus {
  hash: number;
  revision: number;
  totalKey: number;
  totalSize: number;
}

/** `etcdctl <args>` with the v3 API; resolves to stdout, rejects with stderr in the message. */
export async function etcdctl(args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run('etcdctl', args, {
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: opts.timeoutMs ?? 30_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`etcdctl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** `etcdctl snapshot status -w json FILE`: bbolt opens the file and runs its consistency check. */
export async function etcdctlSnapshotStatus(path: string): Promise<EtcdctlStatus> {
  return JSON.parse(await etcdctl(['snapshot', 'status', '-w', 'json', path], { timeoutMs: 120_000 })) as EtcdctlStatus;
}
