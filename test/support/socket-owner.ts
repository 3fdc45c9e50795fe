// Which process made a loopback TCP connection: the kernel's socket tables (/proc/net/tcp, tcp6) give
// the inode of the socket with that local and remote port, and /proc/<pid>/fd of the owner links to it.
// Lets a proxy that every peer dials tell one peer's connections from the others' (Linux only).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

function socketInode(localPort: number, remotePort: number): string | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if (fields[1].endsWith(`:${hex(localPort)}`) && fields[2].endsWith(`:${hex(remotePort)}`)) return fields[9];
    }
  }
  return undefined;
}

/** Whether process `pid` holds the socket connected from local port `localPort` to remote port `remotePort`. */
export function processOwnsConnection(pid: number, localPort: number, remotePort: number): boolean {
  const inode = socketInode(localPort, remotePort);
  if (inode === undefined) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const link = `socket:[${inode}]`;
  return fds.some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === link;
    } catch {
      return false;
    }
  });
}
