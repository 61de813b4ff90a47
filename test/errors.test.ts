// SocketError / AddrInfoError shape, the live `errno` binding, and the kernel's answers to
// calls made in the wrong state (reliability.md §0.6, §1 B items 24-26 and 28-29, §1 D).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { errno as liveErrno, setErrno } from '../lib/index.js';
import { closeAll, expectSocketError, hasIPv6, tempDir } from './helpers.js';

/** A TCP port on 127.0.0.1 with no listener: a socket holds it bound (not listening). */
function closedPort(family: number = bs.AF_INET): { holder: number; addr: bs.sockaddr_in | bs.sockaddr_in6 } {
  const holder = bs.socket(family, bs.SOCK_STREAM, 0);
  bs.bind(holder, family === bs.AF_INET6 ? new bs.sockaddr_in6('::1', 0) : new bs.sockaddr_in('127.0.0.1', 0));
  return { holder, addr: bs.getsockname(holder) as bs.sockaddr_in | bs.sockaddr_in6 };
}

/** Runs fn and returns what it threw (fails the test if it did not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

/** An fd number that is a valid C int but can never be open here (above RLIMIT_NOFILE). */
const NEVER_OPEN = 2 ** 30;

describe('SocketError shape', () => {
  it('connect ECONNREFUSED: Error subclass, positive errno, code, syscall, address and port', () => {
    const { holder, addr } = closedPort();
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      const e = thrown(() => bs.connect(fd, addr)) as bs.SocketError;
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(bs.SocketError);
      expect(e.name).toBe('SocketError');
      expect(e.errno).toBe(bs.ECONNREFUSED);
      expect(e.errno).toBeGreaterThan(0);
      expect(e.errno).toBe(bs.E.CONNREFUSED);
      expect(e.code).toBe('ECONNREFUSED');
      expect(e.syscall).toBe('connect');
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBe(addr.port);
      expect(e.path).toBeUndefined();
      expect(e.message).toContain(e.code);
      expect(e.message).toContain(bs.strerror(e.errno));
      expect(String(e).startsWith('SocketError: ')).toBe(true);
      expect(e.stack).toContain('SocketError');
    } finally {
      closeAll(fd, holder);
    }
  });

  it.skipIf(!hasIPv6)('IPv6 address and port on an inet6 failure', () => {
    const { holder, addr } = closedPort(bs.AF_INET6);
    const fd = bs.socket(bs.AF_INET6, bs.SOCK_STREAM, 0);
    try {
      const e = expectSocketError(() => bs.connect(fd, addr), 'ECONNREFUSED', 'connect');
      expect(e.address).toBe('::1');
      expect(e.port).toBe(addr.port);
      expect(e.path).toBeUndefined();
    } finally {
      closeAll(fd, holder);
    }
  });

  it('unix pathname failure carries path, not address/port', () => {
    const { dir, cleanup } = tempDir();
    const fd = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      const path = join(dir, 'nobody-listens-here');
      const e = expectSocketError(() => bs.connect(fd, new bs.sockaddr_un(path)), 'ENOENT', 'connect');
      expect(e.path).toBe(path);
      expect(e.address).toBeUndefined();
      expect(e.port).toBeUndefined();
    } finally {
      closeAll(fd);
      cleanup();
    }
  });

  it('unix abstract failure keeps the leading NUL in path', () => {
    const fd = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      const name = `\0bsock-errors-${process.pid}-${Date.now()}`;
      const e = expectSocketError(() => bs.connect(fd, new bs.sockaddr_un(name)), 'ECONNREFUSED', 'connect');
      expect(e.path).toBe(name);
    } finally {
      closeAll(fd);
    }
  });

  it('bind EADDRINUSE names the address', () => {
    const { holder, addr } = closedPort();
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      const e = expectSocketError(() => bs.bind(fd, addr), 'EADDRINUSE', 'bind');
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBe(addr.port);
    } finally {
      closeAll(fd, holder);
    }
  });

  it('calls without an address have no address/port/path properties', () => {
    const e = expectSocketError(() => bs.close(NEVER_OPEN), 'EBADF', 'close');
    expect('address' in e).toBe(false);
    expect('port' in e).toBe(false);
    expect('path' in e).toBe(false);
  });

  it("code is the host's canonical name: EAGAIN, not EWOULDBLOCK", () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      const e = expectSocketError(() => bs.recv(a, Buffer.alloc(4), undefined, bs.MSG_DONTWAIT), 'EAGAIN', 'recv');
      expect(e.errno).toBe(bs.EWOULDBLOCK); // same value on Linux
      expect(e.code).not.toBe('EWOULDBLOCK');
    } finally {
      closeAll(a, b);
    }
  });

  it('aliases resolve to the canonical name (EWOULDBLOCK→EAGAIN, ENOTSUP→EOPNOTSUPP, EDEADLOCK→EDEADLK)', () => {
    expect(new bs.SocketError(bs.EWOULDBLOCK, 'recv').code).toBe('EAGAIN');
    expect(new bs.SocketError(bs.ENOTSUP, 'listen').code).toBe('EOPNOTSUPP');
    expect(new bs.SocketError(bs.EDEADLOCK, 'x').code).toBe('EDEADLK');
    expect(bs.errnoName(bs.EAGAIN)).toBe('EAGAIN');
  });

  it('every exported errno value maps to a name with that same value', () => {
    const mod = bs as unknown as Record<string, number>;
    const names = Object.keys(bs.E);
    expect(names.length).toBeGreaterThan(100);
    for (const short of names) {
      const value = bs.E[short]!;
      const code = bs.errnoName(value);
      expect(mod[code], `${short} -> ${code}`).toBe(value);
      const e = new bs.SocketError(value, 'test');
      expect(e.code).toBe(code);
      expect(e.errno).toBe(value);
    }
  });

  it('an errno the host does not name is still well-formed', () => {
    const e = new bs.SocketError(4095, 'test');
    expect(e.errno).toBe(4095);
    expect(e.code).toBe('Unknown system error 4095');
    expect(e.syscall).toBe('test');
  });
});

describe('the live errno binding', () => {
  it('is updated by a failed call and read through both import styles', () => {
    setErrno(0);
    expect(liveErrno).toBe(0);
    expect(bs.errno).toBe(0);
    expectSocketError(() => bs.close(NEVER_OPEN), 'EBADF', 'close');
    expect(liveErrno).toBe(bs.EBADF);
    expect(bs.errno).toBe(bs.EBADF);

    const { holder, addr } = closedPort();
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.connect(fd, addr), 'ECONNREFUSED', 'connect');
      expect(liveErrno).toBe(bs.ECONNREFUSED);
    } finally {
      closeAll(fd, holder);
    }
  });

  it('is left alone by successful calls (C semantics) and settable with setErrno', () => {
    setErrno(bs.EINTR);
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    bs.close(fd);
    expect(liveErrno).toBe(bs.EINTR);
    setErrno(0);
    expect(liveErrno).toBe(0);
  });

  it('is not touched by argument errors (no syscall was made)', () => {
    setErrno(0);
    expect(() => bs.close('3' as unknown as number)).toThrow(TypeError);
    expect(() => bs.close(-1)).toThrow(RangeError);
    expect(liveErrno).toBe(0);
  });
});

describe('AddrInfoError', () => {
  it('getaddrinfo failure: EAI_NONAME with eai, syscall and hostname', () => {
    // AI_NUMERICHOST makes this a local, deterministic failure (no resolver involved).
    const e = thrown(() => bs.getaddrinfo('localhost', null, { ai_flags: bs.AI_NUMERICHOST })) as bs.AddrInfoError;
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(bs.AddrInfoError);
    expect(e).not.toBeInstanceOf(bs.SocketError);
    expect(e.name).toBe('AddrInfoError');
    expect(e.code).toBe('EAI_NONAME');
    expect(e.eai).toBe(bs.EAI_NONAME);
    expect(e.eai).toBe(bs.EAI.NONAME);
    expect(e.syscall).toBe('getaddrinfo');
    expect(e.hostname).toBe('localhost');
    expect(e.errno).toBeUndefined();
    expect(e.message).toContain('EAI_NONAME');
  });

  it('nonexistent.invalid: EAI_NONAME (or EAI_AGAIN when the resolver is unreachable)', () => {
    // The name goes to the resolver; with no network it may report a temporary failure.
    const e = thrown(() => bs.getaddrinfo('nonexistent.invalid', '80')) as bs.AddrInfoError;
    expect(e).toBeInstanceOf(bs.AddrInfoError);
    expect(['EAI_NONAME', 'EAI_AGAIN']).toContain(e.code);
    expect(e.eai).toBe((bs as unknown as Record<string, number>)[e.code]);
    expect(e.hostname).toBe('nonexistent.invalid');
  });

  it('other EAI codes: EAI_SERVICE, EAI_SOCKTYPE, EAI_FAMILY, EAI_BADFLAGS', () => {
    const cases: [() => unknown, string][] = [
      [() => bs.getaddrinfo('127.0.0.1', 'no-such-service-name'), 'EAI_SERVICE'],
      [() => bs.getaddrinfo('127.0.0.1', '80', { ai_socktype: 9999 }), 'EAI_SOCKTYPE'],
      [() => bs.getaddrinfo('127.0.0.1', '80', { ai_family: 9999 }), 'EAI_FAMILY'],
      [() => bs.getaddrinfo(null, '80', { ai_flags: bs.AI_CANONNAME }), 'EAI_BADFLAGS'],
    ];
    for (const [fn, code] of cases) {
      const e = thrown(fn) as bs.AddrInfoError;
      expect(e).toBeInstanceOf(bs.AddrInfoError);
      expect(e.code).toBe(code);
      expect(e.eai).toBe((bs as unknown as Record<string, number>)[code]);
      expect(e.syscall).toBe('getaddrinfo');
    }
  });

  it('getnameinfo failure: EAI_FAMILY, syscall getnameinfo, no hostname', () => {
    const ss = new bs.sockaddr_storage();
    ss.ss_family = 9999;
    const e = thrown(() => bs.getnameinfo(ss, bs.NI_NUMERICHOST)) as bs.AddrInfoError;
    expect(e).toBeInstanceOf(bs.AddrInfoError);
    expect(e.code).toBe('EAI_FAMILY');
    expect(e.eai).toBe(bs.EAI_FAMILY);
    expect(e.syscall).toBe('getnameinfo');
    expect(e.hostname).toBeUndefined();
  });
});

describe('wrong-state kernel errors (item 29)', () => {
  it('listen and accept on UDP → EOPNOTSUPP', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      expectSocketError(() => bs.listen(fd, 1), 'EOPNOTSUPP', 'listen');
      expectSocketError(() => bs.accept(fd), 'EOPNOTSUPP', 'accept');
    } finally {
      closeAll(fd);
    }
  });

  it('accept on a non-listening TCP socket → EINVAL', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.accept(fd), 'EINVAL', 'accept');
    } finally {
      closeAll(fd);
    }
  });

  it('recv on a listening socket → ENOTCONN; getpeername/shutdown unconnected → ENOTCONN', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.getpeername(fd), 'ENOTCONN', 'getpeername');
      expectSocketError(() => bs.shutdown(fd, bs.SHUT_RDWR), 'ENOTCONN', 'shutdown');
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(fd, 1);
      expectSocketError(() => bs.recv(fd, Buffer.alloc(4)), 'ENOTCONN', 'recv');
    } finally {
      closeAll(fd);
    }
  });

  it('send on an unconnected TCP socket → EPIPE, and no SIGPIPE kills us', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.send(fd, 'x'), 'EPIPE', 'send');
    } finally {
      closeAll(fd);
    }
  });

  it('bind twice → EINVAL', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      expectSocketError(() => bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0)), 'EINVAL', 'bind');
    } finally {
      closeAll(fd);
    }
  });

  it('socket(9999, …) → EAFNOSUPPORT; SOCK_STREAM with IPPROTO_UDP → EPROTONOSUPPORT', () => {
    expectSocketError(() => bs.socket(9999, bs.SOCK_STREAM, 0), 'EAFNOSUPPORT', 'socket');
    expectSocketError(() => bs.socket(bs.AF_INET, bs.SOCK_STREAM, bs.IPPROTO_UDP), 'EPROTONOSUPPORT', 'socket');
    expectSocketError(() => bs.socketpair(bs.AF_INET, bs.SOCK_STREAM, 0), 'EOPNOTSUPP', 'socketpair');
  });

  it('an IPv6 sockaddr on an AF_INET socket → EAFNOSUPPORT from the kernel', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expectSocketError(() => bs.connect(fd, new bs.sockaddr_in6('::1', 9)), 'EAFNOSUPPORT', 'connect');
    } finally {
      closeAll(fd);
    }
  });
});

/** Every fd-taking socket call, each expected to fail with `code` on a bad fd. */
function everySocketCall(fd: number): [string, () => unknown][] {
  const sin = new bs.sockaddr_in('127.0.0.1', 9);
  const buf = Buffer.alloc(8);
  return [
    ['bind', () => bs.bind(fd, sin)],
    ['listen', () => bs.listen(fd, 1)],
    ['accept', () => bs.accept(fd)],
    ['connect', () => bs.connect(fd, sin)],
    ['shutdown', () => bs.shutdown(fd, bs.SHUT_RDWR)],
    ['send', () => bs.send(fd, 'x')],
    ['recv', () => bs.recv(fd, buf, undefined, bs.MSG_DONTWAIT)],
    ['sendto', () => bs.sendto(fd, 'x', undefined, 0, sin)],
    ['recvfrom', () => bs.recvfrom(fd, buf, undefined, bs.MSG_DONTWAIT)],
    ['getsockname', () => bs.getsockname(fd)],
    ['getpeername', () => bs.getpeername(fd)],
    ['getsockopt', () => bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE)],
    ['setsockopt', () => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1)],
  ];
}

describe('foreign, closed and stale fds (items 24-26, 28)', () => {
  it('socket calls on a regular file fd → ENOTSOCK', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsock-errors-'));
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'not a socket');
    const fd = openSync(file, 'r+');
    try {
      for (const [syscall, call] of everySocketCall(fd)) expectSocketError(call, 'ENOTSOCK', syscall);
      // read(2) works on any fd: the library does not insist on sockets there.
      const b = Buffer.alloc(3);
      expect(bs.read(fd, b)).toBe(3);
      expect(b.toString()).toBe('not');
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every socket call on an fd that is not open → EBADF', () => {
    for (const [syscall, call] of everySocketCall(NEVER_OPEN)) expectSocketError(call, 'EBADF', syscall);
    expectSocketError(() => bs.close(NEVER_OPEN), 'EBADF', 'close');
    expectSocketError(() => bs.fcntl(NEVER_OPEN, bs.F_GETFL), 'EBADF', 'fcntl');
    // INT_MAX passes validation and reaches the kernel.
    expectSocketError(() => bs.close(2 ** 31 - 1), 'EBADF', 'close');
  });

  it('send on a just-closed fd → EBADF; a second close → EBADF (close(2) is never retried)', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    bs.close(a);
    try {
      // Synchronous: nothing can reuse the number between these calls on this thread.
      const e = expectSocketError(() => bs.send(a, 'x'), 'EBADF', 'send');
      expect(e.errno).toBe(9);
      expectSocketError(() => bs.close(a), 'EBADF', 'close');
      expectSocketError(() => bs.close(a), 'EBADF', 'close');
    } finally {
      closeAll(b);
    }
  });

  it('a stale number reused by a new socket: the library keeps no hidden state about the old one', async () => {
    const a = bs.socket(bs.AF_INET, bs.SOCK_STREAM, bs.IPPROTO_TCP);
    bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1);
    bs.setNonBlocking(a, true);
    bs.bind(a, new bs.sockaddr_in('127.0.0.1', 0));
    bs.listen(a, 4);
    bs.close(a);
    const b = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      expect(b).toBe(a); // POSIX: the lowest free number
      // Nothing of A's setup leaked into B.
      expect(bs.getsockopt(b, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_DGRAM);
      expect(bs.getsockopt(b, bs.SOL_SOCKET, bs.SO_REUSEADDR)).toBe(0);
      expect(bs.getsockopt(b, bs.SOL_SOCKET, bs.SO_ACCEPTCONN)).toBe(0);
      expect(bs.getNonBlocking(b)).toBe(false);
      expect(bs.getCloseOnExec(b)).toBe(true);
      expect((bs.getsockname(b) as bs.sockaddr_in).port).toBe(0);
      // Give any deferred work (finalizers, timers) the chance to run: B stays untouched.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      await sleep(20);
      expect(bs.getsockopt(b, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_DGRAM);
      expect(bs.getNonBlocking(b)).toBe(false);
      // The number is all there is (C semantics): using the stale number A acts on B.
      expect(bs.getsockopt(a, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_DGRAM);
    } finally {
      closeAll(b);
    }
  });
});
