// The etcd v3 wire API: generated message types and gRPC service definitions (src/api/gen, made by
// `npm run build:proto` from src/api/proto), and the wire error vocabulary.
export * as etcdserverpb from './gen/etcdserverpb/rpc';
export * as mvccpb from './gen/mvccpb/kv';
export * as authpb from './gen/authpb/auth';
export { EtcdError, etcdError, wireErrors, wireErrorNamed } from './errors';
export type { WireError, WireErrorName } from './errors';
export { singleKey, prefixRange, fromKeyRange, allKeys, prefixEnd, rangeContains } from './key-range';
export type { KeyRange } from './key-range';
export { protoFieldNames } from './gen/field-names';
