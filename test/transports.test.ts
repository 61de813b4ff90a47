// One behaviour suite run over every transport, the way CPython's test_socket multiplies its
// behaviour classes across transport mixins. Each transport says how to make a connected
// pair [a, b] (a client/server pair connected to each other for datagram kinds); every
// behaviour below runs on each one where it applies and skips with the reason where not.
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, expectSocketError, hasIPv6, tempDir } from './helpers.js';

// ---------------------------------------------------------------------------------------
// pairs

interface Pair {
  /** -1 once the test closed it itself. */
  a: number;
  b: number;
  /** Expected getsockname(a / b).toString(), when the transport knows it in advance. */
  nameA?: string;
  nameB?: string;
  close(): void;
}

type Kind = 'stream' | 'dgram' | 'seqpacket';
type AddrClass = typeof bs.sockaddr_in | typeof bs.sockaddr_in6 | typeof bs.sockaddr_un;

interface Transport {
  name: string;
  domain: number;
  type: number;
  kind: Kind;
  /** The struct class getsockname/getpeername return for this family. */
  addrClass: AddrClass;
  /** A reason to skip the whole transport, or false. */
  skip: string | false;
  /** A connected pair; `flags` (SOCK_NONBLOCK) goes to socket()/socketpair()/accept4(). */
  open(flags?: number): Pair;
}

// A receive/send timeout on every fd: a bug that would leave a blocking call waiting forever
// fails with EAGAIN after a few seconds instead of hanging the worker.
const GUARD = new bs.timeval({ tv_sec: 5, tv_usec: 0 });
function guard(...fds: number[]): void {
  for (const fd of fds) {
    bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, GUARD);
    bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_SNDTIMEO, GUARD);
  }
}

/** A pair whose close() skips an fd the test already closed (set to -1 by closeA). */
function makePair(a: number, b: number, nameA?: string, nameB?: string, cleanup = (): void => {}): Pair {
  const p: Pair = {
    a, b, nameA, nameB,
    close: () => { closeAll(p.a, p.b); p.a = -1; p.b = -1; cleanup(); },
  };
  return p;
}

/** Closes one end now, so the pair's own close() will not close a reused number later. */
function closeA(p: Pair): number {
  const fd = p.a;
  p.a = -1;
  bs.close(fd);
  return fd;
}

let seq = 0;
const abstractName = (): string => `\0bsock-transports-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** listen + connect + accept4: a = the connecting side, b = the accepted fd. */
function viaListener(domain: number, type: number, local: bs.SockaddrBase, flags: number, cleanup = (): void => {}, nameA?: string): Pair {
  const fds: number[] = [];
  try {
    const l = bs.socket(domain, type);
    fds.push(l);
    guard(l);
    bs.bind(l, local);
    bs.listen(l, 8);
    const addr = bs.getsockname(l);
    const a = bs.socket(domain, type | flags);
    fds.push(a);
    guard(a);
    try {
      bs.connect(a, addr);
    } catch (e) {
      // A non-blocking TCP connect is still in progress; accept() below waits for it.
      if (!(flags & bs.SOCK_NONBLOCK) || !(e instanceof bs.SocketError) || e.code !== 'EINPROGRESS') throw e;
    }
    const b = bs.accept4(l, null, undefined, flags);
    guard(b);
    bs.close(l);
    return makePair(a, b, nameA, addr.toString(), cleanup);
  } catch (e) {
    closeAll(...fds);
    cleanup();
    throw e;
  }
}

/** Two bound datagram sockets, each connect()ed to the other. */
function dgramPair(domain: number, type: number, la: bs.SockaddrBase, lb: bs.SockaddrBase, flags: number, cleanup = (): void => {}): Pair {
  const fds: number[] = [];
  try {
    const a = bs.socket(domain, type | flags);
    fds.push(a);
    const b = bs.socket(domain, type | flags);
    fds.push(b);
    guard(a, b);
    bs.bind(a, la);
    bs.bind(b, lb);
    const na = bs.getsockname(a);
    const nb = bs.getsockname(b);
    bs.connect(a, nb);
    bs.connect(b, na);
    return makePair(a, b, na.toString(), nb.toString(), cleanup);
  } catch (e) {
    closeAll(...fds);
    cleanup();
    throw e;
  }
}

function pairOf(type: number, flags: number): Pair {
  const [a, b] = bs.socketpair(bs.AF_UNIX, type | flags);
  try {
    guard(a, b);
  } catch (e) {
    closeAll(a, b);
    throw e;
  }
  return makePair(a, b, '(unnamed)', '(unnamed)');
}

const noIPv6 = hasIPv6 ? false : 'IPv6 loopback (::1) is not available on this host';

const transports: Transport[] = [
  {
    name: 'TCP/IPv4', domain: bs.AF_INET, type: bs.SOCK_STREAM, kind: 'stream', addrClass: bs.sockaddr_in, skip: false,
    open: (flags = 0) => viaListener(bs.AF_INET, bs.SOCK_STREAM, new bs.sockaddr_in('127.0.0.1', 0), flags),
  },
  {
    name: 'TCP/IPv6', domain: bs.AF_INET6, type: bs.SOCK_STREAM, kind: 'stream', addrClass: bs.sockaddr_in6, skip: noIPv6,
    open: (flags = 0) => viaListener(bs.AF_INET6, bs.SOCK_STREAM, new bs.sockaddr_in6('::1', 0), flags),
  },
  {
    name: 'UDP/IPv4', domain: bs.AF_INET, type: bs.SOCK_DGRAM, kind: 'dgram', addrClass: bs.sockaddr_in, skip: false,
    open: (flags = 0) => dgramPair(bs.AF_INET, bs.SOCK_DGRAM, new bs.sockaddr_in('127.0.0.1', 0), new bs.sockaddr_in('127.0.0.1', 0), flags),
  },
  {
    name: 'UDP/IPv6', domain: bs.AF_INET6, type: bs.SOCK_DGRAM, kind: 'dgram', addrClass: bs.sockaddr_in6, skip: noIPv6,
    open: (flags = 0) => dgramPair(bs.AF_INET6, bs.SOCK_DGRAM, new bs.sockaddr_in6('::1', 0), new bs.sockaddr_in6('::1', 0), flags),
  },
  {
    name: 'Unix stream (pathname)', domain: bs.AF_UNIX, type: bs.SOCK_STREAM, kind: 'stream', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => {
      const t = tempDir();
      return viaListener(bs.AF_UNIX, bs.SOCK_STREAM, new bs.sockaddr_un(`${t.dir}/s`), flags, t.cleanup, '(unnamed)');
    },
  },
  {
    name: 'Unix stream (abstract)', domain: bs.AF_UNIX, type: bs.SOCK_STREAM, kind: 'stream', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => viaListener(bs.AF_UNIX, bs.SOCK_STREAM, new bs.sockaddr_un(abstractName()), flags, undefined, '(unnamed)'),
  },
  {
    name: 'Unix dgram (pathname)', domain: bs.AF_UNIX, type: bs.SOCK_DGRAM, kind: 'dgram', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => {
      const t = tempDir();
      return dgramPair(bs.AF_UNIX, bs.SOCK_DGRAM, new bs.sockaddr_un(`${t.dir}/a`), new bs.sockaddr_un(`${t.dir}/b`), flags, t.cleanup);
    },
  },
  {
    name: 'Unix seqpacket (pathname)', domain: bs.AF_UNIX, type: bs.SOCK_SEQPACKET, kind: 'seqpacket', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => {
      const t = tempDir();
      return viaListener(bs.AF_UNIX, bs.SOCK_SEQPACKET, new bs.sockaddr_un(`${t.dir}/q`), flags, t.cleanup, '(unnamed)');
    },
  },
  {
    name: 'socketpair(AF_UNIX, SOCK_STREAM)', domain: bs.AF_UNIX, type: bs.SOCK_STREAM, kind: 'stream', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => pairOf(bs.SOCK_STREAM, flags),
  },
  {
    name: 'socketpair(AF_UNIX, SOCK_DGRAM)', domain: bs.AF_UNIX, type: bs.SOCK_DGRAM, kind: 'dgram', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => pairOf(bs.SOCK_DGRAM, flags),
  },
  {
    name: 'socketpair(AF_UNIX, SOCK_SEQPACKET)', domain: bs.AF_UNIX, type: bs.SOCK_SEQPACKET, kind: 'seqpacket', addrClass: bs.sockaddr_un, skip: false,
    open: (flags = 0) => pairOf(bs.SOCK_SEQPACKET, flags),
  },
];

function withPair(t: Transport, fn: (p: Pair) => void, flags = 0): void {
  const p = t.open(flags);
  try {
    fn(p);
  } finally {
    p.close();
  }
}

/** Expects a non-blocking recv to find nothing queued. */
function expectEmpty(fd: number): void {
  expectSocketError(() => bs.recv(fd, Buffer.alloc(64), undefined, bs.MSG_DONTWAIT), 'EAGAIN', 'recv');
}

const bytesOf = (v: ArrayBufferView, n = v.byteLength): Buffer => Buffer.from(v.buffer, v.byteOffset, n);

// ---------------------------------------------------------------------------------------
// payload shapes: what is sent, and a fresh receive container of the same shape

interface Shape {
  name: string;
  make(): { data: string | ArrayBufferView; bytes: Buffer };
  sink(): ArrayBufferView;
}

const shapes: Shape[] = [
  {
    name: 'Buffer',
    make: () => { const b = Buffer.from('hello, Buffer'); return { data: b, bytes: Buffer.from(b) }; },
    sink: () => Buffer.alloc(64),
  },
  {
    name: 'Uint8Array',
    make: () => { const u = Uint8Array.of(0, 1, 2, 0x7f, 0x80, 0xfe, 0xff); return { data: u, bytes: Buffer.from(u) }; },
    sink: () => new Uint8Array(64),
  },
  {
    name: 'DataView (with a byteOffset)',
    make: () => {
      const ab = new ArrayBuffer(32);
      new Uint8Array(ab).fill(0xaa);
      const dv = new DataView(ab, 5, 9);
      for (let i = 0; i < 9; i++) dv.setUint8(i, 0x30 + i);
      return { data: dv, bytes: Buffer.from('012345678') };
    },
    sink: () => new DataView(new ArrayBuffer(80), 7, 64),
  },
  {
    name: 'Uint16Array (lengths in bytes)',
    make: () => {
      const u = Uint16Array.of(0x0102, 0xfffe, 0x8000, 0x0041);
      return { data: u, bytes: Buffer.from(u.buffer, u.byteOffset, u.byteLength) };
    },
    sink: () => new Uint16Array(32),
  },
  {
    name: 'Float64Array subarray (byteOffset 8)',
    make: () => {
      const f = Float64Array.of(9, 1.5, Math.PI, -2).subarray(1);
      return { data: f, bytes: Buffer.from(f.buffer, f.byteOffset, f.byteLength) };
    },
    sink: () => new Float64Array(10).subarray(1),
  },
  {
    name: 'string (sent as UTF-8)',
    make: () => { const s = 'héllo ✓ \u{1f600}'; return { data: s, bytes: Buffer.from(s, 'utf8') }; },
    sink: () => Buffer.alloc(64),
  },
];

// ---------------------------------------------------------------------------------------

/**
 * Registers a check only for the transports it applies to: a stream-only check is not a
 * skipped test on a datagram socket, it is simply not a test there.
 */
const onlyIf = (applies: boolean): typeof it => (applies ? it : ((() => undefined) as unknown as typeof it));

for (const t of transports) {
  const stream = t.kind === 'stream';
  const connected = t.kind !== 'dgram';
  describe.skipIf(t.skip !== false)(`${t.name}${t.skip ? ` (skipped: ${t.skip})` : ''}`, () => {
    describe('data round trip, both ways', () => {
      for (const shape of shapes) {
        it(`${shape.name}`, () => {
          withPair(t, (p) => {
            for (const [from, to] of [[p.a, p.b], [p.b, p.a]] as const) {
              const { data, bytes } = shape.make();
              expect(bs.send(from, data)).toBe(bytes.length);
              const sink = shape.sink();
              const n = bs.recv(to, sink);
              expect(n).toBe(bytes.length);
              expect(bytesOf(sink, n)).toEqual(bytes);
            }
          });
        });
      }

      it('a Uint16Array is received element-exact, and recv counts bytes, not elements', () => {
        withPair(t, (p) => {
          const out = Uint16Array.of(1, 0x1234, 0xffff);
          expect(bs.send(p.a, out)).toBe(6);
          const back = new Uint16Array(8).fill(0xeeee);
          expect(bs.recv(p.b, back)).toBe(6);
          expect([...back.subarray(0, 3)]).toEqual([1, 0x1234, 0xffff]);
          expect(back[3]).toBe(0xeeee);
        });
      });

      it('write()/read() work on the same fds', () => {
        withPair(t, (p) => {
          expect(bs.write(p.a, 'via write')).toBe(9);
          const b = Buffer.alloc(32);
          expect(bs.read(p.b, b)).toBe(9);
          expect(b.toString('utf8', 0, 9)).toBe('via write');
        });
      });
    });

    describe('len arguments', () => {
      it('send with len smaller than the buffer sends only len bytes', () => {
        withPair(t, (p) => {
          expect(bs.send(p.a, Buffer.from('abcdefgh'), 3)).toBe(3);
          const b = Buffer.alloc(16);
          expect(bs.recv(p.b, b)).toBe(3);
          expect(b.toString('latin1', 0, 3)).toBe('abc');
          expectEmpty(p.b);
          // len counts bytes even for a wider typed array: 3 bytes of a Uint16Array
          expect(bs.send(p.a, Uint16Array.of(0x4241, 0x4443, 0x4645), 3)).toBe(3);
          expect(bs.recv(p.b, b)).toBe(3);
          expect([...b.subarray(0, 3)]).toEqual([0x41, 0x42, 0x43]);
          expectEmpty(p.b);
        });
      });

      it('recv with len smaller than the buffer receives only len bytes and writes no further', () => {
        withPair(t, (p) => {
          bs.send(p.a, 'abcdefgh');
          const b = Buffer.alloc(16, 0xee);
          expect(bs.recv(p.b, b, 4)).toBe(4);
          expect(b.toString('latin1', 0, 4)).toBe('abcd');
          expect(b.subarray(4).every((x) => x === 0xee)).toBe(true);
          if (stream) {
            expect(bs.recv(p.b, b)).toBe(4); // a stream keeps the rest
            expect(b.toString('latin1', 0, 4)).toBe('efgh');
          } else {
            expectEmpty(p.b); // a datagram's excess is discarded
          }
        });
      });

      it('len past the end of the buffer is a RangeError, and nothing is sent or consumed', () => {
        withPair(t, (p) => {
          for (const [buf, len] of [[Buffer.alloc(4), 5], [new Uint16Array(2), 5], [new DataView(new ArrayBuffer(8), 4), 5]] as const) {
            expect(() => bs.send(p.a, buf, len)).toThrow(RangeError);
          }
          expect(() => bs.send(p.a, 'abc', 4)).toThrow(RangeError);
          for (const bad of [-1, 1.5, Number.NaN]) expect(() => bs.send(p.a, Buffer.alloc(4), bad)).toThrow(RangeError);
          expectEmpty(p.b);

          bs.send(p.a, 'xy');
          let err: unknown;
          try {
            bs.recv(p.b, Buffer.alloc(4), 5);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(RangeError);
          expect((err as { code?: string }).code).toBe('ERR_OUT_OF_RANGE');
          expect(() => bs.recv(p.b, new Uint16Array(2), 5)).toThrow(RangeError);
          const b = Buffer.alloc(4);
          expect(bs.recv(p.b, b)).toBe(2); // still queued: no recv happened
          expect(b.toString('latin1', 0, 2)).toBe('xy');
        });
      });

      it('the length check comes before the syscall (RangeError, not EBADF, on a closed fd)', () => {
        const p = t.open();
        const fd = p.a;
        p.close();
        expect(() => bs.send(fd, Buffer.alloc(4), 5)).toThrow(RangeError);
        expect(() => bs.recv(fd, Buffer.alloc(4), 5)).toThrow(RangeError);
        expectSocketError(() => bs.send(fd, Buffer.alloc(4), 4), 'EBADF', 'send');
      });
    });

    describe('empty buffers', () => {
      onlyIf(stream)('recv into an empty buffer returns 0 and leaves stream data queued', () => {
        withPair(t, (p) => {
          bs.send(p.a, 'abc');
          expect(bs.recv(p.b, Buffer.alloc(0))).toBe(0);
          expect(bs.recv(p.b, Buffer.alloc(8), 0)).toBe(0);
          const b = Buffer.alloc(8);
          expect(bs.recv(p.b, b)).toBe(3);
          expect(b.toString('latin1', 0, 3)).toBe('abc');
        });
      });

      onlyIf(!stream)('recv into an empty buffer consumes the whole message; MSG_TRUNC tells its length', () => {
        withPair(t, (p) => {
          bs.send(p.a, 'abcde');
          expect(bs.recv(p.b, Buffer.alloc(0))).toBe(0);
          expectEmpty(p.b);
          bs.send(p.a, 'abcde');
          expect(bs.recv(p.b, new Uint8Array(0), undefined, bs.MSG_TRUNC)).toBe(5);
          expectEmpty(p.b);
        });
      });

      onlyIf(stream)('send of zero bytes returns 0 and queues nothing', () => {
        withPair(t, (p) => {
          expect(bs.send(p.a, Buffer.alloc(0))).toBe(0);
          expect(bs.send(p.a, '')).toBe(0);
          expectEmpty(p.b);
        });
      });

      onlyIf(t.kind === 'dgram')('a zero-length datagram is a message of its own', () => {
        withPair(t, (p) => {
          expect(bs.send(p.a, '')).toBe(0);
          expect(bs.recv(p.b, Buffer.alloc(8))).toBe(0);
          expectEmpty(p.b);
        });
      });
    });

    describe('message boundaries', () => {
      onlyIf(!stream)('each send is received as one message', () => {
        withPair(t, (p) => {
          for (const m of ['a', 'bb', 'ccc']) bs.send(p.a, m);
          const b = Buffer.alloc(16);
          for (const m of ['a', 'bb', 'ccc']) {
            expect(bs.recv(p.b, b)).toBe(m.length);
            expect(b.toString('latin1', 0, m.length)).toBe(m);
          }
          expectEmpty(p.b);
        });
      });

      onlyIf(stream)('a stream has no boundaries: queued sends are read together', () => {
        withPair(t, (p) => {
          for (const m of ['a', 'bb', 'ccc']) bs.send(p.a, m);
          const b = Buffer.alloc(16);
          expect(bs.recv(p.b, b)).toBe(6);
          expect(b.toString('latin1', 0, 6)).toBe('abbccc');
        });
      });

      onlyIf(!stream)('a short buffer truncates the message: recv returns the buffer size, MSG_TRUNC the real size', () => {
        withPair(t, (p) => {
          bs.send(p.a, 'abcdefgh');
          bs.send(p.a, 'ABCDEFGH');
          const b = Buffer.alloc(3);
          expect(bs.recv(p.b, b)).toBe(3);
          expect(b.toString('latin1')).toBe('abc');
          expect(bs.recv(p.b, b, undefined, bs.MSG_TRUNC)).toBe(8);
          expect(b.toString('latin1')).toBe('ABC');
          expectEmpty(p.b);
        });
      });
    });

    describe('flags', () => {
      it('MSG_PEEK returns the data without consuming it', () => {
        withPair(t, (p) => {
          bs.send(p.a, 'peekaboo');
          const b = Buffer.alloc(16);
          expect(bs.recv(p.b, b, undefined, bs.MSG_PEEK)).toBe(8);
          expect(b.toString('latin1', 0, 8)).toBe('peekaboo');
          const c = Buffer.alloc(16);
          expect(bs.recv(p.b, c, 4, bs.MSG_PEEK)).toBe(4);
          expect(c.toString('latin1', 0, 4)).toBe('peek');
          expect(bs.recv(p.b, c)).toBe(8);
          expect(c.toString('latin1', 0, 8)).toBe('peekaboo');
          expectEmpty(p.b);
        });
      });

      it('MSG_DONTWAIT on an empty socket throws SocketError EAGAIN from recv', () => {
        withPair(t, (p) => {
          bs.setErrno(0);
          let err: unknown;
          try {
            bs.recv(p.b, Buffer.alloc(8), undefined, bs.MSG_DONTWAIT);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(bs.SocketError);
          const e = err as bs.SocketError;
          expect(e.code).toBe('EAGAIN');
          expect(e.errno).toBe(bs.EAGAIN);
          expect(e.errno).toBe(bs.EWOULDBLOCK); // the same number on Linux
          expect(e.syscall).toBe('recv');
          expect(bs.errno).toBe(bs.EAGAIN); // the live errno binding follows the failure
          expect(bs.getNonBlocking(p.b)).toBe(false); // the flag did not change the fd
        });
      });

      it('MSG_DONTWAIT does not block or fail when data is queued', () => {
        withPair(t, (p) => {
          bs.send(p.b, 'z');
          const b = Buffer.alloc(4);
          expect(bs.recv(p.a, b, undefined, bs.MSG_DONTWAIT)).toBe(1);
        });
      });
    });

    describe('end of stream', () => {
      onlyIf(connected)("recv returns 0 after the peer's shutdown(SHUT_WR), and the other direction still works", () => {
        withPair(t, (p) => {
          bs.send(p.a, 'last');
          expect(bs.shutdown(p.a, bs.SHUT_WR)).toBe(0);
          const b = Buffer.alloc(16);
          expect(bs.recv(p.b, b)).toBe(4);
          expect(bs.recv(p.b, b)).toBe(0);
          expect(bs.recv(p.b, b)).toBe(0); // and stays at end of stream
          expect(bs.send(p.b, 'reply')).toBe(5); // half-close: b -> a is still open
          expect(bs.recv(p.a, b)).toBe(5);
          expect(b.toString('latin1', 0, 5)).toBe('reply');
        });
      });

      onlyIf(connected)('recv returns 0 after the peer closes', () => {
        withPair(t, (p) => {
          bs.send(p.a, 'bye');
          closeA(p);
          const b = Buffer.alloc(16);
          expect(bs.recv(p.b, b)).toBe(3);
          expect(bs.recv(p.b, b)).toBe(0);
        });
      });

      onlyIf(!connected)("a datagram socket has no end of stream: the peer's close leaves recv with EAGAIN", () => {
        withPair(t, (p) => {
          closeA(p);
          expectEmpty(p.b);
        });
      });
    });

    describe('addresses', () => {
      it('getsockname/getpeername return the family struct, each side naming the other', () => {
        withPair(t, (p) => {
          const sa = bs.getsockname(p.a);
          const sb = bs.getsockname(p.b);
          const pa = bs.getpeername(p.a);
          const pb = bs.getpeername(p.b);
          for (const s of [sa, sb, pa, pb]) {
            expect(s).toBeInstanceOf(t.addrClass);
            expect(s.family).toBe(t.domain);
          }
          // a's peer is b's own address and the reverse: same bytes, same length
          expect(pa.addrlen).toBe(sb.addrlen);
          expect(pb.addrlen).toBe(sa.addrlen);
          expect(Buffer.from(pa.bytes.subarray(0, pa.addrlen))).toEqual(Buffer.from(sb.bytes.subarray(0, sb.addrlen)));
          expect(Buffer.from(pb.bytes.subarray(0, pb.addrlen))).toEqual(Buffer.from(sa.bytes.subarray(0, sa.addrlen)));
          expect(pa.toString()).toBe(sb.toString());
          expect(pb.toString()).toBe(sa.toString());
          if (p.nameA !== undefined) expect(sa.toString()).toBe(p.nameA);
          if (p.nameB !== undefined) expect(sb.toString()).toBe(p.nameB);

          if (t.addrClass === bs.sockaddr_in || t.addrClass === bs.sockaddr_in6) {
            const loop = t.domain === bs.AF_INET ? '127.0.0.1' : '::1';
            for (const s of [sa, sb] as (bs.sockaddr_in | bs.sockaddr_in6)[]) {
              expect(s.addrlen).toBe(bs.sizeof(t.addrClass));
              expect(s.address).toBe(loop);
              expect(s.port).toBeGreaterThan(0);
              expect(bs.ntohs(t.domain === bs.AF_INET ? (s as bs.sockaddr_in).sin_port : (s as bs.sockaddr_in6).sin6_port)).toBe(s.port);
            }
            expect((sa as bs.sockaddr_in).port).not.toBe((sb as bs.sockaddr_in).port);
          } else {
            for (const s of [sa, sb] as bs.sockaddr_un[]) {
              const off = 2; // offsetof(struct sockaddr_un, sun_path) == sizeof(sa_family_t)
              if (s.toString() === '(unnamed)') {
                expect(s.addrlen).toBe(off);
                expect(s.path).toBe('');
              } else if (s.abstract) {
                expect(s.addrlen).toBe(off + s.pathBytes.length); // no terminator, no padding
              } else {
                expect(s.addrlen).toBe(off + Buffer.byteLength(s.path) + 1); // with its NUL
              }
            }
          }
        });
      });
    });

    describe('poll', () => {
      it('poll(2) sees POLLOUT on both ends, then POLLIN on the receiver only once the peer has sent', () => {
        withPair(t, (p) => {
          const fds = [new bs.pollfd({ fd: p.a, events: bs.POLLIN | bs.POLLOUT }), new bs.pollfd({ fd: p.b, events: bs.POLLIN | bs.POLLOUT })];
          expect(bs.poll(fds, 2, 0)).toBe(2);
          expect(fds.map((f) => f.revents)).toEqual([bs.POLLOUT, bs.POLLOUT]);
          bs.send(p.a, 'ready?');
          const receiver = [new bs.pollfd({ fd: p.b, events: bs.POLLIN })];
          expect(bs.poll(receiver, 1, 5000)).toBe(1);
          expect(receiver[0]!.revents).toBe(bs.POLLIN);
          expect(bs.recv(p.b, Buffer.alloc(16))).toBe(6);
          expect(bs.poll(receiver, 1, 0)).toBe(0);
        });
      });
    });

    describe('closed fds', () => {
      it('send and recv after close throw EBADF', () => {
        withPair(t, (p) => {
          const fd = closeA(p);
          const e = expectSocketError(() => bs.send(fd, 'x'), 'EBADF', 'send');
          expect(e.errno).toBe(bs.EBADF);
          expect(bs.errno).toBe(bs.EBADF);
          expectSocketError(() => bs.recv(fd, Buffer.alloc(1)), 'EBADF', 'recv');
          expectSocketError(() => bs.close(fd), 'EBADF', 'close');
        });
      });
    });

    describe('fd flags', () => {
      it('fds from socket()/socketpair()/accept() are close-on-exec and blocking by default', () => {
        withPair(t, (p) => {
          for (const fd of [p.a, p.b]) {
            expect(bs.getCloseOnExec(fd)).toBe(true);
            expect(bs.getNonBlocking(fd)).toBe(false);
          }
        });
        const fd = bs.socket(t.domain, t.type);
        try {
          expect(bs.getCloseOnExec(fd)).toBe(true);
          expect(bs.getNonBlocking(fd)).toBe(false);
        } finally {
          bs.close(fd);
        }
      });

      it('SOCK_NONBLOCK makes them non-blocking (and still close-on-exec)', () => {
        withPair(t, (p) => {
          for (const fd of [p.a, p.b]) {
            expect(bs.getNonBlocking(fd)).toBe(true);
            expect(bs.getCloseOnExec(fd)).toBe(true);
          }
          // a plain recv now fails instead of blocking
          expectSocketError(() => bs.recv(p.b, Buffer.alloc(4)), 'EAGAIN', 'recv');
          bs.send(p.a, 'nb');
          expect(bs.recv(p.b, Buffer.alloc(4))).toBe(2);
        }, bs.SOCK_NONBLOCK);
      });

      it('setNonBlocking / setCloseOnExec toggle the flags', () => {
        withPair(t, (p) => {
          bs.setNonBlocking(p.a, true);
          expect(bs.getNonBlocking(p.a)).toBe(true);
          bs.setNonBlocking(p.a, false);
          expect(bs.getNonBlocking(p.a)).toBe(false);
          bs.setCloseOnExec(p.a, false);
          expect(bs.getCloseOnExec(p.a)).toBe(false);
          bs.setCloseOnExec(p.a, true);
          expect(bs.getCloseOnExec(p.a)).toBe(true);
        });
      });
    });
  });
}

describe('transport table', () => {
  it('covers every transport of the brief', () => {
    expect(transports.map((t) => t.name)).toEqual([
      'TCP/IPv4', 'TCP/IPv6', 'UDP/IPv4', 'UDP/IPv6', 'Unix stream (pathname)', 'Unix stream (abstract)',
      'Unix dgram (pathname)', 'Unix seqpacket (pathname)', 'socketpair(AF_UNIX, SOCK_STREAM)',
      'socketpair(AF_UNIX, SOCK_DGRAM)', 'socketpair(AF_UNIX, SOCK_SEQPACKET)',
    ]);
  });
});
