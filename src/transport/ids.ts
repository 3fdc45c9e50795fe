// Member and cluster IDs on the wire and in labels: lowercase hex without leading zeros, as etcd's
// types.ID prints them (8e9e05c52164694d).
import { TransportError } from './errors';

const maxId = (1n << 64n) - 1n;

export function idToHex(id: bigint): string {
  return id.toString(16);
}

/** Parses an ID as a peer sends it; undefined for anything that is not 1 to 16 hex digits. */
export function parseHexId(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^[0-9a-fA-F]{1,16}$/.test(text)) return undefined;
  return BigInt(`0x${text}`);
}

/** Checks that an ID given by the caller fits etcd's uint64 IDs. */
export function checkId(id: bigint, what: string): bigint {
  if (typeof id !== 'bigint' || id < 0n || id > maxId) {
    throw new TransportError(`transport: ${what} must be an unsigned 64-bit integer (got ${String(id)})`);
  }
  return id;
}
