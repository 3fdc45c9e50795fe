// The member's network edge: listeners that serve gRPC and HTTP on one port (plain or TLS, with
// client certificate checks), the grpc-js server behind them, and the metrics listeners.
export { bindMember, serveMember } from './serve';
export type { BoundMember, ServedMember, ServeOptions, ServingMember } from './serve';
export { listenUrl } from './listener';
export type { Listener, ListenOptions, ConnectionRoutes } from './listener';
export { createGrpcEdge, grpcChannelOptions } from './grpc-edge';
export { answerUnaryDirectly } from './grpc-unary';
export type { GrpcEdge, GrpcEdgeOptions, GrpcMember } from './grpc-edge';
export { serverTlsOptions, nodeVersion, ListenError } from './tls-options';
export type { TlsVersions } from './tls-options';
export { autoTlsFiles } from './auto-tls';
export { routeByFirstRequest, scanOpening } from './first-request';
