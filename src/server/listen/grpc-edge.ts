// The one grpc-js Server behind every client listener. It binds no port itself: listeners inject
// the connections they route to it (grpc-js's connection injector), so gRPC and HTTP share a port.
import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import { answerUnaryDirectly } from './grpc-unary';

/** What the gRPC edge needs from the member; EtcdServer (src/server) has this shape. */
export interface GrpcMember {
  grpcServices(): Array<[grpc.ServiceDefinition, grpc.UntypedServiceImplementation]>;
  /** Message size limits as etcd sets them (max-request-bytes plus gRPC overhead). */
  grpcServerOptions(): grpc.ChannelOptions;
}

export interface GrpcEdgeOptions {
  /** --max-concurrent-streams; etcd's default (2^32-1) leaves HTTP/2's own default. */
  readonly maxConcurrentStreams: number;
  /** --grpc-keepalive-interval: server pings on idle connections; 0 turns them off. */
  readonly keepAliveIntervalMs: number;
  /** --grpc-keepalive-timeout: how long a ping may go unanswered. */
  readonly keepAliveTimeoutMs: number;
}

export interface GrpcEdge {
  /** Hands a connection that opened with the HTTP/2 preface to gRPC. */
  inject(connection: Duplex): void;
  /** Sends GOAWAY on every connection and cuts what remains after graceMs. */
  drain(graceMs: number): void;
  /** Ends every call and connection at once. */
  shutdown(): void;
}

export function grpcChannelOptions(member: GrpcMember, options: GrpcEdgeOptions): grpc.ChannelOptions {
  return {
    ...member.grpcServerOptions(),
    // Nothing reads channelz (etcd registers no channelz service either), and with it on grpc-js
    // counts and timestamps every call and message.
    'grpc.enable_channelz': 0,
    ...(options.maxConcurrentStreams < 0xffffffff ? { 'grpc.max_concurrent_streams': options.maxConcurrentStreams } : {}),
    ...(options.keepAliveIntervalMs > 0 ? { 'grpc.keepalive_time_ms': options.keepAliveIntervalMs } : {}),
    ...(options.keepAliveTimeoutMs > 0 ? { 'grpc.keepalive_timeout_ms': options.keepAliveTimeoutMs } : {}),
  };
}

export function createGrpcEdge(member: GrpcMember, options: GrpcEdgeOptions): GrpcEdge {
  const server = new grpc.Server(grpcChannelOptions(member, options));
  const services = member.grpcServices();
  for (const [definition, implementation] of services) server.addService(definition, implementation);
  answerUnaryDirectly(server, services, Number(member.grpcServerOptions()['grpc.max_receive_message_length'] ?? 4 * 1024 * 1024));
  // TLS, when configured, is already terminated by the listener.
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    inject: (connection) => injector.injectConnection(connection),
    drain: (graceMs) => injector.drain(graceMs),
    shutdown: () => {
      injector.destroy();
      server.forceShutdown();
    },
  };
}
