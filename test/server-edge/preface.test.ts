import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyPreface, http2Preface } from '../../src/preface';

test('the HTTP/2 preface is gRPC, whole or after more bytes', () => {
  assert.equal(classifyPreface(http2Preface), 'h2');
  assert.equal(classifyPreface(Buffer.concat([http2Preface, Buffer.from([0, 0, 0, 4])])), 'h2');
  assert.equal(classifyPreface(http2Preface.subarray(0, 1)), 'undecided');
  assert.equal(classifyPreface(http2Preface.subarray(0, 23)), 'undecided');
});

test('HTTP/1.x request lines are HTTP', () => {
  for (const line of ['GET /health HTTP/1.1\r\n', 'POST /v3/kv/range HTTP/1.1\r\n', 'OPTIONS * HTTP/1.1\r\n', 'PRIX ']) {
    assert.equal(classifyPreface(Buffer.from(line)), 'http1', line);
  }
  assert.equal(classifyPreface(Buffer.from('GE')), 'undecided');
});

test('anything else is garbage', () => {
  assert.equal(classifyPreface(Buffer.from([0x16, 0x03, 0x01])), 'unknown'); // a TLS hello on a plain port
  assert.equal(classifyPreface(Buffer.from(' GET')), 'unknown');
  assert.equal(classifyPreface(Buffer.from('get / HTTP/1.1')), 'unknown');
  assert.equal(classifyPreface(Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZ')), 'unknown');
});
