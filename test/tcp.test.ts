// TCP on loopback: the connection life cycle, the kernel's errno for each wrong-state call,
// non-blocking connect and accept, address reuse, a bulk transfer and IPv6 specifics.
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { expectSocketError, hasIPv6, scope, sleepMs } from './helpers.js';

// A receive/send timeout on blocking fds so a bug fails with EAGAIN instead of hanging.
const GUARD = new bs.timeval({ tv_sec: 5, tv_usec: 0 });
function guard(...fds: number[]): void {
  for (const fd of fds) {
    bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, GUARD);
    bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_SNDTIMEO, GUARD);
  }
}


function listener(open: (fd: number) => number, backlog = 16, family = bs.AF_INET): { fd: number; addr: bs.sockaddr_in | bs.sockaddr_in6 } {
  const fd = open(bs.socket(family, bs.SOCK_STREAM));
  guard(fd);
  bs.bind(fd, family === bs.AF_INET6 ? new bs.sockaddr_in6('::1', 0) : new bs.sockaddr_in('127.0.0.1', 0));
  bs.listen(fd, backlog);
  return { fd, addr: bs.getsockname(fd) as bs.sockaddr_in | bs.sockaddr_in6 };
}

/** A port nothing listens on: bound (so nobody else takes it) but never listen()ed. */
function deadPort(open: (fd: number) => number): bs.sockaddr_in {
  const fd = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
  bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
  return bs.getsockname(fd) as bs.sockaddr_in;
}

describe('connection life cycle', () => {
  it('bind, listen, connect, accept on 127.0.0.1 and exchange data', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      expect(bs.bind(s, new bs.sockaddr_in('127.0.0.1', 0))).toBe(0);
      const local = bs.getsockname(s) as bs.sockaddr_in;
      expect(local).toBeInstanceOf(bs.sockaddr_in);
      expect(local.address).toBe('127.0.0.1');
      expect(local.port).toBeGreaterThan(0);
      expect(bs.listen(s, 4)).toBe(0);
      guard(s);

      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      guard(c);
      expect(bs.connect(c, new bs.sockaddr_in('127.0.0.1', local.port))).toBe(0);
      const a = open(bs.accept(s));
      guard(a);
      expect(a).toBeGreaterThanOrEqual(0);

      expect(bs.send(c, 'ping')).toBe(4);
      const b = Buffer.alloc(8);
      expect(bs.recv(a, b)).toBe(4);
      expect(b.toString('latin1', 0, 4)).toBe('ping');
      expect(bs.send(a, 'pong')).toBe(4);
      expect(bs.recv(c, b)).toBe(4);
      expect(b.toString('latin1', 0, 4)).toBe('pong');

      expect((bs.getpeername(c) as bs.sockaddr_in).port).toBe(local.port);
      expect((bs.getsockname(a) as bs.sockaddr_in).port).toBe(local.port);
    });
  });

  it('accept fills the peer address struct and sets its addrlen', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      const peer = new bs.sockaddr_in();
      peer.addrlen = 0; // the kernel's value must replace whatever is here
      const a = open(bs.accept(l.fd, peer));
      expect(peer.addrlen).toBe(bs.sizeof(bs.sockaddr_in));
      expect(peer.sin_family).toBe(bs.AF_INET);
      expect(peer.toString()).toBe(bs.getsockname(c).toString());
      expect(bs.getpeername(a).toString()).toBe(peer.toString());
    });
  });

  it('accept into a sockaddr_storage keeps the real addrlen and family', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      const st = new bs.sockaddr_storage();
      open(bs.accept(l.fd, st));
      expect(st.addrlen).toBe(16);
      expect(st.ss_family).toBe(bs.AF_INET);
      const decoded = bs.sockaddrFrom(st.bytes, st.addrlen);
      expect(decoded).toBeInstanceOf(bs.sockaddr_in);
      expect(decoded.toString()).toBe(bs.getsockname(c).toString());
    });
  });

  it('accept with a short addrlen writes only that many bytes and reports the full length (C truncation)', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      const peer = new bs.sockaddr_in();
      open(bs.accept(l.fd, peer, 4));
      expect(peer.addrlen).toBe(16); // larger than supplied: the address was truncated
      expect(peer.sin_family).toBe(bs.AF_INET);
      expect(peer.port).toBe((bs.getsockname(c) as bs.sockaddr_in).port);
      expect(peer.sin_addr.s_addr).toBe(0); // bytes 4.. were not written
    });
  });

  it('accept with a null address still accepts', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      expect(open(bs.accept(l.fd, null))).toBeGreaterThanOrEqual(0);
    });
  });

  it('listen backlog 0 and -1 are accepted (the kernel clamps them) and connections still work', () => {
    for (const backlog of [0, -1]) {
      scope((open) => {
        const l = listener(open, backlog);
        const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
        guard(c);
        expect(bs.connect(c, l.addr)).toBe(0);
        const a = open(bs.accept(l.fd));
        expect(bs.send(c, 'x')).toBe(1);
        expect(bs.recv(a, Buffer.alloc(2))).toBe(1);
      });
    }
  });

  it('listen backlog outside a C int is a RangeError', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      expect(() => bs.listen(s, 2 ** 31)).toThrow(RangeError);
      expect(() => bs.listen(s, 1.5)).toThrow(RangeError);
    });
  });

  it.skipIf(!hasIPv6)('an IPv6 socket reaches an IPv4 listener through an IPv4-mapped address', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      bs.connect(c, new bs.sockaddr_in6('::ffff:127.0.0.1', l.addr.port));
      const a = open(bs.accept(l.fd));
      const peer = bs.getpeername(c);
      expect(peer).toBeInstanceOf(bs.sockaddr_in6);
      expect(peer.toString()).toBe(`[::ffff:127.0.0.1]:${l.addr.port}`);
      const theirs = bs.getpeername(a);
      expect(theirs).toBeInstanceOf(bs.sockaddr_in); // the IPv4 side sees an IPv4 peer
      expect((theirs as bs.sockaddr_in).port).toBe((bs.getsockname(c) as bs.sockaddr_in6).port);
    });
  });
});

describe('errors carry errno, code, syscall and the address', () => {
  it('connect to a port with no listener: ECONNREFUSED with address and port', () => {
    scope((open) => {
      const dead = deadPort(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.connect(c, dead), 'ECONNREFUSED', 'connect');
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe('SocketError');
      expect(e.errno).toBe(bs.ECONNREFUSED);
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBe(dead.port);
      expect(e.path).toBeUndefined();
      expect(bs.errno).toBe(bs.ECONNREFUSED);
    });
  });

  it('binding an address in use: EADDRINUSE with address and port', () => {
    scope((open) => {
      const l = listener(open);
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.bind(s, new bs.sockaddr_in('127.0.0.1', l.addr.port)), 'EADDRINUSE', 'bind');
      expect(e.errno).toBe(bs.EADDRINUSE);
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBe(l.addr.port);
      // SO_REUSEADDR does not let a second socket share a port that is listening
      bs.setsockopt(s, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1);
      expectSocketError(() => bs.bind(s, new bs.sockaddr_in('127.0.0.1', l.addr.port)), 'EADDRINUSE', 'bind');
    });
  });

  it('bind twice: EINVAL', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.bind(s, new bs.sockaddr_in('127.0.0.1', 0));
      const e = expectSocketError(() => bs.bind(s, new bs.sockaddr_in('127.0.0.1', 0)), 'EINVAL', 'bind');
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBe(0);
    });
  });

  it('binding an IPv6 address to an IPv4 socket: EAFNOSUPPORT from the kernel', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      expectSocketError(() => bs.bind(s, new bs.sockaddr_in6('::1', 0)), 'EAFNOSUPPORT', 'bind');
    });
  });

  it('accept on a socket that is not listening: EINVAL', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      expectSocketError(() => bs.accept(s), 'EINVAL', 'accept');
      bs.bind(s, new bs.sockaddr_in('127.0.0.1', 0));
      expectSocketError(() => bs.accept(s, new bs.sockaddr_in()), 'EINVAL', 'accept');
    });
  });

  it('getpeername on an unconnected socket: ENOTCONN', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      expectSocketError(() => bs.getpeername(s), 'ENOTCONN', 'getpeername');
      const l = listener(open);
      expectSocketError(() => bs.getpeername(l.fd), 'ENOTCONN', 'getpeername');
    });
  });

  it('shutdown on an unconnected socket: ENOTCONN', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      for (const how of [bs.SHUT_RD, bs.SHUT_WR, bs.SHUT_RDWR]) expectSocketError(() => bs.shutdown(s, how), 'ENOTCONN', 'shutdown');
    });
  });

  it('recv on an unconnected or listening socket: ENOTCONN', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      expectSocketError(() => bs.recv(s, Buffer.alloc(1)), 'ENOTCONN', 'recv');
      const l = listener(open);
      expectSocketError(() => bs.recv(l.fd, Buffer.alloc(1)), 'ENOTCONN', 'recv');
    });
  });

  it('listen on a UDP socket: EOPNOTSUPP', () => {
    scope((open) => {
      const d = open(bs.socket(bs.AF_INET, bs.SOCK_DGRAM));
      expectSocketError(() => bs.listen(d), 'EOPNOTSUPP', 'listen');
    });
  });

  it('send on an unconnected TCP socket: EPIPE, and no SIGPIPE kills the process', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.send(s, 'x'), 'EPIPE', 'send');
      expect(e.errno).toBe(bs.EPIPE);
      expectSocketError(() => bs.write(s, 'x'), 'EPIPE', 'write'); // write(2) has no MSG_NOSIGNAL: Node ignores SIGPIPE
    });
  });

  it('send after the peer reset the connection: ECONNRESET once, then EPIPE, never a signal', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      const a = open(bs.accept(l.fd));
      bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_LINGER, new bs.linger({ l_onoff: 1, l_linger: 0 }));
      open.close(a); // abortive close: RST
      const codes: string[] = [];
      for (let i = 0; i < 5; i++) {
        try {
          bs.send(c, 'x');
          codes.push('ok');
        } catch (e) {
          expect(e).toBeInstanceOf(bs.SocketError);
          codes.push((e as bs.SocketError).code);
        }
      }
      expect(codes[0]).toBe('ECONNRESET');
      expect(codes.slice(1)).toEqual(['EPIPE', 'EPIPE', 'EPIPE', 'EPIPE']);
    });
  });

  it('send after the peer closed normally: accepted once, then EPIPE once the RST is back', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      guard(c);
      bs.connect(c, l.addr);
      bs.close(bs.accept(l.fd));
      expect(bs.recv(c, Buffer.alloc(4))).toBe(0); // the FIN
      let firstError: bs.SocketError | undefined;
      for (let i = 0; i < 10 && !firstError; i++) {
        try {
          bs.send(c, 'x');
        } catch (e) {
          firstError = e as bs.SocketError;
        }
      }
      expect(firstError).toBeInstanceOf(bs.SocketError);
      expect(['EPIPE', 'ECONNRESET']).toContain(firstError!.code);
      expectSocketError(() => bs.send(c, 'x'), 'EPIPE', 'send');
    });
  });
});

describe('non-blocking', () => {
  it('a SOCK_NONBLOCK connect reports EINPROGRESS (or succeeds) and completes within a bounded wait', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM | bs.SOCK_NONBLOCK));
      try {
        expect(bs.connect(c, l.addr)).toBe(0);
      } catch (e) {
        expect(e).toBeInstanceOf(bs.SocketError);
        const err = e as bs.SocketError;
        expect(err.code).toBe('EINPROGRESS');
        expect(err.errno).toBe(bs.EINPROGRESS);
        expect(err.syscall).toBe('connect');
        expect(err.address).toBe('127.0.0.1');
        expect(err.port).toBe(l.addr.port);
      }
      let peer: bs.SocketAddress | undefined;
      for (let i = 0; i < 200 && !peer; i++) {
        expect(bs.getsockopt(c, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0);
        try {
          peer = bs.getpeername(c);
        } catch (e) {
          if ((e as bs.SocketError).code !== 'ENOTCONN') throw e;
          sleepMs(5);
        }
      }
      expect(peer?.toString()).toBe(l.addr.toString());
      expect(bs.getsockopt(c, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0);
      const a = open(bs.accept(l.fd));
      expect(bs.send(c, 'nb')).toBe(2);
      expect(bs.recv(a, Buffer.alloc(4))).toBe(2);
    });
  });

  it('a non-blocking connect to a dead port reports the failure through SO_ERROR (read once, then cleared)', () => {
    scope((open) => {
      const dead = deadPort(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM | bs.SOCK_NONBLOCK));
      let soError = 0;
      try {
        bs.connect(c, dead);
      } catch (e) {
        const code = (e as bs.SocketError).code;
        if (code === 'ECONNREFUSED') soError = bs.ECONNREFUSED; // refused synchronously on loopback
        else expect(code).toBe('EINPROGRESS');
      }
      for (let i = 0; i < 200 && soError === 0; i++) {
        soError = bs.getsockopt(c, bs.SOL_SOCKET, bs.SO_ERROR);
        if (soError === 0) sleepMs(5);
      }
      expect(soError).toBe(bs.ECONNREFUSED);
      expect(bs.getsockopt(c, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0);
    });
  });

  it('accept4(SOCK_NONBLOCK) returns a non-blocking, close-on-exec fd', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      const peer = new bs.sockaddr_in();
      const a = open(bs.accept4(l.fd, peer, undefined, bs.SOCK_NONBLOCK));
      expect(bs.getNonBlocking(a)).toBe(true);
      expect(bs.getCloseOnExec(a)).toBe(true);
      expect(peer.toString()).toBe(bs.getsockname(c).toString());
      expectSocketError(() => bs.recv(a, Buffer.alloc(4)), 'EAGAIN', 'recv');
    });
  });

  it('accept on a non-blocking listener with nothing pending: EAGAIN', () => {
    scope((open) => {
      const l = listener(open);
      bs.setNonBlocking(l.fd, true);
      expectSocketError(() => bs.accept(l.fd), 'EAGAIN', 'accept');
      // the accepted fd does not inherit O_NONBLOCK from the listener (Linux)
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.connect(c, l.addr);
      let a = -1;
      for (let i = 0; i < 200 && a < 0; i++) {
        try {
          a = open(bs.accept(l.fd));
        } catch (e) {
          if ((e as bs.SocketError).code !== 'EAGAIN') throw e;
          sleepMs(5);
        }
      }
      expect(a).toBeGreaterThanOrEqual(0);
      expect(bs.getNonBlocking(a)).toBe(false);
    });
  });
});

describe('SO_REUSEADDR', () => {
  it('lets a new listener bind a port held by a TIME_WAIT connection', () => {
    scope((open) => {
      const l = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      guard(l);
      bs.setsockopt(l, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1);
      expect(bs.getsockopt(l, bs.SOL_SOCKET, bs.SO_REUSEADDR)).toBe(1);
      bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(l);
      const port = (bs.getsockname(l) as bs.sockaddr_in).port;
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      guard(c);
      bs.connect(c, new bs.sockaddr_in('127.0.0.1', port));
      const a = open(bs.accept(l));
      open.close(a); // the server side closes first, so it is the side that ends in TIME_WAIT
      expect(bs.recv(c, Buffer.alloc(1))).toBe(0);
      open.close(c);
      open.close(l);

      // Without SO_REUSEADDR the TIME_WAIT connection still owns the port...
      const plain = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.bind(plain, new bs.sockaddr_in('127.0.0.1', port)), 'EADDRINUSE', 'bind');
      expect(e.port).toBe(port);
      // ...with it (set on both the old and the new socket) the new listener binds at once.
      const again = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.setsockopt(again, bs.SOL_SOCKET, bs.SO_REUSEADDR, true);
      expect(bs.bind(again, new bs.sockaddr_in('127.0.0.1', port))).toBe(0);
      expect(bs.listen(again)).toBe(0);
      expect((bs.getsockname(again) as bs.sockaddr_in).port).toBe(port);
    });
  });
});

describe('bulk transfer', () => {
  it('1 MiB through small socket buffers with partial non-blocking sends, byte-exact', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET, bs.SOCK_STREAM));
      bs.setsockopt(c, bs.SOL_SOCKET, bs.SO_SNDBUF, 16 * 1024);
      bs.connect(c, l.addr);
      const a = open(bs.accept4(l.fd, null, undefined, bs.SOCK_NONBLOCK));
      bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_RCVBUF, 16 * 1024);
      bs.setNonBlocking(c, true);

      const total = 1 << 20;
      const data = Buffer.alloc(total);
      for (let i = 0; i < total; i++) data[i] = (i * 31 + (i >>> 8)) & 0xff;
      const got = Buffer.alloc(total);
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      let received = 0;
      let partial = 0;
      let eagain = 0;
      for (let i = 0; i < 200_000 && received < total; i++) {
        if (sent < total) {
          const want = Math.min(256 * 1024, total - sent);
          try {
            const n = bs.send(c, data.subarray(sent), want);
            expect(n).toBeGreaterThan(0);
            expect(n).toBeLessThanOrEqual(want);
            if (n < want) partial++;
            sent += n;
          } catch (e) {
            if ((e as bs.SocketError).code !== 'EAGAIN') throw e;
            eagain++;
          }
        }
        try {
          const n = bs.recv(a, chunk);
          expect(n).toBeGreaterThan(0); // never end of stream mid-transfer
          chunk.copy(got, received, 0, n);
          received += n;
        } catch (e) {
          if ((e as bs.SocketError).code !== 'EAGAIN') throw e;
        }
      }
      expect(sent).toBe(total);
      expect(received).toBe(total);
      expect(got.equals(data)).toBe(true);
      expect(partial + eagain).toBeGreaterThan(0); // the buffers really were too small for one send
      bs.shutdown(c, bs.SHUT_WR);
      let eof = -1;
      for (let i = 0; i < 200 && eof !== 0; i++) {
        try {
          eof = bs.recv(a, chunk);
        } catch (e) {
          if ((e as bs.SocketError).code !== 'EAGAIN') throw e;
          sleepMs(5);
        }
      }
      expect(eof).toBe(0);
    });
  });
});

describe.skipIf(!hasIPv6)(`IPv6${hasIPv6 ? '' : ' (skipped: IPv6 loopback unavailable)'}`, () => {
  it('getsockname gives a sockaddr_in6 for ::1 with the bound port, addrlen 28, flowinfo and scope 0', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      // flowinfo and scope id on bind are ignored by the kernel for a non-link-local address
      bs.bind(s, new bs.sockaddr_in6('::1', 0, 0x12345, 0));
      const n = bs.getsockname(s) as bs.sockaddr_in6;
      expect(n).toBeInstanceOf(bs.sockaddr_in6);
      expect(n.addrlen).toBe(28);
      expect(n.sin6_family).toBe(bs.AF_INET6);
      expect(n.address).toBe('::1');
      expect(n.port).toBeGreaterThan(0);
      expect(n.flowinfo).toBe(0);
      expect(n.sin6_scope_id).toBe(0);
      expect(n.toString()).toBe(`[::1]:${n.port}`);
    });
  });

  it('with IPV6_FLOWINFO_SEND the flow label given to connect comes back from getpeername, in network byte order', () => {
    const { IPV6_FLOWINFO_SEND } = bs; // from <linux/in6.h>
    scope((open) => {
      const l = listener(open, 4, bs.AF_INET6);
      const c = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      bs.setsockopt(c, bs.IPPROTO_IPV6, IPV6_FLOWINFO_SEND, 1);
      try {
        bs.connect(c, new bs.sockaddr_in6('::1', l.addr.port, 0x12345));
      } catch (e) {
        // a host with exclusive flow labels in use requires them to be registered first
        expect((e as bs.SocketError).code).toBe('EINVAL');
        return;
      }
      open(bs.accept(l.fd));
      const peer = bs.getpeername(c) as bs.sockaddr_in6;
      expect(peer.flowinfo).toBe(0x12345);
      expect(peer.sin6_flowinfo).toBe(bs.htonl(0x12345));
      expect([...peer.bytes.subarray(4, 8)]).toEqual([0x00, 0x01, 0x23, 0x45]);
      expect(peer.sin6_scope_id).toBe(0);
      expect(peer.address).toBe('::1');
    });
  });

  it('a scope id on a non-link-local destination is ignored: the connection works and reports scope 0', () => {
    scope((open) => {
      const l = listener(open, 4, bs.AF_INET6);
      const c = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      const dst = new bs.sockaddr_in6('::1%lo', l.addr.port);
      expect(dst.sin6_scope_id).toBe(bs.if_nametoindex('lo'));
      bs.connect(c, dst);
      open(bs.accept(l.fd));
      const peer = bs.getpeername(c) as bs.sockaddr_in6;
      expect(peer.sin6_scope_id).toBe(0);
      expect(peer.toString()).toBe(`[::1]:${l.addr.port}`);
    });
  });

  it('IPV6_V6ONLY makes the IPv4-mapped path fail with ENETUNREACH', () => {
    scope((open) => {
      const l = listener(open);
      const c = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      bs.setsockopt(c, bs.IPPROTO_IPV6, bs.IPV6_V6ONLY, 1);
      expect(bs.getsockopt(c, bs.IPPROTO_IPV6, bs.IPV6_V6ONLY)).toBe(1);
      const e = expectSocketError(() => bs.connect(c, new bs.sockaddr_in6('::ffff:127.0.0.1', l.addr.port)), 'ENETUNREACH', 'connect');
      expect(e.address).toBe('::ffff:127.0.0.1');
      expect(e.port).toBe(l.addr.port);
    });
  });

  it('ECONNREFUSED on ::1 carries the IPv6 address', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      bs.bind(s, new bs.sockaddr_in6('::1', 0));
      const dead = bs.getsockname(s) as bs.sockaddr_in6;
      const c = open(bs.socket(bs.AF_INET6, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.connect(c, dead), 'ECONNREFUSED', 'connect');
      expect(e.address).toBe('::1');
      expect(e.port).toBe(dead.port);
    });
  });
});
