// Errors of the ssh module. Each kind is a situation an operator fixes differently, so callers (and
// tests) tell them apart by kind, and the message says what to do.

export type SshErrorKind =
  | 'invalid-argument' // bad input from the caller: a relative path, a bad variable name
  | 'no-credentials' // neither a key file nor an ssh-agent to log in with
  | 'bad-key' // the private key file is missing, unreadable or not a key
  | 'unreachable' // no route, no DNS name, or no TCP answer in time
  | 'refused' // the address answered, but nothing listens on the port
  | 'not-ssh' // something accepted the connection but did not speak SSH in time
  | 'host-key-unknown' // known_hosts has no key for this host (of the type offered)
  | 'host-key-changed' // known_hosts has a different key for this host
  | 'host-key-revoked' // known_hosts marks the offered key @revoked
  | 'auth' // the server refused every credential
  | 'timeout' // a command ran past its timeout
  | 'disconnected' // the connection dropped while a request was under way
  | 'remote'; // the host answered with a failure (file not found, permission denied, ...)

export class SshError extends Error {
  constructor(
    readonly kind: SshErrorKind,
    message: string,
  ) {
    super(`ssh: ${message}`);
    this.name = 'SshError';
  }
}

const MAX_COMMAND_IN_MESSAGE = 200;

/** A command as it appears in an error message: long scripts are cut, so the message stays readable. */
export function commandForMessage(command: string): string {
  return command.length <= MAX_COMMAND_IN_MESSAGE ? command : `${command.slice(0, MAX_COMMAND_IN_MESSAGE)}...`;
}

/** `10.0.0.1:22`, or `[fd00::1]:22` for an IPv6 address, as messages write an endpoint. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
