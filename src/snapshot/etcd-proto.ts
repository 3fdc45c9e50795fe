// The two protobuf messages etcd keeps in its buckets, encoded as gogoproto does (fields in
// number order, zero values left out), so the bytes match what etcd itself would store:
//   mvccpb.KeyValue  key=1 bytes, create_revision=2, mod_revision=3, version=4 (int64),
//                    value=5 bytes, lease=6 int64      (values of the `key` bucket)
//   leasepb.Lease    ID=1, TTL=2, RemainingTTL=3 (int64) (values of the `lease` bucket)
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { SnapshotError } from './errors';

export interface KeyValue {
  key: Uint8Array;
  createRevision: number;
  modRevision: number;
  /** The key's change count since its creation (0 in a tombstone). */
  version: number;
  value: Uint8Array;
  /** Lease ID, 0 when the key has no lease. */
  lease: bigint;
}

export interface Lease {
  id: bigint;
  ttl: number;
  remainingTtl: number;
}

export function encodeKeyValue(kv: KeyValue): Uint8Array {
  const w = new BinaryWriter();
  if (kv.key.length > 0) w.tag(1, WireType.LengthDelimited).bytes(kv.key);
  if (kv.createRevision !== 0) w.tag(2, WireType.Varint).int64(kv.createRevision);
  if (kv.modRevision !== 0) w.tag(3, WireType.Varint).int64(kv.modRevision);
  if (kv.version !== 0) w.tag(4, WireType.Varint).int64(kv.version);
  if (kv.value.length > 0) w.tag(5, WireType.LengthDelimited).bytes(kv.value);
  if (kv.lease !== 0n) w.tag(6, WireType.Varint).int64(kv.lease);
  return w.finish();
}

export function decodeKeyValue(bytes: Uint8Array): KeyValue {
  const kv: KeyValue = { key: new Uint8Array(0), createRevision: 0, modRevision: 0, version: 0, value: new Uint8Array(0), lease: 0n };
  readFields(bytes, 'mvccpb.KeyValue', KEY_VALUE_WIRE, (field, r) => {
    switch (field) {
      case 1:
        kv.key = r.bytes();
        return true;
      case 2:
        kv.createRevision = safeNumber(r.int64(), 'create_revision');
        return true;
      case 3:
        kv.modRevision = safeNumber(r.int64(), 'mod_revision');
        return true;
      case 4:
        kv.version = safeNumber(r.int64(), 'version');
        return true;
      case 5:
        kv.value = r.bytes();
        return true;
      case 6:
        kv.lease = BigInt(r.int64());
        return true;
      default:
        return false;
    }
  });
  return kv;
}

export function encodeLease(lease: Lease): Uint8Array {
  const w = new BinaryWriter();
  if (lease.id !== 0n) w.tag(1, WireType.Varint).int64(lease.id);
  if (lease.ttl !== 0) w.tag(2, WireType.Varint).int64(lease.ttl);
  if (lease.remainingTtl !== 0) w.tag(3, WireType.Varint).int64(lease.remainingTtl);
  return w.finish();
}

export function decodeLease(bytes: Uint8Array): Lease {
  const lease: Lease = { id: 0n, ttl: 0, remainingTtl: 0 };
  readFields(bytes, 'leasepb.Lease', LEASE_WIRE, (field, r) => {
    switch (field) {
      case 1:
        lease.id = BigInt(r.int64());
        return true;
      case 2:
        lease.ttl = safeNumber(r.int64(), 'TTL');
        return true;
      case 3:
        lease.remainingTtl = safeNumber(r.int64(), 'RemainingTTL');
        return true;
      default:
        return false;
    }
  });
  return lease;
}

const KEY_VALUE_WIRE: Record<number, WireType> = {
  1: WireType.LengthDelimited,
  2: WireType.Varint,
  3: WireType.Varint,
  4: WireType.Varint,
  5: WireType.LengthDelimited,
  6: WireType.Varint,
};
const LEASE_WIRE: Record<number, WireType> = { 1: WireType.Varint, 2: WireType.Varint, 3: WireType.Varint };

/**
 * Calls `onField` for each known field with its expected wire type; unknown fields (and any
 * `onField` does not take) are skipped, as protobuf readers do.
 */
function readFields(
  bytes: Uint8Array,
  message: string,
  wireTypes: Record<number, WireType>,
  onField: (field: number, r: BinaryReader) => boolean,
): void {
  try {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [field, wire] = r.tag();
      if (wireTypes[field] !== wire || !onField(field, r)) r.skip(wire, field);
    }
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError('bad-value', `cannot decode ${message}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function safeNumber(v: bigint | string, field: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new SnapshotError('bad-value', `${field} ${String(v)} is beyond 2^53`);
  return n;
}
