// A porting kit so C socket programs keep their shape: perror(3), strerror(3), bzero(3),
// memset(3), bcopy(3), memcpy(3), strlen(3), and the handful of stdio calls they use.
import { readSync, writeSync } from 'node:fs';
import { errno, strerror } from './errors.js';
import { CStruct } from './structs.js';
import { typeError, rangeError, int } from './validate.js';

/** Standard streams as C's stdin/stdout/stderr (their fds). */
export const stdin = 0;
/** C's stdout: fd 1. */
export const stdout = 1;
/** C's stderr: fd 2. */
export const stderr = 2;

type Mem = CStruct | ArrayBufferView;

function mem(x: unknown, name: string): Uint8Array {
  if (x instanceof CStruct) return x.bytes;
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw typeError(name, 'a struct or ArrayBufferView', x);
}
function count(n: unknown, max: number, name = 'n'): number {
  return n === undefined ? max : int(n, name, 0, max);
}

/**
 * perror(3): prints `s: <strerror(errno)>` and a newline to stderr.
 *
 * No syscall: the JavaScript equivalent of [perror(3)](https://man7.org/linux/man-pages/man3/perror.3.html). Output goes out with [write(2)](https://man7.org/linux/man-pages/man2/write.2.html).
 */
export function perror(s?: string | null): void {
  const text = strerror(errno);
  writeAll(stderr, s ? `${s}: ${text}\n` : `${text}\n`);
}

export { strerror };

/**
 * bzero(3): zeroes the first `n` bytes (all by default) of a struct or buffer.
 *
 * No syscall: the JavaScript equivalent of [bzero(3)](https://man7.org/linux/man-pages/man3/bzero.3.html).
 */
export function bzero(s: Mem, n?: number): void {
  const m = mem(s, 's');
  m.fill(0, 0, count(n, m.byteLength));
}

/**
 * memset(3): fills the first `n` bytes with `c`; returns `s`.
 *
 * No syscall: the JavaScript equivalent of [memset(3)](https://man7.org/linux/man-pages/man3/memset.3.html).
 */
export function memset<T extends Mem>(s: T, c: number, n?: number): T {
  const m = mem(s, 's');
  m.fill(int(c, 'c', -128, 255) & 0xff, 0, count(n, m.byteLength));
  return s;
}

/**
 * bcopy(3): copies `n` bytes from `src` to `dest` (note the BSD argument order).
 *
 * No syscall: the JavaScript equivalent of [bcopy(3)](https://man7.org/linux/man-pages/man3/bcopy.3.html).
 */
export function bcopy(src: Mem, dest: Mem, n: number): void {
  const s = mem(src, 'src');
  const d = mem(dest, 'dest');
  const len = int(n, 'n', 0, Math.min(s.byteLength, d.byteLength));
  d.set(s.subarray(0, len));
}

/**
 * memcpy(3): copies `n` bytes from `src` to `dest`; returns `dest`.
 *
 * No syscall: the JavaScript equivalent of [memcpy(3)](https://man7.org/linux/man-pages/man3/memcpy.3.html).
 */
export function memcpy<T extends Mem>(dest: T, src: Mem, n: number): T {
  bcopy(src, dest, n);
  return dest;
}

/**
 * strlen(3): bytes before the first NUL of a buffer; the UTF-8 length of a string.
 *
 * No syscall: the JavaScript equivalent of [strlen(3)](https://man7.org/linux/man-pages/man3/strlen.3.html).
 */
export function strlen(s: string | Mem): number {
  if (typeof s === 'string') {
    const nul = s.indexOf('\0');
    return Buffer.byteLength(nul < 0 ? s : s.slice(0, nul), 'utf8');
  }
  const m = mem(s, 's');
  const nul = m.indexOf(0);
  return nul < 0 ? m.byteLength : nul;
}

/** The C string in a buffer: its bytes up to the first NUL. */
function cstr(x: string | Mem): Buffer {
  if (typeof x === 'string') {
    const nul = x.indexOf('\0');
    return Buffer.from(nul < 0 ? x : x.slice(0, nul), 'utf8');
  }
  const m = mem(x, 's');
  return Buffer.from(m.buffer, m.byteOffset, strlen(m));
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  for (let tries = 0; off < b.byteLength && tries < 1_000_000; tries++) {
    try {
      off += writeSync(fd, b, off, b.byteLength - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/**
 * Formats like printf(3) for the common conversions: %s %d %i %u %c %x %X %o %%, with flags and width.
 *
 * No syscall: the JavaScript equivalent of [sprintf(3)](https://man7.org/linux/man-pages/man3/printf.3.html).
 */
export function sprintf(format: string, ...args: unknown[]): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  const re = /%([-0 +#]*)(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|z|j|t)?([sdiucxXo%p])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    parts.push(Buffer.from(format.slice(last, m.index), 'utf8'));
    last = re.lastIndex;
    const [, flags = '', w, p, , conv] = m;
    if (conv === '%') { parts.push(Buffer.from('%')); continue; }
    let fl = flags;
    let width = w === '*' ? Number(args[i++]) : w ? Number(w) : 0;
    if (width < 0) { fl += '-'; width = -width; } // a negative * width means '-' (C)
    let prec = p === '*' ? Number(args[i++]) : p !== undefined ? Number(p) : undefined;
    if (prec !== undefined && prec < 0) prec = undefined; // a negative * precision is omitted
    const arg = args[i++];
    let body: Buffer;
    switch (conv) {
      case 's': {
        const s = arg === null || arg === undefined ? Buffer.from('(null)') : cstr(arg as string | Mem);
        body = prec !== undefined ? s.subarray(0, prec) : s;
        break;
      }
      case 'c': body = Buffer.from([typeof arg === 'string' ? arg.charCodeAt(0) & 0xff : Number(arg) & 0xff]); break;
      case 'p': body = Buffer.from(`0x${Number(arg).toString(16)}`); break;
      default: {
        // d i u x X o: sign or 0x prefix, then digits padded to the precision; the 0 flag
        // pads between the two (so %05d of -42 is -0042) and is ignored with a precision.
        const signed = conv === 'd' || conv === 'i';
        const n = signed ? Math.trunc(Number(arg)) : Number(arg) >>> 0;
        let digits = Math.abs(n).toString(conv === 'x' || conv === 'X' ? 16 : conv === 'o' ? 8 : 10);
        if (conv === 'X') digits = digits.toUpperCase();
        if (prec !== undefined) digits = prec === 0 && n === 0 ? '' : digits.padStart(prec, '0');
        if (fl.includes('#') && conv === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
        let prefix = n < 0 ? '-' : signed && fl.includes('+') ? '+' : signed && fl.includes(' ') ? ' ' : '';
        if (fl.includes('#') && n !== 0 && (conv === 'x' || conv === 'X')) prefix = conv === 'x' ? '0x' : '0X';
        if (fl.includes('0') && !fl.includes('-') && prec === undefined) digits = digits.padStart(width - prefix.length, '0');
        body = Buffer.from(prefix + digits);
      }
    }
    if (body.length < width) {
      const pad = Buffer.alloc(width - body.length, fl.includes('0') && !fl.includes('-') && conv === 'p' ? '0' : ' ');
      body = fl.includes('-') ? Buffer.concat([body, pad]) : Buffer.concat([pad, body]);
    }
    parts.push(body);
  }
  parts.push(Buffer.from(format.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * printf(3) to stdout. Returns the bytes written.
 *
 * No syscall: the JavaScript equivalent of [printf(3)](https://man7.org/linux/man-pages/man3/printf.3.html).
 */
export function printf(format: string, ...args: unknown[]): number {
  const b = sprintf(format, ...args);
  writeAll(stdout, b);
  return b.byteLength;
}

/**
 * fprintf(3) to a stream (stdout or stderr, or any fd).
 *
 * No syscall: the JavaScript equivalent of [fprintf(3)](https://man7.org/linux/man-pages/man3/printf.3.html). Output goes out with [write(2)](https://man7.org/linux/man-pages/man2/write.2.html).
 */
export function fprintf(stream: number, format: string, ...args: unknown[]): number {
  const b = sprintf(format, ...args);
  writeAll(stream, b);
  return b.byteLength;
}

/**
 * fputs(3): writes a string (or the C string in a buffer) without adding a newline.
 *
 * No syscall: the JavaScript equivalent of [fputs(3)](https://man7.org/linux/man-pages/man3/puts.3.html).
 */
export function fputs(s: string | Mem, stream: number): number {
  writeAll(stream, cstr(s));
  return 0;
}

/**
 * fputc(3): writes one character (a one-character string or a byte value).
 *
 * No syscall: the JavaScript equivalent of [fputc(3)](https://man7.org/linux/man-pages/man3/putc.3.html).
 */
export function fputc(c: string | number, stream: number): number {
  const byte = typeof c === 'string' ? c.charCodeAt(0) & 0xff : c & 0xff;
  writeAll(stream, Buffer.from([byte]));
  return byte;
}

/**
 * fgets(3): reads at most `size - 1` bytes from the stream, stopping after a newline, and
 * NUL-terminates them in `s`. Returns `s`, or null at end of file with nothing read.
 *
 * No syscall: the JavaScript equivalent of [fgets(3)](https://man7.org/linux/man-pages/man3/fgetc.3.html).
 */
export function fgets<T extends Mem>(s: T, size: number, stream: number = stdin): T | null {
  const m = mem(s, 's');
  const n = int(size, 'size', 1, m.byteLength);
  const one = Buffer.alloc(1);
  let got = 0;
  let waits = 0;
  while (got < n - 1) {
    let r: number;
    try {
      r = readSync(stream, one, 0, 1, null);
    } catch (e) {
      // A stdin that someone made non-blocking: wait a little and try again (bounded).
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN' && waits++ < 600_000) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      throw e;
    }
    if (r === 0) break;
    m[got++] = one[0]!;
    if (one[0] === 0x0a) break;
  }
  if (got === 0) return null;
  m[got] = 0;
  return s;
}

/**
 * atoi(3): the leading decimal integer of a string (0 when there is none), as a C int.
 *
 * No syscall: the JavaScript equivalent of [atoi(3)](https://man7.org/linux/man-pages/man3/atoi.3.html).
 */
export function atoi(nptr: string): number {
  if (typeof nptr !== 'string') throw typeError('nptr', 'of type string', nptr);
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(nptr);
  if (!m) return 0;
  // glibc's atoi is (int)strtol(nptr, NULL, 10): strtol saturates at LONG_MIN/LONG_MAX
  // (64-bit long on the 64-bit Linux targets), then the int conversion keeps the low 32 bits.
  const LONG_MAX = (1n << 63n) - 1n;
  let n = BigInt(m[1]!);
  if (n > LONG_MAX) n = LONG_MAX;
  else if (n < -LONG_MAX - 1n) n = -LONG_MAX - 1n;
  return Number(BigInt.asIntN(32, n));
}

/** What getopt() found: the options in order (with their arguments) and the operands. */
export interface GetoptResult {
  opts: [option: string, arg: string | undefined][];
  operands: string[];
}

/**
 * getopt(3) as GNU libc does it: `optstring` lists the option letters, a letter followed by
 * ':' takes an argument (`-c5` or `-c 5`); options may follow operands, and '--' ends them.
 * On an unknown option or a missing argument, `onError('invalid' | 'missing', letter)` is
 * called (a tool prints its usage and exits there); without it, a RangeError is thrown.
 *
 * No syscall: the JavaScript equivalent of [getopt(3)](https://man7.org/linux/man-pages/man3/getopt.3.html).
 */
export function getopt(
  argv: readonly string[],
  optstring: string,
  onError?: (kind: 'invalid' | 'missing', option: string) => never,
): GetoptResult {
  const fail = onError ?? ((kind: string, option: string): never => {
    throw rangeError('argv', `valid options (${kind} option -- '${option}')`, argv.join(' '));
  });
  const opts: GetoptResult['opts'] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.length < 2 || a[0] !== '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const k = c === ':' ? -1 : optstring.indexOf(c);
      if (k < 0) fail('invalid', c);
      if (optstring[k + 1] === ':') {
        const arg = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
        if (arg === undefined) fail('missing', c);
        opts.push([c, arg]);
        break;
      }
      opts.push([c, undefined]);
    }
  }
  return { opts, operands };
}
