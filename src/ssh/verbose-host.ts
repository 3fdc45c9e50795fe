// A Host that prints each operation before passing it on, for cairnadm's -v: the operator sees every
// command run and every file touched on each host, in order.
import { checkSource, octalMode } from './checks';
import type { ExecOptions, ExecResult, Host, RemoveOptions, UploadOptions, UploadSource } from './host';
import { sourceSize } from './upload-source';

export interface VerboseHostOptions {
  /** where the lines go (default: standard error, so they never mix with a command's printed result) */
  print?: (line: string) => void;
}

export class VerboseHost implements Host {
  private readonly print: (line: string) => void;

  constructor(
    private readonly inner: Host,
    opts: VerboseHostOptions = {},
  ) {
    this.print = opts.print ?? ((line) => process.stderr.write(`${line}\n`));
  }

  get name(): string {
    return this.inner.name;
  }

  get address(): string {
    return this.inner.address;
  }

  async exec(command: string, opts: ExecOptions): Promise<ExecResult> {
    this.say(`run: ${command}`);
    const result = await this.inner.exec(command, opts);
    if (result.code !== 0) this.say(`exit ${result.code}${result.signal ? ` (${result.signal})` : ''}: ${command}`);
    return result;
  }

  async upload(path: string, source: UploadSource, opts: UploadOptions): Promise<void> {
    checkSource(source);
    const size = await sourceSize(source);
    this.say(`write ${path} (mode ${octalMode(opts.mode)}, ${size} bytes)`);
    await this.inner.upload(path, source, opts);
  }

  read(path: string): Promise<Buffer> {
    this.say(`read ${path}`);
    return this.inner.read(path);
  }

  exists(path: string): Promise<boolean> {
    this.say(`check ${path}`);
    return this.inner.exists(path);
  }

  remove(path: string, opts: RemoveOptions = {}): Promise<void> {
    this.say(`remove ${path}${opts.recursive ? ' (recursive)' : ''}`);
    return this.inner.remove(path, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private say(what: string): void {
    this.print(`[${this.name}] ${what}`);
  }
}
