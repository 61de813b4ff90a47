// UDP on loopback: sendto/recvfrom with the sender's address in each struct shape, connected
// UDP, truncation and MSG_TRUNC, empty datagrams, EMSGSIZE and the errors of a missing peer.
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { expectSocketError, hasIPv6, scope } from './helpers.js';

const GUARD = new bs.timeval({ tv_sec: 5, tv_usec: 0 });


interface Family {
  name: string;
  af: number;
  loopback: string;
  Addr: typeof bs.sockaddr_in | typeof bs.sockaddr_in6;
  skip: string | false;
}

const families: Family[] = [
  { name: 'IPv4', af: bs.AF_INET, loopback: '127.0.0.1', Addr: bs.sockaddr_in, skip: false },
  { name: 'IPv6', af: bs.AF_INET6, loopback: '::1', Addr: bs.sockaddr_in6, skip: hasIPv6 ? false : 'IPv6 loopback unavailable' },
];

/** A UDP socket bound to the loopback address on an ephemeral port, with a receive timeout. */
function udp(open: (fd: number) => number, f: Family): { fd: number; addr: bs.sockaddr_in | bs.sockaddr_in6 } {
  const fd = open(bs.socket(f.af, bs.SOCK_DGRAM));
  bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, GUARD);
  bs.bind(fd, new f.Addr(f.loopback, 0));
  return { fd, addr: bs.getsockname(fd) as bs.sockaddr_in | bs.sockaddr_in6 };
}

function expectEmpty(fd: number): void {
  expectSocketError(() => bs.recv(fd, Buffer.alloc(64), undefined, bs.MSG_DONTWAIT), 'EAGAIN', 'recv');
}

for (const f of families) {
  describe.skipIf(f.skip !== false)(`UDP/${f.name}${f.skip ? ` (skipped: ${f.skip})` : ''}`, () => {
    const addrlen = bs.sizeof(f.Addr);

    it(`sendto/recvfrom fill the sender's address into a ${f.Addr.name}`, () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        expect(bs.sendto(a.fd, 'dgram', undefined, 0, b.addr)).toBe(5);
        const from = new f.Addr();
        from.addrlen = 0;
        const buf = Buffer.alloc(16);
        expect(bs.recvfrom(b.fd, buf, undefined, 0, from)).toBe(5);
        expect(buf.toString('latin1', 0, 5)).toBe('dgram');
        expect(from.addrlen).toBe(addrlen);
        expect(from.family).toBe(f.af);
        expect(from.address).toBe(f.loopback);
        expect(from.port).toBe(a.addr.port);
        expect(from.toString()).toBe(a.addr.toString());
        // the filled struct is directly usable as the reply address
        expect(bs.sendto(b.fd, 'reply', undefined, 0, from)).toBe(5);
        expect(bs.recv(a.fd, buf)).toBe(5);
        expect(buf.toString('latin1', 0, 5)).toBe('reply');
      });
    });

    it('recvfrom into a sockaddr_storage keeps the family and the real addrlen', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        bs.sendto(a.fd, Uint8Array.of(1, 2, 3), undefined, 0, b.addr);
        const st = new bs.sockaddr_storage();
        expect(bs.recvfrom(b.fd, Buffer.alloc(8), undefined, 0, st)).toBe(3);
        expect(st.addrlen).toBe(addrlen);
        expect(st.ss_family).toBe(f.af);
        const decoded = bs.sockaddrFrom(st.bytes, st.addrlen);
        expect(decoded).toBeInstanceOf(f.Addr);
        expect(decoded.toString()).toBe(a.addr.toString());
        // a storage struct is a valid destination too, with the addrlen the kernel gave
        expect(bs.sendto(b.fd, 'x', undefined, 0, st)).toBe(1);
        expect(bs.recv(a.fd, Buffer.alloc(4))).toBe(1);
      });
    });

    it('recvfrom into raw bytes and with no address at all', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        bs.sendto(a.fd, 'one', undefined, 0, b.addr);
        bs.sendto(a.fd, 'two', undefined, 0, b.addr);
        const raw = Buffer.alloc(128);
        expect(bs.recvfrom(b.fd, Buffer.alloc(8), undefined, 0, raw)).toBe(3);
        expect(bs.sockaddrFrom(raw, addrlen).toString()).toBe(a.addr.toString());
        expect(bs.recvfrom(b.fd, Buffer.alloc(8), undefined, 0, null)).toBe(3);
      });
    });

    it('recvfrom with a short addrlen truncates the address and reports its full length', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        bs.sendto(a.fd, 'x', undefined, 0, b.addr);
        const from = new f.Addr();
        expect(bs.recvfrom(b.fd, Buffer.alloc(4), undefined, 0, from, 4)).toBe(1);
        expect(from.addrlen).toBe(addrlen); // more than the 4 bytes supplied
        expect(from.port).toBe(a.addr.port); // family and port fit in 4 bytes
        expect(from.address).toBe(f.af === bs.AF_INET ? '0.0.0.0' : '::'); // the address did not
      });
    });

    it('connected UDP: send/recv without addresses, and sendto(null) uses the connected peer', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        expect(bs.connect(a.fd, b.addr)).toBe(0);
        expect(bs.getpeername(a.fd).toString()).toBe(b.addr.toString());
        expect(bs.send(a.fd, 'connected')).toBe(9);
        const from = new f.Addr();
        const buf = Buffer.alloc(16);
        expect(bs.recvfrom(b.fd, buf, undefined, 0, from)).toBe(9);
        expect(from.toString()).toBe(a.addr.toString());
        expect(bs.sendto(a.fd, 'null addr', undefined, 0, null)).toBe(9);
        expect(bs.recv(b.fd, buf)).toBe(9);
        expect(buf.toString('latin1', 0, 9)).toBe('null addr');
        // a connected socket only receives from its peer: b's reply arrives, a third party's does not
        const c = udp(open, f);
        bs.sendto(c.fd, 'stranger', undefined, 0, a.addr);
        bs.sendto(b.fd, 'peer', undefined, 0, a.addr);
        expect(bs.recv(a.fd, buf)).toBe(4);
        expect(buf.toString('latin1', 0, 4)).toBe('peer');
        expectEmpty(a.fd);
      });
    });

    it('sendto without an address on an unconnected socket: EDESTADDRREQ', () => {
      scope((open) => {
        const a = udp(open, f);
        const e = expectSocketError(() => bs.sendto(a.fd, 'x', undefined, 0, null), 'EDESTADDRREQ', 'sendto');
        expect(e.errno).toBe(bs.EDESTADDRREQ);
        expect(e.address).toBeUndefined();
        expectSocketError(() => bs.send(a.fd, 'x'), 'EDESTADDRREQ', 'send');
        const u = open(bs.socket(f.af, bs.SOCK_DGRAM)); // unbound as well
        expectSocketError(() => bs.sendto(u, 'x', undefined, 0, undefined as unknown as null), 'EDESTADDRREQ', 'sendto');
      });
    });

    it('a datagram larger than the buffer is truncated: recv returns the buffer size, MSG_TRUNC the real length', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        const big = Buffer.from('0123456789abcdef');
        bs.sendto(a.fd, big, undefined, 0, b.addr);
        bs.sendto(a.fd, big, undefined, 0, b.addr);
        bs.sendto(a.fd, big, undefined, 0, b.addr);
        const small = Buffer.alloc(4);
        expect(bs.recv(b.fd, small)).toBe(4);
        expect(small.toString('latin1')).toBe('0123');
        expect(bs.recv(b.fd, small, undefined, bs.MSG_TRUNC)).toBe(16);
        expect(small.toString('latin1')).toBe('0123');
        const from = new f.Addr();
        expect(bs.recvfrom(b.fd, small, 2, bs.MSG_TRUNC, from)).toBe(16);
        expect(from.port).toBe(a.addr.port);
        expectEmpty(b.fd); // each truncated datagram was consumed whole
      });
    });

    it('MSG_PEEK | MSG_TRUNC sizes the next datagram without consuming it', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        bs.sendto(a.fd, Buffer.alloc(1000, 7), undefined, 0, b.addr);
        expect(bs.recv(b.fd, Buffer.alloc(0), undefined, bs.MSG_PEEK | bs.MSG_TRUNC)).toBe(1000);
        const buf = Buffer.alloc(1000);
        expect(bs.recv(b.fd, buf)).toBe(1000);
        expect(buf.every((x) => x === 7)).toBe(true);
      });
    });

    it('a zero-length datagram is sent and received (with its sender) as a message of its own', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        expect(bs.sendto(a.fd, Buffer.alloc(0), undefined, 0, b.addr)).toBe(0);
        expect(bs.sendto(a.fd, '', undefined, 0, b.addr)).toBe(0);
        const from = new f.Addr();
        expect(bs.recvfrom(b.fd, Buffer.alloc(8), undefined, 0, from)).toBe(0);
        expect(from.toString()).toBe(a.addr.toString());
        expect(bs.recv(b.fd, Buffer.alloc(8))).toBe(0);
        expectEmpty(b.fd);
      });
    });

    it('a 70000-byte datagram: EMSGSIZE, with the destination on the error', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        const e = expectSocketError(() => bs.sendto(a.fd, Buffer.alloc(70000), undefined, 0, b.addr), 'EMSGSIZE', 'sendto');
        expect(e.errno).toBe(bs.EMSGSIZE);
        expect(e.address).toBe(f.loopback);
        expect(e.port).toBe(b.addr.port);
        bs.connect(a.fd, b.addr);
        const e2 = expectSocketError(() => bs.send(a.fd, Buffer.alloc(70000)), 'EMSGSIZE', 'send');
        expect(e2.address).toBeUndefined();
        expectEmpty(b.fd);
        // the largest payload that fits in one IP datagram still goes through
        const max = f.af === bs.AF_INET ? 65507 : 65527;
        bs.setsockopt(b.fd, bs.SOL_SOCKET, bs.SO_RCVBUF, 1 << 20);
        expect(bs.send(a.fd, Buffer.alloc(max, 1))).toBe(max);
        expect(bs.recv(b.fd, Buffer.alloc(max + 10))).toBe(max);
        expectSocketError(() => bs.send(a.fd, Buffer.alloc(max + 1)), 'EMSGSIZE', 'send');
      });
    });

    it('sendto port 0: EINVAL from the kernel, with the address on the error', () => {
      scope((open) => {
        const a = udp(open, f);
        const e = expectSocketError(() => bs.sendto(a.fd, 'x', undefined, 0, new f.Addr(f.loopback, 0)), 'EINVAL', 'sendto');
        expect(e.address).toBe(f.loopback);
        expect(e.port).toBe(0);
      });
    });

    it('connected UDP to a closed port: the ICMP error surfaces as ECONNREFUSED on the next call', () => {
      scope((open) => {
        const a = udp(open, f);
        const gone = open(bs.socket(f.af, bs.SOCK_DGRAM));
        bs.bind(gone, new f.Addr(f.loopback, 0));
        const deadAddr = bs.getsockname(gone);
        open.close(gone);
        bs.connect(a.fd, deadAddr);
        expect(bs.send(a.fd, 'anyone?')).toBe(7);
        expectSocketError(() => bs.recv(a.fd, Buffer.alloc(8), undefined, bs.MSG_DONTWAIT), 'ECONNREFUSED', 'recv');
        expect(bs.getsockopt(a.fd, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0); // reported once, then cleared
        expectEmpty(a.fd);
      });
    });

    it('the sender may pass the destination as raw bytes with an explicit addrlen', () => {
      scope((open) => {
        const a = udp(open, f);
        const b = udp(open, f);
        const raw = Buffer.alloc(128);
        b.addr.bytes.copy(raw);
        expect(bs.sendto(a.fd, 'raw', undefined, 0, raw, addrlen)).toBe(3);
        expect(bs.recv(b.fd, Buffer.alloc(8))).toBe(3);
        // a short addrlen is passed through to the kernel, which rejects it
        expectSocketError(() => bs.sendto(a.fd, 'raw', undefined, 0, raw, 8), 'EINVAL', 'sendto');
        // an addrlen past the bytes given is caught before the syscall
        expect(() => bs.sendto(a.fd, 'raw', undefined, 0, raw.subarray(0, 8), 16)).toThrow(RangeError);
      });
    });
  });
}

describe('UDP, cross-family', () => {
  it.skipIf(!hasIPv6)('an IPv6 socket hears IPv4 senders as IPv4-mapped addresses', () => {
    scope((open) => {
      const six = open(bs.socket(bs.AF_INET6, bs.SOCK_DGRAM));
      bs.bind(six, new bs.sockaddr_in6('::ffff:127.0.0.1', 0)); // loopback only, reached over IPv4
      const port = (bs.getsockname(six) as bs.sockaddr_in6).port;
      const four = open(bs.socket(bs.AF_INET, bs.SOCK_DGRAM));
      bs.bind(four, new bs.sockaddr_in('127.0.0.1', 0));
      bs.sendto(four, 'v4', undefined, 0, new bs.sockaddr_in('127.0.0.1', port));
      const from = new bs.sockaddr_in6();
      expect(bs.recvfrom(six, Buffer.alloc(4), undefined, bs.MSG_DONTWAIT, from)).toBe(2);
      expect(from.address).toBe('::ffff:127.0.0.1');
      expect(from.port).toBe((bs.getsockname(four) as bs.sockaddr_in).port);
    });
  });

  it('an IPv4 socket rejects an IPv6 destination with EAFNOSUPPORT', () => {
    scope((open) => {
      const four = open(bs.socket(bs.AF_INET, bs.SOCK_DGRAM));
      const e = expectSocketError(() => bs.sendto(four, 'x', undefined, 0, new bs.sockaddr_in6('::1', 9)), 'EAFNOSUPPORT', 'sendto');
      expect(e.address).toBe('::1');
      expect(e.port).toBe(9);
    });
  });
});
