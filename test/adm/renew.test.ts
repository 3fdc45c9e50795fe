// cairnadm certs renew all on a real three-member cluster over SSH (sshd test hosts, process
// runtime) while a client keeps writing: no write fails, every acknowledged write reads back, each
// member serves a new certificate (read from the TLS handshake with openssl), and check-expiration
// shows the new dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdserverpb } from '../../src/api';
import { EtcdClient } from '../../src/client';
import { formatExpiry } from '../../src/pki';
import { cairnadm } from './adm-process';
import { servedCertificate } from './served-certificate';
import { initThreeHosts, ROOT } from './ssh-cluster';

interface PutLoop {
  acked: Map<string, string>;
  failures: string[];
  stop(): Promise<void>;
}

/** Puts one key after another until stopped, at most `max` of them and for at most `ms`. */
function putLoop(client: EtcdClient, max: number, ms: number): PutLoop {
  const acked = new Map<string, string>();
  const failures: string[] = [];
  let stopped = false;
  const deadline = Date.now() + ms;
  const done = (async () => {
    for (let i = 0; i < max && !stopped && Date.now() < deadline; i++) {
      const key = `renew-${String(i).padStart(5, '0')}`;
      try {
        await client.unary(etcdserverpb.KVService.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from(key), value: Buffer.from(`v${i}`) }));
        acked.set(key, `v${i}`);
      } catch (err) {
        failures.push(`${key} at ${new Date().toISOString()}: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    acked,
    failures,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

test('certs renew all: new certificates, members restarted one at a time, no write lost or refused', { skip: ROOT ? false : 'needs root for sshd test hosts', timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'adm-renew-'));
  const { file, endpoints, creds, client } = await initThreeHosts(t, dir);
  const before = endpoints.map((ep) => servedCertificate(creds, ep));

  const loop = putLoop(client, 5_000, 240_000);
  const renew = await cairnadm(['certs', 'renew', 'all', '--config', file], { timeoutMs: 300_000 });
  await loop.stop();
  assert.equal(renew.code, 0, renew.stderr + renew.stdout);
  assert.deepEqual(loop.failures, [], renew.stdout);
  assert.ok(loop.acked.size > 0);

  for (const name of ['cp-1', 'cp-2', 'cp-3']) {
    for (const what of ['certificate for serving etcd', 'credentials for etcd nodes to communicate with each other', 'client certificate for liveness probes to healthcheck etcd', 'certificate the apiserver uses to access etcd']) {
      assert.ok(renew.stdout.includes(`[renew] ${name}: ${what} renewed`), renew.stdout);
    }
    assert.match(renew.stdout, new RegExp(`\\[restart\\] ${name}: restarted \\(runtime process\\); healthy, serving certificate serial \\w+ valid until .+; leader \\w+ \\(all 3 members agree\\)`));
  }
  // followers first, the leader last, one at a time in the announced order
  const announced = /\[restart\] order: (cp-\d), (cp-\d), (cp-\d) \((cp-\d) leads, so it goes last\)/.exec(renew.stdout);
  assert.ok(announced, renew.stdout);
  assert.equal(announced[3], announced[4]);
  const restarted = [...renew.stdout.matchAll(/\[restart\] (cp-\d): restarted/g)].map((m) => m[1]);
  assert.deepEqual(restarted, announced.slice(1, 4));
  assert.match(renew.stdout, new RegExp(`\\[restart\\] ${announced[4]}: it led the cluster; moved leadership to cp-\\d`));
  assert.match(renew.stdout, /Done renewing certificates\. cairnadm restarted the members \(cp-1, cp-2, cp-3\) one at a time/);

  // every acknowledged write reads back, through every member
  for (const ep of endpoints) {
    const one: EtcdClient = client.forEndpoint(ep);
    try {
      const res = await one.unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from('renew-'), rangeEnd: Buffer.from('renew.') }), { idempotent: true });
      const seen = new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()]));
      for (const [k, v] of loop.acked) assert.equal(seen.get(k), v, `${k} on ${ep}`);
    } finally {
      one.close();
    }
  }

  // each member serves a new certificate: another serial, a later NotAfter, same CA
  const after = endpoints.map((ep) => servedCertificate(creds, ep));
  for (const [i, ep] of endpoints.entries()) {
    assert.notEqual(after[i].serial, before[i].serial, ep);
    assert.ok(after[i].notAfter.getTime() > before[i].notAfter.getTime(), ep);
  }

  // check-expiration reads the renewed files (cp-2 holds no CA key, so kubeadm's column says externally managed)
  const check = await cairnadm(['certs', 'check-expiration', '--config', file, '--host', 'cp-2']);
  assert.equal(check.code, 0, check.stderr + check.stdout);
  assert.match(check.stdout, new RegExp(`^etcd-server\\s+${formatExpiry(after[1].notAfter)}\\s+364d\\s+etcd-ca\\s+yes$`, 'm'));
});
