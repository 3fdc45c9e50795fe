import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, encodeWithoutIndexing, type HeaderField } from '../../src/hpack';

test('static matches become one-byte references, other fields literals that leave the table empty', () => {
  const fields: HeaderField[] = [
    { name: ':method', value: 'POST' },
    { name: ':scheme', value: 'http' },
    { name: ':path', value: '/etcdserverpb.Maintenance/Status' },
    { name: ':authority', value: '127.0.0.1:2379' },
    { name: 'content-type', value: 'application/grpc' },
    { name: 'te', value: 'trailers' },
    { name: 'authorization', value: 'token', sensitive: true },
    { name: 'x-big', value: 'v'.repeat(70000) },
    { name: 'bin', value: '\u0000\u00ff\u0080' },
  ];
  const block = encodeWithoutIndexing(fields);
  assert.deepEqual([...block.subarray(0, 2)], [0x83, 0x86]);
  const d = new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 1 << 20 });
  assert.deepEqual(d.decode(block), fields);
  assert.throws(() => d.decode(Buffer.from([0xbe])), /past the dynamic table/);
});

test('a sensitive field is never sent as a static reference', () => {
  const block = encodeWithoutIndexing([{ name: ':method', value: 'GET', sensitive: true }]);
  assert.deepEqual([...block], [0x12, 3, 0x47, 0x45, 0x54]);
});
