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
  const labels = { grpc_method: method, grpc_service: service, grpc_type: 'unary' };
  const handledOk = { grpc_code: Status[Status.OK], ...labels };
  return (call, callback) => {
    // As go-grpc-prometheus counts a unary call: started, one message in, one out when it succeeds.
    metrics.grpcStarted.inc(labels);
    metrics.grpcReceived.inc(labels);
    handler(call.request, call).then(
      (response) => {
        metrics.grpcSent.inc(labels);
        metrics.grpcHandled.inc(handledOk);
        callback(null, response);
      },
      (err: unknown) => {
        const wire = toWireError(err);
        metrics.grpcHandled.inc({ grpc_code: Status[wire.code], ...labels });
        callback(wire);
      },
    );
  };
}
