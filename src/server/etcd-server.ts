// EtcdServer: the face of the server core that the listeners and the CLI use.
import type { ChannelOptions, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { EtcdServerOptions, ResolvedOptions, grpcOverheadBytes, resolveOptions } from './options';
import { Versions, versions } from './versions';

/** One gRPC service: add it with `grpcServer.addService(definition, implementation)`. */
export type GrpcService = [ServiceDefinition, UntypedServiceImplementation];

/** As etcd's /health: false with a reason when there is no leader, an alarm is active or a read fails. */
export interface Health {
  health: boolean;
  reason: string;
}

export interface HealthOptions {
  /** Alarm names (`NOSPACE`, `CORRUPT`) that do not make the member unhealthy, as `/health?exclude=NOSPACE`. */
  excludedAlarms?: string[];
}

export class EtcdServer {
  readonly metrics: Registry;
  private readonly options: ResolvedOptions;

  private constructor(options: ResolvedOptions) {
    this.options = options;
    this.metrics = new Registry();
  }

  /** Opens (or creates) the data dir, replays the WAL after the store's consistent index and gets ready to serve. */
  static async open(options: EtcdServerOptions): Promise<EtcdServer> {
    const server = new EtcdServer(resolveOptions(options));
    throw new Error(`etcdserver: server core not ready yet (data dir ${server.options.dataDir})`);
  }

  /** The gRPC services (KV, Watch, Lease, Cluster, Maintenance, Auth) to add to a grpc-js Server. */
  grpcServices(): GrpcService[] {
    return [];
  }

  /** grpc-js Server options as etcd sets them: receive up to max-request-bytes plus gRPC overhead. */
  grpcServerOptions(): ChannelOptions {
    return {
      'grpc.max_receive_message_length': this.options.maxRequestBytes + grpcOverheadBytes,
      'grpc.max_send_message_length': 2 ** 31 - 1,
    };
  }

  async health(options: HealthOptions = {}): Promise<Health> {
    void options;
    return { health: false, reason: 'etcdserver: server core not ready yet' };
  }

  isReady(): boolean {
    return false;
  }

  versions(): Versions {
    return versions();
  }

  /** Stops accepting requests, finishes in-flight applies, closes the WAL and the store. */
  async close(): Promise<void> {}
}
