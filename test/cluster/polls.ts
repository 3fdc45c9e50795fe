// Bounded polling for cluster tests: every wait here gives up after a fixed number of tries, so a
// broken cluster fails the test instead of hanging it (a bound, not a timing assertion).
import * as assert from 'node:assert/strict';
import { Running, api } from '../server-core/harness';
import { etcdctl, type Run } from '../server-core/etcdctl';
import type { TlsCluster } from './tls-cluster';

export async function pause(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` every 20 ms, at most `tries` times, until it gives a value. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, tries = 250): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await pause(20);
  }
  throw new Error(`${what} did not happen${last instanceof Error ? `: ${last.message}` : ''}`);
}

/** The in-process member every member names as leader. */
export async function leaderOf(members: Running[]): Promise<Running> {
  return eventually('a leader elected', async () => {
    const statuses = await Promise.all(members.map((m) => api(m.clients).status()));
    const leader = statuses[0].leader;
    if (leader === 0n || statuses.some((s) => s.leader !== leader)) return undefined;
    return members.find((m) => m.server.memberId === leader);
  });
}

/** The index of the cairn process whose `etcdctl endpoint status` says it leads. */
export async function leaderIndex(cluster: TlsCluster, alive: number[], tries = 100): Promise<number> {
  for (let t = 0; t < tries; t++) {
    for (const i of alive) {
      const run = await etcdctl(cluster.endpoint(i), ['endpoint', 'status']);
      // endpoint, ID, version, db size, IS LEADER, ...
      if (run.code === 0 && run.stdout.split(', ')[4] === 'true') return i;
    }
    await pause(200);
  }
  throw new Error('no member became leader');
}

/** Puts through the real etcdctl until one is acknowledged, at most `tries` times. */
export async function putEventually(endpoint: string, key: string, value: string, tries = 30): Promise<void> {
  let last = '';
  for (let t = 0; t < tries; t++) {
    const run = await etcdctl(endpoint, ['put', key, value]);
    if (run.code === 0) return;
    last = run.stderr;
    await pause(200);
  }
  throw new Error(`put ${key} kept failing: ${last}`);
}

/** The keys under `k` a member holds (a serializable read; none while it does not answer). */
export async function keysOn(endpoint: string): Promise<string[]> {
  const run = await etcdctl(endpoint, ['get', 'k', '--prefix', '--keys-only', '--consistency', 's']);
  if (run.code !== 0) return [];
  return run.stdout.split('\n').filter((l) => l !== '').sort();
}

/** Polls `get` every 200 ms until it equals `want`, at most `tries` times. */
export async function untilEqual(what: string, get: () => Promise<string[]>, want: string[], tries = 150): Promise<void> {
  let got: string[] = [];
  for (let t = 0; t < tries; t++) {
    got = await get();
    if (got.join() === want.join()) return;
    await pause(200);
  }
  assert.deepEqual(got, want, what);
}

/**
 * etcdctl `member add`/`remove`, run again while the member answers `etcdserver: unhealthy cluster`:
 * as etcd 3.4, it reconfigures only once it has been connected to its peers for 5 s (a member just
 * started or restarted has not). At most `tries` runs, 500 ms apart.
 */
export async function reconfigure(endpoint: string, args: string[], tries = 40): Promise<Run> {
  let run = await etcdctl(endpoint, args);
  for (let t = 1; t < tries && /etcdserver: unhealthy cluster/.test(run.stderr); t++) {
    await pause(500);
    run = await etcdctl(endpoint, args);
  }
  return run;
}
