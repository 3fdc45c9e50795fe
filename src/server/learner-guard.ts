// A learner serves only what etcd 3.4 lets a learner serve (v3rpc's interceptors): Maintenance
// Status and serializable Range. Every other call, and every stream, is refused with
// `etcdserver: rpc not supported for learner` before it reaches its handler or the auth checks.
import type { ServerWritableStream, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { etcdError, type etcdserverpb } from '../api';

type Handler = (call: { request?: unknown }, callback?: (err: Error) => void) => void;

function supportedForLearner(path: string, request: unknown): boolean {
  if (path === '/etcdserverpb.Maintenance/Status') return true;
  return path === '/etcdserverpb.KV/Range' && (request as etcdserverpb.RangeRequest).serializable;
}

export function guardLearner(
  services: [ServiceDefinition, UntypedServiceImplementation][],
  isLearner: () => boolean,
): [ServiceDefinition, UntypedServiceImplementation][] {
  return services.map(([definition, impl]) => {
    const guarded: UntypedServiceImplementation = { ...impl };
    for (const [name, method] of Object.entries(definition)) {
      const handler = impl[name] as unknown as Handler | undefined;
      if (handler === undefined) continue;
      const streaming = method.requestStream || method.responseStream;
      const wrapped: Handler = (call, callback) => {
        if (isLearner() && (streaming || !supportedForLearner(method.path, call.request))) {
          const refused = etcdError('notSupportedForLearner');
          if (callback !== undefined) callback(refused);
          else (call as unknown as ServerWritableStream<unknown, unknown>).destroy(refused);
          return;
        }
        handler(call, callback);
      };
      guarded[name] = wrapped as unknown as UntypedServiceImplementation[string];
    }
    return [definition, guarded];
  });
}
