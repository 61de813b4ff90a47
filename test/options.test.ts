// setsockopt/getsockopt (ints, booleans, structs, raw bytes), the read-only SO_* options,
// fcntl helpers, and close-on-exec as seen by a real child process (reliability.md §1 B 30).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, expectSocketError, hasIPv6, tcpListener, tcpPair } from './helpers.js';

function withSocket<T>(domain: number, type: number, fn: (fd: number) => T, protocol = 0): T {
  const fd = bs.socket(domain, type, protocol);
  try {
    return fn(fd);
  } finally {
    closeAll(fd);
  }
}

/** Blocks the thread for `ms` (bounded waits for the kernel, no busy loop). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('int and boolean options round-trip', () => {
  it('SO_REUSEADDR and SO_KEEPALIVE (number and boolean values)', () => {
    withSocket(bs.AF_INET, bs.SOCK_STREAM, (fd) => {
      for (const opt of [bs.SO_REUSEADDR, bs.SO_KEEPALIVE]) {
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, opt)).toBe(0);
        expect(bs.setsockopt(fd, bs.SOL_SOCKET, opt, 1)).toBe(0);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, opt)).toBe(1);
        bs.setsockopt(fd, bs.SOL_SOCKET, opt, false);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, opt)).toBe(0);
        bs.setsockopt(fd, bs.SOL_SOCKET, opt, true);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, opt)).toBe(1);
        // Any non-zero int means "on", and reads back as 1.
        bs.setsockopt(fd, bs.SOL_SOCKET, opt, 0);
        bs.setsockopt(fd, bs.SOL_SOCKET, opt, 7);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, opt)).toBe(1);
      }
    });
  });

  it('TCP_NODELAY at IPPROTO_TCP', () => {
    const [c, s] = tcpPair();
    try {
      expect(bs.getsockopt(c, bs.IPPROTO_TCP, bs.TCP_NODELAY)).toBe(0);
      bs.setsockopt(c, bs.IPPROTO_TCP, bs.TCP_NODELAY, 1);
      expect(bs.getsockopt(c, bs.IPPROTO_TCP, bs.TCP_NODELAY)).toBe(1);
      expect(bs.getsockopt(s, bs.IPPROTO_TCP, bs.TCP_NODELAY)).toBe(0);
    } finally {
      closeAll(c, s);
    }
  });

  it('SO_RCVBUF: Linux doubles the requested size (bookkeeping overhead)', () => {
    withSocket(bs.AF_INET, bs.SOCK_STREAM, (fd) => {
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF, 65536);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF)).toBe(2 * 65536);
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_SNDBUF, 32768);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_SNDBUF)).toBe(2 * 32768);
    });
  });

  it('IP_TTL at IPPROTO_IP; 0 and 256 are out of the kernel range (EINVAL)', () => {
    withSocket(bs.AF_INET, bs.SOCK_DGRAM, (fd) => {
      expect(bs.getsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL)).toBeGreaterThan(0);
      bs.setsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL, 7);
      expect(bs.getsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL)).toBe(7);
      expectSocketError(() => bs.setsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL, 256), 'EINVAL', 'setsockopt');
      expectSocketError(() => bs.setsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL, 0), 'EINVAL', 'setsockopt');
      expect(bs.getsockopt(fd, bs.IPPROTO_IP, bs.IP_TTL)).toBe(7);
    });
  });

  it.skipIf(!hasIPv6)('IPV6_V6ONLY at IPPROTO_IPV6 decides whether v4-mapped peers can connect', () => {
    const l = bs.socket(bs.AF_INET6, bs.SOCK_STREAM, 0);
    const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      expect(bs.getsockopt(l, bs.IPPROTO_IPV6, bs.IPV6_V6ONLY)).toBe(0);
      bs.setsockopt(l, bs.IPPROTO_IPV6, bs.IPV6_V6ONLY, 1);
      expect(bs.getsockopt(l, bs.IPPROTO_IPV6, bs.IPV6_V6ONLY)).toBe(1);
      bs.bind(l, new bs.sockaddr_in6('::', 0));
      bs.listen(l, 1);
      const port = (bs.getsockname(l) as bs.sockaddr_in6).port;
      // v6-only: an IPv4 client finds nobody on that port.
      expectSocketError(() => bs.connect(c, new bs.sockaddr_in('127.0.0.1', port)), 'ECONNREFUSED', 'connect');
      // After bind the option is locked.
      expectSocketError(() => bs.setsockopt(l, bs.IPPROTO_IPV6, bs.IPV6_V6ONLY, 0), 'EINVAL', 'setsockopt');
    } finally {
      closeAll(c, l);
    }
  });

  it('an option at the wrong level is the kernel\'s error (TCP_NODELAY on UDP → ENOPROTOOPT)', () => {
    withSocket(bs.AF_INET, bs.SOCK_DGRAM, (fd) => {
      expectSocketError(() => bs.setsockopt(fd, bs.IPPROTO_TCP, bs.TCP_NODELAY, 1), 'ENOPROTOOPT', 'setsockopt');
      expectSocketError(() => bs.getsockopt(fd, bs.IPPROTO_TCP, bs.TCP_NODELAY), 'EOPNOTSUPP', 'getsockopt');
    });
  });
});

describe('struct options', () => {
  it('SO_LINGER with struct linger', () => {
    withSocket(bs.AF_INET, bs.SOCK_STREAM, (fd) => {
      const out = new bs.linger();
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER, out)).toBe(bs.linger.size);
      expect([out.l_onoff, out.l_linger]).toEqual([0, 0]);
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER, new bs.linger({ l_onoff: 1, l_linger: 5 }));
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER, out)).toBe(bs.linger.size);
      expect([out.l_onoff, out.l_linger]).toEqual([1, 5]);
      // The int getter reads only the first field (C would too).
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER)).toBe(1);
      // A linger struct cut short is EINVAL from the kernel.
      expectSocketError(
        () => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER, new bs.linger({ l_onoff: 0, l_linger: 0 }).bytes, 4),
        'EINVAL', 'setsockopt',
      );
    });
  });

  it('SO_RCVTIMEO with struct timeval makes a blocking recv fail with EAGAIN after the timeout', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 0, tv_usec: 150_000 }));
      // Read it back first: if the timeout were not set, the recv below would block forever.
      const tv = new bs.timeval();
      expect(bs.getsockopt(a, bs.SOL_SOCKET, bs.SO_RCVTIMEO, tv)).toBe(bs.timeval.size);
      const us = tv.tv_sec * 1e6 + tv.tv_usec;
      expect(us).toBeGreaterThanOrEqual(150_000); // rounded up to the kernel tick
      expect(us).toBeLessThan(1_000_000);
      expect(bs.getNonBlocking(a)).toBe(false);
      const t0 = performance.now();
      const e = expectSocketError(() => bs.recv(a, Buffer.alloc(4)), 'EAGAIN', 'recv');
      const took = performance.now() - t0;
      expect(e.errno).toBe(bs.EWOULDBLOCK);
      expect(took).toBeGreaterThanOrEqual(140);
      expect(took).toBeLessThan(5_000);
      // Data that is there comes back at once.
      bs.send(b, 'ok');
      const rb = Buffer.alloc(4);
      expect(bs.recv(a, rb)).toBe(2);
    } finally {
      closeAll(a, b);
    }
  });

  it('raw bytes: the out buffer receives the value and the return value is optlen', () => {
    withSocket(bs.AF_INET, bs.SOCK_STREAM, (fd) => {
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF, 8192);
      const raw = Buffer.alloc(16, 0xff);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF, raw)).toBe(4);
      expect(raw.readInt32LE(0)).toBe(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF));
      expect([...raw.subarray(4)]).toEqual(new Array(12).fill(0xff));
      // An explicit optlen caps what the kernel may write.
      const capped = Buffer.alloc(8, 0xff);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF, capped, 4)).toBe(4);
      expect([...capped.subarray(4)]).toEqual([0xff, 0xff, 0xff, 0xff]);
      // setsockopt from raw bytes (an Int32Array is a C int in host order).
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_KEEPALIVE, new Int32Array([1]));
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_KEEPALIVE)).toBe(1);
      const off = Buffer.alloc(4);
      off.writeInt32LE(0);
      bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_KEEPALIVE, off);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_KEEPALIVE)).toBe(0);
    });
  });
});

describe('read-only socket options', () => {
  it('SO_TYPE, SO_DOMAIN, SO_PROTOCOL describe the socket', () => {
    const cases: [number, number, number, number][] = [
      [bs.AF_INET, bs.SOCK_STREAM, 0, bs.IPPROTO_TCP],
      [bs.AF_INET, bs.SOCK_DGRAM, 0, bs.IPPROTO_UDP],
      [bs.AF_UNIX, bs.SOCK_SEQPACKET, 0, 0],
      [bs.AF_INET6, bs.SOCK_STREAM, bs.IPPROTO_TCP, bs.IPPROTO_TCP],
    ];
    for (const [domain, type, protocol, expected] of cases) {
      withSocket(domain, type, (fd) => {
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(type);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_DOMAIN)).toBe(domain);
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_PROTOCOL)).toBe(expected);
        // Read-only: setting them is refused by the kernel.
        expectSocketError(() => bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE, bs.SOCK_DGRAM), 'ENOPROTOOPT', 'setsockopt');
      }, protocol);
    }
    // SOCK_NONBLOCK / SOCK_CLOEXEC flags are not part of SO_TYPE.
    withSocket(bs.AF_INET, bs.SOCK_STREAM | bs.SOCK_NONBLOCK, (fd) => {
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_STREAM);
    });
  });

  it('SO_ACCEPTCONN is 0 before listen and 1 after', () => {
    withSocket(bs.AF_INET, bs.SOCK_STREAM, (fd) => {
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_ACCEPTCONN)).toBe(0);
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(fd, 1);
      expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_ACCEPTCONN)).toBe(1);
    });
  });

  it('SO_ERROR: 0 normally; a pending ICMP error is reported once, then cleared', () => {
    const holder = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    const u = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      expect(bs.getsockopt(u, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0);
      // A closed UDP port: bind a socket to reserve it, then close that socket.
      bs.bind(holder, new bs.sockaddr_in('127.0.0.1', 0));
      const dead = bs.getsockname(holder) as bs.sockaddr_in;
      bs.close(holder);
      bs.connect(u, dead);
      bs.send(u, 'anyone?');
      // The port-unreachable comes back over loopback almost at once; wait a bounded time.
      let err = 0;
      for (let i = 0; i < 200 && err === 0; i++) {
        err = bs.getsockopt(u, bs.SOL_SOCKET, bs.SO_ERROR);
        if (err === 0) pause(10);
      }
      expect(err).toBe(bs.ECONNREFUSED);
      expect(bs.getsockopt(u, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0);
    } finally {
      closeAll(u, holder);
    }
  });
});

describe('fcntl helpers', () => {
  it('getNonBlocking / setNonBlocking, SOCK_NONBLOCK at creation, and raw F_GETFL', () => {
    withSocket(bs.AF_INET, bs.SOCK_STREAM, (fd) => {
      expect(bs.getNonBlocking(fd)).toBe(false);
      const fl = bs.fcntl(fd, bs.F_GETFL);
      expect(fl & bs.O_NONBLOCK).toBe(0);
      expect(fl & bs.O_ACCMODE).toBe(bs.O_RDWR);
      bs.setNonBlocking(fd, true);
      expect(bs.getNonBlocking(fd)).toBe(true);
      expect(bs.fcntl(fd, bs.F_GETFL) & bs.O_NONBLOCK).toBe(bs.O_NONBLOCK);
      bs.setNonBlocking(fd, true); // idempotent
      expect(bs.getNonBlocking(fd)).toBe(true);
      // The flag matters: accept on an empty queue fails at once instead of blocking.
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(fd, 1);
      expectSocketError(() => bs.accept(fd), 'EAGAIN', 'accept');
      bs.setNonBlocking(fd, false);
      expect(bs.getNonBlocking(fd)).toBe(false);
      expect(bs.fcntl(fd, bs.F_GETFL)).toBe(fl);
    });
    withSocket(bs.AF_INET, bs.SOCK_STREAM | bs.SOCK_NONBLOCK, (fd) => {
      expect(bs.getNonBlocking(fd)).toBe(true);
    });
  });

  it('raw F_SETFL', () => {
    withSocket(bs.AF_INET, bs.SOCK_DGRAM, (fd) => {
      const fl = bs.fcntl(fd, bs.F_GETFL);
      expect(bs.fcntl(fd, bs.F_SETFL, fl | bs.O_NONBLOCK)).toBe(0);
      expect(bs.getNonBlocking(fd)).toBe(true);
      expect(bs.fcntl(fd, bs.F_SETFL, fl)).toBe(0);
      expect(bs.getNonBlocking(fd)).toBe(false);
      expectSocketError(() => bs.fcntl(fd, 99999), 'EINVAL', 'fcntl');
    });
  });

  it('every fd the library creates is close-on-exec; the flag can be cleared and set again', () => {
    const l = tcpListener();
    const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    const [p0, p1] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    let s = -1;
    let s4 = -1;
    const c2 = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      bs.connect(c, l.addr);
      s = bs.accept(l.fd);
      bs.connect(c2, l.addr);
      s4 = bs.accept4(l.fd, null, undefined, bs.SOCK_NONBLOCK); // flags given without SOCK_CLOEXEC
      for (const fd of [l.fd, c, p0, p1, s, c2, s4]) {
        expect(bs.getCloseOnExec(fd), `fd ${fd}`).toBe(true);
        expect(bs.fcntl(fd, bs.F_GETFD) & bs.FD_CLOEXEC).toBe(bs.FD_CLOEXEC);
      }
      expect(bs.getNonBlocking(s4)).toBe(true);
      bs.setCloseOnExec(c, false);
      expect(bs.getCloseOnExec(c)).toBe(false);
      expect(bs.fcntl(c, bs.F_GETFD) & bs.FD_CLOEXEC).toBe(0);
      bs.setCloseOnExec(c, true);
      expect(bs.getCloseOnExec(c)).toBe(true);
    } finally {
      closeAll(c, c2, s, s4, p0, p1, l.fd);
    }
  });
});

describe('close-on-exec in a real child process', () => {
  /** The `socket:[inode]` identities a child (ls -l /proc/self/fd) sees as its open fds. */
  function childSockets(): string {
    const r = spawnSync('ls', ['-l', '/proc/self/fd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    expect(r.status).toBe(0);
    return r.stdout;
  }

  it('a child does not inherit our sockets; one with FD_CLOEXEC cleared is inherited (control)', () => {
    const l = tcpListener();
    const [p0, p1] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    let s = -1;
    try {
      bs.connect(c, l.addr);
      s = bs.accept(l.fd);
      const ids = [l.fd, p0, p1, c, s].map((fd) => readlinkSync(`/proc/self/fd/${fd}`));
      for (const id of ids) expect(id).toMatch(/^socket:\[\d+\]$/);
      const listing = childSockets();
      for (const id of ids) expect(listing, id).not.toContain(id);

      // Control: the same check sees an fd that really is inherited.
      bs.setCloseOnExec(p0, false);
      const inherited = childSockets();
      expect(inherited).toContain(readlinkSync(`/proc/self/fd/${p0}`));
      expect(inherited).not.toContain(readlinkSync(`/proc/self/fd/${p1}`));
      bs.setCloseOnExec(p0, true);
      expect(childSockets()).not.toContain(readlinkSync(`/proc/self/fd/${p0}`));
    } finally {
      closeAll(s, c, p0, p1, l.fd);
    }
  });

  it('also with stdio: inherit (the child writes its fd list to a file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bsock-cloexec-'));
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      const id = readlinkSync(`/proc/self/fd/${fd}`);
      const out = join(dir, 'fds.txt');
      const r = spawnSync('sh', ['-c', `ls -l /proc/self/fd > "${out}"`], { stdio: 'inherit', timeout: 10_000 });
      expect(r.status).toBe(0);
      const listing = readFileSync(out, 'utf8');
      expect(listing).toMatch(/->/);
      expect(listing).not.toContain(id);
    } finally {
      closeAll(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
