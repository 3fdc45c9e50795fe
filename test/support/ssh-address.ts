// Picks loopback addresses (127.0.0.11, 127.0.0.12, ...) for sshd test hosts. Several test files, and
// several engineers, start hosts at the same time, so an address is claimed by holding a listening
// socket on it at LOCK_PORT: the kernel releases the claim when the process dies, so nothing goes stale.
import { createServer, type Server } from 'node:net';

const LOCK_PORT = 9; // the discard port: nothing of ours listens there, and it never needs a free-port search
const FIRST_OCTET = 11;
const LAST_OCTET = 250;
// Ports a cairn/etcd member binds on its advertise address; an address where one is taken (a leftover
// of an earlier run) would fail the tests that start members there.
const MEMBER_PORTS = [2379, 2380, 2381];

export interface AddressClaim {
  address: string;
  release(): Promise<void>;
}

function listen(address: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(new Error(`sshd-hosts: cannot listen on ${address}:${port}: ${err.message}`));
    });
    server.listen({ host: address, port, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** True when nothing listens on address:port right now. */
export async function portIsFree(address: string, port: number): Promise<boolean> {
  const server = await listen(address, port);
  if (!server) return false;
  await close(server);
  return true;
}

/** Claims the next loopback address that no other harness holds and where the member ports are free. */
export async function claimAddress(skip: ReadonlySet<string> = new Set()): Promise<AddressClaim> {
  for (let octet = FIRST_OCTET; octet <= LAST_OCTET; octet++) {
    const address = `127.0.0.${octet}`;
    if (skip.has(address)) continue;
    const lock = await listen(address, LOCK_PORT);
    if (!lock) continue;
    lock.unref(); // the claim must not keep a test process alive
    const free = await Promise.all(MEMBER_PORTS.map((p) => portIsFree(address, p)));
    if (free.every(Boolean)) return { address, release: () => close(lock) };
    await close(lock);
  }
  throw new Error(`sshd-hosts: every address 127.0.0.${FIRST_OCTET}-${LAST_OCTET} is taken`);
}
