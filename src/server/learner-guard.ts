// A learner serves only what etcd 3.4 lets a learner serve (v3rpc's interceptors): Maintenance
// Status and serializable Range. Every other call, and every stream, is refused with
// `etcdserver: rpc not supported for learner` before it reaches its handler or the auth checks.
import { etcdError, type etcdserverpb } from '../api';
import { guardMethods, type GrpcService } from './service-guard';

function supportedForLearner(path: string, request: unknown): boolean {
  if (path === '/etcdserverpb.Maintenance/Status') return true;
  return path === '/etcdserverpb.KV/Range' && (request as etcdserverpb.RangeRequest).serializable;
}

export function guardLearner(services: GrpcService[], isLearner: () => boolean): GrpcService[] {
  return guardMethods(services, (method) => (call) => {
    const streaming = method.requestStream || method.responseStream;
    if (isLearner() && (streaming || !supportedForLearner(method.path, call.request))) throw etcdError('notSupportedForLearner');
  });
}
