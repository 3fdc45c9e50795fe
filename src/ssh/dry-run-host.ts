// A Host for --dry-run: every change (command, file write, removal) is recorded and printed instead
// of done, the way kubeadm prints "[dryrun] Would ..."; reads, and commands marked readOnly, go to
// the real host, so preflight checks still look at the real machine.
import { checkExecOptions, checkMode, checkPath, checkRemovable, checkSource, octalMode } from './checks';
import type { ExecOptions, ExecResult, Host, RemoveOptions, UploadOptions, UploadSource } from './host';
import { sourceSize } from './upload-source';

export type DryRunAction =
  | { kind: 'exec'; command: string }
  | { kind: 'upload'; path: string; mode: number; size: number }
  | { kind: 'remove'; path: string; recursive: boolean };

export interface DryRunHostOptions {
  /** where the "[dryrun] ..." lines go (default: standard output) */
  print?: (line: string) => void;
}

export class DryRunHost implements Host {
  /** what would have been done, in order */
  readonly actions: DryRunAction[] = [];
  private readonly print: (line: string) => void;

  constructor(
    private readonly inner: Host,
    opts: DryRunHostOptions = {},
  ) {
    this.print = opts.print ?? ((line) => process.stdout.write(`${line}\n`));
  }

  get name(): string {
    return this.inner.name;
  }

  get address(): string {
    return this.inner.address;
  }

  async exec(command: string, opts: ExecOptions): Promise<ExecResult> {
    checkExecOptions(opts);
    if (opts.readOnly) return this.inner.exec(command, opts);
    this.record({ kind: 'exec', command }, `Would run on ${this.name}: ${command}`);
    return { code: 0, stdout: '', stderr: '' };
  }

  async upload(path: string, source: UploadSource, opts: UploadOptions): Promise<void> {
    checkPath(path);
    checkMode(opts);
    checkSource(source);
    const size = await sourceSize(source);
    this.record({ kind: 'upload', path, mode: opts.mode, size }, `Would write file ${path} (mode ${octalMode(opts.mode)}, ${size} bytes) on ${this.name}`);
  }

  read(path: string): Promise<Buffer> {
    return this.inner.read(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  async remove(path: string, opts: RemoveOptions = {}): Promise<void> {
    checkRemovable(path);
    const recursive = opts.recursive === true;
    this.record({ kind: 'remove', path, recursive }, `Would remove ${recursive ? `${path} and everything under it` : path} on ${this.name}`);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private record(action: DryRunAction, line: string): void {
    this.actions.push(action);
    this.print(`[dryrun] ${line}`);
  }
}
