// KV service: validate, call the server, translate the error (in unary), fill the header.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { etcdserverpb } from '../../api';
import type * as mvcc from '../../mvcc';
import type { ApplyValue } from '../apply';
import type { CallCredentials } from '../auth';
import { deleteToWire, putToWire, rangeToStore, rangeToWire, txnToWire } from '../convert';
import type { ServerMetrics } from '../metrics';
import type { Proposal } from '../proposals';
import { unary } from '../unary';
import { checkDeleteRequest, checkPutRequest, checkRangeRequest, checkTxnRequest } from '../validate';

/** What the KV service needs from the server. */
export interface KvCore {
  readonly metrics: ServerMetrics;
  readonly maxTxnOps: number;
  header(revision?: number): etcdserverpb.ResponseHeader;
  /** Proposes a write, after the quota check for requests that add data; apply checks it again as the call's caller. */
  proposeWrite(proposal: Proposal, call?: CallCredentials): Promise<ApplyValue>;
  readBarrier(): Promise<void>;
  range(request: mvcc.RangeRequest): mvcc.RangeResponse;
}

function expect<K extends ApplyValue['kind']>(value: ApplyValue, kind: K): Extract<ApplyValue, { kind: K }> {
  if (value.kind !== kind) throw new Error(`etcdserver: applied ${value.kind} where ${kind} was proposed`);
  return value as Extract<ApplyValue, { kind: K }>;
}

export function kvService(core: KvCore): UntypedServiceImplementation {
  const header = (revision: number) => core.header(revision);
  const handle = <Req, Res>(method: string, fn: (req: Req, call: CallCredentials) => Promise<Res>) => unary<Req, Res>(core.metrics, 'etcdserverpb.KV', method, fn);
  const impl: etcdserverpb.KVServer = {
    range: handle('Range', async (req: etcdserverpb.RangeRequest) => {
      checkRangeRequest(req);
      if (!req.serializable) await core.readBarrier();
      return rangeToWire(core.range(rangeToStore(req)), header);
    }),
    put: handle('Put', async (req: etcdserverpb.PutRequest, call) => {
      checkPutRequest(req);
      return putToWire(expect(await core.proposeWrite({ put: req }, call), 'put').put, header);
    }),
    deleteRange: handle('DeleteRange', async (req: etcdserverpb.DeleteRangeRequest, call) => {
      checkDeleteRequest(req);
      return deleteToWire(expect(await core.proposeWrite({ deleteRange: req }, call), 'deleteRange').deleteRange, header);
    }),
    txn: handle('Txn', async (req: etcdserverpb.TxnRequest, call) => {
      checkTxnRequest(req, core.maxTxnOps);
      return txnToWire(expect(await core.proposeWrite({ txn: req }, call), 'txn').txn, header);
    }),
    compact: handle('Compact', async (req: etcdserverpb.CompactionRequest) => {
      const done = expect(await core.proposeWrite({ compaction: req }), 'compaction');
      if (req.physical) await done.physical;
      return { header: core.header() };
    }),
  };
  return impl;
}
