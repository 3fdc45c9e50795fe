// One GET of a member's HTTP endpoint (/health, /metrics) with the client's TLS material, for the
// tools that read what etcd serves beside gRPC (cairnadm's health checks, cairnctl check datascale).
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { ClientTls } from './credentials';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Resolves with the status and body; rejects on a transport error or after `timeoutMs` without an answer. */
export function httpGet(url: string, tls: ClientTls = {}, timeoutMs = 10_000): Promise<HttpAnswer> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const secure = u.protocol === 'https:';
  const options = secure
    ? {
        // no SNI for an IP address (TLS allows only names there); the certificate's IP SAN is checked
        servername: isIP(host) ? '' : host,
        ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
        cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
        key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
        rejectUnauthorized: !tls.insecureSkipVerify,
      }
    : {};
  const request = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({ host, port: u.port, path: `${u.pathname}${u.search}`, method: 'GET', timeout: timeoutMs, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${u.host} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
