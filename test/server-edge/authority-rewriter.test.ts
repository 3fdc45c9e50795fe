// The :authority rewriter, fed hand-made client byte streams. A second decoder reads what the
// rewriter hands on, as nghttp2 would: its view of every header block must be the client's, with
// the scheme taken off :authority.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackError, encodeWithoutIndexing, type HeaderField } from '../../src/hpack';
import { http2Preface } from '../../src/preface';
import { AuthorityRewriter, Http2RewriteError, authorityWithoutScheme, defaultAuthorityRewriterOptions } from '../../src/server/listen/authority-rewriter';
import { CONTINUATION, DATA, END_HEADERS, END_STREAM, HEADERS, PADDED, PRIORITY, PUSH_PROMISE, SETTINGS, frame, headerBlocks, parseFrames } from './h2-frames';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const settings = frame(SETTINGS, 0, 0, hex('0003 0000 0064'));
const serverDecoder = () => new HpackDecoder({ maxTableSize: 4096, maxHeaderListSize: 1 << 20 });
const pairs = (fields: HeaderField[]): string[][] => fields.map((f) => [f.name, f.value]);

/** A raw HPACK string: 7-bit prefix length (RFC 7541 5.1) and the octets. */
function str(text: string): Buffer {
  const length = text.length < 127 ? [text.length] : [127, ...(text.length - 127 < 128 ? [text.length - 127] : [((text.length - 127) % 128) | 0x80, Math.floor((text.length - 127) / 128)])];
  return Buffer.concat([Buffer.from(length), Buffer.from(text, 'latin1')]);
}
/** A literal "with incremental indexing" of a new name: what grpc-go sends for a first :authority. */
function indexedLiteral(name: string, value: string): Buffer {
  return Buffer.concat([hex('40'), str(name), str(value)]);
}
/** ":authority" by static name index 1, value added to the table. */
function indexedAuthority(value: string): Buffer {
  return Buffer.concat([hex('41'), str(value)]);
}
/** :method POST, :scheme http, and :path (by static name, added to the table). */
function request(path: string): Buffer {
  return Buffer.concat([hex('83 86 44'), str(path)]);
}

function run(chunks: readonly Buffer[], rewriter = new AuthorityRewriter()): Buffer {
  return Buffer.concat(chunks.map((c) => rewriter.transform(c)));
}

/** What nghttp2 would decode from the rewriter's output: the fields of each header block, in order. */
function seenByServer(out: Buffer): string[][][] {
  const d = serverDecoder();
  return headerBlocks(parseFrames(out)).map((b) => pairs(d.decode(b.block)));
}

test('authorityWithoutScheme takes off the scheme and any path, and leaves plain authorities alone', () => {
  assert.equal(authorityWithoutScheme('http://127.0.0.1:2379'), '127.0.0.1:2379');
  assert.equal(authorityWithoutScheme('https://[::1]:2379/x?y'), '[::1]:2379');
  assert.equal(authorityWithoutScheme('HTTP://host'), 'host');
  assert.equal(authorityWithoutScheme('unix://'), '');
  assert.equal(authorityWithoutScheme('127.0.0.1:2379'), undefined);
  assert.equal(authorityWithoutScheme('localhost'), undefined);
  assert.equal(authorityWithoutScheme('1http://x'), undefined);
});

test('a connection whose :authority has no scheme passes byte for byte, each chunk as it came', () => {
  const block = Buffer.concat([request('/etcdserverpb.KV/Range'), indexedAuthority('127.0.0.1:2379')]);
  const chunk = Buffer.concat([http2Preface, settings, frame(HEADERS, END_HEADERS, 1, block), frame(DATA, END_STREAM, 1, hex('00 0000 0002 0a00'))]);
  const rewriter = new AuthorityRewriter();
  assert.equal(rewriter.transform(chunk), chunk);
  const again = Buffer.concat([frame(HEADERS, END_HEADERS, 3, hex('83 86 be')), frame(DATA, END_STREAM, 3, hex('00 0000 0000'))]);
  assert.equal(rewriter.transform(again), again);
  assert.equal(rewriter.translatingBlocks, false);
});

test('an :authority with a scheme is fixed, and later blocks that index the client\'s entry see the fixed value', () => {
  const first = Buffer.concat([request('/etcdserverpb.Maintenance/Status'), indexedAuthority('http://127.0.0.1:2379'), indexedLiteral('user-agent', 'grpc-go/1.26.0')]);
  // the client's table: 62 user-agent, 63 :authority, 64 :path (newest first)
  const second = hex('83 86 c0 bf be');
  const input = Buffer.concat([
    http2Preface, settings,
    frame(HEADERS, END_HEADERS, 1, first), frame(DATA, END_STREAM, 1, hex('00 0000 0000')),
    frame(HEADERS, END_HEADERS | END_STREAM, 3, second),
  ]);
  const rewriter = new AuthorityRewriter();
  const out = run([input], rewriter);
  assert.equal(rewriter.translatingBlocks, true);
  assert.deepEqual(seenByServer(out), [
    [[':method', 'POST'], [':scheme', 'http'], [':path', '/etcdserverpb.Maintenance/Status'], [':authority', '127.0.0.1:2379'], ['user-agent', 'grpc-go/1.26.0']],
    [[':method', 'POST'], [':scheme', 'http'], [':path', '/etcdserverpb.Maintenance/Status'], [':authority', '127.0.0.1:2379'], ['user-agent', 'grpc-go/1.26.0']],
  ]);
  const frames = parseFrames(out);
  assert.deepEqual(frames.map((f) => [f.type, f.flags, f.stream]), [[SETTINGS, 0, 0], [HEADERS, END_HEADERS, 1], [DATA, END_STREAM, 1], [HEADERS, END_HEADERS | END_STREAM, 3]]);
  assert.ok(out.subarray(0, http2Preface.length).equals(http2Preface));
  assert.deepEqual(frames[2].payload, hex('00 0000 0000'));
});

test('any cut of the byte stream gives the same output, one byte at a time included', () => {
  const blocks = [
    Buffer.concat([request('/a'), indexedAuthority('127.0.0.1:1'), indexedLiteral('x-long', 'y'.repeat(300))]),
    Buffer.concat([request('/b'), indexedAuthority('http://127.0.0.1:1')]),
    hex('83 86 be bf'),
  ];
  const input = Buffer.concat([
    http2Preface, settings,
    frame(HEADERS, END_HEADERS, 1, blocks[0]), frame(DATA, 0, 1, Buffer.alloc(70, 1)), frame(DATA, END_STREAM, 1),
    frame(HEADERS, 0, 3, blocks[1].subarray(0, 5)), frame(CONTINUATION, END_HEADERS, 3, blocks[1].subarray(5)),
    frame(HEADERS, END_HEADERS | END_STREAM, 5, blocks[2]),
  ]);
  const whole = run([input]);
  const bytes = Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1));
  assert.deepEqual(run(bytes), whole);
  let seed = 3;
  for (let round = 0; round < 50; round++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const n = 1 + (seed % 40);
      chunks.push(input.subarray(at, at + n));
      at += n;
    }
    assert.deepEqual(run(chunks), whole, `round ${round}`);
  }
  assert.deepEqual(seenByServer(whole).map((b) => b.find(([name]) => name === ':authority')?.[1]), ['127.0.0.1:1', '127.0.0.1:1', '127.0.0.1:1']);
});

test('HEADERS with padding and priority plus CONTINUATIONs: priority and END_STREAM are kept, padding dropped', () => {
  const block = Buffer.concat([request('/p'), indexedAuthority('http://h:9'), indexedLiteral('te', 'trailers')]);
  const priority = hex('8000 0003 0f');
  const headersPayload = Buffer.concat([Buffer.from([4]), priority, block.subarray(0, 3), Buffer.alloc(4)]);
  const input = Buffer.concat([
    http2Preface,
    frame(HEADERS, PADDED | PRIORITY | END_STREAM, 7, headersPayload),
    frame(CONTINUATION, 0, 7, block.subarray(3, 10)),
    frame(CONTINUATION, END_HEADERS, 7, block.subarray(10)),
  ]);
  const out = run([input]);
  const [only] = headerBlocks(parseFrames(out));
  assert.equal(only.flags, PRIORITY | END_STREAM | END_HEADERS);
  assert.deepEqual(only.priority, priority);
  assert.deepEqual(pairs(serverDecoder().decode(only.block)), [[':method', 'POST'], [':scheme', 'http'], [':path', '/p'], [':authority', 'h:9'], ['te', 'trailers']]);
});

test('a large re-encoded block is split into frames of at most 16384 bytes', () => {
  const big = 'v'.repeat(40000);
  const block = Buffer.concat([request('/big'), indexedAuthority('http://h:1'), encodeWithoutIndexing([{ name: 'x-big', value: big }])]);
  const input: Buffer[] = [http2Preface];
  for (let at = 0, first = true; at < block.length; at += 16384, first = false) {
    const last = at + 16384 >= block.length;
    input.push(frame(first ? HEADERS : CONTINUATION, last ? END_HEADERS : 0, 1, block.subarray(at, at + 16384)));
  }
  const out = run(input);
  const frames = parseFrames(out);
  assert.ok(frames.length >= 3);
  assert.ok(frames.every((f) => f.payload.length <= 16384));
  assert.deepEqual(frames.map((f) => f.type), [HEADERS, ...frames.slice(1).map(() => CONTINUATION)]);
  assert.deepEqual(frames.map((f) => f.flags & END_HEADERS), [...frames.slice(1).map(() => 0), END_HEADERS]);
  const [fields] = seenByServer(out);
  assert.deepEqual(fields.slice(3), [[':authority', 'h:1'], ['x-big', big]]);
});

test('malformed streams throw, so the connection is closed', () => {
  const preface = http2Preface;
  const good = Buffer.concat([request('/x'), indexedAuthority('h:1')]);
  const cases: [string, Buffer[], (err: unknown) => boolean][] = [
    ['a DATA frame inside a header block', [preface, frame(HEADERS, 0, 1, good), frame(DATA, 0, 1)], (e) => e instanceof Http2RewriteError],
    ['CONTINUATION without HEADERS', [preface, frame(CONTINUATION, END_HEADERS, 1, good)], (e) => e instanceof Http2RewriteError],
    ['CONTINUATION of another stream', [preface, frame(HEADERS, 0, 1, good), frame(CONTINUATION, END_HEADERS, 3, good)], (e) => e instanceof Http2RewriteError],
    ['PUSH_PROMISE from a client', [preface, frame(PUSH_PROMISE, END_HEADERS, 1, Buffer.concat([hex('0000 0002'), good]))], (e) => e instanceof Http2RewriteError],
    ['HEADERS on stream 0', [preface, frame(HEADERS, END_HEADERS, 0, good)], (e) => e instanceof Http2RewriteError],
    ['padding longer than the payload', [preface, frame(HEADERS, END_HEADERS | PADDED, 1, Buffer.concat([Buffer.from([200]), good]))], (e) => e instanceof Http2RewriteError],
    ['padded HEADERS without a pad length', [preface, frame(HEADERS, END_HEADERS | PADDED, 1)], (e) => e instanceof Http2RewriteError],
    ['priority fields cut short', [preface, frame(HEADERS, END_HEADERS | PRIORITY, 1, hex('0000'))], (e) => e instanceof Http2RewriteError],
    ['an HPACK index past the table', [preface, frame(HEADERS, END_HEADERS, 1, hex('ff 10'))], (e) => e instanceof HpackError],
    ['bad Huffman', [preface, frame(HEADERS, END_HEADERS, 1, hex('41 81 00'))], (e) => e instanceof HpackError],
  ];
  for (const [name, chunks, check] of cases) assert.throws(() => run(chunks), check, name);
  const small = new AuthorityRewriter({ ...defaultAuthorityRewriterOptions, maxHeaderBlockSize: 100 });
  assert.throws(() => run([preface, frame(HEADERS, 0, 1, Buffer.alloc(60)), frame(CONTINUATION, 0, 1, Buffer.alloc(60))], small), /header block larger than 100 bytes/);
});

test('random bytes after the preface never escape as anything but a thrown error', () => {
  let seed = 11;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let round = 0; round < 300; round++) {
    const noise = Buffer.from(Array.from({ length: 5 + (next() % 200) }, () => next() % 256));
    // bias towards header frames with small lengths, where the interesting parsing is
    if (round % 2 === 0) noise.set([0, 0, next() % 64, [HEADERS, CONTINUATION][next() % 2], next() % 64], 0);
    try {
      run([http2Preface, noise]);
    } catch (err) {
      assert.ok(err instanceof Http2RewriteError || err instanceof HpackError, String(err));
    }
  }
});
