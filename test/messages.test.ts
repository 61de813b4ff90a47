// sendmsg/recvmsg/sendmmsg/recvmmsg and ancillary data, in the style of CPython's
// test_socket SendrecvmsgBase family: each behaviour over each transport it applies to.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as C from '../lib/constants.generated.js';
import * as S from '../lib/structs.js';
import * as bs from '../lib/sockets.js';
import * as m from '../lib/messages.js';
import * as P from '../lib/promises.js';
import { SocketError } from '../lib/errors.js';
import { native } from '../lib/native.js';
import { hasIPv6, sleepMs } from './helpers.js';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const example = (name: string): string => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

/** Every open fd of this process (not only sockets): received fds may be pipes. */
function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      bs.close(fd);
    } catch {
      // closed by the test
    }
  }
}

/** A connected pair of some transport, closed after `fn`. */
type Pair = { name: string; dgram: boolean; make: () => [number, number] };

function udpPair(family: number): [number, number] {
  const loop = () => (family === C.AF_INET6 ? new S.sockaddr_in6('::1', 0) : new S.sockaddr_in('127.0.0.1', 0));
  const a = bs.socket(family, C.SOCK_DGRAM);
  const b = bs.socket(family, C.SOCK_DGRAM);
  bs.bind(a, loop());
  bs.bind(b, loop());
  bs.connect(a, bs.getsockname(b));
  bs.connect(b, bs.getsockname(a));
  return [a, b];
}

const unixPairs: Pair[] = [
  { name: 'unix stream', dgram: false, make: () => bs.socketpair(C.AF_UNIX, C.SOCK_STREAM) },
  { name: 'unix dgram', dgram: true, make: () => bs.socketpair(C.AF_UNIX, C.SOCK_DGRAM) },
  { name: 'unix seqpacket', dgram: true, make: () => bs.socketpair(C.AF_UNIX, C.SOCK_SEQPACKET) },
];
const udpPairs: Pair[] = [
  { name: 'udp4', dgram: true, make: () => udpPair(C.AF_INET) },
  ...(hasIPv6 ? [{ name: 'udp6', dgram: true, make: () => udpPair(C.AF_INET6) }] : []),
];
const allPairs = [...unixPairs, ...udpPairs];

function withPair(p: Pair, fn: (a: number, b: number) => void): void {
  const [a, b] = p.make();
  try {
    fn(a, b);
  } finally {
    closeAll(a, b);
  }
}

function udpSocket(family: number): [number, S.SocketAddress] {
  const fd = bs.socket(family, C.SOCK_DGRAM);
  bs.bind(fd, family === C.AF_INET6 ? new S.sockaddr_in6('::1', 0) : new S.sockaddr_in('127.0.0.1', 0));
  return [fd, bs.getsockname(fd)];
}

// ---------------------------------------------------------------------------------------

describe('CMSG macros and layouts', () => {
  it('match the C values of this host', () => {
    expect(m.CMSG_ALIGN(1)).toBe(8);
    expect(m.CMSG_LEN(0)).toBe(m.cmsghdr.size);
    expect(m.CMSG_SPACE(0)).toBe(m.cmsghdr.size);
    expect(m.CMSG_SPACE(4)).toBe(m.cmsghdr.size + 8);
    expect(m.CMSG_LEN(4)).toBe(m.cmsghdr.size + 4);
    expect(m.in_pktinfo.size).toBe(12);
    expect(m.in6_pktinfo.size).toBe(20);
    expect(m.sock_extended_err.size).toBe(16);
    expect(m.timespec.size).toBe(16);
    expect(() => m.CMSG_SPACE(-1)).toThrow(RangeError);
  });
  it('struct classes read and write their fields', () => {
    const p = new m.in_pktinfo({ ipi_ifindex: 3, ipi_spec_dst: '10.1.2.3', ipi_addr: '127.0.0.2' });
    expect([p.ipi_ifindex, p.ipi_spec_dst.address, p.ipi_addr.address]).toEqual([3, '10.1.2.3', '127.0.0.2']);
    const p6 = new m.in6_pktinfo({ ipi6_addr: '::1', ipi6_ifindex: 7 });
    expect([p6.ipi6_addr.address, p6.ipi6_ifindex]).toEqual(['::1', 7]);
    const t = new m.timespec({ tv_sec: 5, tv_nsec: 999_999_999 });
    expect([t.tv_sec, t.tv_nsec]).toEqual([5, 999_999_999]);
    const h = new m.cmsghdr();
    h.cmsg_len = 20;
    h.cmsg_level = C.SOL_SOCKET;
    h.cmsg_type = C.SCM_RIGHTS;
    expect([h.cmsg_len, h.cmsg_level, h.cmsg_type]).toEqual([20, C.SOL_SOCKET, C.SCM_RIGHTS]);
  });
});

describe('scatter/gather', () => {
  for (const p of allPairs) {
    it(`round trips several iovecs of different sizes and kinds over ${p.name}`, () => {
      withPair(p, (a, b) => {
        const parts: ArrayBufferView[] = [
          Buffer.from('ab'), Uint16Array.of(0x6463), new Uint8Array(0), Int32Array.of(0x68676665),
          new DataView(Buffer.from('ijklm').buffer, 0, 5), Float64Array.of(1.5),
        ];
        const total = parts.reduce((n, x) => n + x.byteLength, 0);
        expect(m.sendmsg(a, { msg_iov: parts })).toBe(total);
        const r1 = Buffer.alloc(3);
        const r2 = new Uint16Array(2);
        const r3 = Buffer.alloc(64);
        const msg: m.Msghdr = { msg_iov: [r1, r2, r3] };
        const r = m.recvmsg(b, msg);
        expect(r.bytes).toBe(total);
        const got = Buffer.concat([r1, Buffer.from(r2.buffer), r3]).subarray(0, total);
        const want = Buffer.concat(parts.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength)));
        expect(got.equals(want)).toBe(true);
        expect(r.cmsgs).toEqual([]);
        expect(msg.msg_flags).toBe(0);
      });
    });
  }
  for (const p of allPairs.filter((x) => x.dgram)) {
    it(`sets MSG_TRUNC when the iovecs are too small over ${p.name}`, () => {
      withPair(p, (a, b) => {
        m.sendmsg(a, { msg_iov: ['0123456789'] });
        const r = m.recvmsg(b, { msg_iov: [Buffer.alloc(2), Buffer.alloc(3)] });
        expect(r.bytes).toBe(5);
        expect(r.msg_flags & C.MSG_TRUNC).toBe(C.MSG_TRUNC);
      });
    });
  }
  it('a single buffer stands for a one-element msg_iov, msg_iovlen limits it', () => {
    withPair(unixPairs[1]!, (a, b) => {
      expect(m.sendmsg(a, { msg_iov: [Buffer.from('xy'), Buffer.from('zz')], msg_iovlen: 1 })).toBe(2);
      const buf = Buffer.alloc(8);
      expect(m.recvmsg(b, { msg_iov: buf }).bytes).toBe(2);
      expect(buf.subarray(0, 2).toString()).toBe('xy');
    });
  });
});

describe('msg_name', () => {
  for (const family of [C.AF_INET, ...(hasIPv6 ? [C.AF_INET6] : [])]) {
    it(`is sent to and filled on UDP (family ${family})`, () => {
      const [x, xa] = udpSocket(family);
      const [y, ya] = udpSocket(family);
      try {
        m.sendmsg(x, { msg_iov: 'hi', msg_name: ya });
        const msg: m.Msghdr = { msg_iov: Buffer.alloc(8) };
        m.recvmsg(y, msg);
        expect(String(msg.msg_name)).toBe(String(xa));
        expect(msg.msg_namelen).toBe(family === C.AF_INET ? S.sockaddr_in.size : S.sockaddr_in6.size);
        // A caller's struct is filled in place.
        const into = family === C.AF_INET ? new S.sockaddr_in() : new S.sockaddr_in6();
        m.sendmsg(x, { msg_iov: 'again', msg_name: ya });
        const msg2: m.Msghdr = { msg_iov: Buffer.alloc(8), msg_name: into };
        m.recvmsg(y, msg2);
        expect(msg2.msg_name).toBe(into);
        expect(String(into)).toBe(String(xa));
        expect(into.addrlen).toBe(msg2.msg_namelen);
      } finally {
        closeAll(x, y);
      }
    });
  }
  it('null asks for no address', () => {
    const [x] = udpSocket(C.AF_INET);
    const [y, ya] = udpSocket(C.AF_INET);
    try {
      m.sendmsg(x, { msg_iov: 'hi', msg_name: ya });
      const msg: m.Msghdr = { msg_iov: Buffer.alloc(8), msg_name: null };
      m.recvmsg(y, msg);
      expect(msg.msg_name).toBe(null);
    } finally {
      closeAll(x, y);
    }
  });
});

// ---------------------------------------------------------------------------------------
// SCM_RIGHTS

describe('SCM_RIGHTS', () => {
  for (const p of unixPairs) {
    it(`passes one fd that works, close-on-exec, over ${p.name}`, () => {
      withPair(p, (a, b) => {
        const [x, y] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
        try {
          m.sendmsg(a, { msg_iov: 'f', msg_control: [m.scmRights([x])] });
          bs.close(x);
          const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: m.CMSG_SPACE(4) });
          expect(r.cmsgs).toHaveLength(1);
          const [fd] = r.cmsgs[0]!.value as number[];
          expect(r.cmsgs[0]!.cmsg_level).toBe(C.SOL_SOCKET);
          expect(bs.getCloseOnExec(fd!)).toBe(true);
          bs.send(fd!, 'through the passed fd');
          const buf = Buffer.alloc(64);
          expect(buf.subarray(0, bs.recv(y, buf)).toString()).toBe('through the passed fd');
          bs.close(fd!);
        } finally {
          closeAll(x, y);
        }
      });
    });
    it(`passes several fds in one message and in two messages over ${p.name}`, () => {
      withPair(p, (a, b) => {
        const pairs = [0, 1, 2].map(() => bs.socketpair(C.AF_UNIX, C.SOCK_DGRAM));
        try {
          m.sendmsg(a, { msg_iov: 'F', msg_control: [m.scmRights(pairs.slice(0, 2).map((q) => q[0])), m.scmRights([pairs[2]![0]])] });
          const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: m.CMSG_SPACE(8) + m.CMSG_SPACE(4) });
          expect(r.msg_flags & C.MSG_CTRUNC).toBe(0);
          const fds = r.cmsgs.flatMap((c) => c.value as number[]);
          expect(fds).toHaveLength(3);
          fds.forEach((fd, i) => {
            bs.send(fd, `msg${i}`);
            const buf = Buffer.alloc(8);
            expect(buf.subarray(0, bs.recv(pairs[i]![1], buf)).toString()).toBe(`msg${i}`);
          });
          closeAll(...fds);
        } finally {
          closeAll(...pairs.flat());
        }
      });
    });
  }

  // For 2 fds the kernel fills whole ints while room remains: truncated below CMSG_LEN(8).
  const sizes: [string, number][] = [
    ['0', 0], ['CMSG_SPACE(0)', m.CMSG_SPACE(0)], ['CMSG_LEN(0)+1', m.CMSG_LEN(0) + 1],
    ['CMSG_SPACE(4)-1', m.CMSG_SPACE(4) - 1], ['CMSG_LEN(4)', m.CMSG_LEN(4)], ['CMSG_LEN(8)-1', m.CMSG_LEN(8) - 1],
    ['CMSG_SPACE(4)', m.CMSG_SPACE(4)], ['CMSG_LEN(8)', m.CMSG_LEN(8)], ['CMSG_LEN(8)+1', m.CMSG_LEN(8) + 1],
    ['CMSG_SPACE(8)-1', m.CMSG_SPACE(8) - 1], ['CMSG_SPACE(8)', m.CMSG_SPACE(8)], ['CMSG_SPACE(8)+1', m.CMSG_SPACE(8) + 1],
  ];
  for (const p of unixPairs) {
    for (const [label, size] of sizes) {
      const truncated = size < m.CMSG_LEN(8);
      it(`control of ${label} bytes for 2 fds: ${truncated ? 'MSG_CTRUNC, fds closed' : 'both fds'}, nothing leaked, over ${p.name}`, () => {
        withPair(p, (a, b) => {
          const [x, y] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
          const before = fdCount();
          try {
            m.sendmsg(a, { msg_iov: 't', msg_control: [m.scmRights([x, y])] });
            const ctl = Buffer.alloc(size);
            const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_control: ctl });
            expect(r.bytes).toBe(1);
            expect(r.msg_flags & C.MSG_CTRUNC).toBe(truncated ? C.MSG_CTRUNC : 0);
            const fds = r.cmsgs.filter((c) => c.cmsg_type === C.SCM_RIGHTS).flatMap((c) => c.value as number[]);
            expect(fds).toHaveLength(truncated ? 0 : 2);
            closeAll(...fds);
            expect(fdCount()).toBe(before);
          } finally {
            closeAll(x, y);
          }
        });
      });
    }
    it(`control just large enough for 2 fds is not truncated over ${p.name}`, () => {
      withPair(p, (a, b) => {
        const [x, y] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
        try {
          m.sendmsg(a, { msg_iov: 't', msg_control: [m.scmRights([x, y])] });
          const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_control: Buffer.alloc(m.CMSG_LEN(8)) });
          expect(r.msg_flags & C.MSG_CTRUNC).toBe(0);
          const fds = r.cmsgs[0]!.value as number[];
          expect(fds).toHaveLength(2);
          closeAll(...fds);
        } finally {
          closeAll(x, y);
        }
      });
    });
  }
  it('fds are closed when decoding fails after the call', () => {
    withPair(unixPairs[0]!, (a, b) => {
      const [x, y] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
      const before = fdCount();
      try {
        m.sendmsg(a, { msg_iov: 't', msg_control: [m.scmRights([x, y])] });
        const msg = { msg_iov: Buffer.alloc(4), msg_controllen: 64 } as m.Msghdr;
        Object.defineProperty(msg, 'msg_flags', { set() { throw new Error('boom'); }, get: () => 0 });
        expect(() => m.recvmsg(b, msg)).toThrow('boom');
        expect(fdCount()).toBe(before);
      } finally {
        closeAll(x, y);
      }
    });
  });
});

describe('SCM_CREDENTIALS', () => {
  for (const p of unixPairs) {
    it(`with SO_PASSCRED matches this process over ${p.name}`, () => {
      withPair(p, (a, b) => {
        bs.setsockopt(b, C.SOL_SOCKET, C.SO_PASSCRED, 1);
        m.sendmsg(a, { msg_iov: 'c' });
        const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: m.CMSG_SPACE(S.ucred.size) });
        const cred = r.cmsgs.find((c) => c.cmsg_type === C.SCM_CREDENTIALS)!.value as S.ucred;
        expect([cred.pid, cred.uid, cred.gid]).toEqual([process.pid, process.getuid!(), process.getgid!()]);
      });
    });
  }
  it('explicit credentials can be sent', () => {
    withPair(unixPairs[1]!, (a, b) => {
      bs.setsockopt(b, C.SOL_SOCKET, C.SO_PASSCRED, 1);
      m.sendmsg(a, { msg_iov: 'c', msg_control: [m.scmCredentials({ pid: process.pid, uid: process.getuid!(), gid: process.getgid!() })] });
      const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: 64 });
      expect((r.cmsgs[0]!.value as S.ucred).pid).toBe(process.pid);
    });
  });
});

// ---------------------------------------------------------------------------------------
// IP ancillary data

describe('IP ancillary data', () => {
  it('IP_PKTINFO is received, and a pktinfo cmsg chooses the source address', () => {
    const [x] = udpSocket(C.AF_INET);
    const y = bs.socket(C.AF_INET, C.SOCK_DGRAM);
    try {
      bs.bind(y, new S.sockaddr_in('0.0.0.0', 0));
      const port = (bs.getsockname(y) as S.sockaddr_in).port;
      bs.setsockopt(y, C.IPPROTO_IP, C.IP_PKTINFO, 1);
      m.sendmsg(x, { msg_iov: 'p', msg_name: new S.sockaddr_in('127.0.0.2', port) });
      const msg: m.Msghdr = { msg_iov: Buffer.alloc(4), msg_controllen: 64 };
      const r = m.recvmsg(y, msg);
      const pi = r.cmsgs.find((c) => c.cmsg_level === C.IPPROTO_IP && c.cmsg_type === C.IP_PKTINFO)!.value as m.in_pktinfo;
      expect(pi).toBeInstanceOf(m.in_pktinfo);
      expect(pi.ipi_addr.address).toBe('127.0.0.2');
      expect(pi.ipi_spec_dst.address).toBe('127.0.0.2');
      expect(pi.ipi_ifindex).toBeGreaterThan(0);
      // Reply from the address the datagram was sent to.
      m.sendmsg(y, { msg_iov: 'r', msg_name: msg.msg_name, msg_control: [m.ipPktinfo({ ipi_spec_dst: '127.0.0.2' })] });
      const back: m.Msghdr = { msg_iov: Buffer.alloc(4) };
      m.recvmsg(x, back);
      expect((back.msg_name as S.sockaddr_in).address).toBe('127.0.0.2');
      m.sendmsg(y, { msg_iov: 'r', msg_name: msg.msg_name, msg_control: [m.ipPktinfo({ ipi_spec_dst: '127.0.0.1' })] });
      m.recvmsg(x, back);
      expect((back.msg_name as S.sockaddr_in).address).toBe('127.0.0.1');
    } finally {
      closeAll(x, y);
    }
  });
  it.skipIf(!hasIPv6)('IPV6_PKTINFO is received with IPV6_RECVPKTINFO, and can choose the source', () => {
    const [x, xa] = udpSocket(C.AF_INET6);
    const [y, ya] = udpSocket(C.AF_INET6);
    try {
      bs.setsockopt(y, C.IPPROTO_IPV6, C.IPV6_RECVPKTINFO, 1);
      m.sendmsg(x, { msg_iov: 'p', msg_name: ya, msg_control: [m.ipv6Pktinfo({ ipi6_addr: '::1' })] });
      const r = m.recvmsg(y, { msg_iov: Buffer.alloc(4), msg_controllen: 64 });
      const pi = r.cmsgs[0]!.value as m.in6_pktinfo;
      expect(pi).toBeInstanceOf(m.in6_pktinfo);
      expect(pi.ipi6_addr.address).toBe('::1');
      expect(pi.ipi6_ifindex).toBeGreaterThan(0);
      void xa;
    } finally {
      closeAll(x, y);
    }
  });
  it('IP_RECVTTL and IP_RECVTOS give numbers; a cmsg sets the TTL of one datagram', () => {
    const [x] = udpSocket(C.AF_INET);
    const [y, ya] = udpSocket(C.AF_INET);
    try {
      bs.setsockopt(y, C.IPPROTO_IP, C.IP_RECVTTL, 1);
      bs.setsockopt(y, C.IPPROTO_IP, C.IP_RECVTOS, 1);
      m.sendmsg(x, { msg_iov: 't', msg_name: ya, msg_control: [m.ipTtl(42), m.ipTos(0x10)] });
      const r = m.recvmsg(y, { msg_iov: Buffer.alloc(4), msg_controllen: 128 });
      const by = (t: number) => r.cmsgs.find((c) => c.cmsg_level === C.IPPROTO_IP && c.cmsg_type === t)?.value;
      expect(by(C.IP_TTL)).toBe(42);
      expect(by(C.IP_TOS)).toBe(0x10);
    } finally {
      closeAll(x, y);
    }
  });
  it.skipIf(!hasIPv6)('IPV6_RECVHOPLIMIT and IPV6_RECVTCLASS give numbers', () => {
    const [x] = udpSocket(C.AF_INET6);
    const [y, ya] = udpSocket(C.AF_INET6);
    try {
      bs.setsockopt(y, C.IPPROTO_IPV6, C.IPV6_RECVHOPLIMIT, 1);
      bs.setsockopt(y, C.IPPROTO_IPV6, C.IPV6_RECVTCLASS, 1);
      m.sendmsg(x, { msg_iov: 't', msg_name: ya, msg_control: [m.ipv6Hoplimit(7), m.ipv6Tclass(0x20)] });
      const r = m.recvmsg(y, { msg_iov: Buffer.alloc(4), msg_controllen: 128 });
      const by = (t: number) => r.cmsgs.find((c) => c.cmsg_level === C.IPPROTO_IPV6 && c.cmsg_type === t)?.value;
      expect(by(C.IPV6_HOPLIMIT)).toBe(7);
      expect(by(C.IPV6_TCLASS)).toBe(0x20);
    } finally {
      closeAll(x, y);
    }
  });
  for (const p of [...udpPairs, unixPairs[1]!]) {
    it(`SO_TIMESTAMP and SO_TIMESTAMPNS fall in the test's window over ${p.name}`, () => {
      withPair(p, (a, b) => {
        bs.setsockopt(b, C.SOL_SOCKET, C.SO_TIMESTAMP, 1);
        const t0 = Date.now();
        m.sendmsg(a, { msg_iov: 'a' });
        const r1 = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: 64 });
        const tv = r1.cmsgs.find((c) => c.cmsg_type === C.SO_TIMESTAMP)!.value as S.timeval;
        expect(tv).toBeInstanceOf(S.timeval);
        bs.setsockopt(b, C.SOL_SOCKET, C.SO_TIMESTAMPNS, 1);
        m.sendmsg(a, { msg_iov: 'b' });
        const r2 = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: 64 });
        const ts = r2.cmsgs.find((c) => c.cmsg_type === C.SO_TIMESTAMPNS)!.value as m.timespec;
        const t1 = Date.now();
        const ms1 = tv.tv_sec * 1000 + tv.tv_usec / 1000;
        const ms2 = ts.tv_sec * 1000 + ts.tv_nsec / 1e6;
        for (const ms of [ms1, ms2]) {
          expect(ms).toBeGreaterThanOrEqual(t0 - 1);
          expect(ms).toBeLessThanOrEqual(t1 + 1);
        }
      });
    });
  }
  // AF_UNIX has SO_TIMESTAMP(NS) but no SO_TIMESTAMPING receive stamps: UDP only.
  for (const p of udpPairs) {
    it(`SO_TIMESTAMPING (software receive stamps) gives scm_timestamping's three timespecs over ${p.name}`, () => {
      withPair(p, (a, b) => {
        bs.setsockopt(b, C.SOL_SOCKET, C.SO_TIMESTAMPING, C.SOF_TIMESTAMPING_RX_SOFTWARE | C.SOF_TIMESTAMPING_SOFTWARE);
        // The kernel turns receive timestamps on from a workqueue (the netstamp static key),
        // so on a busy machine the first datagrams can arrive unstamped: try a few (bounded).
        let t0 = 0;
        let t1 = 0;
        let c: m.Cmsg | undefined;
        for (let i = 0; i < 50 && c === undefined; i++) {
          if (i > 0) sleepMs(10);
          t0 = Date.now();
          m.sendmsg(a, { msg_iov: 'c' });
          const r = m.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: 128 });
          t1 = Date.now();
          c = r.cmsgs.find((x) => x.cmsg_level === C.SOL_SOCKET && x.cmsg_type === C.SCM_TIMESTAMPING);
        }
        if (c === undefined) throw new Error('no SCM_TIMESTAMPING after 50 datagrams');
        const [sw, , hw] = c.value as m.timespec[];
        const ms = sw!.tv_sec * 1000 + sw!.tv_nsec / 1e6;
        expect(ms).toBeGreaterThanOrEqual(t0 - 1);
        expect(ms).toBeLessThanOrEqual(t1 + 1);
        expect(hw!.tv_sec).toBe(0); // no hardware stamp was asked for
      });
    });
  }
  for (const family of [C.AF_INET, ...(hasIPv6 ? [C.AF_INET6] : [])]) {
    it(`IP_RECVERR: a send to a closed port yields ECONNREFUSED from ICMP with the offender (family ${family})`, () => {
      const [x] = udpSocket(family);
      const [y, ya] = udpSocket(family);
      bs.close(y); // nobody listens there any more
      try {
        if (family === C.AF_INET) bs.setsockopt(x, C.IPPROTO_IP, C.IP_RECVERR, 1);
        else bs.setsockopt(x, C.IPPROTO_IPV6, C.IPV6_RECVERR, 1);
        m.sendmsg(x, { msg_iov: 'knock', msg_name: ya });
        let r: m.RecvmsgResult | undefined;
        for (let i = 0; i < 100 && r === undefined; i++) {
          try {
            r = m.recvmsg(x, { msg_iov: Buffer.alloc(16), msg_controllen: 256 }, C.MSG_ERRQUEUE | C.MSG_DONTWAIT);
          } catch (e) {
            if ((e as SocketError).code !== 'EAGAIN') throw e;
            native.poll(x, C.POLLIN, 50); // POLLERR once the ICMP error is queued
          }
        }
        expect(r).toBeDefined();
        expect(r!.msg_flags & C.MSG_ERRQUEUE).toBe(C.MSG_ERRQUEUE);
        const level = family === C.AF_INET ? C.IPPROTO_IP : C.IPPROTO_IPV6;
        const type = family === C.AF_INET ? C.IP_RECVERR : C.IPV6_RECVERR;
        const ee = r!.cmsgs.find((c) => c.cmsg_level === level && c.cmsg_type === type)!.value as m.sock_extended_err;
        expect(ee.ee_errno).toBe(C.ECONNREFUSED);
        expect(ee.ee_origin).toBe(family === C.AF_INET ? C.SO_EE_ORIGIN_ICMP : C.SO_EE_ORIGIN_ICMP6);
        expect(ee.offender?.family).toBe(family);
        expect((ee.offender as S.sockaddr_in).address).toBe(family === C.AF_INET ? '127.0.0.1' : '::1');
      } finally {
        closeAll(x);
      }
    });
  }
  it('UDP_SEGMENT sends one buffer as several datagrams', (ctx) => {
    const [x] = udpSocket(C.AF_INET);
    const [y, ya] = udpSocket(C.AF_INET);
    try {
      const payload = Buffer.alloc(250, 'g');
      try {
        m.sendmsg(x, { msg_iov: payload, msg_name: ya, msg_control: [m.udpSegment(100)] });
      } catch (e) {
        if (e instanceof SocketError && ['EINVAL', 'ENOPROTOOPT', 'EOPNOTSUPP', 'EIO'].includes(e.code)) {
          ctx.skip(`UDP_SEGMENT unsupported here: ${e.code}`);
        }
        throw e;
      }
      const sizes: number[] = [];
      const buf = Buffer.alloc(300);
      for (let i = 0; i < 3; i++) sizes.push(m.recvmsg(y, { msg_iov: buf }).bytes);
      expect(sizes).toEqual([100, 100, 50]);
    } finally {
      closeAll(x, y);
    }
  });
  it('unknown control message types come back raw (IP_ORIGDSTADDR)', () => {
    const [x] = udpSocket(C.AF_INET);
    const [y, ya] = udpSocket(C.AF_INET);
    try {
      bs.setsockopt(y, C.IPPROTO_IP, C.IP_RECVORIGDSTADDR, 1);
      m.sendmsg(x, { msg_iov: 'u', msg_name: ya });
      const r = m.recvmsg(y, { msg_iov: Buffer.alloc(4), msg_controllen: 256 });
      expect(r.cmsgs).toHaveLength(1);
      const c = r.cmsgs[0]!;
      expect([c.cmsg_level, c.cmsg_type, c.value]).toEqual([C.IPPROTO_IP, C.IP_ORIGDSTADDR, undefined]);
      expect(String(S.sockaddrFrom(c.data, c.data.length))).toBe(String(ya));
    } finally {
      closeAll(x, y);
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('bad arguments fail before any syscall', () => {
  it('TypeError / RangeError, with nothing sent', () => {
    withPair(unixPairs[1]!, (a, b) => {
      const bad: [() => unknown, ErrorConstructor | RangeErrorConstructor][] = [
        [() => m.sendmsg(a, null as never), TypeError],
        [() => m.sendmsg(a, { msg_iov: 42 } as never), TypeError],
        [() => m.sendmsg(a, { msg_iov: [Buffer.alloc(1), 5] } as never), TypeError],
        [() => m.recvmsg(b, { msg_iov: ['no strings to receive into'] }), TypeError],
        [() => m.sendmsg(a, { msg_iov: Array.from({ length: C.IOV_MAX + 1 }, () => Buffer.alloc(1)) }), RangeError],
        [() => m.sendmsg(a, { msg_iov: 'x', msg_control: [{ cmsg_level: 'x' }] } as never), TypeError],
        [() => m.sendmsg(a, { msg_iov: 'x', msg_control: [{ cmsg_level: 1, cmsg_type: 1, data: 'fd' }] } as never), TypeError],
        [() => m.sendmsg(a, { msg_iov: 'x', msg_control: [null] } as never), TypeError],
        [() => m.sendmsg(a, { msg_iov: 'x', msg_control: 'raw' } as never), TypeError],
        [() => m.sendmsg(a, { msg_iov: 'x', msg_control: Buffer.alloc(4), msg_controllen: 5 }), RangeError],
        [() => m.sendmsg(a, { msg_iov: ['x', 'y'], msg_iovlen: 3 }), RangeError],
        [() => m.scmRights([-1]), RangeError],
        [() => m.scmRights('3' as never), TypeError],
        [() => m.udpSegment(0), RangeError],
        [() => m.sendmsg(-1, { msg_iov: 'x' }), RangeError],
        [() => new m.MsgBatch(0, 10), RangeError],
        [() => m.recvmmsg(b, {} as never), TypeError],
      ];
      for (const [fn, E] of bad) expect(fn).toThrow(E);
      expect(() => m.recvmsg(b, { msg_iov: Buffer.alloc(1) }, C.MSG_DONTWAIT)).toThrow(/EAGAIN/);
    });
  });
  it('the native layer guards its contract too', () => {
    const iovs = Array.from({ length: C.IOV_MAX + 1 }, () => Buffer.alloc(1));
    expect(() => native.sendmsg(0, iovs, null, 0, null, 0, 0)).toThrow(RangeError);
    expect(() => native.recvmsg(0, [1 as never], null, null, 0, new Int32Array(3))).toThrow(TypeError);
    expect(() => native.recvmmsg(0, new Uint8Array(0), new Int32Array(1), null, new Int32Array(1), new Int32Array(1), 2000, 0, 0, 0)).toThrow(RangeError);
    // vlen * slot size past the data buffer
    expect(() => native.recvmmsg(0, new Uint8Array(64), new Int32Array(2), null, new Int32Array(2), new Int32Array(2), 2, 0, 64, 0)).toThrow(RangeError);
  });
});

describe('Promise forms', () => {
  for (const p of [unixPairs[0]!, udpPairs[0]!]) {
    it(`recvmsg waits, then receives, over ${p.name}`, async () => {
      const [a, b] = p.make();
      try {
        const pending = P.recvmsg(b, { msg_iov: Buffer.alloc(16), msg_controllen: 64 });
        setTimeout(() => m.sendmsg(a, { msg_iov: ['as', 'ync'] }), 20);
        const r = await pending;
        expect(r.bytes).toBe(5);
        expect(await P.sendmsg(a, { msg_iov: 'x' })).toBe(1);
      } finally {
        closeAll(a, b);
      }
    });
  }
  it('recvmsg passes fds asynchronously', async () => {
    const [a, b] = bs.socketpair(C.AF_UNIX, C.SOCK_SEQPACKET);
    const [x, y] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
    try {
      const pending = P.recvmsg(b, { msg_iov: Buffer.alloc(4), msg_controllen: m.CMSG_SPACE(4) });
      setTimeout(() => void P.sendmsg(a, { msg_iov: 'f', msg_control: [m.scmRights([x])] }), 10);
      const r = await pending;
      const [fd] = r.cmsgs[0]!.value as number[];
      expect(bs.getCloseOnExec(fd!)).toBe(true);
      bs.close(fd!);
    } finally {
      closeAll(a, b, x, y);
    }
  });
  it('abort and timeout reject, and the fd stays usable', async () => {
    const [a, b] = bs.socketpair(C.AF_UNIX, C.SOCK_DGRAM);
    try {
      const ac = new AbortController();
      const p1 = P.recvmsg(b, { msg_iov: Buffer.alloc(4) }, 0, { signal: ac.signal });
      ac.abort();
      await expect(p1).rejects.toMatchObject({ name: 'AbortError' });
      await expect(P.recvmsg(b, { msg_iov: Buffer.alloc(4) }, 0, { timeout: 20 })).rejects.toMatchObject({ code: 'ETIMEDOUT', syscall: 'recvmsg' });
      await expect(P.recvmmsg(b, new m.MsgBatch(2, 8), 0, { timeout: 20 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      await expect(P.recvmsg(b, { msg_iov: Buffer.alloc(4) }, 0, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
      m.sendmsg(a, { msg_iov: 'ok' });
      expect((await P.recvmsg(b, { msg_iov: Buffer.alloc(4) })).bytes).toBe(2);
      const batch = new m.MsgBatch(4, 16);
      m.sendmsg(a, { msg_iov: 'now' });
      expect(m.recvmmsg(b, batch, C.MSG_WAITFORONE)).toBe(1);
      expect(batch.data(0).toString()).toBe('now');
    } finally {
      closeAll(a, b);
    }
  });
});

describe('sendmmsg / recvmmsg', () => {
  for (const family of [C.AF_INET, ...(hasIPv6 ? [C.AF_INET6] : [])]) {
    it(`a batch of 100 datagrams with addresses round trips (family ${family})`, async () => {
      const [x, xa] = udpSocket(family);
      const [y, ya] = udpSocket(family);
      try {
        const out = new m.MsgBatch(100, 32, { withAddresses: true });
        for (let i = 0; i < 100; i++) {
          const n = out.buffer(i).write(`datagram ${i}`);
          out.setLength(i, n);
          out.setAddress(i, ya);
        }
        expect(m.sendmmsg(x, out, 100)).toBe(100);
        const inb = new m.MsgBatch(64, 32, { withAddresses: true });
        const got: string[] = [];
        for (let k = 0; k < 10 && got.length < 100; k++) {
          const n = k % 2 === 0 ? m.recvmmsg(y, inb, C.MSG_WAITFORONE) : await P.recvmmsg(y, inb);
          for (let i = 0; i < n; i++) {
            got.push(inb.data(i).toString());
            expect(String(inb.address(i))).toBe(String(xa));
            expect(inb.flags(i)).toBe(0);
          }
        }
        expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `datagram ${i}`));
        // Truncation is reported per message.
        const small = new m.MsgBatch(1, 4);
        expect(await P.sendmmsg(x, out, 1)).toBe(1);
        expect(m.recvmmsg(y, small)).toBe(1);
        expect(small.length(0)).toBe(4);
        expect(small.data(0).toString()).toBe('data');
        expect(small.flags(0) & C.MSG_TRUNC).toBe(C.MSG_TRUNC);
      } finally {
        closeAll(x, y);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------

describe('interop with Python socket.sendmsg/recvmsg', () => {
  const hasPython = spawnSync('python3', ['-c', 'import socket'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasPython)('passes fds both ways with SCM_RIGHTS', () => {
    const [ours, theirs] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
    const [x, y] = bs.socketpair(C.AF_UNIX, C.SOCK_STREAM);
    const before = fdCount();
    try {
      m.sendmsg(ours, { msg_iov: 'take this', msg_control: [m.scmRights([x])] });
      const py = [
        'import socket, os, array',
        's = socket.socket(fileno=3)',
        'msg, anc, flags, addr = s.recvmsg(64, socket.CMSG_SPACE(4 * 4))',
        'fds = array.array("i")',
        'for level, typ, data in anc:',
        '    assert level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS',
        '    fds.frombytes(data[:len(data) - len(data) % fds.itemsize])',
        'assert msg == b"take this", msg',
        'os.write(fds[0], b"python wrote this")',
        'r, w = os.pipe()',
        'os.write(w, b"from a python pipe")',
        's.sendmsg([b"py", b"thon"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [r, w]))])',
        'print(len(fds))',
      ].join('\n');
      const res = spawnSync('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'pipe', theirs], timeout: 10_000 });
      expect(res.stderr.toString()).toBe('');
      expect(res.stdout.toString().trim()).toBe('1');
      const buf = Buffer.alloc(64);
      expect(buf.subarray(0, bs.recv(y, buf)).toString()).toBe('python wrote this');
      const r = m.recvmsg(ours, { msg_iov: [Buffer.alloc(3), Buffer.alloc(10)], msg_controllen: m.CMSG_SPACE(8) });
      expect(r.bytes).toBe(6);
      const [rfd, wfd] = r.cmsgs[0]!.value as number[];
      expect(bs.getCloseOnExec(rfd!)).toBe(true);
      expect(buf.subarray(0, bs.read(rfd!, buf)).toString()).toBe('from a python pipe');
      closeAll(rfd!, wfd!);
      expect(fdCount()).toBe(before);
    } finally {
      closeAll(ours, theirs, x, y);
    }
  });
});

// ---------------------------------------------------------------------------------------
// examples

function runExample(name: string, args: string[], timeoutMs = 15_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, example(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** Starts an example that prints "listening on PORT" on stderr; resolves with the port. */
function startServer(name: string, args: string[]): { port: Promise<number>; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, example(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onPort!: (p: number) => void;
  let onFail!: (e: Error) => void;
  const port = new Promise<number>((res, rej) => { onPort = res; onFail = rej; });
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
    const mm = /listening on (\d+)/.exec(err);
    if (mm) onPort(Number(mm[1]));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      onFail(new Error(`exited ${code} before listening: ${err}`));
      resolve({ code, out, err });
    });
  });
  return { port, done };
}

describe('examples', () => {
  it('pass-fd.ts hands a listening socket to a child process that accepts on it', async () => {
    const r = await runExample('pass-fd.ts', []);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/child \d+ received listening fd \d+/);
    expect(r.out).toMatch(/parent got: hello from child \d+ on the passed socket/);
  });

  it('pktinfo-server.ts answers from the address each datagram was sent to', async () => {
    const s = startServer('pktinfo-server.ts', ['0', '2']);
    const port = await s.port;
    const c = bs.socket(C.AF_INET, C.SOCK_DGRAM);
    try {
      bs.bind(c, new S.sockaddr_in('127.0.0.1', 0));
      for (const dst of ['127.0.0.1', '127.0.0.2']) {
        m.sendmsg(c, { msg_iov: `to ${dst}`, msg_name: new S.sockaddr_in(dst, port) });
        const msg: m.Msghdr = { msg_iov: Buffer.alloc(64) };
        const r = await P.recvmsg(c, msg, 0, { timeout: 10_000 });
        expect((msg.msg_name as S.sockaddr_in).address).toBe(dst);
        expect((msg.msg_iov as Buffer).subarray(0, r.bytes).toString()).toBe(`to ${dst}`);
      }
    } finally {
      closeAll(c);
    }
    const d = await s.done;
    expect(d.code).toBe(0);
  });

  it('mmsg-receiver.ts receives a burst with recvmmsg and reports datagrams/s', async () => {
    const s = startServer('mmsg-receiver.ts', ['0', '500']);
    const port = await s.port;
    const c = bs.socket(C.AF_INET, C.SOCK_DGRAM);
    try {
      bs.connect(c, new S.sockaddr_in('127.0.0.1', port));
      const batch = new m.MsgBatch(50, 16);
      for (let i = 0; i < 50; i++) batch.setLength(i, batch.buffer(i).write(`d${i}`));
      // Paced in bursts of 50 so the receiver's socket buffer never overflows.
      for (let k = 0; k < 10; k++) {
        expect(m.sendmmsg(c, batch, 50)).toBe(50);
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      closeAll(c);
    }
    const d = await s.done;
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/received 500 datagrams in \d+ recvmmsg calls/);
    expect(d.out).toMatch(/datagrams\/s/);
  });
});
