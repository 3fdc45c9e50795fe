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
  return (call, callback) => {
    handler(call.request, call).then(
      (response) => {
        metrics.grpcHandled.inc({ grpc_code: Status[Status.OK], grpc_method: method, grpc_service: service, grpc_type: 'unary' });
        callback(null, response);
      },
      (err: unknown) => {
        const wire = toWireError(err);
        metrics.grpcHandled.inc({ grpc_code: Status[wire.code], grpc_method: method, grpc_service: service, grpc_type: 'unary' });
        callback(wire);
      },
    );
  };
}
