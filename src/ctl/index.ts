// cairnctl: etcdctl's commands, flags, variables and output formats.
export { runCtl, buildProgram } from './program';
export type { CtlIo } from './context';
export { ExitCode, CtlError } from './exit';
export { terminalSecretReader } from './terminal-secret';
