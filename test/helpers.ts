// Shared test helpers: capability probes that skip with a reason, temp dirs for AF_UNIX
// paths, and small builders for connected socket pairs on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as bs from '../lib/index.js';

/** Whether IPv6 loopback works here (socket + bind to ::1). */
export const hasIPv6: boolean = (() => {
  let fd = -1;
  try {
    fd = bs.socket(bs.AF_INET6, bs.SOCK_DGRAM, 0);
    bs.bind(fd, new bs.sockaddr_in6('::1', 0));
    return true;
  } catch {
    return false;
  } finally {
    if (fd >= 0) bs.close(fd);
  }
})();

/** Whether this process may open raw sockets (root / CAP_NET_RAW). */
export const hasRaw: boolean = (() => {
  try {
    bs.close(bs.socket(bs.AF_INET, bs.SOCK_RAW, bs.IPPROTO_ICMP));
    return true;
  } catch {
    return false;
  }
})();

/** A fresh private directory for AF_UNIX paths; remove it with the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bsock-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Closes every fd given, ignoring EBADF (for finally blocks). */
export function closeAll(...fds: (number | undefined)[]): void {
  for (const fd of fds) {
    if (fd === undefined || fd < 0) continue;
    try {
      bs.close(fd);
    } catch {
      // already closed by the test
    }
  }
}

/** A listening TCP socket on loopback (IPv4 or IPv6) with its bound address. */
export function tcpListener(family: number = bs.AF_INET): { fd: number; addr: bs.SocketAddress } {
  const fd = bs.socket(family, bs.SOCK_STREAM, 0);
  bs.bind(fd, family === bs.AF_INET6 ? new bs.sockaddr_in6('::1', 0) : new bs.sockaddr_in('127.0.0.1', 0));
  bs.listen(fd, 16);
  return { fd, addr: bs.getsockname(fd) };
}

/** A connected TCP pair on loopback: [client, server-side accepted fd]. Closes the listener. */
export function tcpPair(family: number = bs.AF_INET): [number, number] {
  const l = tcpListener(family);
  try {
    const c = bs.socket(family, bs.SOCK_STREAM, 0);
    bs.connect(c, l.addr);
    return [c, bs.accept(l.fd)];
  } finally {
    bs.close(l.fd);
  }
}

/** Asserts a thrown SocketError's identity, not its message. */
export function expectSocketError(fn: () => unknown, code: string, syscall: string): bs.SocketError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof bs.SocketError)) throw e;
    const expected = (bs as unknown as Record<string, number>)[code];
    if (e.code !== code || e.syscall !== syscall || e.errno !== expected) {
      throw new Error(`expected ${syscall} ${code} (${expected}), got ${e.syscall} ${e.code} (${e.errno})`);
    }
    return e;
  }
  throw new Error(`expected ${syscall} to fail with ${code}, but it succeeded`);
}

/** Sleeps synchronously (sync API tests have no event loop turn to wait on). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Registers an fd for closing at the end of a scope; `open.close(fd)` closes one early. */
export type Opener = ((fd: number) => number) & { close(fd: number): void };

/**
 * Runs `fn` with a fresh temp dir and an `open` that registers fds for closing afterwards,
 * whatever happens, so no fd is closed twice or leaked. With `guard`, every registered fd
 * gets that SO_RCVTIMEO, so a bug fails with EAGAIN instead of hanging the suite.
 */
export function scope(fn: (open: Opener, dir: string) => void, guard?: bs.timeval): void {
  const fds = new Set<number>();
  const t = tempDir();
  const open = Object.assign((fd: number) => {
    fds.add(fd);
    if (guard) bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, guard);
    return fd;
  }, { close: (fd: number) => { fds.delete(fd); bs.close(fd); } });
  try {
    fn(open, t.dir);
  } finally {
    closeAll(...fds);
    t.cleanup();
  }
}
