// Turns a failed connection attempt into the one SshError an operator can act on. ssh2 reports
// failures by `level` and the socket's errno; which step the attempt had reached tells a silent
// network from a port that is not SSH.
import { SshError, hostPort } from './errors';

/** How far an attempt got: TCP connect, SSH handshake (version, key exchange, host key), authentication. */
export type ConnectStage = 'tcp' | 'handshake' | 'auth';

export interface ConnectFailure {
  label: string;
  address: string;
  port: number;
  user: string;
  stage: ConnectStage;
  timeoutMs: number;
  /** what we tried to log in with, e.g. `key /root/.ssh/id_ed25519` */
  credentials: string;
}

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
const NAME_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);

export function connectError(err: Error & { level?: string; code?: string }, f: ConnectFailure): SshError {
  const endpoint = hostPort(f.address, f.port);
  const fixAddress = `check the host's address and port in the config`;
  if (err.code === 'ECONNREFUSED') {
    return new SshError('refused', `cannot connect to ${f.label}: connection refused, nothing listens on ${endpoint}; start sshd on the host or ${fixAddress}`);
  }
  if (err.code && NAME_CODES.has(err.code)) {
    return new SshError('unreachable', `cannot connect to ${f.label}: the name ${f.address} does not resolve (${err.code}); ${fixAddress}`);
  }
  if (err.code && UNREACHABLE_CODES.has(err.code)) {
    return new SshError('unreachable', `cannot connect to ${f.label}: ${f.address} is unreachable (${err.code}); check that the machine is up, the route to it and firewalls, or ${fixAddress}`);
  }
  if (err.level === 'client-timeout') {
    if (f.stage === 'tcp') {
      return new SshError('unreachable', `cannot connect to ${f.label}: no answer from ${endpoint} within ${f.timeoutMs} ms; check that the machine is up and that no firewall drops the connection, or ${fixAddress}`);
    }
    if (f.stage === 'handshake') {
      return new SshError('not-ssh', `cannot connect to ${f.label}: ${endpoint} accepted the connection but no SSH server answered within ${f.timeoutMs} ms; is this sshd's port?`);
    }
    return new SshError('auth', `cannot log in to ${f.label}: authentication did not finish within ${f.timeoutMs} ms`);
  }
  if (err.level === 'client-authentication') {
    return new SshError('auth', `cannot log in to ${f.label}: the server refused ${f.credentials}; add the public key to ~${f.user}/.ssh/authorized_keys on the host, or check the user and key in the config`);
  }
  if (f.stage !== 'auth' && (err.level === 'protocol' || err.level === 'handshake')) {
    return new SshError('not-ssh', `cannot connect to ${f.label}: the SSH handshake with ${endpoint} failed (${err.message}); is this sshd's port?`);
  }
  return new SshError('disconnected', `cannot connect to ${f.label}: ${err.message}`);
}
