// What lock and elect share: a session (a lease kept alive) for the command's run, and Ctrl-C or
// SIGTERM turned into a stop signal for it.
import { Session } from '../concurrency';
import type { CtlContext } from '../context';
import { callOrFail } from './shared';

/** Runs `work` in a new session until it settles; then stops renewing (etcdctl leaves the lease to expire). */
export async function inSession(ctx: CtlContext, ttl: bigint, work: (session: Session, stop: AbortSignal) => Promise<void>): Promise<void> {
  const session = await callOrFail(Session.open(ctx.client(), { ttl, dialTimeoutMs: ctx.global.dialTimeoutMs }));
  const interruption = ctx.interruption();
  try {
    await callOrFail(work(session, interruption.signal));
  } finally {
    interruption.release();
    await session.orphan();
  }
}
