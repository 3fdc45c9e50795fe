// The wait registry: a caller registers the ID of its request before proposing it, and apply
// triggers that ID with the result once the entry is applied (etcd's pkg/wait).

interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

export class WaitRegistry<T> {
  private readonly waiters = new Map<bigint, Waiter<T>>();

  /** @throws Error when the ID is already registered (IDs are unique per member). */
  register(id: bigint): Promise<T> {
    if (this.waiters.has(id)) throw new Error(`etcdserver: duplicate request id ${id.toString(16)}`);
    return new Promise<T>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
    });
  }

  /** Answers the waiter of `id`, if any; an entry proposed by another member has none. */
  trigger(id: bigint, value: T): boolean {
    const waiter = this.waiters.get(id);
    if (waiter === undefined) return false;
    this.waiters.delete(id);
    waiter.resolve(value);
    return true;
  }

  /** Fails one waiter (its proposal was dropped or timed out). */
  fail(id: bigint, err: Error): void {
    const waiter = this.waiters.get(id);
    if (waiter === undefined) return;
    this.waiters.delete(id);
    waiter.reject(err);
  }

  /** Fails every waiter, for shutdown. */
  failAll(err: Error): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(err);
  }

  /** Whether `id` still waits (not yet answered, failed or timed out). */
  has(id: bigint): boolean {
    return this.waiters.has(id);
  }

  get size(): number {
    return this.waiters.size;
  }
}
