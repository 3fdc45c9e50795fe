// The etcd v3 client: endpoints with failover, TLS, auth tokens, etcd's errors decoded.
export { EtcdClient } from './client';
export type { ClientOptions, CallSettings, RetryPolicy, RpcMethod } from './client';
export { parseEndpoint, parseEndpoints, EndpointError } from './endpoints';
export type { Endpoint } from './endpoints';
export { CredentialsError } from './credentials';
export type { ClientTls } from './credentials';
export { decodeError } from './errors';
export { httpGet } from './http-get';
export type { HttpAnswer } from './http-get';
