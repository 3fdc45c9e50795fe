// HTTP/2 frame layout (RFC 9113 section 4 and 6) as the listener's readers of client bytes need it:
// the :authority rewriter and the first-request router.

export const frameHeaderSize = 9;

export const HEADERS = 0x1;
export const SETTINGS = 0x4;
export const PUSH_PROMISE = 0x5;
export const CONTINUATION = 0x9;

/** SETTINGS flag. */
export const ACK = 0x1;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY = 0x20;
export const priorityFieldsSize = 5;

/** SETTINGS_MAX_FRAME_SIZE's initial value, which every HTTP/2 endpoint accepts (RFC 9113 6.5.2). */
export const maxFrameSize = 16384;
/** nghttp2's and Node's SETTINGS_HEADER_TABLE_SIZE; grpc-js does not change it. */
export const headerTableSize = 4096;
