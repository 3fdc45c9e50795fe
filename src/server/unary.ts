// Wraps an async handler as a grpc-js unary handler: any error leaves through the one wire-error map,
// and every call is counted by method and code.
import { status as Status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { toWireError } from './errors';
import type { ServerMetrics } from './metrics';

export function unary<Req, Res>(
  metrics: ServerMetrics,
  service: string,
  method: string,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  const counts = metrics.grpc.method(service, method, 'unary');
  return (call, callback) => {
    // As go-grpc-prometheus counts a unary call: started, one message in, one out when it succeeds.
    const startedAt = counts.start();
    counts.received++;
    handler(call.request, call).then(
      (response) => {
        counts.sent++;
        counts.handle(Status.OK, startedAt);
        callback(null, response);
      },
      (err: unknown) => {
        const wire = toWireError(err);
        counts.handle(wire.code, startedAt);
        callback(wire);
      },
    );
  };
}
