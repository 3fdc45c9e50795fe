// The npm `etcd3` client (as Node programs use etcd) runs one scenario against a real etcd 3.4 and
// against a cairn process: every answer it sees, errors by the class it maps them to, must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { hasRealEtcd } from '../support/real-etcd';
import { startBothServers } from './both-servers';

/** What the client saw, one line per step; revisions are relative to the scenario's first put. */
async function scenario(endpoint: string): Promise<string[]> {
  const client = new Etcd3({ hosts: endpoint });
  const seen: string[] = [];
  const errorName = async (p: Promise<unknown>): Promise<string> => p.then(() => 'no error', (err: Error) => `${err.constructor.name}: ${err.message}`);
  try {
    const base = Number((await client.put('foo').value('bar')).header.revision);
    const rev = (r: string | number) => Number(r) - base;
    seen.push(`get ${await client.get('foo').string()}`);
    seen.push(`missing ${await client.get('nope').string()}`);
    for (const k of ['dir/a', 'dir/b', 'dir/c', 'dis']) await client.put(k).value(k.toUpperCase());
    seen.push(`prefix ${JSON.stringify(await client.getAll().prefix('dir/').strings())}`);
    seen.push(`count ${await client.getAll().prefix('dir/').count()}`);
    seen.push(`keys ${JSON.stringify(await client.getAll().prefix('di').sort('Key', 'Descend').limit(2).keys())}`);
    const kv = (await client.get('dir/b').exec()).kvs[0];
    seen.push(`kv create ${rev(kv.create_revision)} mod ${rev(kv.mod_revision)} version ${kv.version}`);
    const prev = await client.put('dir/b').value('B2').getPrevious();
    seen.push(`previous ${prev?.value.toString()}`);
    seen.push(`deleted ${(await client.delete().prefix('dir/').exec()).deleted}`);

    const txn = await client.if('foo', 'Value', '==', 'bar').then(client.put('foo').value('baz')).else(client.get('foo')).commit();
    seen.push(`txn succeeded ${txn.succeeded}, now ${await client.get('foo').string()}`);
    const failed = await client.if('foo', 'Version', '>', 5).then(client.put('foo').value('no')).else(client.get('foo')).commit();
    seen.push(`txn succeeded ${failed.succeeded}, else read ${failed.responses[0].response_range?.kvs[0].value.toString()}`);

    const watcher = await client.watch().key('w').create();
    const events: string[] = [];
    const twoEvents = new Promise<void>((resolve) => {
      watcher.on('put', (e) => { events.push(`put ${e.value.toString()}`); if (events.length === 2) resolve(); });
      watcher.on('delete', (e) => { events.push(`delete ${e.key.toString()}`); if (events.length === 2) resolve(); });
    });
    await client.put('w').value('x');
    await client.delete().key('w');
    await twoEvents;
    await watcher.cancel();
    seen.push(`watch ${events.join(', ')}`);

    const lease = client.lease(30);
    await lease.put('leased').value('v');
    const ttl = Number((await lease.keepaliveOnce()).TTL);
    seen.push(`lease ttl ${ttl} value ${await client.get('leased').string()}`);
    await lease.revoke();
    seen.push(`after revoke ${await client.get('leased').string()}`);
    seen.push(`put on a revoked lease: ${await errorName(client.put('x').value('y').lease('7fffffff').exec())}`);

    await client.lock('mylock').do(async () => {
      seen.push(`locked, holders ${await client.getAll().prefix('mylock').count()}`);
      seen.push(`second lock: ${await errorName(client.lock('mylock').ttl(5).acquire().then(() => undefined))}`);
    });
    seen.push(`after release ${await client.getAll().prefix('mylock').count()}`);

    const election = client.election('leader-of');
    const campaign = election.campaign('me');
    await campaign.wait();
    seen.push(`leader ${await election.leader()}`);
    await campaign.resign();
    seen.push(`after resign ${await election.leader()}`);

    const ns = client.namespace('ns/');
    await ns.put('k').value('v');
    seen.push(`namespaced ${await client.get('ns/k').string()} ${JSON.stringify(await ns.getAll().keys())}`);

    const counter = async () => client.stm().transact(async (tx) => {
      const n = Number((await tx.get('counter')) ?? '0');
      return tx.put('counter').value(String(n + 1));
    });
    await Promise.all([counter(), counter(), counter()]);
    seen.push(`stm counter ${await client.get('counter').string()}`);

    const compacted = Number((await client.put('c').value('1')).header.revision);
    await client.put('c').value('2');
    await client.kv.compact({ revision: String(compacted), physical: true });
    seen.push(`compacted read: ${await errorName(client.get('c').revision(compacted - 1).string())}`);
    seen.push(`oversize: ${await errorName(client.put('big').value(Buffer.alloc(2 * 1024 * 1024)).exec())}`);
  } finally {
    client.close();
  }
  return seen;
}

test('the npm etcd3 client sees the same answers from cairn as from etcd 3.4', { skip: !hasRealEtcd() && 'etcd 3.4 is not installed', timeout: 120_000 }, async (t) => {
  const servers = await startBothServers(t);
  const theirs = await scenario(servers.etcd);
  const ours = await scenario(servers.cairn);
  assert.deepEqual(ours, theirs);
  assert.ok(theirs.length > 20);
});
