// A plain HTTP/2 connection as the gRPC server sees it: the client's bytes pass through an
// AuthorityRewriter, the server's go to the socket as they are. Node's HTTP/2 session runs on any
// Duplex (it wraps one that has no native handle itself).
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AuthorityRewriter } from './authority-rewriter';

export interface AuthoritySocketOptions {
  readonly logger: Logger;
}

/** Wraps `socket` (whose reading has not started); malformed client bytes close it. */
export function authorityFixingSocket(socket: Socket, options: AuthoritySocketOptions): Duplex {
  const rewriter = new AuthorityRewriter();
  let logged = false;
  // Node's HTTP/2 session turns Nagle off on the socket it gets; here that is the wrapper.
  socket.setNoDelay(true);
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    writev(chunks, callback) {
      socket.cork();
      for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i].chunk);
      socket.write(chunks[chunks.length - 1].chunk, callback);
      socket.uncork();
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    let forward: Buffer;
    try {
      forward = rewriter.transform(chunk);
    } catch (err) {
      options.logger.info({ remote: socket.remoteAddress, err: (err as Error).message }, 'closing a gRPC connection with a malformed header block');
      duplex.destroy();
      return;
    }
    if (rewriter.translatingBlocks && !logged) {
      logged = true;
      options.logger.debug({ remote: socket.remoteAddress }, 'rewriting a client :authority that holds a URL scheme');
    }
    if (forward.length > 0 && !duplex.push(forward)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  return duplex;
}
