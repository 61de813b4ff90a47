// The C porting kit: perror/strerror, bzero/memset/bcopy/memcpy, strlen, the printf family,
// fgets and atoi. Byte output is the behaviour here, so perror/printf/fgets run in a child
// process whose stdio the test captures. Expected printf/atoi results were checked against
// glibc (gcc on this host).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll } from './helpers.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const libUrl = pathToFileURL(join(repo, 'lib', 'index.ts')).href;
let scratch = '';
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bsock-porting-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs a TypeScript snippet (with `bs` imported) in a child node process; returns its stdio. */
function runChild(body: string, input?: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(scratch, `child-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, `import * as bs from ${JSON.stringify(libUrl)};\n${body}\n`);
  chmodSync(file, 0o644);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: repo,
    input: input ?? '',
    encoding: 'latin1',
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('perror / strerror', () => {
  it("strerror gives the host's text", () => {
    expect(bs.strerror(bs.ECONNREFUSED)).toBe('Connection refused');
    expect(bs.strerror(bs.EBADF)).toBe('Bad file descriptor');
    expect(bs.strerror(0)).toBe('Success');
    expect(bs.strerror(bs.EAGAIN)).toBe(bs.strerror(bs.EWOULDBLOCK));
  });

  it('perror writes "msg: strerror(errno)\\n" to stderr, after a real failure and after setErrno', () => {
    const r = runChild(`
try { bs.close(2 ** 30); } catch {}
bs.perror('close');
bs.setErrno(bs.ECONNREFUSED);
bs.perror('connect');
bs.perror('');
bs.perror(null);
bs.perror();
bs.setErrno(0);
bs.perror('none');
process.stdout.write('stdout untouched');
`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('stdout untouched');
    expect(r.stderr).toBe(
      `close: ${bs.strerror(bs.EBADF)}\n` +
        'connect: Connection refused\n' +
        'Connection refused\n'.repeat(3) +
        `none: ${bs.strerror(0)}\n`,
    );
  });
});

describe('memory functions', () => {
  it('bzero zeroes structs and buffers, all or the first n bytes', () => {
    const sin = new bs.sockaddr_in('10.1.2.3', 8080);
    bs.bzero(sin);
    expect(sin.bytes.every((b) => b === 0)).toBe(true);
    expect(sin.sin_family).toBe(0);
    const buf = Buffer.from('abcdef');
    bs.bzero(buf, 2);
    expect([...buf]).toEqual([0, 0, 0x63, 0x64, 0x65, 0x66]);
    bs.bzero(buf.subarray(4), 1);
    expect([...buf]).toEqual([0, 0, 0x63, 0x64, 0, 0x66]);
  });

  it('bzero/memset past the end → RangeError and nothing written', () => {
    const buf = Buffer.from('abcd');
    expect(() => bs.bzero(buf, 5)).toThrow(RangeError);
    expect(() => bs.bzero(buf, -1)).toThrow(RangeError);
    expect(() => bs.memset(buf, 0, 5)).toThrow(RangeError);
    expect(() => bs.bzero(buf.subarray(0, 2), 3)).toThrow(RangeError);
    expect(buf.toString()).toBe('abcd');
    const sin = new bs.sockaddr_in('10.1.2.3', 1);
    expect(() => bs.bzero(sin, bs.sizeof(sin) + 1)).toThrow(RangeError);
    expect(sin.address).toBe('10.1.2.3');
    expect(() => bs.bzero('abc' as unknown as Buffer)).toThrow(TypeError);
  });

  it('memset fills with the byte value and returns its first argument', () => {
    const buf = Buffer.alloc(6);
    expect(bs.memset(buf, 0x41, 3)).toBe(buf);
    expect(buf.toString('latin1')).toBe('AAA\0\0\0');
    bs.memset(buf, -1);
    expect([...buf]).toEqual([255, 255, 255, 255, 255, 255]);
    // The C idiom: memset(&addr, 0, sizeof addr).
    const sin = new bs.sockaddr_in('10.1.2.3', 80);
    expect(bs.memset(sin, 0, bs.sizeof(sin))).toBe(sin);
    expect(sin.bytes.every((b) => b === 0)).toBe(true);
    // Values outside a byte are refused rather than truncated.
    expect(() => bs.memset(buf, 256)).toThrow(RangeError);
    expect(() => bs.memset(buf, 1.5)).toThrow(RangeError);
    expect(() => bs.memset(buf, '0' as unknown as number)).toThrow(TypeError);
  });

  it('bcopy (src, dest, n) and memcpy (dest, src, n) on buffers and structs', () => {
    const src = Buffer.from('hello');
    const dst = Buffer.alloc(8, 0x2e);
    bs.bcopy(src, dst, 5);
    expect(dst.toString('latin1')).toBe('hello...');
    const d2 = Buffer.alloc(3);
    expect(bs.memcpy(d2, src, 3)).toBe(d2);
    expect(d2.toString()).toBe('hel');

    const a = new bs.sockaddr_in('192.0.2.7', 4242);
    const b = new bs.sockaddr_in();
    expect(bs.memcpy(b, a, bs.sizeof(bs.sockaddr_in))).toBe(b);
    expect(String(b)).toBe('192.0.2.7:4242');
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.bytes.buffer).not.toBe(a.bytes.buffer);

    // memcpy(&sin.sin_addr, he->h_addr, he->h_length)
    const he = bs.gethostbyname('localhost')!;
    const sin = new bs.sockaddr_in();
    bs.memcpy(sin.sin_addr, he.h_addr, he.h_length);
    expect(sin.address).toBe('127.0.0.1');
  });

  it('bcopy handles overlapping regions (memmove semantics)', () => {
    const buf = Buffer.from('abcdefgh');
    bs.bcopy(buf.subarray(0, 6), buf.subarray(2), 6);
    expect(buf.toString()).toBe('ababcdef');
    const buf2 = Buffer.from('abcdefgh');
    bs.memcpy(buf2.subarray(0, 6), buf2.subarray(2), 6);
    expect(buf2.toString()).toBe('cdefghgh');
  });

  it('bcopy/memcpy with n past either end → RangeError and dest unchanged', () => {
    const src = Buffer.from('abc');
    const dst = Buffer.alloc(8, 0x2e);
    expect(() => bs.bcopy(src, dst, 4)).toThrow(RangeError);
    expect(() => bs.memcpy(Buffer.alloc(2), src, 3)).toThrow(RangeError);
    expect(() => bs.memcpy(dst, src, -1)).toThrow(RangeError);
    expect(() => bs.memcpy(dst, src, undefined as unknown as number)).toThrow(TypeError);
    expect(() => bs.memcpy(dst, 'abc' as unknown as Buffer, 3)).toThrow(TypeError);
    expect(dst.toString()).toBe('........');
    const sin = new bs.sockaddr_in('10.0.0.1', 1);
    expect(() => bs.memcpy(sin, Buffer.alloc(64), bs.sizeof(sin) + 1)).toThrow(RangeError);
    expect(String(sin)).toBe('10.0.0.1:1');
  });
});

describe('strlen', () => {
  it('counts bytes before the first NUL in buffers, typed arrays and structs', () => {
    expect(bs.strlen(Buffer.from('abc\0def'))).toBe(3);
    expect(bs.strlen(Buffer.from('no terminator'))).toBe(13);
    expect(bs.strlen(Buffer.alloc(0))).toBe(0);
    expect(bs.strlen(new Uint16Array([0x4142, 0]))).toBe(2);
    const sun = new bs.sockaddr_un('/tmp/x.sock');
    expect(bs.strlen(sun.sun_path)).toBe(11);
    // A struct's own bytes: sin_family = AF_INET is 02 00 in little-endian memory.
    expect(bs.strlen(new bs.sockaddr_in('1.2.3.4', 5))).toBe(1);
  });

  it('counts UTF-8 bytes of strings, up to an embedded NUL', () => {
    expect(bs.strlen('hello')).toBe(5);
    expect(bs.strlen('héllo')).toBe(6);
    expect(bs.strlen('ab\0cd')).toBe(2);
    expect(bs.strlen('')).toBe(0);
    expect(() => bs.strlen(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('sprintf / printf family', () => {
  const fmt = (f: string, ...a: unknown[]): string => bs.sprintf(f, ...a).toString('latin1');

  it('the common conversions', () => {
    expect(fmt('%s', Buffer.from('ab\0cd'))).toBe('ab'); // %s with a Buffer stops at NUL
    expect(fmt('%s', 'plain')).toBe('plain');
    expect(fmt('%s', new bs.sockaddr_un('/tmp/s').sun_path)).toBe('/tmp/s');
    expect(fmt('%s', null)).toBe('(null)');
    expect(fmt('%d', 42)).toBe('42');
    expect(fmt('%i', -3)).toBe('-3');
    expect(fmt('[%5d]', 42)).toBe('[   42]');
    expect(fmt('[%-5d]', 42)).toBe('[42   ]');
    expect(fmt('[%-5s]', 'ab')).toBe('[ab   ]');
    expect(fmt('[%5s]', 'ab')).toBe('[   ab]');
    expect(fmt('[%.1s]', 'ab')).toBe('[a]');
    expect(fmt('%x', 255)).toBe('ff');
    expect(fmt('%X', 255)).toBe('FF');
    expect(fmt('%08x', 255)).toBe('000000ff');
    expect(fmt('%o', 8)).toBe('10');
    expect(fmt('%u', -1)).toBe('4294967295');
    expect(fmt('%x', -1)).toBe('ffffffff');
    expect(fmt('%c', 65)).toBe('A');
    expect(fmt('%c', 'A')).toBe('A');
    expect(fmt('%c', 0x141)).toBe('A'); // the low byte, as (unsigned char)
    expect(fmt('[%5c]', 'z')).toBe('[    z]');
    expect(fmt('%d%%', 50)).toBe('50%');
    expect(fmt('%%')).toBe('%');
    expect(fmt('[%*d]', 4, 7)).toBe('[   7]');
    expect(fmt('[%-*d]', 4, 7)).toBe('[7   ]');
    expect(fmt('%ld', 123456789012)).toBe('123456789012');
    expect(fmt('%s:%d', '127.0.0.1', 8080)).toBe('127.0.0.1:8080');
    expect(bs.sprintf('%s', 'é')).toEqual(Buffer.from('é', 'utf8'));
  });

  it('flags and precision as glibc prints them', () => {
    expect(fmt('[%05d]', -42)).toBe('[-0042]');
    expect(fmt('[%+05d]', 42)).toBe('[+0042]');
    expect(fmt('[%+d]', 42)).toBe('[+42]');
    expect(fmt('[% d]', 42)).toBe('[ 42]');
    expect(fmt('[% d]', -42)).toBe('[-42]');
    expect(fmt('[%#x]', 255)).toBe('[0xff]');
    expect(fmt('[%#X]', 255)).toBe('[0XFF]');
    expect(fmt('[%#x]', 0)).toBe('[0]');
    expect(fmt('[%#o]', 8)).toBe('[010]');
    expect(fmt('[%.3d]', 7)).toBe('[007]');
    expect(fmt('[%5.3d]', 7)).toBe('[  007]');
    expect(fmt('[%.3d]', -7)).toBe('[-007]');
    expect(fmt('[%05.3d]', 7)).toBe('[  007]'); // a precision turns the 0 flag off
    expect(fmt('[%.0d]', 0)).toBe('[]');
    expect(fmt('[%05s]', 'ab')).toBe('[   ab]');
    expect(fmt('[%*d]', -4, 7)).toBe('[7   ]'); // a negative * width means '-'
  });

  it('printf writes to stdout and returns the byte count; fprintf/fputs/fputc to any fd', () => {
    const r = runChild(`
const n = bs.printf('%s=%d\\n', 'x', 42);
bs.fprintf(bs.stderr, 'err %05d\\n', -42);
bs.fputs(Buffer.from('put\\0hidden'), bs.stdout);
bs.fputc('!', bs.stdout);
bs.fputc(0x0a, bs.stdout);
bs.printf('%d\\n', n);
`);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('x=42\nput!\n5\n');
    expect(r.stderr).toBe('err -0042\n');

    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      expect(bs.fprintf(a, '%s %d\n', 'sock', 7)).toBe(7);
      const rb = Buffer.alloc(16);
      expect(bs.recv(b, rb)).toBe(7);
      expect(rb.toString('utf8', 0, 7)).toBe('sock 7\n');
    } finally {
      closeAll(a, b);
    }
  });
});

describe('fgets', () => {
  it('reads lines from a pipe, honours size - 1, NUL-terminates, and returns null at EOF', () => {
    const r = runChild(`
const buf = Buffer.alloc(32, 0xee);
const out: (string | null)[] = [];
const line = (size: number) => {
  const got = bs.fgets(buf, size, bs.stdin);
  if (got !== null && got !== buf) throw new Error('fgets must return its buffer');
  if (got !== null && buf[bs.strlen(buf)] !== 0) throw new Error('not NUL-terminated');
  out.push(got === null ? null : buf.toString('latin1', 0, bs.strlen(buf)));
};
line(32); line(4); line(32); line(32); line(32); line(32);
process.stdout.write(JSON.stringify(out));
`, 'hello\nworld\nabcdef\nlast');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['hello\n', 'wor', 'ld\n', 'abcdef\n', 'last', null]);
  });

  it('argument checks before reading', () => {
    const buf = Buffer.alloc(4);
    expect(() => bs.fgets(buf, 5, bs.stdin)).toThrow(RangeError); // size past the buffer
    expect(() => bs.fgets(buf, 0, bs.stdin)).toThrow(RangeError);
    expect(() => bs.fgets('abc' as unknown as Buffer, 2, bs.stdin)).toThrow(TypeError);
  });

  it('reads from a socket fd too', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      bs.send(a, 'GET / HTTP/1.0\r\nHost: x\r\n');
      const line = Buffer.alloc(64);
      expect(bs.fgets(line, 64, b)).toBe(line);
      expect(line.toString('latin1', 0, bs.strlen(line))).toBe('GET / HTTP/1.0\r\n');
      expect(bs.fgets(line, 64, b)).toBe(line);
      expect(line.toString('latin1', 0, bs.strlen(line))).toBe('Host: x\r\n');
    } finally {
      closeAll(a, b);
    }
  });
});

describe('atoi', () => {
  it('parses the leading decimal integer like glibc', () => {
    const cases: [string, number][] = [
      ['  42abc', 42],
      ['-7', -7],
      ['abc', 0],
      ['', 0],
      ['-', 0],
      [' +5', 5],
      ['+-5', 0],
      ['\t\n12', 12],
      ['0x1A', 0],
      ['12 34', 12],
      ['007', 7],
    ];
    for (const [s, v] of cases) expect(bs.atoi(s), JSON.stringify(s)).toBe(v);
  });

  it('overflow wraps like (int)strtol on LP64 glibc', () => {
    const cases: [string, number][] = [
      ['2147483647', 2147483647],
      ['2147483648', -2147483648],
      ['4294967297', 1],
      ['-2147483649', 2147483647],
      // strtol saturates at LONG_MAX / LONG_MIN before the int conversion.
      ['9223372036854775807', -1],
      ['9223372036854775808', -1],
      ['99999999999999999999', -1],
      ['-99999999999999999999', 0],
    ];
    for (const [s, v] of cases) expect(bs.atoi(s), s).toBe(v);
    expect(() => bs.atoi(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('getopt', () => {
  it('parses options GNU-style: clustered, with attached or separate arguments, after operands, and stops at --', () => {
    const r = bs.getopt(['-nc', '3', 'host', '-w5', '--', '-x'], 'nc:w:');
    expect(r.opts).toEqual([['n', undefined], ['c', '3'], ['w', '5']]);
    expect(r.operands).toEqual(['host', '-x']);
  });
  it('reports an unknown option or a missing argument through onError, or as a RangeError', () => {
    const seen: string[] = [];
    const onError = (kind: 'invalid' | 'missing', c: string): never => {
      seen.push(`${kind}:${c}`);
      throw new Error('stop');
    };
    expect(() => bs.getopt(['-z'], 'a', onError)).toThrow('stop');
    expect(() => bs.getopt(['-c'], 'c:', onError)).toThrow('stop');
    expect(seen).toEqual(['invalid:z', 'missing:c']);
    expect(() => bs.getopt(['-z'], 'a')).toThrow(RangeError);
  });
});
