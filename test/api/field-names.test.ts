import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protoFieldNames } from '../../src/api';

test('the generated field table keeps proto names, types and oneofs', () => {
  assert.equal(protoFieldNames.ResponseHeader.fields.clusterId, 'cluster_id');
  assert.equal(protoFieldNames.Member.fields.peerURLs, 'peerURLs');
  assert.equal(protoFieldNames.LeaseTimeToLiveResponse.fields.grantedTTL, 'grantedTTL');
  assert.equal(protoFieldNames.RangeResponse.types.kvs, 'KeyValue');
  assert.equal(protoFieldNames.ResponseOp.oneofs.responsePut, 'response');
  assert.equal(protoFieldNames.Compare.oneofs.value, 'target_union');
  assert.equal(protoFieldNames.Compare.oneofs.rangeEnd, undefined);
});
