// Puts a check in front of chosen gRPC methods: a check that throws refuses the call with the wire
// error (a unary callback, or the stream destroyed) before its handler runs. The auth checks and the
// learner's limits both stand on this.
import type { MethodDefinition, ServerWritableStream, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { toWireError } from './errors';

export type GrpcService = [ServiceDefinition, UntypedServiceImplementation];

/** A check of one call; it throws to refuse it. */
export type CallCheck = (call: { request?: unknown }) => void;

type Handler = (call: { request?: unknown }, callback?: (err: Error) => void) => void;

/** The services with every method `checkFor` gives a check checking its calls first. */
export function guardMethods(services: GrpcService[], checkFor: (method: MethodDefinition<unknown, unknown>) => CallCheck | undefined): GrpcService[] {
  return services.map(([definition, impl]) => {
    const guarded: UntypedServiceImplementation = { ...impl };
    for (const [name, method] of Object.entries(definition)) {
      const check = checkFor(method);
      const handler = impl[name] as unknown as Handler | undefined;
      if (check === undefined || handler === undefined) continue;
      const wrapped: Handler = (call, callback) => {
        try {
          check(call);
        } catch (err) {
          const wire = toWireError(err);
          if (callback !== undefined) callback(wire);
          // grpc-js sends a stream's status from its 'error' listener; destroy() would end it without one
          else (call as unknown as ServerWritableStream<unknown, unknown>).emit('error', wire);
          return;
        }
        handler(call, callback);
      };
      guarded[name] = wrapped as unknown as UntypedServiceImplementation[string];
    }
    return [definition, guarded];
  });
}
