// The etcd server core: proposal pipeline, apply, leases, alarms, membership and the gRPC services.
export { EtcdServer } from './etcd-server';
export { transportLink } from './transport-link';
export type { TransportLinkOptions } from './transport-link';
export type { PeerLink, PeerLinkFactory, PeerIdentity, PeerEvents } from './peer-link';
export type { GrpcService, Health, HealthOptions } from './etcd-server';
export type { EtcdServerOptions } from './options';
export { defaultMaxRequestBytes, defaultQuotaBackendBytes, defaultMaxTxnOps } from './options';
export type { Versions } from './versions';
export { etcdServerVersion, etcdClusterVersion, readCairnVersion } from './versions';
