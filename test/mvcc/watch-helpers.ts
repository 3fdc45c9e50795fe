// Reading a watch stream in tests: bounded in count and in time.
import type { WatchResponse, WatchStream } from '../../src/mvcc';

export async function nextWithin(stream: WatchStream, ms = 5000): Promise<WatchResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no watch response within ${ms} ms`)), ms);
  });
  try {
    const resp = await Promise.race([stream.next(), timeout]);
    if (resp === undefined) throw new Error('watch stream closed');
    return resp;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads responses until `done` says so (at most maxResponses). */
export async function readUntil(
  stream: WatchStream,
  done: (all: WatchResponse[]) => boolean,
  maxResponses = 100000,
): Promise<WatchResponse[]> {
  const all: WatchResponse[] = [];
  while (!done(all)) {
    if (all.length >= maxResponses) throw new Error(`still not done after ${maxResponses} responses`);
    all.push(await nextWithin(stream));
  }
  return all;
}

/** "PUT k=v@mod" / "DELETE k@mod" per event, across responses. */
export function eventLines(resps: WatchResponse[]): string[] {
  return resps.flatMap((r) =>
    r.events.map((ev) => (ev.type === 0 ? `PUT ${ev.kv.key}=${ev.kv.value}@${ev.kv.modRevision}` : `DELETE ${ev.kv.key}@${ev.kv.modRevision}`)),
  );
}

export function eventCount(resps: WatchResponse[]): number {
  return resps.reduce((n, r) => n + r.events.length, 0);
}
