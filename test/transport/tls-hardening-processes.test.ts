// Peer TLS hardening with three real `cairn` processes (peer mutual TLS, test/cluster/tls-cluster.ts)
// driven by the real etcdctl: under --peer-crl-file a member whose peer certificate the list revokes
// cannot talk to the others (writes through it fail while the other two go on), and is let in once
// the list on disk no longer revokes it; under --peer-cert-allowed-cn a member whose certificate has
// another CN cannot talk either, and joins once restarted with a certificate that has the CN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { serialHex } from '../../src/tls-hardening';
import { startCairn, type CairnProcess } from '../cli/cairn-process';
import { etcdctl, hasEtcdctl } from '../server-core/etcdctl';
import { makeTlsCluster, type TlsCluster } from '../cluster/tls-cluster';
import { keysOn, pause, putEventually, untilEqual } from '../cluster/polls';
import { issueCert, writeCrl } from '../support/crl-pki';

const names = ['p1', 'p2', 'p3'];
const skip = !hasEtcdctl() && 'etcdctl is not installed';

/** Waits (bounded) until one of the processes logged a line containing `text`. */
async function untilLogged(procs: (CairnProcess | undefined)[], text: string, tries = 100): Promise<string> {
  for (let t = 0; t < tries; t++) {
    for (const p of procs) {
      const line = p?.log().split('\n').find((l) => l.includes(text));
      if (line) return line;
    }
    await pause(100);
  }
  throw new Error(`no member logged ${JSON.stringify(text)}`);
}

/** A write through member i fails within etcdctl's command timeout: the member cannot reach a leader. */
async function writeFails(cluster: TlsCluster, i: number): Promise<void> {
  const run = await etcdctl(cluster.endpoint(i), ['--command-timeout', '3s', 'put', 'through-the-outsider', 'v']);
  assert.notEqual(run.code, 0, `a write through member ${i} succeeded: ${run.stdout}`);
}

async function stopAll(procs: (CairnProcess | undefined)[], cluster: TlsCluster): Promise<void> {
  await Promise.all(procs.map((p) => p?.stop('SIGKILL')));
  rmSync(cluster.dir, { recursive: true, force: true });
}

test('--peer-crl-file: a member with a revoked peer certificate cannot talk to the others; a new list lets it in', { skip, timeout: 180_000 }, async () => {
  const cluster = await makeTlsCluster(names, 'cairn-peer-crl');
  const crl = join(cluster.dir, 'peer.crl');
  writeCrl(cluster.dir, crl, [join(cluster.dir, 'p3.crt')]);
  const serial = serialHex(execFileSync('openssl', ['x509', '-in', join(cluster.dir, 'p3.crt'), '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, ''));
  const procs: (CairnProcess | undefined)[] = [];
  try {
    for (const i of [0, 1, 2]) procs[i] = await startCairn({ dataDir: cluster.dir, args: [...cluster.args(i), '--peer-crl-file', crl] });
    await putEventually(cluster.endpoint(0), 'k1', 'v1');
    assert.equal((await etcdctl(cluster.endpoint(1), ['get', 'k1', '--print-value-only'])).stdout, 'v1\n');
    const line = await untilLogged(procs.slice(0, 2), `"error":"transport: certificate serial ${serial} revoked"`);
    assert.match(line, /"msg":"rejected connection"/);
    assert.match(line, /"ip-addresses":\["127\.0\.0\.1"\],"dns-names":\["localhost"\]/);
    await writeFails(cluster, 2);

    writeCrl(cluster.dir, crl, []);
    await putEventually(cluster.endpoint(2), 'k3', 'v3');
    await untilEqual('keys on member 3', () => keysOn(cluster.endpoint(2)), ['k1', 'k3']);
  } finally {
    await stopAll(procs, cluster);
  }
});

test('--peer-cert-allowed-cn: a member whose certificate has another CN cannot talk to the others; with the CN it joins', { skip, timeout: 180_000 }, async () => {
  const cluster = await makeTlsCluster(names, 'cairn-peer-cn');
  // makePeerCerts names each member's certificate after it (CN=p1, ...); p1 and p2 get one with the shared CN
  const withCn = (i: number) => {
    const cert = issueCert(cluster.dir, `${names[i]}-shared`, { cn: 'etcd-peer', sans: ['IP:127.0.0.1'] });
    return ['--peer-cert-file', cert.cert, '--peer-key-file', cert.key];
  };
  const args = (i: number, cert: string[]) => [...cluster.args(i), '--peer-cert-allowed-cn', 'etcd-peer', ...cert];
  const procs: (CairnProcess | undefined)[] = [];
  try {
    procs[0] = await startCairn({ dataDir: cluster.dir, args: args(0, withCn(0)) });
    procs[1] = await startCairn({ dataDir: cluster.dir, args: args(1, withCn(1)) });
    procs[2] = await startCairn({ dataDir: cluster.dir, args: args(2, []) });
    await putEventually(cluster.endpoint(0), 'k1', 'v1');
    assert.equal((await etcdctl(cluster.endpoint(1), ['get', 'k1', '--print-value-only'])).stdout, 'v1\n');
    const line = await untilLogged(procs.slice(0, 2), '"error":"client certificate authentication failed"');
    assert.match(line, /"msg":"rejected connection"/);
    // and they do not dial member 3 either: its server certificate has the wrong CN too
    await untilLogged(procs.slice(0, 2), 'client certificate authentication failed","msg":"cannot reach remote peer"');
    await writeFails(cluster, 2);

    await procs[2]?.stop('SIGTERM');
    procs[2] = await startCairn({ dataDir: cluster.dir, args: args(2, withCn(2)) });
    await putEventually(cluster.endpoint(2), 'k3', 'v3');
    await untilEqual('keys on member 3', () => keysOn(cluster.endpoint(2)), ['k1', 'k3']);
  } finally {
    await stopAll(procs, cluster);
  }
});
