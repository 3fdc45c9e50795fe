// Argument parsing and error translation that many commands share.
import { status } from '@grpc/grpc-js';
import { EtcdError, etcdserverpb } from '../../api';
import type { EtcdClient } from '../../client';
import { badArgs, CtlError, ExitCode, FlagParseError, type ExitCodeValue } from '../exit';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

// Go's base-0 integer syntax (pflag's int flags): 0x, 0o, 0b or a leading 0 (octal), `_` between digits.
const GO_BASE0 = /^[+-]?(0[xX](_?[0-9a-fA-F])+|0[oO](_?[0-7])+|0[bB](_?[01])+|0(_?[0-7])*|[1-9](_?\d)*)$/;

/**
 * With a flag name, pflag's strconv.ParseInt(text, 0, 64) and its message ("invalid argument ...
 * for "--limit" flag: ..."); without, strconv.ParseInt(text, 10, 64) and strconv's own message, as
 * etcdctl prints for positional numbers.
 */
export function parseInt64(flag: string | null, text: string, code: ExitCodeValue = ExitCode.badArgs): bigint {
  const fail = (why: string) => {
    const reason = `strconv.ParseInt: parsing ${JSON.stringify(text)}: ${why}`;
    return flag ? new FlagParseError(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: ${reason}`) : new CtlError(code, reason);
  };
  if (!(flag ? GO_BASE0 : /^[+-]?\d+$/).test(text)) throw fail('invalid syntax');
  const value = flag ? goBase0(text) : BigInt(text);
  if (value > INT64_MAX || value < INT64_MIN) throw fail('value out of range');
  return value;
}

function goBase0(text: string): bigint {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '').replace(/_/g, '');
  // BigInt reads 0x, 0o and 0b itself; Go's leading-zero octal is 0o here.
  const magnitude = BigInt(/^0\d/.test(digits) ? `0o${digits.slice(1)}` : digits);
  return negative ? -magnitude : magnitude;
}

/** A lease or member id in hex (etcdctl prints and reads them so). */
export function parseHexId(text: string, message: (reason: string) => string): bigint {
  if (!/^[+-]?[0-9a-fA-F]+$/.test(text)) throw badArgs(message(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`));
  const negative = text.startsWith('-');
  const value = BigInt(`0x${text.replace(/^[+-]/, '')}`);
  if (value > INT64_MAX) throw badArgs(message(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`));
  return negative ? -value : value;
}

/** A member id in hex, read as uint64 (etcdctl's strconv.ParseUint(id, 16, 64)). */
export function parseMemberId(text: string | undefined): bigint {
  if (text === undefined) throw badArgs('member ID is not provided');
  if (!/^[0-9a-fA-F]+$/.test(text)) throw badArgs(`bad member ID arg (strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax), expecting ID in Hex`);
  const value = BigInt(`0x${text}`);
  if (value >= 1n << 64n) throw badArgs(`bad member ID arg (strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range), expecting ID in Hex`);
  return value;
}

/**
 * Awaits a call and turns a failure into etcdctl's error line: the server's message as it is,
 * and "context deadline exceeded" when no endpoint could be reached in time, as etcdctl says.
 */
export async function callOrFail<T>(call: Promise<T>, code: ExitCodeValue = ExitCode.error, wrap?: (message: string) => string): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw toCtlError(err, code, wrap);
  }
}

export function toCtlError(err: unknown, code: ExitCodeValue = ExitCode.error, wrap?: (message: string) => string): CtlError {
  if (err instanceof CtlError) return err;
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof EtcdError && (err.code === status.DEADLINE_EXCEEDED || message.startsWith('client: cannot connect'))) {
    message = 'context deadline exceeded';
  }
  // etcdctl authenticates while it makes its client, so a refused password is a connection failure.
  const exitCode = message === 'etcdserver: authentication failed, invalid user ID or password' ? ExitCode.badConnection : code;
  return new CtlError(exitCode, wrap ? wrap(message) : message);
}

/** One key, as `get <key>` reads it (lock and elect print their key so). */
export function getKey(client: EtcdClient, key: string): Promise<etcdserverpb.RangeResponse> {
  return client.unary(etcdserverpb.KVService.range, etcdserverpb.RangeRequest.fromPartial({ key: Buffer.from(key) }), { idempotent: true });
}
