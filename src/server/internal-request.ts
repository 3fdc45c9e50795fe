// The proposal encoding (etcd's InternalRaftRequest), generated into src/api/gen from
// src/api/proto/etcdserverpb/raft_internal.proto. src/api/index.ts does not export it (only the
// client-facing API), so this one file reaches into the generated code and the rest of the server
// imports from here.
export { InternalRaftRequest } from '../api/gen/etcdserverpb/raft_internal';
