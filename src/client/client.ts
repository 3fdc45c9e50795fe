// A typed gRPC client for the etcd v3 API over several endpoints, used by cairnctl, cairnadm, tests
// and the benchmarks. Calls go to the current endpoint; when it cannot be reached the client fails
// over to the next one. Reads are retried on any UNAVAILABLE answer; writes only when the request
// surely never left (no connection), so a write is never applied twice by a retry.
import {
  Client,
  Metadata,
  type CallOptions,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
} from '@grpc/grpc-js';
import { EtcdError, etcdserverpb } from '../api';
import { channelCredentials, hasTlsMaterial, type ClientTls } from './credentials';
import { grpcTarget, parseEndpoints, type Endpoint } from './endpoints';
import { decodeError, neverSent, retryableRead } from './errors';

export interface RpcMethod<Req, Res> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: Req) => Buffer;
  readonly responseDeserialize: (value: Buffer) => Res;
}

export interface RetryPolicy {
  /** How many endpoints to try for one call, at most (default: every endpoint once). */
  readonly maxAttempts?: number;
}

export interface ClientOptions {
  readonly endpoints: string | readonly string[];
  readonly tls?: ClientTls;
  /** How long to wait for a connection to one endpoint (etcdctl's --dial-timeout, default 2 s). */
  readonly dialTimeoutMs?: number;
  /** Deadline of one call (etcdctl's --command-timeout, default 5 s); streams have none. */
  readonly commandTimeoutMs?: number;
  readonly user?: string;
  readonly password?: string;
  readonly retry?: RetryPolicy;
  readonly channelOptions?: ChannelOptions;
}

export interface CallSettings {
  /** Safe to repeat (a read): retried on another endpoint after any UNAVAILABLE answer. */
  readonly idempotent?: boolean;
  readonly timeoutMs?: number;
}

/** The etcd API version this client speaks (clientv3's version.APIVersion). */
const clientApiVersion = '3.4';

const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  // etcd's clients accept answers of any size; the server enforces the request limit with its own error.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
};

export class EtcdClient {
  readonly endpoints: readonly Endpoint[];
  private readonly options: ClientOptions;
  private readonly channels = new Map<number, Client>();
  private current = 0;
  private token: string | undefined;

  constructor(options: ClientOptions) {
    this.options = options;
    this.endpoints = parseEndpoints(options.endpoints);
  }

  /** The endpoint calls go to now. */
  get currentEndpoint(): Endpoint {
    return this.endpoints[this.current];
  }

  /** A client with the same settings that talks to one endpoint only (for per-member commands). */
  forEndpoint(endpoint: string): EtcdClient {
    return new EtcdClient({ ...this.options, endpoints: [endpoint] });
  }

  async unary<Req, Res>(method: RpcMethod<Req, Res>, request: Req, settings: CallSettings = {}): Promise<Res> {
    await this.ensureToken(method.path);
    const attempts = Math.min(this.options.retry?.maxAttempts ?? this.endpoints.length, this.endpoints.length);
    let lastError: EtcdError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        return await this.unaryOnce(method, request, settings);
      } catch (err) {
        let error = decodeError(err);
        // as clientv3: a token gone stale or lost, or a request made before the auth store changed, asks again with a new token
        if (refreshesToken(error) && this.options.user) {
          this.token = undefined;
          await this.ensureToken(method.path);
          try {
            return await this.unaryOnce(method, request, settings);
          } catch (again) {
            error = decodeError(again);
          }
        }
        lastError = error;
        const retry = settings.idempotent ? retryableRead(error) : neverSent(error);
        if (!retry) throw error;
        this.current = (this.current + 1) % this.endpoints.length;
      }
    }
    throw lastError ?? new EtcdError(14, 'client: no endpoint could be reached');
  }

  /** A server-streaming call (Snapshot) on the current endpoint. */
  async serverStream<Req, Res>(method: RpcMethod<Req, Res>, request: Req): Promise<ClientReadableStream<Res>> {
    await this.ensureToken(method.path);
    const channel = await this.readyChannel();
    return channel.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, this.metadata(), {});
  }

  /**
   * A bidirectional stream (Watch, LeaseKeepAlive) on the current endpoint. `requireLeader` is
   * clientv3's WithRequireLeader: a member without a leader refuses or ends the stream.
   */
  async bidi<Req, Res>(method: RpcMethod<Req, Res>, options: { requireLeader?: boolean } = {}): Promise<ClientDuplexStream<Req, Res>> {
    await this.ensureToken(method.path);
    const channel = await this.readyChannel();
    return channel.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, this.metadata(options.requireLeader), {});
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }

  private async unaryOnce<Req, Res>(method: RpcMethod<Req, Res>, request: Req, settings: CallSettings): Promise<Res> {
    const channel = await this.readyChannel();
    const timeoutMs = settings.timeoutMs ?? this.options.commandTimeoutMs ?? 5000;
    const callOptions: CallOptions = { deadline: Date.now() + timeoutMs };
    return new Promise<Res>((resolve, reject) => {
      channel.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, this.metadata(), callOptions,
        (err, response) => (err || response === undefined ? reject(err ?? new Error('client: empty response')) : resolve(response)));
    });
  }

  /** The current endpoint's channel once connected, failing over to the next endpoints on dial failure. */
  private async readyChannel(): Promise<Client> {
    let lastError: EtcdError | undefined;
    for (let tried = 0; tried < this.endpoints.length; tried++) {
      const channel = this.channel(this.current);
      try {
        await waitForReady(channel, this.options.dialTimeoutMs ?? 2000);
        return channel;
      } catch (err) {
        const endpoint = this.endpoints[this.current];
        const reason = err instanceof Error ? err.message : String(err);
        lastError = new EtcdError(14, `client: cannot connect to ${endpoint.text}: ${reason}`);
        this.current = (this.current + 1) % this.endpoints.length;
      }
    }
    throw lastError ?? new EtcdError(14, 'client: no endpoints');
  }

  private channel(index: number): Client {
    let channel = this.channels.get(index);
    if (!channel) {
      const endpoint = this.endpoints[index];
      const secure = endpoint.secure ?? hasTlsMaterial(this.options.tls);
      channel = new Client(grpcTarget(endpoint), channelCredentials(secure, this.options.tls), {
        ...DEFAULT_CHANNEL_OPTIONS,
        ...this.options.channelOptions,
      });
      this.channels.set(index, channel);
    }
    return channel;
  }

  private metadata(requireLeader = false): Metadata {
    const md = new Metadata();
    // as clientv3 3.4 sends on every call (etcd counts calls by it: etcd_server_client_requests_total)
    md.set('client-api-version', clientApiVersion);
    if (requireLeader) md.set('hasleader', 'true');
    if (this.token) md.set('token', this.token);
    return md;
  }

  private async ensureToken(path: string): Promise<void> {
    const { user, password } = this.options;
    if (!user || this.token || path === etcdserverpb.AuthService.authenticate.path) return;
    const response = await this.unary(etcdserverpb.AuthService.authenticate,
      etcdserverpb.AuthenticateRequest.fromPartial({ name: user, password: password ?? '' }));
    this.token = response.token;
  }
}

const tokenRefreshingErrors = new Set(['etcdserver: invalid auth token', 'etcdserver: revision of auth store is old', 'etcdserver: user name is empty']);

function refreshesToken(err: EtcdError): boolean {
  return tokenRefreshingErrors.has(err.message);
}

function waitForReady(channel: Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
  });
}
