// Checksums shared by the WAL, the MVCC hashes and the snapshot status.
export { crc32c, Crc32c } from './crc32c';
