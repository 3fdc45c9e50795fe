// etcd's peer API as a member answers it (the handler behind the peer listener's non-raft paths) and
// as a member reads it: the /members JSON of etcd (IDs above 2^53 exact, empty fields left out), the
// promote refusals with etcd's status codes and words, and a follower's forwarding mapping them
// back to etcd's gRPC errors.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { EtcdError, etcdError } from '../../src/api';
import { ServerError } from '../../src/server/errors';
import type { Member } from '../../src/server/membership';
import { decodeMemberList, encodeMemberList, forwardPromote, forwardRenew, forwardRenewBatch, forwardTimeToLive, maxRenewBatch, peerApiHandler } from '../../src/server/peer-api';
import { versions } from '../../src/server/versions';
import type { PeerAnswer, PeerReply } from '../../src/transport';

const voter: Member = { id: 13668033151171901709n, name: 'e1', peerUrls: ['http://127.0.0.1:23801'], clientUrls: ['http://127.0.0.1:23791'], isLearner: false };
const learner: Member = { id: 3303651148237150293n, name: '', peerUrls: ['http://127.0.0.1:23802'], clientUrls: [], isLearner: true };

/** A leader that gives these answers in turn (then refuses connections), noting what it was asked. */
function scriptedLeader(answers: (PeerAnswer | Error)[]) {
  const asked: string[] = [];
  const request = async (url: string, method: string, path: string): Promise<PeerAnswer> => {
    asked.push(`${method} ${url}${path}`);
    const next = answers.shift() ?? new Error('connection refused');
    if (next instanceof Error) throw next;
    return next;
  };
  return { answers, asked, request };
}

/** What the requester reads of a handler's reply. */
function answerOf(reply: PeerReply): PeerAnswer {
  return typeof reply.body === 'string' ? { status: reply.status, body: reply.body } : { status: reply.status, body: '', bytes: Buffer.from(reply.body) };
}

test('/members is the JSON etcd 3.4 serves, sorted by ID, and reads back exactly', () => {
  // What a real etcd 3.4 answered for this cluster (one member and a learner added, not started).
  const etcd = '[{"id":3303651148237150293,"peerURLs":["http://127.0.0.1:23802"],"isLearner":true},{"id":13668033151171901709,"peerURLs":["http://127.0.0.1:23801"],"name":"e1","clientURLs":["http://127.0.0.1:23791"]}]';
  assert.equal(encodeMemberList([voter, learner]), etcd);
  assert.deepEqual(decodeMemberList(etcd), [learner, voter]);
  assert.throws(() => decodeMemberList('{"id":1}'), /not a JSON array/);
  assert.throws(() => decodeMemberList('[{"id":1'));
});

test('the handler answers /members, /version and promote as etcd, with 404 and 405 for the rest', async () => {
  const promoted: bigint[] = [];
  const handler = peerApiHandler({
    members: () => [voter, learner],
    versions,
    renewLease: () => 1,
    leaseTimeToLive: async () => undefined,
    promote: async (id) => {
      promoted.push(id);
      if (id === voter.id) throw etcdError('memberNotLearner');
      if (id === 7n) throw etcdError('memberNotFound');
      if (id === 8n) throw new ServerError('timeout');
      if (id === 9n) throw new Error('disk on fire');
      if (id !== learner.id) throw etcdError('learnerNotReady');
      return [voter, { ...learner, isLearner: false }];
    },
  });
  const members = await handler('GET', '/members');
  assert.equal(members.status, 200);
  assert.equal(members.contentType, 'application/json');
  assert.equal(members.body, `${encodeMemberList([voter, learner])}\n`);
  assert.deepEqual(await handler('POST', '/members'), { status: 405, contentType: 'text/plain; charset=utf-8', body: 'Method Not Allowed\n', allow: 'GET' });
  assert.equal(JSON.parse(answerOf(await handler('GET', '/version')).body).etcdcluster, '3.4.0');
  assert.equal((await handler('GET', '/metrics')).status, 404);
  assert.equal((await handler('GET', `/members/promote/${learner.id}`)).status, 405);

  const ok = await handler('POST', `/members/promote/${learner.id}`);
  assert.equal(ok.status, 200);
  assert.equal(decodeMemberList(answerOf(ok).body).every((m) => !m.isLearner), true);
  const refusals = await Promise.all([voter.id, 7n, 8n, 9n, 5n].map((id) => handler('POST', `/members/promote/${id}`)));
  assert.deepEqual(refusals.map((r) => [r.status, r.body]), [
    [412, 'membership: can only promote a learner member\n'],
    [404, 'membership: ID not found\n'],
    [408, 'etcdserver: request timed out\n'],
    [500, 'disk on fire\n'],
    [412, 'etcdserver: can only promote a learner member which is in sync with leader\n'],
  ]);
  assert.deepEqual(await handler('POST', '/members/promote/x1'), { status: 404, contentType: 'text/plain; charset=utf-8', body: 'member x1 not found in cluster\n' });
  assert.equal((await handler('POST', '/members/promote/18446744073709551616')).status, 404, 'above uint64');
  assert.deepEqual(promoted, [learner.id, voter.id, 7n, 8n, 9n, 5n]);
});

test('a forwarded promote turns the leader\'s answers into etcd\'s gRPC errors and tries the next URL on a failure', async () => {
  const { answers, asked, request } = scriptedLeader([]);
  const urls = () => ['https://a:1', 'https://b:2'];
  const refusedWith = async (answer: PeerAnswer, wanted: EtcdError | ServerError) => {
    answers.push(answer);
    await assert.rejects(forwardPromote(request, urls, 42n, 5000), (err: Error) => err.message === wanted.message);
  };
  await refusedWith({ status: 412, body: 'etcdserver: can only promote a learner member which is in sync with leader\n' }, etcdError('learnerNotReady'));
  await refusedWith({ status: 412, body: 'membership: can only promote a learner member\n' }, etcdError('memberNotLearner'));
  await refusedWith({ status: 404, body: 'membership: ID not found\n' }, etcdError('memberNotFound'));
  await refusedWith({ status: 408, body: 'etcdserver: request timed out\n' }, new ServerError('timeout'));

  asked.length = 0;
  answers.push(new Error('connection refused'), { status: 200, body: `${encodeMemberList([voter])}\n` });
  assert.deepEqual(await forwardPromote(request, urls, 42n, 5000), [voter]);
  assert.deepEqual(asked, ['POST https://a:1/members/promote/42', 'POST https://b:2/members/promote/42']);

  // No leader known (no URLs) until the time is up: etcd's timeout.
  await assert.rejects(forwardPromote(request, () => [], 42n, 300), (err: Error) => err.message === 'etcdserver: request timed out');
});

/** The handler of a member that renews leases with `renew` until it steps down. */
function renewingMember(renew: (id: bigint) => number | undefined) {
  let leading = true;
  const handler = peerApiHandler({
    members: () => [voter],
    versions,
    promote: async () => [voter],
    renewLease: (id) => {
      if (!leading) throw new ServerError('no-leader');
      return renew(id);
    },
    leaseTimeToLive: async () => undefined,
  });
  return { handler, stepDown: () => (leading = false) };
}

test('a lease renewal is answered by the leader only and forwarded by a follower, retrying until the leader answers', async () => {
  const member = renewingMember((id) => (id === 5n ? 30 : undefined));
  const handler = member.handler;
  assert.deepEqual([(await handler('POST', '/leases/renew/5')).status, (await handler('POST', '/leases/renew/5')).body], [200, '{"TTL":30}\n']);
  assert.equal((await handler('POST', '/leases/renew/6')).status, 404, 'a lease that is gone');
  assert.equal((await handler('POST', '/leases/renew/x')).status, 404);
  assert.equal((await handler('GET', '/leases/renew/5')).status, 405);
  member.stepDown();
  assert.deepEqual(await handler('POST', '/leases/renew/5'), { status: 503, contentType: 'text/plain; charset=utf-8', body: 'etcdserver: no leader\n' });

  const { asked, request } = scriptedLeader([new Error('connection refused'), { status: 503, body: 'etcdserver: no leader\n' }, { status: 200, body: '{"TTL":30}\n' }, { status: 404, body: 'lease not found\n' }]);
  assert.equal(await forwardRenew(request, () => ['https://a:1'], 5n, 5000), 30, 'retried past a refused connection and a member that lost its leadership');
  assert.equal(await forwardRenew(request, () => ['https://a:1'], 5n, 5000), undefined);
  assert.deepEqual(asked, Array(4).fill('POST https://a:1/leases/renew/5'));
  await assert.rejects(forwardRenew(request, () => [], 5n, 300), (err: Error) => err.message === 'etcdserver: request timed out');
});

/** A /leases/renew-batch body: 8 bytes per lease ID. */
function idsBody(ids: bigint[]): Buffer {
  const body = Buffer.alloc(ids.length * 8);
  ids.forEach((id, n) => body.writeBigUInt64BE(id, n * 8));
  return body;
}

test('a batch of renewals is answered by the leader lease by lease, and forwarded by a follower in one request', async () => {
  const renewed: bigint[] = [];
  const member = renewingMember((id) => {
    renewed.push(id);
    return id === 5n || id === 2n ** 64n - 1n ? 30 : undefined;
  });
  const handler = member.handler;
  const ids = [5n, 6n, 2n ** 64n - 1n, 5n];
  const batch = await handler('POST', '/leases/renew-batch', idsBody(ids));
  assert.deepEqual([batch.status, batch.contentType], [200, 'application/octet-stream']);
  const answered = Buffer.from(batch.body);
  assert.deepEqual(ids.map((_, n) => answered.readBigInt64BE(n * 8)), [30n, -1n, 30n, 30n], 'i64 TTLs, -1 for a lease that is gone');
  assert.equal(answered.length, 32);
  assert.deepEqual(renewed, ids, 'every lease renewed, in order');
  for (const bad of [Buffer.alloc(0), Buffer.alloc(7), Buffer.alloc(8 * (maxRenewBatch + 1))]) {
    const refused = await handler('POST', '/leases/renew-batch', bad);
    assert.deepEqual([refused.status, refused.body], [400, `lease renewal batch: the body must hold 1 to ${maxRenewBatch} lease IDs of 8 bytes (got ${bad.length} bytes)\n`]);
  }
  assert.equal((await handler('GET', '/leases/renew-batch')).status, 405);
  member.stepDown();
  const notLeader = await handler('POST', '/leases/renew-batch', idsBody([5n]));
  assert.deepEqual([notLeader.status, notLeader.body], [503, 'etcdserver: no leader\n']);

  // The follower's side, against the handler's own answers: one request for every lease, asked
  // again past a refused connection and a member that no longer leads.
  const { asked, request } = scriptedLeader([new Error('connection refused'), answerOf(notLeader), answerOf(batch)]);
  const bodies: string[] = [];
  const recording = (url: string, method: 'GET' | 'POST', path: string, timeoutMs: number, body?: Uint8Array) => {
    bodies.push(Buffer.from(body ?? []).toString('hex'));
    return request(url, method, path);
  };
  assert.deepEqual(await forwardRenewBatch(recording, () => ['https://a:1'], ids, 5000), [30, undefined, 30, 30]);
  assert.deepEqual(asked, Array(3).fill('POST https://a:1/leases/renew-batch'));
  assert.deepEqual(new Set(bodies), new Set([idsBody(ids).toString('hex')]));

  // An answer that does not hold a TTL per lease renews nothing silently: the keep-alives fail.
  const short = scriptedLeader([{ status: 200, body: '', bytes: Buffer.alloc(8) }]);
  await assert.rejects(forwardRenewBatch(short.request, () => ['https://a:1'], [5n, 6n], 5000), /the leader answered 8 bytes for 2 leases/);
  await assert.rejects(forwardRenewBatch(request, () => [], ids, 300), (err: Error) => err.message === 'etcdserver: request timed out');
});

test('a leader without the batch path (an older cairn) is asked one lease at a time', async () => {
  const { asked, request } = scriptedLeader([
    { status: 404, body: '404 page not found\n' },
    { status: 200, body: '{"TTL":30}\n' },
    { status: 404, body: 'lease not found\n' },
  ]);
  assert.deepEqual(await forwardRenewBatch(request, () => ['https://a:1'], [5n, 6n], 5000), [30, undefined]);
  assert.deepEqual(asked, ['POST https://a:1/leases/renew-batch', 'POST https://a:1/leases/renew/5', 'POST https://a:1/leases/renew/6']);
});

test('a lease\'s time to live is answered by the leader only (keys when asked) and forwarded by a follower the same way as a renewal', async () => {
  let leading = true;
  const asked: Array<[bigint, boolean]> = [];
  const handler = peerApiHandler({
    members: () => [voter],
    versions,
    promote: async () => [voter],
    renewLease: () => undefined,
    leaseTimeToLive: async (id, withKeys) => {
      asked.push([id, withKeys]);
      if (!leading) throw new ServerError('no-leader');
      return id === 5n ? { TTL: 27, grantedTTL: 30, keys: withKeys ? [Buffer.from('a'), Buffer.from([0xff, 0])] : [] } : undefined;
    },
  });
  const withKeys = await handler('POST', '/leases/timetolive/5?keys=true');
  assert.deepEqual([withKeys.status, withKeys.body], [200, '{"TTL":27,"grantedTTL":30,"keys":["YQ==","/wA="]}\n']);
  assert.equal((await handler('POST', '/leases/timetolive/5')).body, '{"TTL":27,"grantedTTL":30,"keys":[]}\n');
  assert.equal((await handler('POST', '/leases/timetolive/6')).status, 404, 'a lease that is gone');
  assert.equal((await handler('POST', '/leases/timetolive/x')).status, 404);
  assert.equal((await handler('GET', '/leases/timetolive/5')).status, 405);
  assert.deepEqual(asked, [[5n, true], [5n, false], [6n, false]]);
  leading = false;
  assert.equal((await handler('POST', '/leases/timetolive/5')).status, 503);

  // The follower's side, against the handler's own answers: a member that lost its leadership is asked again.
  const answers = [answerOf(withKeys), { status: 503, body: 'etcdserver: no leader\n' }, answerOf(withKeys), { status: 404, body: 'lease not found\n' }];
  const paths: string[] = [];
  const request = async (_url: string, _method: string, path: string) => {
    paths.push(path);
    return answers.shift() ?? assert.fail('asked too often');
  };
  assert.deepEqual(await forwardTimeToLive(request, () => ['https://a:1'], 5n, true, 5000), { TTL: 27, grantedTTL: 30, keys: [Buffer.from('a'), Buffer.from([0xff, 0])] });
  assert.deepEqual((await forwardTimeToLive(request, () => ['https://a:1'], 5n, false, 5000))?.grantedTTL, 30);
  assert.equal(await forwardTimeToLive(request, () => ['https://a:1'], 7n, false, 5000), undefined);
  assert.deepEqual(paths, ['/leases/timetolive/5?keys=true', '/leases/timetolive/5', '/leases/timetolive/5', '/leases/timetolive/7']);
  await assert.rejects(forwardTimeToLive(request, () => [], 5n, false, 300), (err: Error) => err.message === 'etcdserver: request timed out');
});
