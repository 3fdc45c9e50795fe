// The one interface cairnadm uses to act on a machine, whether it is reached over SSH or is the
// machine the tool runs on.

export interface ExecOptions {
  /** the command is stopped and the call fails once this many milliseconds have passed */
  timeoutMs: number;
  /** written to the command's standard input, which is then closed (it is closed at once without input) */
  input?: string | Buffer;
  /** extra environment variables for the command */
  env?: Record<string, string>;
  /** the command only looks (no file, process or service changes), so a dry run may run it too */
  readOnly?: boolean;
}

export interface ExecResult {
  /** the exit status; for a command ended by a signal, 128 + the signal number as a shell reports it */
  code: number;
  /** the signal that ended the command, when one did */
  signal?: string;
  stdout: string;
  stderr: string;
}

/** File content: the bytes themselves, text (written as UTF-8), or a file on this machine to copy. */
export type UploadSource = Buffer | string | { localFile: string };

export interface UploadOptions {
  /** permission bits of the file, e.g. 0o600 for a private key */
  mode: number;
}

export interface RemoveOptions {
  /** also remove a directory and everything under it */
  recursive?: boolean;
}

export interface Host {
  /** the name an operator gave the host (a member name in cairnadm's config) */
  readonly name: string;
  /** where it is reached, for messages: `root@10.0.0.1:22`, or `local` */
  readonly address: string;
  /** runs a command through the host's shell; a non-zero exit is a result, not an error */
  exec(command: string, opts: ExecOptions): Promise<ExecResult>;
  /** writes a file atomically (temporary file, then rename), creating missing parent directories */
  upload(path: string, source: UploadSource, opts: UploadOptions): Promise<void>;
  read(path: string): Promise<Buffer>;
  exists(path: string): Promise<boolean>;
  /** removes a file (or a directory with recursive); a path that does not exist counts as removed */
  remove(path: string, opts?: RemoveOptions): Promise<void>;
  close(): Promise<void>;
}
