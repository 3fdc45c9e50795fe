// Free TCP ports on loopback for servers the tests start. They are taken below the kernel's ephemeral
// range: a port from that range (what binding port 0 gives) can be taken, between the check and the
// server's bind, as the local port of any outgoing connection on the machine, and the server then fails
// with EADDRINUSE. Other test files and engineers run at once, so each port is checked free by binding it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10000;

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 ? first : 32768;
  } catch {
    return 32768;
  }
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const end = ephemeralStart();
  for (let tries = 0; tries < 200; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (end - LOWEST));
    if (await isFree(port, host)) return port;
  }
  throw new Error(`no free port on ${host} between ${LOWEST} and ${end - 1} after 200 tries`);
}

export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < count && tries < count * 20; tries++) ports.add(await freePort(host));
  return [...ports];
}
