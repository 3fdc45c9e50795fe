// The peer transport (src/transport): carries raft messages and snapshots between cairn members,
// with etcd's peer TLS flags. It moves opaque bytes; src/server encodes and decodes the raft
// messages (src/raft's encodeMessage / decodeMessage).
//
// Wire (the message stream on a connection per direction and peer; the rest HTTP/2, a snapshot on
// a connection of its own, probes on one per peer):
//   POST /raft/stream/<sender id>   HTTP/1.1 with Upgrade: cairn-raft-stream and an empty body. The
//                                   receiver answers 101 (or a refusal, below); the connection then
//                                   carries the sender's frames and nothing back.
//   POST /raft/snapshot             one snapshot: u32 metadata length, the metadata message, then
//                                   the snapshot data to the end of the body; answered 204 once
//                                   the receiver accepted it.
//   GET  /raft/probing              {"Health":true,"Now":<RFC 3339 time>}, timed for the RTT metric.
//   any other path                  handed to the member (onPeerRequest) with its body: etcd's GET
//                                   /members, GET /version and POST /members/promote/<id>, cairn's
//                                   POST /leases/...; peerRequester sends those requests.
// IDs are lowercase hex (etcd's types.ID). Raft requests carry X-Etcd-Cluster-ID, X-Server-From
// (sender), X-Raft-To (receiver), X-Server-Version and X-PeerURLs (the sender's advertised URLs).
// Refusals, as etcd: 412 "cluster ID mismatch", 412 "to field mismatch", 410 "removed member",
// 404 "invalid from", 405 for a wrong method; the body is that one line.
//
// Frame (integers big-endian): u32 payload length, then the payload: records of u32 length and
// one message's bytes, as many as were queued together. A frame with an empty payload is a link
// heartbeat, sent when a stream has been idle for a third of the read timeout (5 s).
//
// Differences from etcd's rafthttp: the sender opens the stream to the receiver (etcd's receiver
// dials a GET that the sender then writes into), the stream leaves HTTP once opened (a message on
// an HTTP/2 stream cost ~40 µs more CPU on each side, bench/RESULTS.md), there is one stream type
// (no msgappv2) and no pipeline: a message for a peer whose stream is down is dropped, which raft
// tolerates; snapshots go on their own connection as etcd's do.
export { Transport } from './transport';
export type { PeerState } from './transport';
export type { TransportOptions, TransportTiming, TransportLimits, PeerReply } from './options';
export { peerRequester } from './peer-request';
export type { PeerAnswer, PeerRequester } from './peer-request';
export { defaultTiming, defaultLimits } from './options';
export { loadPeerTls } from './tls';
export type { PeerTlsOptions } from './tls';
export type { SnapshotBody } from './snapshot-sender';
export { TransportError } from './errors';
