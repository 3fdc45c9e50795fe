// Reading just enough of a new connection to tell HTTP/2 from HTTP/1.x, then handing it on with
// those bytes put back, so whoever takes the socket reads it from its first byte.
import type { Socket } from 'node:net';
import { classifyPreface, type Preface } from './preface';

export type DecidedPreface = Exclude<Preface, 'undecided'>;

/** Calls `route` once the first bytes decide; the socket is then paused with its bytes unread. */
export function sniffPreface(socket: Socket, route: (kind: DecidedPreface) => void): void {
  let head: Buffer | undefined;
  const onData = (chunk: Buffer): void => {
    head = head === undefined ? chunk : Buffer.concat([head, chunk]);
    const kind = classifyPreface(head);
    if (kind === 'undecided') return;
    socket.off('data', onData);
    socket.pause();
    socket.unshift(head);
    route(kind);
  };
  socket.on('data', onData);
}
