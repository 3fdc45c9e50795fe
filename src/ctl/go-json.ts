// etcdctl's `-w json` output is Go's encoding/json of etcd's generated structs: fields under their
// proto names with omitempty, int64 as bare numbers, bytes as base64, enums as numbers, a oneof
// under its Go field name wrapping a member under its Go name, and <, >, & escaped. This encodes
// our ts-proto objects the same way, guided by the field table generated from our .proto files.
import { protoFieldNames } from '../api';

const SCALARS = new Set(['int64', 'uint64', 'int32', 'uint32', 'sint64', 'bool', 'string', 'bytes', 'double', 'float']);

/** Go's CamelCase of a proto name: "response_range" -> "ResponseRange". */
export function goFieldName(protoName: string): string {
  return protoName.split('_').map((part) => (part ? part[0].toUpperCase() + part.slice(1) : part)).join('');
}

/** A JSON string as Go writes it (HTML-sensitive characters escaped). */
export function goString(text: string): string {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (value === 0 || value === 0n || value === false || value === '') return true;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value.length === 0;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function encodeScalar(value: unknown, type: string): string {
  if (type === 'bytes') return goString(Buffer.from(value as Uint8Array).toString('base64'));
  if (type === 'string') return goString(String(value));
  if (type === 'bool') return value ? 'true' : 'false';
  return String(value);
}

function encodeValue(value: unknown, type: string): string {
  if (Array.isArray(value)) return `[${value.map((v) => encodeValue(v, type)).join(',')}]`;
  if (SCALARS.has(type)) return encodeScalar(value, type);
  if (protoFieldNames[type]) return encodeMessage(value as Record<string, unknown>, type);
  return String(value); // an enum: its number
}

/** Go's JSON of a message object of the named type (e.g. "RangeResponse", "KeyValue"). */
export function encodeMessage(message: Record<string, unknown>, type: string): string {
  const table = protoFieldNames[type];
  if (!table) throw new Error(`go-json: unknown message type ${type}`);
  const parts: string[] = [];
  for (const [camel, protoName] of Object.entries(table.fields)) {
    const value = message[camel];
    const fieldType = table.types[camel];
    const oneof = table.oneofs[camel];
    if (oneof) {
      if (value !== undefined && value !== null) parts.push(`"${goFieldName(oneof)}":{"${goFieldName(protoName)}":${encodeValue(value, fieldType)}}`);
      continue;
    }
    if (isEmpty(value)) continue;
    parts.push(`${goString(protoName)}:${encodeValue(value, fieldType)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Fields of a response header, for clientv3's structs that embed the header at their top level. */
export function headerFields(header: Record<string, unknown> | undefined): string[] {
  if (!header) return [];
  const inner = encodeMessage(header, 'ResponseHeader');
  return inner === '{}' ? [] : [inner.slice(1, -1)];
}
