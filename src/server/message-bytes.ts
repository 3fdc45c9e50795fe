// etcd_network_client_grpc_sent_bytes_total and _received_bytes_total as etcd 3.4 counts them: its
// gRPC codec adds the size of every message it encodes for a client and of every one it decodes, so
// the protobuf bytes of requests and answers, streamed ones included, without gRPC's or HTTP/2's
// framing. Here the services' own serializers count, for grpc-js and for the direct unary path alike.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import type { GrpcServerMetrics } from './grpc-metrics';
import type { GrpcService } from './service-guard';

export function countMessageBytes(services: GrpcService[], metrics: GrpcServerMetrics): GrpcService[] {
  return services.map(([definition, implementation]) => {
    const counted: Record<string, MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(definition)) {
      const { requestDeserialize, responseSerialize } = method;
      counted[name] = {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          metrics.receivedBytes += bytes.length;
          return requestDeserialize(bytes);
        },
        responseSerialize: (value: unknown) => {
          const bytes = responseSerialize(value);
          metrics.sentBytes += bytes.length;
          return bytes;
        },
      };
    }
    return [counted as ServiceDefinition, implementation];
  });
}
