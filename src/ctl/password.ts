// Password prompts, as etcdctl 3.4 asks: `user add NAME` and `user passwd NAME` ask twice
// ("Password of NAME: ", then "Type password of NAME again for confirmation: "), and --user NAME
// without a password asks once ("Password: ") when the command makes its client. The asking itself
// (prompt, entry without echo, newline) is the io's readSecret; on a terminal it is
// terminal-secret.ts.
//
// Without a terminal etcdctl still prompts, and speakeasy reads a line from standard input (after
// `stty` has complained on stderr that standard input is no terminal); cairnctl refuses instead and
// says which flag gives the password, so that a script without a terminal gets a clear error
// rather than a hidden read of its standard input.
import { EtcdClient, type CallSettings, type ClientOptions, type RpcMethod } from '../client';
import { badArgs, CtlError, ExitCode } from './exit';

export interface SecretReader {
  /**
   * Writes the prompt, reads one entry without echo and ends the prompt's line (etcdctl's
   * speakeasy.Ask). Resolves to the entry as typed, '' when input ends before any. Absent when
   * standard input is not a terminal.
   */
  readSecret?(prompt: string): Promise<string>;
}

const NOT_A_TERMINAL = 'standard input is not a terminal';

/** Go's strings.TrimSpace (unicode.IsSpace: no U+FEFF, but U+0085): speakeasy trims the entry. */
export function goTrimSpace(text: string): string {
  const space = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
  return text.replace(new RegExp(`^${space}+|${space}+$`, 'g'), '');
}

/** speakeasy.Ask: the trimmed entry, or undefined when there is no terminal to ask on. */
export async function askSecret(io: SecretReader, prompt: string): Promise<string | undefined> {
  if (!io.readSecret) return undefined;
  return goTrimSpace(await io.readSecret(prompt));
}

/**
 * etcdctl's readPasswordInteractive (user add, user passwd): asks twice and fails with its
 * errors and exit code 128. `instead` says how to give the password without a terminal.
 */
export async function readPasswordInteractive(io: SecretReader, name: string, instead: string): Promise<string> {
  const ask = async (prompt: string) => {
    let entry: string | undefined;
    try {
      entry = await askSecret(io, prompt);
    } catch (err) {
      throw badArgs(`failed to ask password: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (entry === undefined) throw badArgs(`failed to ask password: ${NOT_A_TERMINAL}; ${instead}`);
    return entry;
  };
  const first = await ask(`Password of ${name}: `);
  if (first.length === 0) throw badArgs('empty password');
  const second = await ask(`Type password of ${name} again for confirmation: `);
  if (first !== second) throw badArgs('given passwords are different');
  return first;
}

/**
 * The password of --user NAME given without one: etcdctl's "Password: " prompt, failing as
 * etcdctl does when asking fails (exit 1).
 */
export async function askUserPassword(io: SecretReader, user: string): Promise<string> {
  let entry: string | undefined;
  try {
    entry = await askSecret(io, 'Password: ');
  } catch (err) {
    throw new CtlError(ExitCode.error, err instanceof Error ? err.message : String(err));
  }
  if (entry === undefined) {
    throw new CtlError(ExitCode.error, `failed to ask password: ${NOT_A_TERMINAL}; give --user ${user}:PASSWORD or --password PASSWORD`);
  }
  return entry;
}

/** clientv3's rule: it authenticates only when both the user name and the password are non-empty. */
export function withCredentials(options: ClientOptions, user: string | undefined, password: string | undefined): ClientOptions {
  return user && password ? { ...options, user, password } : { ...options, user: undefined, password: undefined };
}

/**
 * A client whose password is asked before its first call (etcdctl asks while it makes its client,
 * after the command has checked its arguments). `password` is shared by every client of one
 * command line, so the prompt comes once.
 */
export class PasswordAskingClient extends EtcdClient {
  private inner: EtcdClient | undefined;
  private closed = false;

  constructor(private readonly base: ClientOptions, private readonly user: string, private readonly password: () => Promise<string>) {
    super(withCredentials(base, undefined, undefined));
  }

  override get currentEndpoint() {
    return this.inner?.currentEndpoint ?? super.currentEndpoint;
  }

  override forEndpoint(endpoint: string): EtcdClient {
    return new PasswordAskingClient({ ...this.base, endpoints: [endpoint] }, this.user, this.password);
  }

  override async unary<Req, Res>(method: RpcMethod<Req, Res>, request: Req, settings: CallSettings = {}): Promise<Res> {
    return (await this.ready()).unary(method, request, settings);
  }

  override async serverStream<Req, Res>(method: RpcMethod<Req, Res>, request: Req) {
    return (await this.ready()).serverStream(method, request);
  }

  override async bidi<Req, Res>(method: RpcMethod<Req, Res>, options: { requireLeader?: boolean } = {}) {
    return (await this.ready()).bidi(method, options);
  }

  override close(): void {
    this.closed = true;
    this.inner?.close();
    super.close();
  }

  private async ready(): Promise<EtcdClient> {
    if (this.inner) return this.inner;
    const password = await this.password();
    if (this.closed) throw new CtlError(ExitCode.error, 'client: closed');
    this.inner ??= new EtcdClient(withCredentials(this.base, this.user, password));
    return this.inner;
  }
}
