import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackError, encodeWithoutIndexing, type HeaderField } from '../../src/hpack';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pairs = (fields: HeaderField[]): string[][] => fields.map((f) => [f.name, f.value]);
const decoder = (maxTableSize = 4096, maxHeaderListSize = 1 << 20) => new HpackDecoder({ maxTableSize, maxHeaderListSize });

test('RFC 7541 C.3: three requests without Huffman share the dynamic table', () => {
  const d = decoder();
  assert.deepEqual(pairs(d.decode(hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'))), [
    [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'],
  ]);
  assert.deepEqual(pairs(d.decode(hex('8286 84be 5808 6e6f 2d63 6163 6865'))), [
    [':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache'],
  ]);
  assert.deepEqual(pairs(d.decode(hex('8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'))), [
    [':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value'],
  ]);
});

test('RFC 7541 C.4: the same requests with Huffman', () => {
  const d = decoder();
  assert.deepEqual(pairs(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')))[3], [':authority', 'www.example.com']);
  assert.deepEqual(pairs(d.decode(hex('8286 84be 5886 a8eb 1064 9cbf')))[4], ['cache-control', 'no-cache']);
  assert.deepEqual(pairs(d.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')))[4], ['custom-key', 'custom-value']);
});

test('RFC 7541 C.5.1-2: a 256-byte table evicts its oldest entry', () => {
  const d = decoder(256);
  d.decode(hex(`4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d
    546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`));
  assert.deepEqual(pairs(d.decode(hex('4803 3330 37c1 c0bf'))), [
    [':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com'],
  ]);
  // ":status: 302" was evicted by "307": the table now holds 4 entries, index 66 is past it
  assert.throws(() => d.decode(hex('c2')), /past the dynamic table/);
});

test('literals without indexing and never indexed stay out of the table; never indexed is marked sensitive', () => {
  const d = decoder();
  const fields = d.decode(hex('0004 6e61 6d65 0576 616c 7565 1004 6e61 6d65 0673 6563 7265 74'));
  assert.deepEqual(fields, [{ name: 'name', value: 'value' }, { name: 'name', value: 'secret', sensitive: true }]);
  assert.throws(() => d.decode(hex('be')), HpackError);
});

test('a dynamic table size update opens a block and may shrink the table to nothing', () => {
  const d = decoder();
  d.decode(hex('4004 6e61 6d65 0576 616c 7565'));
  assert.deepEqual(pairs(d.decode(hex('be'))), [['name', 'value']]);
  assert.deepEqual(d.decode(hex('20')), []);
  assert.throws(() => d.decode(hex('be')), /past the dynamic table/);
  assert.throws(() => d.decode(hex('82 20')), /size update after a header field/);
  assert.deepEqual(d.decode(hex('3fe1 1f')), []);
  assert.throws(() => d.decode(hex('3fe2 1f')), /to 4097 above 4096/);
});

test('malformed blocks are refused with HpackError', () => {
  const cases: [string, RegExp][] = [
    ['80', /index 0/],
    ['ff', /truncated integer/],
    ['ff ff ff ff ff 7f', /integer too large/],
    ['40 05 6162', /truncated string/],
    ['40', /truncated string/],
    ['4001 61', /truncated string/],
    ['4081 00 00', /padding/],
    ['bf', /past the dynamic table/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => decoder().decode(hex(bytes)), (err: unknown) => err instanceof HpackError && message.test(err.message), bytes);
  }
});

test('a block whose decoded list passes the limit is refused, indexed repeats included', () => {
  const d = decoder(4096, 1000);
  const value = 'x'.repeat(400);
  d.decode(encodeWithoutIndexing([{ name: 'a', value }, { name: 'b', value }]));
  assert.throws(() => d.decode(encodeWithoutIndexing([{ name: 'a', value }, { name: 'b', value }, { name: 'c', value }])), /header list larger than 1000/);
  // one indexed entry of ~430 bytes repeated: three references pass the limit
  const e = decoder(4096, 1000);
  e.decode(Buffer.concat([hex('4001 61'), encodeWithoutIndexing([{ name: 'v', value }]).subarray(3)]));
  assert.throws(() => e.decode(hex('be be be')), /header list larger/);
});
