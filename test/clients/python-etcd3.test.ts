// The python etcd3 client (Debian's python3-etcd3) runs one scenario (python_etcd3_scenario.py)
// against a real etcd 3.4 and against a cairn process; it must print the same lines for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../cli/cairn-process';
import { hasRealEtcd } from '../support/real-etcd';
import { startBothServers } from './both-servers';

const python = '/usr/bin/python3';
const hasClient = spawnSync(python, ['-c', 'import etcd3']).status === 0;
const script = join(repoRoot(), 'test', 'clients', 'python_etcd3_scenario.py');

function scenario(endpoint: string): string {
  const { hostname, port } = new URL(endpoint);
  const run = spawnSync(python, [script, hostname, port], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `${endpoint}: ${run.stderr}`);
  return run.stdout;
}

test('the python etcd3 client sees the same answers from cairn as from etcd 3.4', { skip: (!hasRealEtcd() && 'etcd 3.4 is not installed') || (!hasClient && 'python3-etcd3 is not installed'), timeout: 180_000 }, async (t) => {
  const servers = await startBothServers(t);
  const theirs = scenario(servers.etcd);
  assert.deepEqual(scenario(servers.cairn).split('\n'), theirs.split('\n'));
  assert.ok(theirs.split('\n').length > 20, theirs);
});
