// The checks every raft request passes before its body is read, in etcd's order: the cluster ID,
// the sender's ID, whether the sender was removed, and whether the request is meant for this member.
// A refused request gets etcd's status code and body line, and is logged here.
import type { IncomingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { TransportContext } from './context';
import type { PeerReply } from './options';
import { idToHex, parseHexId } from './ids';
import { header, headerText, refusal, responseHeaders } from './wire';

export interface InboundHooks {
  isRemoved(id: bigint): boolean;
  /** Whether the sender is a peer (or remote) this member has. */
  knows(id: bigint): boolean;
  /** A sender this member did not know, and the peer URLs it advertised. */
  learn(id: bigint, urls: string[]): void;
  onMessage(from: bigint, bytes: Uint8Array): void;
  onSnapshot(from: bigint, meta: Uint8Array, body: AsyncIterable<Uint8Array>): Promise<void>;
  onPeerRequest?(method: string, path: string, body: Buffer): Promise<PeerReply>;
}

export type Admission = { readonly from: bigint } | { readonly status: number; readonly text: string };

export function admit(ctx: TransportContext, hooks: InboundHooks, headers: IncomingHttpHeaders, fromText: string | undefined): Admission {
  const fields = { 'local-member-id': ctx.localHex, 'remote-peer-server-name': headerText(headers, header.from) ?? '' };
  const clusterId = headerText(headers, header.clusterId);
  if (clusterId !== idToHex(ctx.local.clusterId)) {
    ctx.logger.warn(
      { ...fields, 'local-member-cluster-id': idToHex(ctx.local.clusterId), 'remote-peer-cluster-id': clusterId ?? '' },
      'request cluster ID mismatch',
    );
    return { status: 412, text: refusal.clusterIdMismatch };
  }
  const from = parseHexId(fromText);
  if (from === undefined) {
    ctx.logger.warn({ ...fields, from: fromText ?? '' }, 'failed to parse sender ID');
    return { status: 404, text: refusal.invalidFrom };
  }
  if (hooks.isRemoved(from)) {
    ctx.logger.warn({ ...fields, 'remote-peer-id-from': idToHex(from) }, 'rejected request from remote peer because it was removed');
    return { status: 410, text: refusal.removed };
  }
  const to = headerText(headers, header.to);
  if (to !== ctx.localHex) {
    ctx.logger.warn({ ...fields, 'remote-peer-id-from': idToHex(from), 'remote-peer-id-header': to ?? '' }, 'ignored request; ID mismatch');
    return { status: 412, text: refusal.toMismatch };
  }
  if (!hooks.knows(from)) {
    const urls = (headerText(headers, header.peerUrls) ?? '').split(',').filter((u) => u !== '');
    ctx.logger.warn(
      { ...fields, 'remote-peer-id-from': idToHex(from), 'advertised-peer-urls': urls },
      'request from a member this one does not know yet; accepting it',
    );
    if (urls.length > 0) hooks.learn(from, urls);
  }
  return { from };
}

/** Answers with a status and a one-line body, as Go's http.Error does. */
export function refuse(ctx: TransportContext, stream: ServerHttp2Stream, status: number, text: string, extra: Record<string, string> = {}): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ...responseHeaders(ctx.local, status), 'content-type': 'text/plain; charset=utf-8', ...extra });
  stream.end(`${text}\n`);
}
