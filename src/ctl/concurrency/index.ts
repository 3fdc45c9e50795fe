// clientv3/concurrency for cairnctl's lock and elect: sessions, mutexes and elections on etcd keys.
export { Session, DEFAULT_SESSION_TTL, holdUntilStopped } from './session';
export { Mutex } from './mutex';
export { Election, observeLeaders } from './election';
export { throwIfCanceled, whenCanceled } from './canceled';
