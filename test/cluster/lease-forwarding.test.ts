// Keep-alives through a follower of three real `cairn` processes (peer mutual TLS), over gRPC: several
// leases kept alive in the same turn go to the leader together and each gets its own answer (the
// revoked one etcd's TTL 0, "requested lease not found" to a client), and keep-alives sent while the
// leader moves away or is killed with SIGKILL get either their lease's TTL or etcd's error, never
// something else, and go on through the new leader.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { etcdserverpb } from '../../src/api';
import { CairnProcess, startCairn } from '../cli/cairn-process';
import { Clients, api, call, closeClients, makeClients } from '../server-core/harness';
import { makeTlsCluster } from './tls-cluster';
import { eventually } from './polls';

const ttl = 30n;
/** What a keep-alive may end with while the leader changes: etcd's errors for a leader not reached. */
const leaderErrors = ['etcdserver: request timed out', 'etcdserver: no leader'];

/** One lease's keep-alive stream; a stream ended by an error is opened again for the next keep-alive. */
class KeepAlive {
  private stream: ClientDuplexStream<etcdserverpb.LeaseKeepAliveRequest, etcdserverpb.LeaseKeepAliveResponse> | undefined;
  private readonly waiting: Array<{ resolve(ttl: bigint): void; reject(err: Error): void }> = [];

  constructor(
    private readonly client: etcdserverpb.LeaseClient,
    readonly id: bigint,
  ) {}

  /** The TTL answered, or rejects with the error that ended the stream. */
  once(): Promise<bigint> {
    const stream = this.stream ?? this.open();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      stream.write({ ID: this.id });
    });
  }

  close(): void {
    this.stream?.cancel();
  }

  private open() {
    const stream = this.client.leaseKeepAlive();
    stream.on('data', (r: etcdserverpb.LeaseKeepAliveResponse) => this.waiting.shift()?.resolve(r.TTL));
    stream.on('error', (err: Error & { details?: string }) => {
      if (this.stream === stream) this.stream = undefined;
      for (const w of this.waiting.splice(0)) w.reject(new Error(err.details ?? err.message));
    });
    this.stream = stream;
    return stream;
  }
}

function moveLeader(clients: Clients, targetID: bigint): Promise<etcdserverpb.MoveLeaderResponse> {
  return call<etcdserverpb.MoveLeaderRequest, etcdserverpb.MoveLeaderResponse>(clients.maintenance, clients.maintenance.moveLeader, { targetID });
}

/** One keep-alive on each, all written in the same turn: each one's TTL, or the error it ended with. */
function round(keepAlives: KeepAlive[]): Promise<Array<bigint | string>> {
  return Promise.all(keepAlives.map((k) => k.once().catch((err: Error) => err.message)));
}

test('keep-alives through a follower: a batch answers lease by lease, and a leader change or SIGKILL never gives a wrong answer', { timeout: 180_000 }, async () => {
  const cluster = await makeTlsCluster(['f1', 'f2', 'f3'], 'cairn-lease-forwarding');
  const procs: CairnProcess[] = [];
  const clients: Clients[] = [];
  const keepAlives: KeepAlive[] = [];
  try {
    for (let i = 0; i < 3; i++) procs.push(await startCairn({ dataDir: cluster.dir, args: cluster.args(i) }));
    for (let i = 0; i < 3; i++) clients.push(makeClients(cluster.endpoint(i)));
    const memberIds = await Promise.all(clients.map(async (c) => (await api(c).status()).header?.memberId ?? 0n));
    /** The index of the member the ones in `alive` agree leads. */
    const leaderAmong = (alive: number[]) =>
      eventually('a leader every member agrees on', async () => {
        const leaders = await Promise.all(alive.map(async (i) => (await api(clients[i]).status()).leader));
        const index = memberIds.indexOf(leaders[0]);
        return leaders.every((l) => l === leaders[0]) && alive.includes(index) ? index : undefined;
      });
    const leader = await leaderAmong([0, 1, 2]);
    const follower = [0, 1, 2].find((i) => i !== leader) as number;
    const third = [0, 1, 2].find((i) => i !== leader && i !== follower) as number;
    const c = api(clients[follower]);

    // Four leases granted through the follower, one of them revoked: the four keep-alives of one turn
    // get the TTL, TTL 0 for the revoked lease, as etcd answers.
    const leases: bigint[] = [];
    for (let n = 0; n < 4; n++) leases.push((await eventually('a lease granted', () => c.grant(ttl))).ID);
    await c.revoke(leases[1]);
    for (const id of leases) keepAlives.push(new KeepAlive(clients[follower].lease, id));
    const want = leases.map((id) => (id === leases[1] ? 0n : ttl));
    assert.deepEqual(await round(keepAlives), want);
    assert.deepEqual(await round(keepAlives), want, 'and again on the same streams');
    // The same lease twice in one turn (two streams) is renewed twice, each answered.
    const twice = [keepAlives[0], new KeepAlive(clients[follower].lease, leases[0])];
    assert.deepEqual(await round(twice), [ttl, ttl]);
    twice[1].close();
    // A stream the client closes right after its keep-alives still answers them, then ends: etcd's
    // loop answers each request before it reads the end.
    const closing = clients[follower].lease.leaseKeepAlive();
    const closingAnswers: bigint[] = [];
    const closed = new Promise<void>((resolve, reject) => {
      closing.on('data', (r: etcdserverpb.LeaseKeepAliveResponse) => closingAnswers.push(r.TTL));
      closing.on('end', resolve);
      closing.on('error', reject);
    });
    closing.write({ ID: leases[0] });
    closing.write({ ID: leases[2] });
    closing.end();
    await closed;
    assert.deepEqual(closingAnswers, [ttl, ttl]);

    // The leader hands over to the third member while keep-alives flow through the follower.
    // raft may give up a transfer on a busy machine: asked again, at most five times.
    const moving = eventually('leadership moved', () => moveLeader(clients[leader], memberIds[third]).then(() => true), 5);
    const duringMove: Array<bigint | string> = [];
    for (let n = 0; n < 20; n++) duringMove.push(...(await round(keepAlives)));
    await moving;
    for (const answer of duringMove) assert.ok(typeof answer === 'string' ? leaderErrors.includes(answer) : answer === ttl || answer === 0n, String(answer));
    assert.equal(await leaderAmong([0, 1, 2]), third);
    assert.deepEqual(await round(keepAlives), want, 'through the new leader');

    // The new leader killed with SIGKILL while keep-alives flow through both other members (one of which
    // takes over, the other forwarding to it): each gets its TTL or etcd's error.
    const otherKeepAlives = leases.map((id) => new KeepAlive(clients[leader].lease, id));
    keepAlives.push(...otherKeepAlives);
    const both = [...keepAlives.slice(0, 4), ...otherKeepAlives];
    assert.deepEqual(await round(both), [...want, ...want]);
    const killing = procs[third].stop('SIGKILL');
    const duringKill: Array<bigint | string> = [];
    for (let n = 0; n < 20; n++) duringKill.push(...(await round(both)));
    await killing;
    for (const answer of duringKill) assert.ok(typeof answer === 'string' ? leaderErrors.includes(answer) : answer === ttl || answer === 0n, String(answer));
    await leaderAmong([leader, follower]);
    const after = await eventually('keep-alives answered after the leader was killed', async () => {
      const answers = await round(both);
      return answers.every((a) => typeof a === 'bigint') ? answers : undefined;
    }, 20);
    assert.deepEqual(after, [...want, ...want]);
    // The live leases were renewed all along and still exist; the revoked one stays gone.
    for (const id of [leases[0], leases[2], leases[3]]) assert.ok((await c.timeToLive(id)).TTL > 0n);
    assert.equal((await c.timeToLive(leases[1])).TTL, -1n);
  } finally {
    for (const k of keepAlives) k.close();
    for (const c of clients) closeClients(c);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});
