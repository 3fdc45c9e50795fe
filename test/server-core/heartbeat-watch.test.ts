// etcd_server_heartbeat_send_failures_total's rule: a heartbeat to a peer sent more than two heartbeat
// intervals after the previous one to that peer is late; every message still goes to the network.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MessageType, newMessage, type Message } from '../../src/raft';
import { watchHeartbeats } from '../../src/server/heartbeat-watch';

test('a heartbeat more than two intervals after the previous one to the same peer is late', () => {
  let clock = 0;
  const sent: Message[][] = [];
  const late: Array<[bigint, number]> = [];
  const network = watchHeartbeats({ send: (m) => sent.push(m) }, 100, (to, ms) => late.push([to, ms]), () => clock);
  const heartbeat = (to: bigint) => newMessage({ type: MessageType.MsgHeartbeat, to });
  network.send([heartbeat(2n), heartbeat(3n)]);
  clock = 200;
  network.send([heartbeat(2n), newMessage({ type: MessageType.MsgApp, to: 3n })]);
  clock = 450;
  network.send([heartbeat(2n), heartbeat(3n)]);
  assert.deepEqual(late, [[2n, 250], [3n, 450]]);
  assert.equal(sent.length, 3);
  assert.equal(sent[1].length, 2);
});
