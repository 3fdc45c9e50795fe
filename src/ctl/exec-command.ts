// A user's command run by cairnctl (lock's, watch's exec-command), and Go's os/exec words for its
// failure, which etcdctl prints.
import { spawn } from 'node:child_process';
import type { Output } from './printers';

export interface ExecOutcome {
  readonly error?: NodeJS.ErrnoException;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

// Go's syscall.Signal strings on Linux, for the signals a command commonly dies of.
const GO_SIGNAL_NAMES: Readonly<Partial<Record<NodeJS.Signals, string>>> = {
  SIGHUP: 'hangup', SIGINT: 'interrupt', SIGQUIT: 'quit', SIGILL: 'illegal instruction', SIGTRAP: 'trace/breakpoint trap',
  SIGABRT: 'aborted', SIGBUS: 'bus error', SIGFPE: 'floating point exception', SIGKILL: 'killed', SIGUSR1: 'user defined signal 1',
  SIGSEGV: 'segmentation fault', SIGUSR2: 'user defined signal 2', SIGPIPE: 'broken pipe', SIGALRM: 'alarm clock', SIGTERM: 'terminated',
};

/** Go's text for a failed exec.Cmd.Run ("exit status 3", "signal: killed", ...); undefined on success. */
export function goExecError(command: string, outcome: ExecOutcome): string | undefined {
  if (outcome.error) {
    const why = outcome.error.code === 'EACCES' ? 'permission denied' : 'no such file or directory';
    // Go looks a bare name up in PATH first, and says so when it is not there.
    return command.includes('/') ? `fork/exec ${command}: ${why}` : `exec: ${JSON.stringify(command)}: executable file not found in $PATH`;
  }
  if (outcome.signal) return `signal: ${GO_SIGNAL_NAMES[outcome.signal] ?? outcome.signal}`;
  return outcome.status === 0 ? undefined : `exit status ${outcome.status}`;
}

/**
 * Runs the command with no stdin and its output passed on as it comes; resolves to Go's failure
 * text, or undefined when it exits 0.
 */
export function runCommand(words: readonly string[], env: NodeJS.ProcessEnv, output: Output): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(words[0], words.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => output.out(d));
    child.stderr.on('data', (d: Buffer) => output.err(d.toString()));
    child.once('error', (error) => resolve(goExecError(words[0], { error, status: null, signal: null })));
    child.once('close', (status, signal) => resolve(goExecError(words[0], { status, signal })));
  });
}
