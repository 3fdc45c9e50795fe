// How a connection opens: the HTTP/2 preface or an HTTP/1.x request line. The client listeners
// (gRPC and HTTP on one port, as etcd) and the peer listeners (HTTP/2 requests and the upgraded
// raft message stream) both route connections by it.
export { classifyPreface, http2Preface } from './preface';
export type { Preface } from './preface';
export { sniffPreface } from './sniff';
export type { DecidedPreface } from './sniff';
