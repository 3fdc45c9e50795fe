// What every cairnctl command gets: the resolved global flags, the printer of the chosen format,
// the output streams, a client made on first use (asking for the password of a bare --user
// first), stdin, and the terminal password prompt.
import { EtcdClient } from '../client';
import { clientOptionsFor, resolveGlobalOptions, type GlobalOptions, type RawGlobalFlags } from './global';
import { askUserPassword, PasswordAskingClient, type SecretReader } from './password';
import { printerFor, type Output, type Printer } from './printers';

/** readSecret (from SecretReader): the terminal prompt for passwords; absent without a terminal. */
export interface CtlIo extends SecretReader {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  /** All of standard input (etcdctl reads a value or a txn from it). */
  readStdin(): Promise<Buffer>;
  /** Standard input line by line, for interactive commands; null at end of input. */
  readLine(): Promise<string | null>;
  /**
   * Calls the listener on SIGINT or SIGTERM until the returned function is called (lock and elect
   * clean up before they exit). Absent, the command is never interrupted.
   */
  onInterrupt?(listener: () => void): () => void;
}

export class CtlContext {
  private cachedGlobal: GlobalOptions | undefined;
  private cachedClient: EtcdClient | undefined;
  private readonly clients: EtcdClient[] = [];
  private askedPassword: Promise<string> | undefined;

  /** The command line as given (watch finds its `--` exec separator in it). */
  argv: readonly string[] = [];

  constructor(readonly io: CtlIo, private readonly flags: () => RawGlobalFlags) {}

  get global(): GlobalOptions {
    this.cachedGlobal ??= resolveGlobalOptions(this.flags(), this.io.env);
    return this.cachedGlobal;
  }

  get printer(): Printer {
    return printerFor(this.global.output, this.io.output, this.global.hex);
  }

  get output(): Output {
    return this.io.output;
  }

  client(): EtcdClient {
    this.cachedClient ??= this.track(this.newClient(this.global.endpoints));
    return this.cachedClient;
  }

  /** A client for one endpoint (per-member commands such as endpoint status --cluster). */
  clientFor(endpoint: string): EtcdClient {
    return this.track(this.newClient([endpoint]));
  }

  /**
   * Aborts on SIGINT or SIGTERM from now until release(), as Go's signal.Notify: while it is held
   * those signals no longer end the process.
   */
  interruption(): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    const release = this.io.onInterrupt?.(() => controller.abort()) ?? (() => undefined);
    return { signal: controller.signal, release };
  }

  close(): void {
    for (const c of this.clients) c.close();
  }

  /** With --user NAME and no password, the password is asked (once) before the first call. */
  private newClient(endpoints: readonly string[]): EtcdClient {
    const g = this.global;
    const options = clientOptionsFor(g, endpoints);
    if (!g.askPassword || g.user === undefined) return new EtcdClient(options);
    const user = g.user;
    return new PasswordAskingClient(options, user, () => {
      this.askedPassword ??= askUserPassword(this.io, user);
      return this.askedPassword;
    });
  }

  private track(client: EtcdClient): EtcdClient {
    this.clients.push(client);
    return client;
  }
}
