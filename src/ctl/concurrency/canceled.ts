// Go's context.Canceled: what an interrupted lock, campaign or wait reports (etcdctl prints it).
export const CONTEXT_CANCELED = 'context canceled';

export function throwIfCanceled(stop: AbortSignal): void {
  if (stop.aborted) throw new Error(CONTEXT_CANCELED);
}

/** Resolves when the signal aborts. */
export function whenCanceled(stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) resolve();
    else stop.addEventListener('abort', () => resolve(), { once: true });
  });
}
