// Runs a command on a pseudo-terminal (python3's os.openpty and a fork, as `script` would), types
// keys when the output shows what it waits for, and reports what the terminal showed, the exit
// status and whether the terminal was left with echo and line editing on.
import { spawn, spawnSync } from 'node:child_process';

export interface PtyStep {
  /** Text to wait for in the terminal's output, after the previous step's text. */
  readonly expect: string;
  /** Keys to type, one write each, 50 ms apart. */
  readonly send: readonly string[];
}

export interface PtySpec {
  readonly cmd: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly steps: readonly PtyStep[];
  /** Where stdout and stderr go: the terminal (default) or a pipe reported on its own. */
  readonly stdout?: 'pty' | 'pipe';
  readonly stderr?: 'pty' | 'pipe';
  /** Seconds before the command is killed (default 20). */
  readonly timeout?: number;
}

export interface PtyResult {
  /** What the terminal showed (the driver's line discipline turns "\n" into "\r\n"). */
  readonly output: string;
  readonly stdoutPipe: string;
  readonly stderrPipe: string;
  /** Exit status, or minus the signal number. */
  readonly code: number;
  readonly timedOut: boolean;
  /** Whether a step's text never showed up (the remaining steps were not typed). */
  readonly stuck: string | null;
  /** The terminal's ECHO and ICANON flags once the command has exited. */
  readonly echo: boolean;
  readonly icanon: boolean;
}

const DRIVER = String.raw`
import json, os, select, sys, termios, fcntl, time
spec = json.loads(sys.argv[1])
deadline = time.time() + spec.get('timeout', 20)
master, slave = os.openpty()
pipes = {}
for name in ('stdout', 'stderr'):
    if spec.get(name) == 'pipe':
        pipes[name] = os.pipe()
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    os.dup2(slave, 0)
    os.dup2(pipes['stdout'][1] if 'stdout' in pipes else slave, 1)
    os.dup2(pipes['stderr'][1] if 'stderr' in pipes else slave, 2)
    os.closerange(3, 1024)
    env = dict(os.environ)
    env.update(spec.get('env', {}))
    os.execvpe(spec['cmd'][0], spec['cmd'], env)
for r, w in pipes.values():
    os.close(w)
out = {'pty': b'', 'stdout': b'', 'stderr': b''}
fds = {master: 'pty'}
for name, (r, w) in pipes.items():
    fds[r] = name
status = None
def pump(t):
    global status
    if status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
    ready, _, _ = select.select(list(fds), [], [], t)
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if data:
            out[fds[fd]] += data
        else:
            del fds[fd]
pos = 0
stuck = None
for step in spec['steps']:
    want = step['expect'].encode()
    while want not in out['pty'][pos:] and status is None and time.time() < deadline:
        pump(0.05)
    if want not in out['pty'][pos:]:
        stuck = step['expect']
        break
    pos = out['pty'].index(want, pos) + len(want)
    time.sleep(0.1)
    for key in step['send']:
        os.write(master, key.encode())
        time.sleep(0.05)
timed_out = False
while status is None:
    if time.time() > deadline:
        timed_out = True
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        break
    pump(0.05)
end = time.time() + 1
while time.time() < end:
    before = sum(len(v) for v in out.values())
    pump(0.05)
    if sum(len(v) for v in out.values()) == before:
        break
attrs = termios.tcgetattr(slave)
print(json.dumps({
    'output': out['pty'].decode('utf-8', 'replace'),
    'stdoutPipe': out['stdout'].decode('utf-8', 'replace'),
    'stderrPipe': out['stderr'].decode('utf-8', 'replace'),
    'code': os.waitstatus_to_exitcode(status),
    'timedOut': timed_out,
    'stuck': stuck,
    'echo': bool(attrs[3] & termios.ECHO),
    'icanon': bool(attrs[3] & termios.ICANON),
}))
`;

export function hasPython3(): boolean {
  return spawnSync('python3', ['-c', 'import os, pty, termios; os.waitstatus_to_exitcode'], { timeout: 10_000 }).status === 0;
}

/** Runs the spec; the driver's own deadline ends the command, and this one the driver. */
export function runInPty(spec: PtySpec): Promise<PtyResult> {
  const timeoutMs = (spec.timeout ?? 20) * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', DRIVER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`pty driver exited with ${code}: ${stderr}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as PtyResult);
      } catch (err) {
        reject(new Error(`pty driver printed ${JSON.stringify(stdout)}: ${String(err)}; stderr ${stderr}`));
      }
    });
  });
}
