// Frame geometry shared by the encoder and the decoder (the format is described in index.ts).

/** Header: u32 body length, u32 CRC-32C. Frames start on 8-byte boundaries. */
export const FRAME_HEADER_BYTES = 8;
/** The unit a disk writes atomically at least; a torn write leaves whole sectors unwritten. */
export const SECTOR_BYTES = 512;
/** The body is a type byte followed by the payload, so a real body is never empty. */
export const MAX_BODY_BYTES = 0xffffffff;

export function paddingFor(bodyBytes: number): number {
  return (8 - (bodyBytes % 8)) % 8;
}

export function frameBytes(bodyBytes: number): number {
  return FRAME_HEADER_BYTES + bodyBytes + paddingFor(bodyBytes);
}
