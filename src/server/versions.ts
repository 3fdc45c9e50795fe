// The versions the server reports. Clients parse the etcd version as semver to switch features on
// (kube-apiserver asks for watch progress only from 3.4.31 on), so it names the etcd release whose
// behaviour cairn matches.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** etcd release whose behaviour we match: progress requests are answered only once every watcher on the stream is synced, as etcd fixed in 3.4.31. */
export const etcdServerVersion = '3.4.31';
/** The cluster version etcd 3.4 members agree on. */
export const etcdClusterVersion = '3.4.0';

export interface Versions {
  etcdserver: string;
  etcdcluster: string;
  cairn: string;
}

function findPackageJson(start: string): string {
  let dir = start;
  for (let i = 0; i < 10; i++) {
    const candidate = join(dir, 'package.json');
    try {
      return readFileSync(candidate, 'utf8');
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error('etcdserver: cannot find package.json to read cairn version');
}

let cairnVersion: string | undefined;

/** cairn's own version, from package.json (found upwards from this file, so it works from src/ and dist/). */
export function readCairnVersion(): string {
  if (cairnVersion === undefined) {
    cairnVersion = String((JSON.parse(findPackageJson(__dirname)) as { version?: unknown }).version ?? 'unknown');
  }
  return cairnVersion;
}

export function versions(): Versions {
  return { etcdserver: etcdServerVersion, etcdcluster: etcdClusterVersion, cairn: readCairnVersion() };
}
