// Pre-syscall argument checks (reliability.md §0.5, §1 A items 1-4, 6-7, 12-18, 21-22):
// bad values throw TypeError/RangeError before any syscall, nothing is coerced, and where
// practical the test proves no syscall happened (fd state unchanged, nothing sent, errno
// untouched). The process survives all of it.
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { errno as liveErrno, setErrno } from '../lib/index.js';
import { closeAll, expectSocketError, tcpPair, tempDir } from './helpers.js';

type ErrClass = typeof TypeError | typeof RangeError;

/** Asserts an argument error (never a SocketError) and that errno was not touched. */
function rejects(fn: () => unknown, cls: ErrClass, what = ''): void {
  setErrno(0);
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${what}: expected ${cls.name}`).toBeInstanceOf(cls);
  expect(err, what).not.toBeInstanceOf(bs.SocketError);
  expect(liveErrno, `${what}: errno changed, so a syscall failed`).toBe(0);
}

/** Nothing is queued on `fd`: a non-blocking recv reports EAGAIN. */
function expectNothingArrived(fd: number): void {
  expectSocketError(() => bs.recv(fd, Buffer.alloc(64), undefined, bs.MSG_DONTWAIT), 'EAGAIN', 'recv');
}

/** Whether `fd` is still an open descriptor (fcntl F_GETFD succeeds). */
function isOpen(fd: number): boolean {
  try {
    bs.fcntl(fd, bs.F_GETFD);
    return true;
  } catch (e) {
    if (e instanceof bs.SocketError && e.code === 'EBADF') return false;
    throw e;
  }
}

/** A value whose coercion is observable: it counts valueOf/toPrimitive calls. */
function trap(): { value: unknown; calls: () => number } {
  let n = 0;
  const value = {
    valueOf() {
      n++;
      return 3;
    },
    [Symbol.toPrimitive]() {
      // 0 the first time, -1 the second: a check-then-use library would be fooled.
      return n++ === 0 ? 0 : -1;
    },
    toString() {
      n++;
      return '3';
    },
  };
  return { value, calls: () => n };
}

const BAD_FDS: [string, unknown, ErrClass][] = [
  ["'3'", '3', TypeError],
  ['3.5', 3.5, RangeError],
  ['NaN', NaN, RangeError],
  ['Infinity', Infinity, RangeError],
  ['-1', -1, RangeError],
  ['2**31', 2 ** 31, RangeError],
  ['undefined', undefined, TypeError],
  ['null', null, TypeError],
  ['3n', 3n, TypeError],
  ['true', true, TypeError],
  ['[3]', [3], TypeError],
];

/** Every fd-taking call, with otherwise valid arguments. */
function fdCalls(fd: unknown): [string, () => unknown][] {
  const f = fd as number;
  const sin = new bs.sockaddr_in('127.0.0.1', 9);
  const buf = Buffer.alloc(8);
  return [
    ['close', () => bs.close(f)],
    ['bind', () => bs.bind(f, sin)],
    ['listen', () => bs.listen(f, 1)],
    ['accept', () => bs.accept(f)],
    ['accept4', () => bs.accept4(f, null, undefined, 0)],
    ['connect', () => bs.connect(f, sin)],
    ['shutdown', () => bs.shutdown(f, bs.SHUT_RDWR)],
    ['send', () => bs.send(f, 'x')],
    ['recv', () => bs.recv(f, buf)],
    ['sendto', () => bs.sendto(f, 'x', undefined, 0, sin)],
    ['recvfrom', () => bs.recvfrom(f, buf)],
    ['read', () => bs.read(f, buf)],
    ['write', () => bs.write(f, 'x')],
    ['getsockname', () => bs.getsockname(f)],
    ['getpeername', () => bs.getpeername(f)],
    ['getsockopt', () => bs.getsockopt(f, bs.SOL_SOCKET, bs.SO_TYPE)],
    ['setsockopt', () => bs.setsockopt(f, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1)],
    ['fcntl', () => bs.fcntl(f, bs.F_GETFL)],
    ['getNonBlocking', () => bs.getNonBlocking(f)],
    ['setNonBlocking', () => bs.setNonBlocking(f, true)],
    ['getCloseOnExec', () => bs.getCloseOnExec(f)],
    ['setCloseOnExec', () => bs.setCloseOnExec(f, true)],
  ];
}

describe('item 1: fd arguments', () => {
  it.each(BAD_FDS)('fd %s is rejected by every call before any syscall', (_label, fd, cls) => {
    for (const [name, call] of fdCalls(fd)) rejects(call, cls, `${name}(${String(_label)})`);
  });

  it('a rejected fd that names a real socket leaves that socket untouched', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      rejects(() => bs.close(String(a) as unknown as number), TypeError, 'close("a")');
      rejects(() => bs.close(a + 0.5), RangeError, 'close(a + 0.5)');
      rejects(() => bs.send(String(a) as unknown as number, 'x'), TypeError, 'send("a")');
      rejects(() => bs.setNonBlocking(a + 0.5, true), RangeError, 'setNonBlocking(a + 0.5)');
      expect(isOpen(a)).toBe(true);
      expect(bs.getNonBlocking(a)).toBe(false);
      expectNothingArrived(b);
    } finally {
      closeAll(a, b);
    }
  });

  it('the boundaries 0 and INT_MAX pass validation and reach the kernel', () => {
    expectSocketError(() => bs.getsockopt(2 ** 31 - 1, bs.SOL_SOCKET, bs.SO_TYPE), 'EBADF', 'getsockopt');
    // fd 0 passes validation: whatever stdin is here (a socket under some runners), the
    // answer comes from the kernel, never an argument error.
    try {
      expect(typeof bs.getsockopt(0, bs.SOL_SOCKET, bs.SO_TYPE)).toBe('number');
    } catch (e) {
      expect(e).toBeInstanceOf(bs.SocketError);
    }
  });
});

describe('items 2-3: ports', () => {
  const RANGE: unknown[] = [70000, 65536, -1, NaN, Infinity, -Infinity, 1.5];
  // No coercion (unlike Node's net, which turns '80' into 80): strings are a TypeError here.
  const TYPE: unknown[] = ['', '0x', '80', true, [], {}, null, 80n];

  it('sockaddr_in / sockaddr_in6 constructors', () => {
    for (const p of RANGE) {
      rejects(() => new bs.sockaddr_in('127.0.0.1', p as number), RangeError, `sockaddr_in port ${String(p)}`);
      rejects(() => new bs.sockaddr_in6('::1', p as number), RangeError, `sockaddr_in6 port ${String(p)}`);
    }
    for (const p of TYPE) {
      rejects(() => new bs.sockaddr_in('127.0.0.1', p as number), TypeError, `sockaddr_in port ${String(p)}`);
      rejects(() => new bs.sockaddr_in6('::1', p as number), TypeError, `sockaddr_in6 port ${String(p)}`);
    }
  });

  it('port / sin_port setters and htons reject bad values and leave the struct unchanged', () => {
    const sin = new bs.sockaddr_in('127.0.0.1', 1234);
    for (const p of RANGE) {
      rejects(() => { sin.port = p as number; }, RangeError, `port = ${String(p)}`);
      rejects(() => { sin.sin_port = p as number; }, RangeError, `sin_port = ${String(p)}`);
      rejects(() => bs.htons(p as number), RangeError, `htons(${String(p)})`);
    }
    for (const p of TYPE) {
      rejects(() => { sin.port = p as number; }, TypeError, `port = ${String(p)}`);
      rejects(() => bs.htons(p as number), TypeError, `htons(${String(p)})`);
    }
    expect(sin.port).toBe(1234);
    expect(sin.address).toBe('127.0.0.1');
  });

  it('65535 and 0 are valid ports; 0 on bind picks an ephemeral port', () => {
    expect(new bs.sockaddr_in('127.0.0.1', 65535).port).toBe(65535);
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      expect((bs.getsockname(fd) as bs.sockaddr_in).port).toBeGreaterThan(0);
    } finally {
      closeAll(fd);
    }
  });

  it('port 0 on connect/sendto is the kernel\'s call (C semantics: raw sockets use sin_port 0)', () => {
    const t = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    const u = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      expectSocketError(() => bs.connect(t, new bs.sockaddr_in('127.0.0.1', 0)), 'ECONNREFUSED', 'connect');
      expectSocketError(() => bs.sendto(u, 'x', undefined, 0, new bs.sockaddr_in('127.0.0.1', 0)), 'EINVAL', 'sendto');
    } finally {
      closeAll(t, u);
    }
  });
});

describe('items 4 and 6: address text, flowinfo and scope id', () => {
  const BAD_V4 = ['300.0.0.0', '1.2.3.4.5', '0.0.0.', 'a.0.0.0', '::1', '', ' 1.2.3.4', '1.2.3.4 ', '127.1', '1.2.3.4\0', '01.2.3.4x'];

  it('bad IPv4 text → TypeError ERR_INVALID_ADDRESS, and the struct keeps its old address', () => {
    for (const text of BAD_V4) {
      let err: unknown;
      try {
        new bs.sockaddr_in(text, 80);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(text)).toBeInstanceOf(TypeError);
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ADDRESS');
    }
    const sin = new bs.sockaddr_in('10.1.2.3', 80);
    for (const text of BAD_V4) rejects(() => { sin.address = text; }, TypeError, JSON.stringify(text));
    expect(sin.address).toBe('10.1.2.3');
    rejects(() => { sin.address = 1234 as unknown as string; }, TypeError, 'address = 1234');
  });

  it('inet_pton returns 0 and inet_addr returns INADDR_NONE for bad text (C results, no throw)', () => {
    const dst = new bs.in_addr();
    for (const text of BAD_V4) {
      expect(bs.inet_pton(bs.AF_INET, text, dst), JSON.stringify(text)).toBe(0);
    }
    expect(bs.inet_addr('300.0.0.0')).toBe(bs.INADDR_NONE);
    rejects(() => bs.inet_pton(bs.AF_INET, 42 as unknown as string, dst), TypeError, 'inet_pton(number)');
    rejects(() => bs.inet_pton(bs.AF_INET6, '::1', Buffer.alloc(4)), RangeError, 'inet_pton small dst');
  });

  it('flowinfo ≥ 2**32 or negative, and a negative or huge scope id → RangeError', () => {
    rejects(() => new bs.sockaddr_in6('::1', 1, 2 ** 32), RangeError, 'flowinfo 2**32');
    rejects(() => new bs.sockaddr_in6('::1', 1, -1), RangeError, 'flowinfo -1');
    rejects(() => new bs.sockaddr_in6('::1', 1, 1.5), RangeError, 'flowinfo 1.5');
    rejects(() => new bs.sockaddr_in6('::1', 1, '1' as unknown as number), TypeError, "flowinfo '1'");
    rejects(() => new bs.sockaddr_in6('::1', 1, 0, -1), RangeError, 'scope -1');
    rejects(() => new bs.sockaddr_in6('::1', 1, 0, 2 ** 32), RangeError, 'scope 2**32');
    const ok = new bs.sockaddr_in6('::1', 1, 2 ** 32 - 1, 2 ** 32 - 1);
    expect(ok.flowinfo).toBe(2 ** 32 - 1);
    expect(ok.sin6_scope_id).toBe(2 ** 32 - 1);
  });
});

describe('item 7: AF_UNIX path length and NULs', () => {
  it('a 108-byte pathname → RangeError; 107 bytes binds for real', () => {
    const { dir, cleanup } = tempDir();
    const fd = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const path107 = join(dir, 'p'.repeat(107 - dir.length - 1));
    try {
      expect(Buffer.byteLength(path107)).toBe(107);
      rejects(() => new bs.sockaddr_un(`${path107}x`), RangeError, '108 bytes');
      // Multi-byte characters count in bytes, not UTF-16 units.
      rejects(() => new bs.sockaddr_un(`/${'é'.repeat(54)}`), RangeError, '109 UTF-8 bytes');
      const sun = new bs.sockaddr_un(path107);
      bs.bind(fd, sun);
      expect((bs.getsockname(fd) as bs.sockaddr_un).path).toBe(path107);
    } finally {
      closeAll(fd);
      try {
        unlinkSync(path107);
      } catch {
        // bind failed: nothing to remove
      }
      cleanup();
    }
  });

  it('an abstract name may fill all 108 bytes; 109 → RangeError', () => {
    const name = `\0${`bsock-${process.pid}-`.padEnd(107, 'z')}`;
    expect(name.length).toBe(108);
    rejects(() => new bs.sockaddr_un(`${name}z`), RangeError, '109-byte abstract');
    const fd = bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_un(name));
      expect((bs.getsockname(fd) as bs.sockaddr_un).path).toBe(name);
    } finally {
      closeAll(fd);
    }
  });

  it('a pathname with an embedded NUL → TypeError', () => {
    rejects(() => new bs.sockaddr_un('/tmp/a\0b'), TypeError, 'embedded NUL');
    rejects(() => new bs.sockaddr_un(42 as unknown as string), TypeError, 'number path');
  });
});

describe('item 12: missing arguments', () => {
  it('undefined in a required slot → TypeError', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    const any = bs as unknown as Record<string, (...a: unknown[]) => unknown>;
    try {
      const cases: [string, () => unknown][] = [
        ['socket()', () => any.socket!()],
        ['socket(AF_INET)', () => any.socket!(bs.AF_INET)],
        ['socketpair()', () => any.socketpair!()],
        ['bind(fd)', () => any.bind!(fd)],
        ['connect(fd)', () => any.connect!(fd)],
        ['connect()', () => any.connect!()],
        ['send(fd)', () => any.send!(fd)],
        ['recv(fd)', () => any.recv!(fd)],
        ['recvfrom(fd)', () => any.recvfrom!(fd)],
        ['shutdown(fd)', () => any.shutdown!(fd)],
        ['setsockopt(fd, SOL_SOCKET, SO_REUSEADDR)', () => any.setsockopt!(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR)],
        ['getsockopt(fd, SOL_SOCKET)', () => any.getsockopt!(fd, bs.SOL_SOCKET)],
        ['fcntl(fd)', () => any.fcntl!(fd)],
        ['setNonBlocking(fd)', () => any.setNonBlocking!(fd)],
        ['inet_pton(AF_INET)', () => any.inet_pton!(bs.AF_INET)],
        ['getnameinfo()', () => any.getnameinfo!()],
      ];
      for (const [what, call] of cases) rejects(call, TypeError, what);
      // The socket was not bound or connected by any of them.
      expect((bs.getsockname(fd) as bs.sockaddr_in).port).toBe(0);
      expectSocketError(() => bs.getpeername(fd), 'ENOTCONN', 'getpeername');
    } finally {
      closeAll(fd);
    }
  });
});

describe('items 13-18: buffers, lengths, coercion', () => {
  it('item 13: data that is not a buffer → TypeError, nothing sent', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      const fake = Object.create(Buffer.prototype) as Buffer;
      expect(fake instanceof Buffer).toBe(true); // instanceof would be fooled
      const BAD: [string, unknown][] = [
        ['number', 42],
        ['plain object', { length: 4, 0: 1 }],
        ['fake Buffer', fake],
        ['bare ArrayBuffer', new ArrayBuffer(4)],
        ['array', [1, 2, 3]],
        ['null', null],
        ['boolean', true],
      ];
      for (const [what, data] of BAD) {
        rejects(() => bs.send(a, data as Buffer), TypeError, `send ${what}`);
        rejects(() => bs.write(a, data as Buffer), TypeError, `write ${what}`);
        rejects(() => bs.sendto(a, data as Buffer, undefined, 0, null), TypeError, `sendto ${what}`);
        rejects(() => bs.recv(b, data as Buffer, undefined, bs.MSG_DONTWAIT), TypeError, `recv ${what}`);
        if (typeof data !== 'number' && typeof data !== 'boolean') {
          // (numbers and booleans are valid int option values)
          rejects(() => bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_RCVBUF, data as Buffer), TypeError, `setsockopt ${what}`);
        }
      }
      rejects(() => bs.recv(b, 'a string' as unknown as Buffer), TypeError, 'recv into a string');
      expectNothingArrived(b);
      expectNothingArrived(a);
    } finally {
      closeAll(a, b);
    }
  });

  it('item 14: any ArrayBufferView is accepted and lengths are in bytes', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const rb = Buffer.alloc(64);
    try {
      const u16 = new Uint16Array([0x0102, 0x0304, 0x0506]);
      expect(bs.send(a, u16)).toBe(6);
      expect(bs.recv(b, rb, undefined, bs.MSG_DONTWAIT)).toBe(6);
      expect(rb.subarray(0, 6).equals(Buffer.from(u16.buffer))).toBe(true);

      // A Float64Array subarray starts 8 bytes into its ArrayBuffer.
      const f64 = new Float64Array([1.5, 2.5, 3.5]).subarray(1);
      expect(f64.byteOffset).toBe(8);
      expect(bs.send(a, f64)).toBe(16);
      expect(bs.recv(b, rb, undefined, bs.MSG_DONTWAIT)).toBe(16);
      expect(rb.subarray(0, 16).equals(Buffer.from(f64.buffer, 8, 16))).toBe(true);

      // A DataView with an offset sends its own window only.
      const dv = new DataView(new Uint8Array([9, 9, 1, 2, 3, 9]).buffer, 2, 3);
      expect(bs.send(a, dv)).toBe(3);
      expect(bs.recv(b, rb, undefined, bs.MSG_DONTWAIT)).toBe(3);
      expect([...rb.subarray(0, 3)]).toEqual([1, 2, 3]);

      // len counts bytes: 5 of Uint16Array(3)'s 6 bytes; 7 is past the end.
      expect(bs.send(a, u16, 5)).toBe(5);
      expect(bs.recv(b, rb, undefined, bs.MSG_DONTWAIT)).toBe(5);
      rejects(() => bs.send(a, u16, 7), RangeError, 'len 7 of 6 bytes');

      // Receiving into a view with an offset writes only inside that view.
      const backing = new Uint8Array(8).fill(0xee);
      bs.send(a, 'xyz');
      expect(bs.recv(b, new DataView(backing.buffer, 2, 3))).toBe(3);
      expect([...backing]).toEqual([0xee, 0xee, 0x78, 0x79, 0x7a, 0xee, 0xee, 0xee]);
      const u32 = new Uint32Array(2);
      bs.send(a, Buffer.from([1, 0, 0, 0, 2, 0, 0, 0]));
      expect(bs.recv(b, u32)).toBe(8);
      expect(new Uint8Array(u32.buffer)[0]).toBe(1);
      expect(new Uint8Array(u32.buffer)[4]).toBe(2);
      expectNothingArrived(b);
    } finally {
      closeAll(a, b);
    }
  });

  it('item 15: len negative, fractional, NaN, past the end or huge → RangeError, nothing sent', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      const buf = Buffer.from('abcd');
      for (const len of [-1, 1.5, NaN, Infinity, 5, 2 ** 32, 2 ** 53, Number.MAX_VALUE]) {
        rejects(() => bs.send(a, buf, len), RangeError, `send len ${len}`);
        rejects(() => bs.write(a, buf, len), RangeError, `write len ${len}`);
        rejects(() => bs.sendto(a, buf, len, 0, null), RangeError, `sendto len ${len}`);
      }
      rejects(() => bs.send(a, buf, '2' as unknown as number), TypeError, "send len '2'");
      // A subarray's length is its own, not its ArrayBuffer's.
      rejects(() => bs.send(a, buf.subarray(1, 3), 3), RangeError, 'len past a subarray');
      expectNothingArrived(b);
      expect(bs.send(a, buf, 4)).toBe(4); // the boundary itself is fine
      expect(bs.recv(b, Buffer.alloc(8))).toBe(4);
    } finally {
      closeAll(a, b);
    }
  });

  it('item 16: objects with valueOf / Symbol.toPrimitive are rejected, never coerced', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const tcp = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      const t = trap();
      const v = t.value as number;
      const buf = Buffer.from('abcd');
      const cases: [string, () => unknown][] = [
        ['fd', () => bs.send(v, buf)],
        ['len', () => bs.send(a, buf, v)],
        ['flags', () => bs.send(a, buf, 4, v)],
        ['recv len', () => bs.recv(b, Buffer.alloc(4), v)],
        ['level', () => bs.getsockopt(a, v, bs.SO_TYPE)],
        ['optname', () => bs.getsockopt(a, bs.SOL_SOCKET, v)],
        ['setsockopt value', () => bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_RCVBUF, v)],
        ['optlen', () => bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_RCVBUF, Buffer.alloc(4), v)],
        ['backlog', () => bs.listen(tcp, v)],
        ['domain', () => bs.socket(v, bs.SOCK_STREAM, 0)],
        ['how', () => bs.shutdown(a, v)],
        ['fcntl cmd', () => bs.fcntl(a, v)],
        ['port', () => new bs.sockaddr_in('127.0.0.1', v)],
        ['sin_port', () => { new bs.sockaddr_in().sin_port = v; }],
        ['flowinfo', () => new bs.sockaddr_in6('::1', 1, v)],
        ['addrlen', () => bs.connect(tcp, new bs.sockaddr_in('127.0.0.1', 9), v)],
        ['htons', () => bs.htons(v)],
        ['memset c', () => bs.memset(Buffer.alloc(4), v)],
        ['atoi', () => bs.atoi(v as unknown as string)],
      ];
      for (const [what, call] of cases) rejects(call, TypeError, what);
      expect(t.calls()).toBe(0);
      expectNothingArrived(b);
      expect(bs.getsockopt(tcp, bs.SOL_SOCKET, bs.SO_ACCEPTCONN)).toBe(0);
      expectSocketError(() => bs.getpeername(tcp), 'ENOTCONN', 'getpeername');
    } finally {
      closeAll(a, b, tcp);
    }
  });

  it('item 17: zero-length send and recv', () => {
    const [c, s] = tcpPair();
    const u1 = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    const u2 = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      // TCP: send(empty) returns 0 and nothing arrives.
      expect(bs.send(c, Buffer.alloc(0))).toBe(0);
      expect(bs.send(c, '')).toBe(0);
      expectNothingArrived(s);
      // recv into an empty buffer is allowed: 0 with data queued (the data stays).
      bs.send(c, 'abc');
      expect(bs.recv(s, Buffer.alloc(0), undefined, bs.MSG_DONTWAIT)).toBe(0);
      expect(bs.recv(s, Buffer.alloc(8), 0, bs.MSG_DONTWAIT)).toBe(0);
      const rb = Buffer.alloc(8);
      expect(bs.recv(s, rb)).toBe(3);
      expect(rb.toString('utf8', 0, 3)).toBe('abc');

      // UDP: a 0-byte recv consumes the datagram; MSG_TRUNC reports the real length.
      bs.bind(u1, new bs.sockaddr_in('127.0.0.1', 0));
      const to = bs.getsockname(u1);
      bs.sendto(u2, 'hello', undefined, 0, to);
      bs.sendto(u2, 'world!', undefined, 0, to);
      expect(bs.recv(u1, Buffer.alloc(0), undefined, bs.MSG_DONTWAIT)).toBe(0);
      const two = Buffer.alloc(2);
      expect(bs.recv(u1, two, undefined, bs.MSG_DONTWAIT | bs.MSG_TRUNC)).toBe(6);
      expect(two.toString()).toBe('wo');
      expectNothingArrived(u1);
      // An empty datagram is a datagram.
      expect(bs.sendto(u2, Buffer.alloc(0), undefined, 0, to)).toBe(0);
      expect(bs.recv(u1, Buffer.alloc(8), undefined, bs.MSG_DONTWAIT)).toBe(0);
      expectNothingArrived(u1);
    } finally {
      closeAll(c, s, u1, u2);
    }
  });

  it('item 17: zero-length out buffers for getsockopt / getsockname are legal C, not an internal error', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      // optlen 0: the kernel copies nothing and reports min(0, sizeof(int)) = 0.
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, Buffer.alloc(0))).toBe(0);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, new Uint8Array(0))).toBe(0);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, Buffer.alloc(8, 0xff), 0)).toBe(0);
      expect(() => bs.getsockname(fd, Buffer.alloc(0))).not.toThrow();
      // addrlen 0 on a struct: nothing written, and addrlen comes back as the real length
      // (C's truncation signal).
      const sin = new bs.sockaddr_in();
      sin.sin_family = 0;
      bs.getsockname(fd, sin, 0);
      expect(sin.addrlen).toBe(bs.sockaddr_in.size);
      expect(sin.bytes.every((x) => x === 0)).toBe(true);
    } finally {
      closeAll(fd);
    }
  });

  it('item 18: recv with len past the buffer → RangeError, nothing written, data still queued', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      bs.send(a, 'abcdefgh');
      const small = Buffer.alloc(4, 0x2e);
      rejects(() => bs.recv(b, small, 8), RangeError, 'recv len 8 into 4');
      rejects(() => bs.recvfrom(b, small, 8), RangeError, 'recvfrom len 8 into 4');
      rejects(() => bs.read(b, small, 8), RangeError, 'read len 8 into 4');
      rejects(() => bs.recv(b, small.subarray(2), 3), RangeError, 'recv len 3 into a 2-byte view');
      expect(small.toString()).toBe('....');
      const all = Buffer.alloc(16);
      expect(bs.recv(b, all)).toBe(8);
      expect(all.toString('utf8', 0, 8)).toBe('abcdefgh');
    } finally {
      closeAll(a, b);
    }
  });

  it('flags: strings, fractions and values past 32 bits → rejected; MSG_CMSG_CLOEXEC (bit 30) fits', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      rejects(() => bs.send(a, 'x', undefined, '0' as unknown as number), TypeError, "flags '0'");
      rejects(() => bs.send(a, 'x', undefined, 1.5), RangeError, 'flags 1.5');
      rejects(() => bs.send(a, 'x', undefined, 2 ** 32), RangeError, 'flags 2**32');
      rejects(() => bs.send(a, 'x', undefined, -(2 ** 31) - 1), RangeError, 'flags < INT_MIN');
      expectNothingArrived(b);
      expectSocketError(() => bs.recv(b, Buffer.alloc(4), undefined, bs.MSG_DONTWAIT | bs.MSG_CMSG_CLOEXEC), 'EAGAIN', 'recv');
    } finally {
      closeAll(a, b);
    }
  });
});

describe('item 21: setsockopt / getsockopt sizes and names', () => {
  it('setsockopt with a 1-byte value for an int option → EINVAL from the kernel (IP options take a byte)', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, Buffer.from([1])), 'EINVAL', 'setsockopt');
      expectSocketError(() => bs.setsockopt(fd, bs.IPPROTO_TCP, bs.TCP_NODELAY, Buffer.from([1])), 'EINVAL', 'setsockopt');
      expectSocketError(() => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, Buffer.alloc(4), 0), 'EINVAL', 'setsockopt');
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR)).toBe(0);
      // Linux's IPv4 level accepts a single unsigned char for its int options.
      expect(bs.setsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL, Buffer.from([33]))).toBe(0);
      expect(bs.getsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL)).toBe(33);
    } finally {
      closeAll(fd);
    }
  });

  it('getsockopt with a 1-byte buffer: Linux truncates (optlen 1), it does not fail', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      const one = Buffer.alloc(1, 0xff);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, one)).toBe(1);
      expect(one[0]).toBe(bs.SOCK_STREAM);
      const big = Buffer.alloc(8, 0xff);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, big, 1)).toBe(1);
      expect([...big]).toEqual([bs.SOCK_STREAM, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    } finally {
      closeAll(fd);
    }
  });

  it('optlen past the buffer → RangeError before the call, nothing written', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      const out = Buffer.alloc(4, 0xaa);
      rejects(() => bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, out, 5), RangeError, 'getsockopt optlen 5 of 4');
      rejects(() => bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, out, -1), RangeError, 'getsockopt optlen -1');
      expect([...out]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
      rejects(() => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF, Buffer.alloc(4), 5), RangeError, 'setsockopt optlen 5 of 4');
      rejects(() => bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, {} as Buffer), TypeError, 'getsockopt out {}');
    } finally {
      closeAll(fd);
    }
  });

  it('setsockopt number values must fit a C int; booleans are 0/1', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      for (const v of [2 ** 32, 1.5, NaN, -(2 ** 31) - 1]) {
        rejects(() => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, v), RangeError, `value ${v}`);
      }
      rejects(() => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, '1' as unknown as number), TypeError, "value '1'");
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR)).toBe(0);
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, true);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR)).toBe(1);
    } finally {
      closeAll(fd);
    }
  });

  it('unknown optname → ENOPROTOOPT; unknown level → what this kernel answers per family', () => {
    const tcp4 = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    const tcp6 = bs.socket(bs.AF_INET6, bs.SOCK_STREAM, 0);
    const unix = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.getsockopt(tcp4, bs.SOL_SOCKET, 9999), 'ENOPROTOOPT', 'getsockopt');
      expectSocketError(() => bs.setsockopt(tcp4, bs.SOL_SOCKET, 9999, 1), 'ENOPROTOOPT', 'setsockopt');
      expectSocketError(() => bs.setsockopt(tcp4, bs.IPPROTO_TCP, 9999, 1), 'ENOPROTOOPT', 'setsockopt');
      // Linux: unknown levels on inet sockets fall through to the IP layer. setsockopt says
      // ENOPROTOOPT; getsockopt says EOPNOTSUPP for IPv4 (do_ip_getsockopt) but ENOPROTOOPT
      // for IPv6; AF_UNIX has no per-protocol options at all (EOPNOTSUPP both ways).
      expectSocketError(() => bs.setsockopt(tcp4, 9999, 1, 1), 'ENOPROTOOPT', 'setsockopt');
      expectSocketError(() => bs.getsockopt(tcp4, 9999, 1), 'EOPNOTSUPP', 'getsockopt');
      expectSocketError(() => bs.getsockopt(tcp6, 9999, 1), 'ENOPROTOOPT', 'getsockopt');
      expectSocketError(() => bs.getsockopt(unix, 9999, 1), 'EOPNOTSUPP', 'getsockopt');
      expectSocketError(() => bs.setsockopt(unix, 9999, 1, 1), 'EOPNOTSUPP', 'setsockopt');
      rejects(() => bs.getsockopt(tcp4, 2 ** 31, 1), RangeError, 'level 2**31');
      rejects(() => bs.getsockopt(tcp4, bs.SOL_SOCKET, 2 ** 31), RangeError, 'optname 2**31');
    } finally {
      closeAll(tcp4, tcp6, unix);
    }
  });
});

describe('item 22: listen backlog', () => {
  it('0 and -1 are accepted (the kernel clamps them)', () => {
    for (const backlog of [0, -1, 2 ** 31 - 1, -(2 ** 31)]) {
      const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
      try {
        bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
        expect(bs.listen(fd, backlog)).toBe(0);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_ACCEPTCONN)).toBe(1);
      } finally {
        closeAll(fd);
      }
    }
  });

  it('a backlog outside int32 → RangeError, and the socket is not listening', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      rejects(() => bs.listen(fd, 2 ** 31), RangeError, 'backlog 2**31');
      rejects(() => bs.listen(fd, -(2 ** 31) - 1), RangeError, 'backlog < INT_MIN');
      rejects(() => bs.listen(fd, 1.5), RangeError, 'backlog 1.5');
      rejects(() => bs.listen(fd, '5' as unknown as number), TypeError, "backlog '5'");
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_ACCEPTCONN)).toBe(0);
    } finally {
      closeAll(fd);
    }
  });
});

describe('addrlen', () => {
  it('addrlen past the struct → RangeError; connect never happened', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      const sin = new bs.sockaddr_in('127.0.0.1', 9);
      rejects(() => bs.connect(fd, sin, bs.sockaddr_in.size + 1), RangeError, 'connect addrlen +1');
      rejects(() => bs.bind(fd, sin, -1), RangeError, 'bind addrlen -1');
      rejects(() => bs.connect(fd, {} as bs.sockaddr_in), TypeError, 'connect {}');
      rejects(() => bs.connect(fd, new bs.linger() as unknown as bs.sockaddr_in), TypeError, 'connect linger');
      expectSocketError(() => bs.getpeername(fd), 'ENOTCONN', 'getpeername');
      expect((bs.getsockname(fd) as bs.sockaddr_in).port).toBe(0);
      // A too-short addrlen is the kernel's to judge.
      expectSocketError(() => bs.connect(fd, sin, 4), 'EINVAL', 'connect');
    } finally {
      closeAll(fd);
    }
  });
});
