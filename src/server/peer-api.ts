// etcd's peer HTTP API beside raft, both ends: a member answers GET /members (the member list as
// etcd's JSON, with X-Etcd-Cluster-ID), GET /version and POST /members/promote/<decimal id> on its
// peer listener; a joining member reads /members and /version of the running ones, and a follower
// hands a learner's promotion to the leader through /members/promote (etcd api/etcdhttp/peer.go and
// etcdserver/cluster_util.go). A follower hands lease keep-alives to the leader through POST
// /leases/renew-batch (many at once; see below) or POST /leases/renew/<decimal id> (one; what a cairn
// without the batch path sends and answers): cairn's own paths for what etcd's /leases does, since
// only the leader's clock expires leases, and asks it a lease's time to live through POST
// /leases/timetolive/<decimal id>[?keys=true] (what etcd's /leases/internal does).
//
// /leases/renew-batch: the body holds 1 to maxRenewBatch lease IDs, each 8 bytes (u64 big-endian); the
// leader renews each in turn and answers 200, application/octet-stream, 8 bytes per ID in the same
// order (i64 big-endian): its TTL in seconds, or -1 for a lease that is gone. 400 for a bad body, 503
// from a member that does not lead.
import { EtcdError, etcdError, wireErrorNamed } from '../api';
import type { PeerAnswer, PeerReply, PeerRequester } from '../transport';
import { decodeMember, encodeMember } from './member-store';
import type { Member } from './membership';
import { ServerError } from './errors';
import type { Versions } from './versions';

export const membersPath = '/members';
export const versionPath = '/version';
const promotePrefix = '/members/promote/';
const renewPrefix = '/leases/renew/';
const renewBatchPath = '/leases/renew-batch';
/** The most lease IDs one /leases/renew-batch request carries (8 bytes each). */
export const maxRenewBatch = 4096;
const timeToLivePrefix = '/leases/timetolive/';

/** A live lease's time to live as the leader sees it. */
export interface LeaseTimeToLive {
  /** seconds left */
  TTL: number;
  grantedTTL: number;
  /** its keys, when asked for */
  keys: Buffer[];
}

export interface PeerApiCore {
  members(): Member[];
  versions(): Versions;
  /** Promotes a learner (forwarding to the leader as needed); the member list after it. */
  promote(id: bigint): Promise<Member[]>;
  /** Renews a lease on this member, the leader: its TTL, undefined when the lease is gone; throws when not the leader. */
  renewLease(id: bigint): number | undefined;
  /** A lease's time to live on this member, the leader; undefined when the lease is gone; throws when not the leader. */
  leaseTimeToLive(id: bigint, withKeys: boolean): Promise<LeaseTimeToLive | undefined>;
}

const text = (status: number, body: string): PeerReply => ({ status, contentType: 'text/plain; charset=utf-8', body: `${body}\n` });
const json = (body: string): PeerReply => ({ status: 200, contentType: 'application/json', body: `${body}\n` });

/** etcd's words for the promote refusals, in its HTTP answers. */
const promoteRefusals: Partial<Record<string, PeerReply>> = {
  memberNotFound: text(404, 'membership: ID not found'),
  memberNotLearner: text(412, 'membership: can only promote a learner member'),
  learnerNotReady: text(412, 'etcdserver: can only promote a learner member which is in sync with leader'),
  timeout: text(408, 'etcdserver: request timed out'),
};

export function encodeMemberList(members: readonly Member[]): string {
  return `[${[...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((m) => encodeMember(m).toString('utf8')).join(',')}]`;
}

/** Parses a /members body; the ids are uint64 numbers, so each object is decoded from its own text. */
export function decodeMemberList(body: string): Member[] {
  const list = JSON.parse(body) as unknown;
  if (!Array.isArray(list)) throw new Error('not a JSON array');
  // Member objects hold no nested objects, so each one runs from a `{` to the next `}` outside strings.
  const objects = body.match(/\{(?:[^{}"]|"(?:[^"\\]|\\.)*")*\}/g) ?? [];
  if (objects.length !== list.length) throw new Error('unexpected member objects');
  return objects.map((o) => decodeMember(Buffer.from(o)));
}

/** The handler the peer listener calls for every path outside /raft. */
export function peerApiHandler(core: PeerApiCore): (method: string, path: string, body?: Buffer) => Promise<PeerReply> {
  const allow = (wanted: string): PeerReply => ({ ...text(405, 'Method Not Allowed'), allow: wanted });
  return async (method, path, body = Buffer.alloc(0)) => {
    if (path === membersPath) return method === 'GET' ? json(encodeMemberList(core.members())) : allow('GET');
    if (path === versionPath) return method === 'GET' ? json(JSON.stringify(core.versions())) : allow('GET');
    if (path === renewBatchPath) return method === 'POST' ? renewBatch(core, body) : allow('POST');
    if (path.startsWith(renewPrefix)) return method === 'POST' ? renew(core, path.slice(renewPrefix.length)) : allow('POST');
    if (path.startsWith(timeToLivePrefix)) return method === 'POST' ? timeToLive(core, path.slice(timeToLivePrefix.length)) : allow('POST');
    if (!path.startsWith(promotePrefix)) return text(404, '404 page not found');
    if (method !== 'POST') return allow('POST');
    const idText = path.slice(promotePrefix.length);
    if (!/^\d{1,20}$/.test(idText) || BigInt(idText) >= 1n << 64n) return text(404, `member ${idText} not found in cluster`);
    try {
      return json(encodeMemberList(await core.promote(BigInt(idText))));
    } catch (err) {
      const name = err instanceof EtcdError ? wireErrorNamed(err.message) : err instanceof ServerError && err.code === 'timeout' ? 'timeout' : undefined;
      return promoteRefusals[name ?? ''] ?? text(500, err instanceof Error ? err.message : String(err));
    }
  };
}

/** A lease id in a path: decimal, below 2^64. */
function leaseIdIn(idText: string): bigint | undefined {
  return /^\d{1,20}$/.test(idText) && BigInt(idText) < 1n << 64n ? BigInt(idText) : undefined;
}

/** Answers a lease request on the leader: 404 for a lease that is gone, 503 when this member does not lead. */
async function leaseReply<T>(idText: string, answer: (id: bigint) => T | undefined | Promise<T | undefined>): Promise<PeerReply> {
  const id = leaseIdIn(idText);
  if (id === undefined) return text(404, 'lease not found');
  try {
    const value = await answer(id);
    return value === undefined ? text(404, 'lease not found') : json(JSON.stringify(value));
  } catch (err) {
    return text(503, err instanceof Error ? err.message : String(err));
  }
}

function renew(core: PeerApiCore, idText: string): Promise<PeerReply> {
  return leaseReply(idText, (id) => {
    const ttl = core.renewLease(id);
    return ttl === undefined ? undefined : { TTL: ttl };
  });
}

/** The leader's answer to a batch of renewals: each lease's TTL, -1 for one that is gone. */
function renewBatch(core: PeerApiCore, body: Buffer): PeerReply {
  if (body.length === 0 || body.length % 8 !== 0 || body.length > maxRenewBatch * 8) {
    return text(400, `lease renewal batch: the body must hold 1 to ${maxRenewBatch} lease IDs of 8 bytes (got ${body.length} bytes)`);
  }
  const ttls = Buffer.allocUnsafe(body.length);
  try {
    for (let at = 0; at < body.length; at += 8) ttls.writeBigInt64BE(BigInt(core.renewLease(body.readBigUInt64BE(at)) ?? -1), at);
  } catch (err) {
    return text(503, err instanceof Error ? err.message : String(err));
  }
  return { status: 200, contentType: 'application/octet-stream', body: ttls };
}

function timeToLive(core: PeerApiCore, rest: string): Promise<PeerReply> {
  const [idText, query] = rest.split('?', 2);
  return leaseReply(idText, async (id) => {
    const found = await core.leaseTimeToLive(id, query === 'keys=true');
    return found && { TTL: found.TTL, grantedTTL: found.grantedTTL, keys: found.keys.map((k) => k.toString('base64')) };
  });
}

/** What an answer of the leader means: `{ done: value }` ends the asking (or it throws); undefined asks again. */
type AnswerReading<T> = (answer: PeerAnswer) => { done: T } | undefined;

/**
 * POSTs `path` to the leader, at each of its peer URLs in turn, until an answer settles it or
 * `timeoutMs` has passed (etcd's request timeout); unreachable URLs and unsettled answers are retried.
 */
async function askLeader<T>(request: PeerRequester, leaderUrls: () => string[], path: string, timeoutMs: number, read: AnswerReading<T>, body?: Uint8Array): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const url of leaderUrls()) {
      let answer;
      try {
        answer = await request(url, 'POST', path, Math.max(1, deadline - Date.now()), body);
      } catch {
        continue; // the leader is not reachable at this URL now
      }
      const settled = read(answer);
      if (settled !== undefined) return settled.done;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ServerError('timeout');
}

/** Asks the leader to renew a lease: its TTL, or undefined when the lease is gone. */
export function forwardRenew(request: PeerRequester, leaderUrls: () => string[], id: bigint, timeoutMs: number): Promise<number | undefined> {
  return askLeader(request, leaderUrls, `${renewPrefix}${id.toString(10)}`, timeoutMs, (answer) => {
    if (answer.status === 200) return { done: Number((JSON.parse(answer.body) as { TTL: number }).TTL) };
    if (answer.status === 404) return { done: undefined };
    return undefined; // 503: that member no longer leads
  });
}

/**
 * Asks the leader to renew leases together: each one's TTL, or undefined when it is gone. A leader
 * without the batch path (a cairn before it answers 404) is asked one lease at a time instead.
 */
export async function forwardRenewBatch(request: PeerRequester, leaderUrls: () => string[], ids: readonly bigint[], timeoutMs: number): Promise<(number | undefined)[]> {
  const deadline = Date.now() + timeoutMs;
  const body = Buffer.allocUnsafe(ids.length * 8);
  ids.forEach((id, n) => body.writeBigUInt64BE(id, n * 8));
  const ttls = await askLeader(request, leaderUrls, renewBatchPath, timeoutMs, (answer) => {
    if (answer.status === 200) return { done: batchTtls(answer, ids.length) };
    if (answer.status === 404) return { done: undefined };
    return undefined; // 503: that member no longer leads
  }, body);
  return ttls ?? Promise.all(ids.map((id) => forwardRenew(request, leaderUrls, id, Math.max(1, deadline - Date.now()))));
}

function batchTtls(answer: PeerAnswer, count: number): (number | undefined)[] {
  const bytes = answer.bytes;
  if (bytes?.length !== count * 8) throw new Error(`lease renewal batch: the leader answered ${bytes?.length ?? 0} bytes for ${count} leases`);
  const ttls: (number | undefined)[] = [];
  for (let at = 0; at < bytes.length; at += 8) {
    const ttl = Number(bytes.readBigInt64BE(at));
    ttls.push(ttl < 0 ? undefined : ttl);
  }
  return ttls;
}

/** Asks the leader a lease's time to live (with its keys when `withKeys`), or undefined when the lease is gone. */
export function forwardTimeToLive(request: PeerRequester, leaderUrls: () => string[], id: bigint, withKeys: boolean, timeoutMs: number): Promise<LeaseTimeToLive | undefined> {
  const path = `${timeToLivePrefix}${id.toString(10)}${withKeys ? '?keys=true' : ''}`;
  return askLeader(request, leaderUrls, path, timeoutMs, (answer) => {
    if (answer.status === 200) {
      const body = JSON.parse(answer.body) as { TTL: number; grantedTTL: number; keys: string[] };
      return { done: { TTL: Number(body.TTL), grantedTTL: Number(body.grantedTTL), keys: body.keys.map((k) => Buffer.from(k, 'base64')) } };
    }
    if (answer.status === 404) return { done: undefined };
    return undefined; // 503: that member no longer leads
  });
}

/** Asks the leader to promote a learner; etcd's refusals come back as its gRPC errors. */
export function forwardPromote(request: PeerRequester, leaderUrls: () => string[], id: bigint, timeoutMs: number): Promise<Member[]> {
  return askLeader(request, leaderUrls, `${promotePrefix}${id.toString(10)}`, timeoutMs, (answer) => {
    if (answer.status === 200) return { done: decodeMemberList(answer.body) };
    if (answer.status === 408) throw new ServerError('timeout');
    if (answer.status === 404) throw etcdError('memberNotFound');
    // Both refusals share 412; the longer text contains the shorter one, so it is checked first.
    if (answer.status === 412 && answer.body.includes('in sync with leader')) throw etcdError('learnerNotReady');
    if (answer.status === 412 && answer.body.includes('can only promote a learner member')) throw etcdError('memberNotLearner');
    return undefined;
  });
}
