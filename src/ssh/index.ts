// Public face of the ssh module: the Host interface cairnadm acts through, its implementations
// (SshHost over ssh2, LocalHost on this machine, DryRunHost for --dry-run, VerboseHost for -v), its errors, and the
// shell quoting callers need to build commands.
export type { ExecOptions, ExecResult, Host, RemoveOptions, UploadOptions, UploadSource } from './host';
export { SshHost, type SshHostOptions } from './ssh-host';
export { LocalHost, type LocalHostOptions } from './local-host';
export { DryRunHost, type DryRunAction, type DryRunHostOptions } from './dry-run-host';
export { VerboseHost, type VerboseHostOptions } from './verbose-host';
export { SshError, type SshErrorKind } from './errors';
export { shellCommand, shellQuote } from './shell-quote';
export { fingerprintOf, keyTypeOf } from './host-key';
export { knownHostName, parseKnownHosts, type KnownHostEntry } from './known-hosts';
