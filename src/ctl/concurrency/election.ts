// clientv3/concurrency's Election: a campaign queues like a lock, with the proposal as the key's
// value; the leader is the key with the lowest create revision. Observing follows the leader's key
// and, when it is deleted, whoever comes next.
import { etcdserverpb, mvccpb, prefixRange } from '../../api';
import type { EtcdClient } from '../../client';
import { watchResponses } from '../watch-stream';
import type { Session } from './session';
import { firstCreated, waitDeletes } from './keys';

const { CREATE } = etcdserverpb.Compare_CompareTarget;
const { EQUAL } = etcdserverpb.Compare_CompareResult;
const { PUT, DELETE } = mvccpb.Event_EventType;

export class Election {
  private readonly prefix: string;
  /** The candidate's key once the campaign is won; '' when not the leader. */
  key = '';
  private revision = 0n;

  constructor(private readonly session: Session, name: string) {
    this.prefix = `${name}/`;
  }

  /** Resolves once this session leads; when stopped first, resigns. */
  async campaign(value: string, stop: AbortSignal): Promise<void> {
    const { client, lease } = this.session;
    const key = `${this.prefix}${lease.toString(16)}`;
    const k = Buffer.from(key);
    const resp = await client.unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
      compare: [{ key: k, target: CREATE, result: EQUAL, createRevision: 0n }],
      success: [{ requestPut: { key: k, value: Buffer.from(value), lease } }],
      failure: [{ requestRange: { key: k } }],
    }));
    this.key = key;
    this.revision = resp.header?.revision ?? 0n;
    if (!resp.succeeded) {
      // The session already campaigns: keep its place, with the new proposal.
      const kv = resp.responses[0].responseRange?.kvs[0];
      this.revision = kv?.createRevision ?? 0n;
      if (kv && Buffer.from(kv.value).toString() !== value) await this.proclaim(value);
    }
    try {
      await waitDeletes(client, this.prefix, this.revision - 1n, stop);
    } catch (err) {
      if (stop.aborted) await this.resign().catch(() => undefined);
      else this.key = '';
      throw err;
    }
  }

  /** Gives up the leadership (deletes the key, if it is still the one this campaign made). */
  async resign(): Promise<void> {
    if (this.key === '') return;
    const key = Buffer.from(this.key);
    this.key = '';
    await this.session.client.unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
      compare: [{ key, target: CREATE, result: EQUAL, createRevision: this.revision }],
      success: [{ requestDeleteRange: { key } }],
    }));
  }

  private async proclaim(value: string): Promise<void> {
    const key = Buffer.from(this.key);
    const resp = await this.session.client.unary(etcdserverpb.KVService.txn, etcdserverpb.TxnRequest.fromPartial({
      compare: [{ key, target: CREATE, result: EQUAL, createRevision: this.revision }],
      success: [{ requestPut: { key, value: Buffer.from(value), lease: this.session.lease } }],
    }));
    if (!resp.succeeded) throw new Error('election: not leader');
  }
}

/**
 * Each leader (as a get answer for its key) and each new value it proclaims, until `stop` aborts or
 * a read or watch fails; the caller tells those two ends apart.
 */
export async function* observeLeaders(client: EtcdClient, name: string, stop: AbortSignal): AsyncGenerator<etcdserverpb.RangeResponse> {
  const prefix = `${name}/`;
  try {
    while (!stop.aborted) {
      const current = await client.unary(etcdserverpb.KVService.range, firstCreated(prefix), { idempotent: true });
      let answer: etcdserverpb.RangeResponse | undefined = current.kvs.length > 0 ? current : undefined;
      if (answer === undefined) {
        // No leader yet: the first put under the prefix is the next one.
        for await (const resp of watchResponses(client, { ...prefixRange(prefix), startRevision: current.header?.revision ?? 0n }, stop)) {
          const put = resp.events.find((ev) => ev.type === PUT);
          if (put?.kv === undefined) continue;
          const header = resp.header && { ...resp.header, revision: put.kv.modRevision };
          answer = etcdserverpb.RangeResponse.fromPartial({ header, kvs: [put.kv] });
          break;
        }
        if (answer === undefined) return;
      }
      yield answer;
      // Follow the leader's key: each put is a proclaimed value, a delete ends this leader.
      let deleted = false;
      for await (const resp of watchResponses(client, { key: Buffer.from(answer.kvs[0].key), startRevision: (answer.header?.revision ?? 0n) + 1n }, stop)) {
        const at = resp.events.findIndex((ev) => ev.type === DELETE);
        for (const ev of at < 0 ? resp.events : resp.events.slice(0, at)) yield { ...answer, header: resp.header, kvs: ev.kv ? [ev.kv] : [] };
        deleted = at >= 0;
        if (deleted) break;
      }
      if (!deleted) return;
    }
  } catch {
    // Go's Observe closes its channel on any error; elect then says "observer lost".
  }
}
