// The peer API beside raft, both ends over real HTTP/2 on 127.0.0.1: peerRequester's requests reach
// the member's onPeerRequest with their body (empty without one), text answers come back as text and
// application/octet-stream answers as bytes, and a body past the listener's limit is refused with 413.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peerRequester, type PeerReply } from '../../src/transport';
import { closeAll, startMember } from './harness';

test('a peer request carries its body to the member, and a binary answer comes back as bytes', async () => {
  const seen: Array<[string, string, string]> = [];
  const member = await startMember(1n, {
    onPeerRequest: async (method, path, body): Promise<PeerReply> => {
      seen.push([method, path, body.toString('hex')]);
      if (path === '/echo') return { status: 200, contentType: 'application/octet-stream', body: Buffer.from(body).reverse() };
      return { status: 200, contentType: 'application/json', body: '{"ok":true}\n' };
    },
  });
  const request = peerRequester(undefined);
  try {
    const body = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const echoed = await request(member.url, 'POST', '/echo', 5000, body);
    assert.equal(echoed.status, 200);
    assert.equal(echoed.clusterId, '1c0ffee0beef');
    assert.deepEqual([echoed.body, echoed.bytes?.toString('hex')], ['', 'fffe020100']);
    const plain = await request(member.url, 'GET', '/version', 5000);
    assert.deepEqual([plain.status, plain.body, plain.bytes], [200, '{"ok":true}\n', undefined]);
    assert.deepEqual(seen, [['POST', '/echo', '000102feff'], ['GET', '/version', '']]);

    const tooLarge = await request(member.url, 'POST', '/echo', 5000, Buffer.alloc((1 << 20) + 1));
    assert.deepEqual([tooLarge.status, tooLarge.body], [413, 'request body too large\n']);
    assert.equal(seen.length, 2, 'the member never saw the refused request');
  } finally {
    await closeAll([member]);
  }
});
