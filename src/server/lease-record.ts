// A lease as stored in the `lease` sub-database, in etcd's format so a bbolt image can carry it
// as is: key = lease ID as 8 bytes big-endian; value = leasepb.Lease {ID = 1, TTL = 2, RemainingTTL = 3}.
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

export interface LeaseRecord {
  id: bigint;
  ttl: number;
  /** the last checkpointed remaining TTL in seconds; 0 when never checkpointed */
  remainingTtl: number;
}

export function leaseKey(id: bigint): Buffer {
  const key = Buffer.alloc(8);
  key.writeBigInt64BE(id);
  return key;
}

export function encodeLeaseRecord(record: LeaseRecord): Buffer {
  const w = new BinaryWriter();
  if (record.id !== 0n) w.uint32(8).int64(record.id);
  if (record.ttl !== 0) w.uint32(16).int64(record.ttl);
  if (record.remainingTtl !== 0) w.uint32(24).int64(record.remainingTtl);
  return Buffer.from(w.finish());
}

export function decodeLeaseRecord(bytes: Uint8Array): LeaseRecord {
  const r = new BinaryReader(bytes);
  const record: LeaseRecord = { id: 0n, ttl: 0, remainingTtl: 0 };
  while (r.pos < r.len) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1: record.id = BigInt(r.int64().toString()); break;
      case 2: record.ttl = Number(r.int64().toString()); break;
      case 3: record.remainingTtl = Number(r.int64().toString()); break;
      default: r.skip(tag & 7);
    }
  }
  return record;
}
