// Reading a password on the terminal without echo, for cairnctl's password prompts.
//
// etcdctl asks through speakeasy 0.1.0 (its Ask): it writes the prompt to stdout, runs `stty -echo`,
// reads standard input byte by byte up to a newline or end of input, runs `stty echo` and writes
// "\n" to stdout; on SIGINT, SIGTERM, SIGHUP or SIGQUIT it turns echo back on and exits with status
// 255. The terminal stays in canonical mode there, so the terminal driver does the line editing.
// Node can only switch a terminal to raw mode (no echo, no line editing, no signal keys), so
// HiddenLineEditor does here what the driver does for speakeasy, key by key:
//
//   Enter (CR or LF)    ends the entry
//   Backspace (DEL, ^H) erases the last character (a whole UTF-8 sequence, as with iutf8)
//   ^U / ^W             erase the entry / the last word
//   ^V                  takes the next key as it is
//   ^D                  on an empty line ends the input: the entry is what was typed ('' at the
//                       start); after some characters it hands them over, which can then no
//                       longer be erased (a second ^D ends the entry)
//   ^C, ^\              interrupt (speakeasy catches SIGINT and SIGQUIT and exits with 255)
//   ^Z, ^S, ^Q, ^O, ^R  ignored (job control and flow control are not done while the mode is raw)
//   anything else       part of the entry, escape sequences included, as the driver keeps them
import type { ReadStream } from 'node:tty';

export type EditorResult = 'done' | 'interrupt' | undefined;

const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const DEL = 0x7f;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_O = 0x0f;
const CTRL_Q = 0x11;
const CTRL_R = 0x12;
const CTRL_S = 0x13;
const CTRL_U = 0x15;
const CTRL_V = 0x16;
const CTRL_W = 0x17;
const CTRL_Z = 0x1a;
const CTRL_BACKSLASH = 0x1c;

const IGNORED = new Set([CTRL_O, CTRL_Q, CTRL_R, CTRL_S, CTRL_Z]);

function isUtf8Continuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}

/** One hidden entry, fed the bytes the terminal sends in raw mode. */
export class HiddenLineEditor {
  private readonly bytes: number[] = [];
  /** Bytes a ^D handed over: 0 ≤ handedOver ≤ bytes.length; erasing stops there. */
  private handedOver = 0;
  private literalNext = false;

  /** The entry so far, as text. */
  get text(): string {
    return Buffer.from(this.bytes).toString('utf8');
  }

  /** Takes one byte: 'done' when the entry ends, 'interrupt' on ^C or ^\, else undefined. */
  feed(byte: number): EditorResult {
    if (this.literalNext) {
      this.literalNext = false;
      this.bytes.push(byte);
      return undefined;
    }
    switch (byte) {
      case CR:
      case LF:
        return 'done';
      case CTRL_C:
      case CTRL_BACKSLASH:
        return 'interrupt';
      case CTRL_D:
        if (this.bytes.length === this.handedOver) return 'done';
        this.handedOver = this.bytes.length;
        return undefined;
      case BS:
      case DEL:
        this.eraseChar();
        return undefined;
      case CTRL_U:
        this.bytes.length = this.handedOver;
        return undefined;
      case CTRL_W:
        while (this.bytes.length > this.handedOver && isBlank(this.bytes[this.bytes.length - 1])) this.bytes.pop();
        while (this.bytes.length > this.handedOver && !isBlank(this.bytes[this.bytes.length - 1])) this.eraseChar();
        return undefined;
      case CTRL_V:
        this.literalNext = true;
        return undefined;
      default:
        if (!IGNORED.has(byte)) this.bytes.push(byte);
        return undefined;
    }
  }

  private eraseChar(): void {
    while (this.bytes.length > this.handedOver) {
      const byte = this.bytes.pop() as number;
      if (!isUtf8Continuation(byte)) return;
    }
  }
}

export interface TerminalSecretOptions {
  /** Where prompts and the newline after each entry go. */
  readonly output: { write(text: string): unknown };
  /** Ends the process (with 255 after an interrupt, as speakeasy); the terminal is restored first. */
  readonly exit: (code: number) => never;
  /** Signals that end the entry as an interrupt (default speakeasy's: SIGINT, SIGTERM, SIGHUP, SIGQUIT). */
  readonly signals?: readonly NodeJS.Signals[];
}

const SPEAKEASY_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * speakeasy's Ask on a Node terminal: writes the prompt, reads one entry in raw mode, restores the
 * mode and writes "\n". Resolves to the entry as typed (the caller trims it, as speakeasy does).
 * Keys typed ahead, after an Enter, are kept for the next prompt, as the terminal driver keeps them.
 */
export function terminalSecretReader(input: ReadStream, options: TerminalSecretOptions): (prompt: string) => Promise<string> {
  let typedAhead = Buffer.alloc(0);
  const signals = options.signals ?? SPEAKEASY_SIGNALS;
  return (prompt) => new Promise<string>((resolve, reject) => {
    options.output.write(prompt);
    const editor = new HiddenLineEditor();
    const wasRaw = input.isRaw;
    let ended = false;
    const restore = () => {
      ended = true;
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      for (const signal of signals) process.off(signal, onSignal);
      input.setRawMode(wasRaw);
      input.pause();
    };
    const interrupt = () => {
      restore();
      options.exit(255);
    };
    const finish = () => {
      restore();
      options.output.write('\n');
      resolve(editor.text);
    };
    /** Feeds the chunk; true once the entry has ended. */
    const consume = (chunk: Buffer): boolean => {
      for (let i = 0; i < chunk.length; i++) {
        const result = editor.feed(chunk[i]);
        if (result === 'interrupt') {
          interrupt();
          return true;
        }
        if (result === 'done') {
          typedAhead = Buffer.from(chunk.subarray(i + 1));
          finish();
          return true;
        }
      }
      return false;
    };
    function onData(chunk: Buffer | string): void {
      if (!ended) consume(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    function onEnd(): void {
      // The terminal is gone: end of input, as speakeasy's read returning 0 bytes.
      if (!ended) finish();
    }
    function onError(err: Error): void {
      if (ended) return;
      restore();
      options.output.write('\n');
      reject(new Error(`failed during password entry: ${err.message}`));
    }
    function onSignal(): void {
      if (!ended) interrupt();
    }
    for (const signal of signals) process.on(signal, onSignal);
    input.setRawMode(true);
    const ahead = typedAhead;
    typedAhead = Buffer.alloc(0);
    if (consume(ahead)) return;
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}
