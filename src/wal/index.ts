// The write-ahead log (`<data-dir>/member/wal/`).
//
// Directory: segments named `$seq-$index.wal` (16 lowercase hex digits each): seq numbers the
// segments from 0 without gaps, index is the raft index of the first entry a segment may hold.
// The first segment is 0000000000000000-0000000000000000.wal. A segment is cut once it grows past
// the segment size (64 MB); the next one is prepared in the background as `0.tmp`/`1.tmp` and
// renamed into place once it holds its header. A new log is built in `<dir>.tmp` and renamed.
//
// Segment: a sequence of frames, then zeros up to the preallocated size. Each segment begins with
// a metadata record; the first then has the snapshot marker {index 0, term 0}, and a segment made
// by a cut has the hard state current at the cut. Appends go in one write per batch of saves,
// followed by one fdatasync.
//
// Frame (all integers little-endian, every frame starts on an 8-byte boundary):
//   u32 length   bytes in the body (type + payload), never 0
//   u32 crc      CRC-32C (Castagnoli) of the length field followed by the body
//   u8  type     1 metadata, 2 entry, 3 hard state, 4 snapshot marker
//   payload      length - 1 bytes
//   padding      zeros up to the next multiple of 8
// The 8-byte header never crosses a sector, so it is written whole or not at all; an all-zero
// header is the end of the data. Unlike etcd, whose CRC is chained through every record of the
// log, each frame's CRC covers that frame only (no CRC records are needed at segment starts).
//
// Payloads (u64 are little-endian; term, index and commit must be safe integers):
//   metadata   u64 node id, u64 cluster id
//   entry      u64 index, u64 term, u32 entry type, data
//   hard state u64 term, u64 vote (node id), u64 commit
//   snapshot   u64 index, u64 term, conf state (opaque bytes, may be empty)
//
// Damage: on open, a frame of the last segment that runs past the end of the file, or whose CRC
// fails and which contains an all-zero 512-byte sector, is a torn write from a crash: it and what
// follows are cut off (the file as found is kept as `<name>.broken`); so are bytes found after the
// all-zero header that ends the last segment. Any other CRC failure or malformed record stops the
// open with an error naming the segment and the frame's offset.
//
// Raft snapshots (`<data-dir>/member/snap/$term-$index.snap`) are kept by the Snapshotter; their
// file layout is described in snapshotter.ts.

export { Wal, DEFAULT_SEGMENT_BYTES } from './wal';
export { scanLog, validSnapshotMarkers } from './reader';
export type { LogScan } from './reader';
export type { WalOptions, OpenOptions, WalContents, WalFailpoint } from './wal';
export type { WalLogger } from './logger';
export { Snapshotter } from './snapshotter';
export type { SnapshotFile, SnapshotSaveObserver, SnapshotterOptions } from './snapshotter';
export type { Entry, HardState, WalMetadata, SnapshotMarker } from './record';
export { WalError } from './errors';
export type { WalErrorCode } from './errors';
export { walExists } from './names';
export { MemberStorage, DEFAULT_MAX_SNAPSHOTS } from './member_storage';
export type { MemberStorageOptions, RestoredState } from './member_storage';
