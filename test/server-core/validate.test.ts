import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdserverpb } from '../../src/api';
import { ServerError } from '../../src/server/errors';
import { checkPutRequest, checkRangeRequest, checkRequestSize, checkTxnRequest } from '../../src/server/validate';

const P = etcdserverpb;
const put = (key: string) => ({ requestPut: P.PutRequest.fromPartial({ key: Buffer.from(key), value: Buffer.from('v') }) });
const del = (key: string, rangeEnd = '') => ({ requestDeleteRange: P.DeleteRangeRequest.fromPartial({ key: Buffer.from(key), rangeEnd: Buffer.from(rangeEnd) }) });

function code(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServerError);
    return err.code;
  }
  return 'ok';
}

test('empty keys are refused in range, put and txn compares', () => {
  assert.equal(code(() => checkRangeRequest(P.RangeRequest.fromPartial({}))), 'empty-key');
  assert.equal(code(() => checkPutRequest(P.PutRequest.fromPartial({ value: Buffer.from('x') }))), 'empty-key');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ compare: [{ key: Buffer.alloc(0) }] }), 128)), 'empty-key');
});

test('ignore_value with a value and ignore_lease with a lease are refused', () => {
  assert.equal(code(() => checkPutRequest(P.PutRequest.fromPartial({ key: Buffer.from('k'), value: Buffer.from('v'), ignoreValue: true }))), 'value-provided');
  assert.equal(code(() => checkPutRequest(P.PutRequest.fromPartial({ key: Buffer.from('k'), lease: 5n, ignoreLease: true }))), 'lease-provided');
});

test('a txn may have 128 ops per branch but not 129', () => {
  const ops = (n: number) => Array.from({ length: n }, (_, i) => put(`k${i}`));
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: ops(128) }), 128)), 'ok');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: ops(129) }), 128)), 'too-many-ops');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ failure: ops(129) }), 128)), 'too-many-ops');
});

test('duplicate puts, and a put inside a deleted range, in one branch are refused', () => {
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: [put('a'), put('a')] }), 128)), 'duplicate-key');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: [del('a', 'c'), put('b')] }), 128)), 'duplicate-key');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: [del('a', '\0'), put('zzz')] }), 128)), 'duplicate-key');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: [put('a')], failure: [put('a')] }), 128)), 'ok');
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: [del('a', 'c'), put('c')] }), 128)), 'ok');
  const nested = { requestTxn: P.TxnRequest.fromPartial({ success: [put('x')] }) };
  assert.equal(code(() => checkTxnRequest(P.TxnRequest.fromPartial({ success: [put('x'), nested] }), 128)), 'duplicate-key');
});

test('request size limit is inclusive', () => {
  assert.equal(code(() => checkRequestSize(100, 100)), 'ok');
  assert.equal(code(() => checkRequestSize(101, 100)), 'request-too-large');
});
