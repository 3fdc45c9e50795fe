// An in-process cairn server core on a temp data dir, served by grpc-js on 127.0.0.1 (port 0), with
// clients built from src/api's generated stubs and promise wrappers for their unary calls.
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdserverpb } from '../../src/api';
import P = etcdserverpb;
import { EtcdServer, EtcdServerOptions } from '../../src/server';

export interface Clients {
  kv: etcdserverpb.KVClient;
  watch: etcdserverpb.WatchClient;
  lease: etcdserverpb.LeaseClient;
  cluster: etcdserverpb.ClusterClient;
  maintenance: etcdserverpb.MaintenanceClient;
  auth: etcdserverpb.AuthClient;
}

export interface Running {
  server: EtcdServer;
  grpcServer: grpc.Server;
  port: number;
  endpoint: string;
  dataDir: string;
  clients: Clients;
  /** Closes clients, the gRPC server and the core; the data dir stays. */
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cairn-core-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function makeClients(address: string): Clients {
  const creds = grpc.credentials.createInsecure();
  const options = { 'grpc.max_receive_message_length': -1 };
  return {
    kv: new etcdserverpb.KVClient(address, creds, options),
    watch: new etcdserverpb.WatchClient(address, creds, options),
    lease: new etcdserverpb.LeaseClient(address, creds, options),
    cluster: new etcdserverpb.ClusterClient(address, creds, options),
    maintenance: new etcdserverpb.MaintenanceClient(address, creds, options),
    auth: new etcdserverpb.AuthClient(address, creds, options),
  };
}

export function closeClients(clients: Clients): void {
  for (const client of Object.values(clients)) (client as grpc.Client).close();
}

export async function serve(server: EtcdServer): Promise<{ grpcServer: grpc.Server; port: number }> {
  const grpcServer = new grpc.Server(server.grpcServerOptions());
  for (const [definition, implementation] of server.grpcServices()) grpcServer.addService(definition, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { grpcServer, port };
}

export async function startCore(dataDir: string, options: Partial<EtcdServerOptions> = {}): Promise<Running> {
  const server = await EtcdServer.open({
    name: 'default',
    dataDir,
    advertiseClientUrls: ['http://localhost:2379'],
    initialAdvertisePeerUrls: ['http://localhost:2380'],
    ...options,
  });
  const { grpcServer, port } = await serve(server);
  const endpoint = `127.0.0.1:${port}`;
  const clients = makeClients(endpoint);
  return {
    server,
    grpcServer,
    port,
    endpoint,
    dataDir,
    clients,
    async stop() {
      closeClients(clients);
      grpcServer.forceShutdown();
      await server.close();
    },
  };
}

/** Calls a unary method of a generated client and resolves with its response. */
export function call<Req, Res>(
  client: grpc.Client,
  method: (req: Req, callback: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, (err: grpc.ServiceError | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

/** A thin promise face over the generated clients, for tests. */
export function api(c: Clients) {
  return {
    put: (key: string, value: string, extra: Partial<etcdserverpb.PutRequest> = {}) =>
      call<P.PutRequest, P.PutResponse>(c.kv, c.kv.put, etcdserverpb.PutRequest.fromPartial({ key: Buffer.from(key), value: Buffer.from(value), ...extra })),
    range: (key: string, extra: Partial<etcdserverpb.RangeRequest> = {}) =>
      call<P.RangeRequest, P.RangeResponse>(c.kv, c.kv.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from(key), ...extra })),
    del: (key: string, extra: Partial<etcdserverpb.DeleteRangeRequest> = {}) =>
      call<P.DeleteRangeRequest, P.DeleteRangeResponse>(c.kv, c.kv.deleteRange, etcdserverpb.DeleteRangeRequest.fromPartial({ key: Buffer.from(key), ...extra })),
    txn: (req: etcdserverpb.TxnRequest) => call<P.TxnRequest, P.TxnResponse>(c.kv, c.kv.txn, req),
    compact: (revision: bigint, physical = false) => call<P.CompactionRequest, P.CompactionResponse>(c.kv, c.kv.compact, { revision, physical }),
    grant: (TTL: bigint, ID = 0n) => call<P.LeaseGrantRequest, P.LeaseGrantResponse>(c.lease, c.lease.leaseGrant, { TTL, ID }),
    revoke: (ID: bigint) => call<P.LeaseRevokeRequest, P.LeaseRevokeResponse>(c.lease, c.lease.leaseRevoke, { ID }),
    timeToLive: (ID: bigint, keys = false) => call<P.LeaseTimeToLiveRequest, P.LeaseTimeToLiveResponse>(c.lease, c.lease.leaseTimeToLive, { ID, keys }),
    leases: () => call<P.LeaseLeasesRequest, P.LeaseLeasesResponse>(c.lease, c.lease.leaseLeases, {}),
    status: () => call<P.StatusRequest, P.StatusResponse>(c.maintenance, c.maintenance.status, {}),
    hashKV: (revision = 0n) => call<P.HashKVRequest, P.HashKVResponse>(c.maintenance, c.maintenance.hashKv, { revision }),
    hash: () => call<P.HashRequest, P.HashResponse>(c.maintenance, c.maintenance.hash, {}),
    alarm: (req: etcdserverpb.AlarmRequest) => call<P.AlarmRequest, P.AlarmResponse>(c.maintenance, c.maintenance.alarm, req),
    defragment: () => call<P.DefragmentRequest, P.DefragmentResponse>(c.maintenance, c.maintenance.defragment, {}),
    memberList: () => call<P.MemberListRequest, P.MemberListResponse>(c.cluster, c.cluster.memberList, { linearizable: false }),
  };
}
