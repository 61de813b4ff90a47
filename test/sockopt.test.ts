// Socket options by name (lib/sockopt.ts): a set-then-get round trip for every readable and
// writable option of the table on each kind of socket its manual page covers, the struct
// options (tcp_info, ip_mreqn, ip_mreq_source, group_req, group_source_req, sock_filter),
// in/out getsockopt, SO_RCVTIMEO honoured by blocking calls, and argument checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as c from '../lib/constants.generated.js';
import * as sk from '../lib/sockets.js';
import { htons, if_nametoindex } from '../lib/netdb.js';
import { SocketError } from '../lib/errors.js';
import { Socket } from '../lib/socket.js';
import { ip_mreq, ipv6_mreq, linger, sockaddr_in, sockaddr_in6, timeval, ucred } from '../lib/structs.js';
import { icmp_filter } from '../lib/headers.js';
import {
  BPF_STMT, TCP_INFO_FIELDS, getOption, group_req, group_source_req, ip_mreq_source, ip_mreqn, ip_msfilter, setOption,
  sock_filter, sock_fprog, sockoptCounts, sockoptInfo, sockoptTable, tcp_info, type OptionEntry,
} from '../lib/sockopt.js';

const isRoot = process.getuid?.() === 0;
const LO = if_nametoindex('lo');

type Kind = 'tcp4' | 'udp4' | 'tcp6' | 'udp6' | 'unix' | 'raw4' | 'raw6' | 'packet';
const open: Record<Kind, () => number> = {
  tcp4: () => sk.socket(c.AF_INET, c.SOCK_STREAM),
  udp4: () => sk.socket(c.AF_INET, c.SOCK_DGRAM),
  tcp6: () => sk.socket(c.AF_INET6, c.SOCK_STREAM),
  udp6: () => sk.socket(c.AF_INET6, c.SOCK_DGRAM),
  unix: () => sk.socket(c.AF_UNIX, c.SOCK_STREAM),
  raw4: () => sk.socket(c.AF_INET, c.SOCK_RAW, c.IPPROTO_ICMP),
  raw6: () => sk.socket(c.AF_INET6, c.SOCK_RAW, c.IPPROTO_ICMPV6),
  packet: () => sk.socket(c.AF_PACKET, c.SOCK_RAW, htons(c.ETH_P_ALL)),
};
const privileged: Kind[] = ['raw4', 'raw6', 'packet'];

function withFd<T>(kind: Kind, fn: (fd: number) => T): T {
  const fd = open[kind]();
  try {
    return fn(fd);
  } finally {
    sk.close(fd);
  }
}

/** The kinds of socket an option is tried on: the families of its manual pages. */
function kindsOf(e: OptionEntry): Kind[] {
  const out = new Set<Kind>();
  for (const p of e.pages) {
    if (p === 'socket') ['tcp4', 'udp4', 'udp6', 'unix'].forEach((k) => out.add(k as Kind));
    if (p === 'unix') out.add('unix');
    if (p === 'ip' && !e.pages.includes('raw')) ['udp4', 'tcp4'].forEach((k) => out.add(k as Kind));
    if (p === 'ipv6' && !e.pages.includes('raw')) ['udp6', 'tcp6'].forEach((k) => out.add(k as Kind));
    if (p === 'tcp') ['tcp4', 'tcp6'].forEach((k) => out.add(k as Kind));
    if (p === 'udp') ['udp4', 'udp6'].forEach((k) => out.add(k as Kind));
    if (p === 'raw') out.add(e.name.startsWith('IPV6_') || e.name.startsWith('ICMP6_') ? 'raw6' : 'raw4');
    if (p === 'packet') out.add('packet');
  }
  return [...out];
}

/** Value written and value expected back, per option (default by type: see roundTrip). */
const VALUES: Record<string, [set: unknown, get: unknown]> = {
  // The kernel doubles the buffer sizes for bookkeeping (socket(7)).
  SO_RCVBUF: [65536, 131072],
  SO_SNDBUF: [65536, 131072],
  SO_BINDTOIFINDEX: [LO, LO],
  SO_INCOMING_CPU: [0, 0],
  SO_PEEK_OFF: [4, 4],
  SO_PRIORITY: [6, 6],
  SO_MARK: [42, 42],
  SO_MAX_PACING_RATE: [1_000_000, 1_000_000],
  SO_RCVLOWAT: [16, 16],
  SO_TXREHASH: [0, 0],
  SO_BUF_LOCK: [3, 3], // SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK
  SO_TIMESTAMPING: [0x18, 0x18], // SOF_TIMESTAMPING_SOFTWARE | RX_SOFTWARE
  IP_TOS: [0x10, 0x10],
  IP_TTL: [32, 32],
  IP_MINTTL: [2, 2],
  IP_MULTICAST_TTL: [8, 8],
  IP_MTU_DISCOVER: [c.IP_PMTUDISC_DONT, c.IP_PMTUDISC_DONT],
  IP_UNICAST_IF: [0, 0], // an ifindex in network byte order; 0 unsets
  IPV6_MTU_DISCOVER: [c.IPV6_PMTUDISC_DONT, c.IPV6_PMTUDISC_DONT],
  IPV6_UNICAST_HOPS: [32, 32],
  IPV6_MULTICAST_HOPS: [8, 8],
  IPV6_MULTICAST_IF: [LO, LO],
  IPV6_TCLASS: [0x10, 0x10],
  IPV6_MINHOPCOUNT: [2, 2],
  IPV6_UNICAST_IF: [0, 0],
  IPV6_MTU: [1400, 1400],
  // IPV6_PREFER_SRC_TMP is stored alongside the default IPV6_PREFER_SRC_PUBTMP_DEFAULT bit.
  // Setting the TMP/PUBLIC choice keeps the other default (IPV6_PREFER_SRC_HOME).
  IPV6_ADDR_PREFERENCES: [c.IPV6_PREFER_SRC_TMP, c.IPV6_PREFER_SRC_TMP | c.IPV6_PREFER_SRC_HOME],
  // Sticky extension headers (RFC 3542): a hop-by-hop / destination header holding PadN.
  IPV6_HOPOPTS: [Buffer.from([0, 0, 1, 4, 0, 0, 0, 0]), Buffer.from([0, 0, 1, 4, 0, 0, 0, 0])],
  IPV6_DSTOPTS: [Buffer.from([0, 0, 1, 4, 0, 0, 0, 0]), Buffer.from([0, 0, 1, 4, 0, 0, 0, 0])],
  IPV6_RTHDRDSTOPTS: [Buffer.from([0, 0, 1, 4, 0, 0, 0, 0]), Buffer.from([0, 0, 1, 4, 0, 0, 0, 0])],
  // A type 2 routing header with one address (::1).
  IPV6_RTHDR: [Buffer.from([0, 2, 2, 1, 0, 0, 0, 0, ...Array(15).fill(0), 1]), Buffer.from([0, 2, 2, 1, 0, 0, 0, 0, ...Array(15).fill(0), 1])],
  TCP_FASTOPEN_KEY: [Buffer.alloc(16, 0xab), Buffer.alloc(16, 0xab)],
  TCP_ULP: ['tls', 'tls'],
  IPV6_CHECKSUM: [4, 4],
  TCP_DEFER_ACCEPT: [0, 0],
  TCP_KEEPCNT: [3, 3],
  TCP_KEEPIDLE: [60, 60],
  TCP_KEEPINTVL: [10, 10],
  TCP_LINGER2: [30, 30],
  TCP_MAXSEG: [1000, 1000],
  TCP_SYNCNT: [3, 3],
  TCP_USER_TIMEOUT: [5000, 5000],
  TCP_WINDOW_CLAMP: [65536, 65536],
  TCP_FASTOPEN: [5, 5],
  TCP_NOTSENT_LOWAT: [16384, 16384],
  TCP_TX_DELAY: [10, 10],
  TCP_REPAIR: [0, 0],
  TCP_SAVE_SYN: [1, 1],
  // TCP_THIN_DUPACK is accepted and ignored since Linux 4.20: it reads back 0.
  TCP_THIN_DUPACK: [true, false],
  UDP_SEGMENT: [1000, 1000],
  PACKET_RESERVE: [64, 64],
  PACKET_TIMESTAMP: [0, 0],
  PACKET_VERSION: [1, 1], // TPACKET_V2
  PACKET_FANOUT: [0, 0],
  SO_LINGER: [{ l_onoff: 1, l_linger: 5 }, { l_onoff: 1, l_linger: 5 }],
  SO_RCVTIMEO: [{ tv_sec: 1, tv_usec: 500_000 }, { tv_sec: 1, tv_usec: 500_000 }],
  // Kept in jiffies: 0.5 s is a whole number of ticks at every HZ (other values may round up).
  SO_SNDTIMEO: [{ tv_sec: 2, tv_usec: 500_000 }, { tv_sec: 2, tv_usec: 500_000 }],
  SO_BINDTODEVICE: ['lo', 'lo'],
  TCP_CONGESTION: ['reno', 'reno'],
  IP_MULTICAST_IF: [new ip_mreqn({ multiaddr: '0.0.0.0', address: '127.0.0.1' }), '127.0.0.1'],
  IP_OPTIONS: [Buffer.from([1, 1, 1, 0]), Buffer.from([1, 1, 1, 0])], // NOP NOP NOP EOL
  SO_ATTACH_FILTER: [[BPF_STMT(c.BPF_RET | c.BPF_K, 0xffff)], [{ code: c.BPF_RET | c.BPF_K, jt: 0, jf: 0, k: 0xffff }]],
  ICMP_FILTER: [(() => { const f = new icmp_filter(); f.data = 1 << 8; return f; })(), 1 << 8],
  ICMP6_FILTER: [Buffer.alloc(32, 0xff), Buffer.alloc(32, 0xff)],
};

/**
 * Options that only work under conditions a fresh socket does not meet: the errno the
 * kernel gives, on set ('set') or on the first get ('get'), and why. Key: NAME or NAME@kind.
 */
const SPECIAL: Record<string, { op: 'get' | 'set'; errno: string | string[]; why: string }> = {
  'SO_BUSY_POLL_BUDGET': { op: 'get', errno: 'ENOPROTOOPT', why: 'write-only in practice: sk_getsockopt has no case for it' },
  'SO_PASSCRED@tcp4': { op: 'get', errno: 'EOPNOTSUPP', why: 'Unix and netlink sockets only (since 6.x)' },
  'SO_PASSCRED@udp4': { op: 'get', errno: 'EOPNOTSUPP', why: 'Unix and netlink sockets only' },
  'SO_PASSCRED@udp6': { op: 'get', errno: 'EOPNOTSUPP', why: 'Unix and netlink sockets only' },
  'SO_PASSSEC@tcp4': { op: 'get', errno: 'EOPNOTSUPP', why: 'Unix and netlink sockets only' },
  'SO_PASSSEC@udp4': { op: 'get', errno: 'EOPNOTSUPP', why: 'Unix and netlink sockets only' },
  'SO_PASSSEC@udp6': { op: 'get', errno: 'EOPNOTSUPP', why: 'Unix and netlink sockets only' },
  'SO_RESERVE_MEM': { op: 'set', errno: 'EOPNOTSUPP', why: 'needs memory-cgroup socket accounting (sk_memcg)' },
  'SO_REUSEPORT@unix': { op: 'set', errno: 'EOPNOTSUPP', why: 'inet sockets only' },
  'SO_ZEROCOPY@unix': { op: 'set', errno: 'EOPNOTSUPP', why: 'TCP, UDP, RDS and packet sockets only' },
  'SO_TXREHASH@udp4': { op: 'get', errno: 'EOPNOTSUPP', why: 'TCP (connection-oriented inet) sockets only' },
  'SO_TXREHASH@udp6': { op: 'get', errno: 'EOPNOTSUPP', why: 'TCP sockets only' },
  'SO_TXREHASH@unix': { op: 'get', errno: 'EOPNOTSUPP', why: 'TCP sockets only' },
  'SO_TXTIME': { op: 'set', errno: 'EINVAL', why: 'a zeroed sock_txtime names CLOCK_REALTIME, which needs CAP_NET_ADMIN and a valid clock for SO_TXTIME; tested as bytes only' },
  'IP_MULTICAST_TTL@tcp4': { op: 'set', errno: 'EINVAL', why: 'multicast options are for datagram sockets' },
  'IP_MULTICAST_IF@tcp4': { op: 'set', errno: 'EINVAL', why: 'multicast options are for datagram sockets' },
  'IP_RECVFRAGSIZE@tcp4': { op: 'set', errno: 'EINVAL', why: 'datagram sockets only' },
  'IP_MSFILTER': { op: 'get', errno: 'EINVAL', why: 'in/out: needs an ip_msfilter naming a joined group (tested below)' },
  'MCAST_MSFILTER': { op: 'get', errno: 'EINVAL', why: 'in/out: needs a group_filter naming a joined group' },
  'IPV6_MULTICAST_HOPS@tcp6': { op: 'set', errno: 'ENOPROTOOPT', why: 'multicast options are for datagram sockets' },
  'IPV6_MULTICAST_IF@tcp6': { op: 'set', errno: 'ENOPROTOOPT', why: 'multicast options are for datagram sockets' },
  'IPV6_MTU': { op: 'get', errno: 'ENOTCONN', why: 'reading gives the path MTU of a connected socket' },
  'IPV6_PKTINFO': { op: 'get', errno: 'ENOPROTOOPT', why: 'sticky pktinfo is set-only (read back through IPV6_RECVPKTINFO cmsgs)' },
  'IPV6_ROUTER_ALERT@udp6': { op: 'set', errno: 'ENOPROTOOPT', why: 'raw sockets only' },
  'IPV6_ROUTER_ALERT@tcp6': { op: 'set', errno: 'ENOPROTOOPT', why: 'raw sockets only' },
  'IPV6_CHECKSUM@raw6': { op: 'set', errno: 'EINVAL', why: 'ICMPv6 raw sockets always checksum at offset 2' },
  'TCP_TIMESTAMP': { op: 'set', errno: 'EPERM', why: 'settable only in TCP_REPAIR mode' },
  'TCP_REPAIR_QUEUE': { op: 'get', errno: 'EINVAL', why: 'needs TCP_REPAIR mode' },
  'TCP_QUEUE_SEQ': { op: 'get', errno: 'EINVAL', why: 'needs TCP_REPAIR mode' },
  'TCP_REPAIR_WINDOW': { op: 'get', errno: 'EPERM', why: 'needs TCP_REPAIR mode' },
  'TCP_ULP': { op: 'set', errno: ['ENOENT', 'ENOTCONN'], why: "'tls' is ENOENT without the tls module, else ENOTCONN: a ULP attaches to an established connection only" },
  'IPV6_RTHDR': { op: 'set', errno: 'EINVAL', why: 'type 0 routing headers are refused (RFC 5095); type 2 needs CONFIG_IPV6_MIP6' },
  'UDP_ENCAP': { op: 'set', errno: 'ENOPROTOOPT', why: 'encapsulation types need their kernel module (ESP, L2TP, GTP)' },
};

/** Expected errors in the kernel's words: ENOPROTOOPT etc. from the SocketError's code. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof SocketError) return e.code;
    throw e;
  }
}

function normalize(x: unknown): unknown {
  if (x instanceof linger) return { l_onoff: x.l_onoff, l_linger: x.l_linger };
  if (x instanceof timeval) return { tv_sec: x.tv_sec, tv_usec: x.tv_usec };
  if (x instanceof icmp_filter) return x.data;
  if (Array.isArray(x)) return x.map((i) => (i instanceof sock_filter ? i.toJSON() : i));
  if (x && typeof x === 'object' && 'address' in x) return (x as { address: string }).address;
  return x;
}

function roundTrip(fd: number, e: OptionEntry, kind: Kind): void {
  const key = `${e.name}@${kind}`;
  const special = SPECIAL[key] ?? SPECIAL[e.name];
  if (special?.op === 'get') {
    expect([special.errno].flat(), `${key}: ${special.why}`).toContain(codeOf(() => getOption(fd, e.name)));
    return;
  }
  const before = getOption(fd, e.name);
  let set: unknown;
  let want: unknown;
  if (VALUES[e.name]) [set, want] = VALUES[e.name]!;
  else if (e.type === 'bool') [set, want] = [!before, !before];
  else if (e.type === 'int' || e.type === 'u32') [set, want] = [1, 1];
  else if (e.type === 'bytes') [set, want] = [Buffer.alloc(e.size ?? 8), Buffer.alloc(e.size ?? 8)];
  else throw new Error(`no test value for ${e.name} (${e.type})`);
  if (special?.op === 'set') {
    expect([special.errno].flat(), `${key}: ${special.why}`).toContain(codeOf(() => setOption(fd, e.name, set as never)));
    return;
  }
  expect(setOption(fd, e.name, set as never)).toBe(0);
  expect(normalize(getOption(fd, e.name)), key).toEqual(normalize(want));
}

describe('the option table', () => {
  it('holds only the names this host defines, with their constants and levels', () => {
    const consts = c as unknown as Record<string, number | undefined>;
    expect(sockoptTable.size).toBeGreaterThan(150);
    for (const [name, e] of sockoptTable) {
      expect(e.name).toBe(name);
      expect(consts[name]).toBe(e.optname);
      expect(e.readable || e.writable).toBe(true);
    }
    expect(sockoptInfo('SO_REUSEADDR')).toMatchObject({ level: c.SOL_SOCKET, optname: c.SO_REUSEADDR, type: 'bool', readable: true, writable: true });
    expect(sockoptInfo('TCP_INFO')).toMatchObject({ level: c.IPPROTO_TCP, type: 'tcp_info', readable: true, writable: false });
    expect(sockoptInfo('SO_PEERCRED').pages).toEqual(['socket', 'unix']);
    const counts = sockoptCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(sockoptTable.size);
    console.log('sockopt table per level:', JSON.stringify(counts), 'total', sockoptTable.size);
  });

  it('unknown names and bad values throw TypeError / RangeError before any syscall', () => {
    // fd 2^31-1 is never open: a syscall would give EBADF, so these prove no call was made.
    const fd = 0x7fffffff;
    expect(() => setOption(fd, 'SO_NOPE', true)).toThrow(RangeError);
    expect(() => getOption(fd, 'SO_NOPE')).toThrow(RangeError);
    expect(() => setOption(fd, 42 as unknown as string, true)).toThrow(TypeError);
    expect(() => setOption(fd, 'SO_REUSEADDR', 1 as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'SO_RCVBUF', '4096' as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'SO_RCVBUF', 2 ** 31)).toThrow(RangeError);
    expect(() => setOption(fd, 'SO_RCVBUF', 1.5)).toThrow(RangeError);
    expect(() => setOption(fd, 'SO_MARK', -1)).toThrow(RangeError);
    expect(() => setOption(fd, 'SO_LINGER', { l_onoff: 1, l_linger: 'x' } as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'SO_LINGER', 5 as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'SO_BINDTODEVICE', 'a-name-longer-than-ifnamsiz')).toThrow(RangeError);
    expect(() => setOption(fd, 'SO_BINDTODEVICE', 'lo\0x')).toThrow(TypeError);
    expect(() => setOption(fd, 'TCP_CONGESTION', 7 as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'IP_ADD_MEMBERSHIP', new ip_mreq_source() as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'SO_ATTACH_FILTER', [])).toThrow(RangeError);
    expect(() => setOption(fd, 'SO_ATTACH_FILTER', [{ code: 0x10000, jt: 0, jf: 0, k: 0 }])).toThrow(RangeError);
    expect(() => setOption(fd, 'SO_ATTACH_FILTER', 'ret #0' as never)).toThrow(TypeError);
    expect(() => setOption(fd, 'TCP_INFO', 1)).toThrow(RangeError); // read-only
    expect(() => getOption(fd, 'SO_RCVBUFFORCE')).toThrow(RangeError); // write-only
    expect(() => getOption(fd, 'SO_LINGER', 1)).toThrow(TypeError);
    expect(() => setOption(-1, 'SO_REUSEADDR', true)).toThrow(RangeError);
  });
});

describe('set-then-get round trip of every readable and writable option', () => {
  const rw = [...sockoptTable.values()].filter((e) => e.readable && e.writable);
  const cases = rw.flatMap((e) => kindsOf(e).map((k) => [e.name, k] as [string, Kind]));
  it.each(cases)('%s on %s', (name, kind) => {
    if (privileged.includes(kind) && !isRoot) return; // raw and packet sockets need CAP_NET_RAW
    const e = sockoptInfo(name);
    withFd(kind, (fd) => roundTrip(fd, e, kind));
  });
});

describe('struct options', () => {
  it('TCP_INFO on a connected socket: ESTABLISHED, every field present', () => {
    const l = sk.socket(c.AF_INET, c.SOCK_STREAM);
    sk.bind(l, new sockaddr_in('127.0.0.1', 0));
    sk.listen(l, 1);
    const cl = sk.socket(c.AF_INET, c.SOCK_STREAM);
    sk.connect(cl, sk.getsockname(l));
    const s = sk.accept(l);
    try {
      sk.send(cl, 'ping');
      sk.recv(s, Buffer.alloc(4));
      const ti = getOption(cl, 'TCP_INFO') as tcp_info;
      expect(ti).toBeInstanceOf(tcp_info);
      expect(ti.tcpi_state).toBe(1); // TCP_ESTABLISHED
      expect(ti.tcpi_rtt).toBeGreaterThan(0);
      expect(ti.tcpi_snd_mss).toBeGreaterThan(0);
      expect(ti.tcpi_rcv_mss).toBeGreaterThan(0);
      expect(ti.tcpi_snd_cwnd).toBeGreaterThan(0);
      // Window scaling is on by default over loopback; the 4-bit fields are in range.
      expect(ti.tcpi_snd_wscale).toBeGreaterThanOrEqual(0);
      expect(ti.tcpi_snd_wscale).toBeLessThanOrEqual(14);
      expect(ti.tcpi_rcv_wscale).toBeLessThanOrEqual(14);
      const json = ti.toJSON();
      expect(Object.keys(json)).toHaveLength(TCP_INFO_FIELDS.length + 2);
      expect(TCP_INFO_FIELDS).toContain('tcpi_total_retrans');
      expect(tcp_info.size).toBe(104);
      // The same through the Socket class and through the numeric form.
      const sock = Socket.from(s);
      expect((sock.getOption('TCP_INFO') as tcp_info).tcpi_state).toBe(1);
      const raw = new tcp_info();
      expect(sock.getOption(c.IPPROTO_TCP, c.TCP_INFO, raw)).toBe(tcp_info.size);
      expect(raw.tcpi_state).toBe(1);
      sock.detach();
    } finally {
      for (const fd of [cl, s, l]) sk.close(fd);
    }
  });

  it("TCP_CONGESTION: reads the host's default, sets 'reno' and reads it back", () => {
    const def = readFileSync('/proc/sys/net/ipv4/tcp_congestion_control', 'utf8').trim();
    withFd('tcp4', (fd) => {
      expect(getOption(fd, 'TCP_CONGESTION')).toBe(def);
      setOption(fd, 'TCP_CONGESTION', 'reno');
      expect(getOption(fd, 'TCP_CONGESTION')).toBe('reno');
      expect(codeOf(() => setOption(fd, 'TCP_CONGESTION', 'no-such-cc'))).toBe('ENOENT');
    });
  });

  it("SO_BINDTODEVICE 'lo' reads back 'lo'; '' unbinds", () => {
    withFd('udp4', (fd) => {
      expect(getOption(fd, 'SO_BINDTODEVICE')).toBe('');
      setOption(fd, 'SO_BINDTODEVICE', 'lo');
      expect(getOption(fd, 'SO_BINDTODEVICE')).toBe('lo');
      expect(getOption(fd, 'SO_BINDTOIFINDEX')).toBe(LO);
      setOption(fd, 'SO_BINDTODEVICE', '');
      expect(getOption(fd, 'SO_BINDTODEVICE')).toBe('');
      expect(codeOf(() => setOption(fd, 'SO_BINDTODEVICE', 'nosuchif0'))).toBe('ENODEV');
    });
  });

  it('SO_PEERCRED on a Unix socketpair: this process', () => {
    const [a, b] = sk.socketpair(c.AF_UNIX, c.SOCK_STREAM);
    try {
      const cred = getOption(a, 'SO_PEERCRED') as ucred;
      expect(cred).toBeInstanceOf(ucred);
      expect(cred.pid).toBe(process.pid);
      expect(cred.uid).toBe(process.getuid!());
      expect(cred.gid).toBe(process.getgid!());
      expect(Socket.from(b).getOption('SO_PEERCRED')).toBeInstanceOf(ucred);
    } finally {
      sk.close(a);
      sk.close(b);
    }
  });

  it('IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP with ip_mreqn on lo (and ip_mreq)', () => {
    withFd('udp4', (fd) => {
      const m = new ip_mreqn({ multiaddr: '239.1.2.3', ifindex: LO });
      expect(m.imr_ifindex).toBe(LO);
      expect(setOption(fd, 'IP_ADD_MEMBERSHIP', m)).toBe(0);
      expect(codeOf(() => setOption(fd, 'IP_ADD_MEMBERSHIP', m))).toBe('EADDRINUSE');
      expect(setOption(fd, 'IP_DROP_MEMBERSHIP', m)).toBe(0);
      expect(codeOf(() => setOption(fd, 'IP_DROP_MEMBERSHIP', m))).toBe('EADDRNOTAVAIL');
      const old = new ip_mreq();
      old.imr_multiaddr.address = '239.1.2.4';
      old.imr_interface.address = '127.0.0.1';
      expect(setOption(fd, 'IP_ADD_MEMBERSHIP', old)).toBe(0);
      expect(setOption(fd, 'IP_DROP_MEMBERSHIP', old)).toBe(0);
    });
  });

  it('source-specific membership: ip_mreq_source, then IP_MSFILTER read in/out', () => {
    withFd('udp4', (fd) => {
      const m = new ip_mreq_source({ multiaddr: '232.1.1.1', interface: '127.0.0.1', sourceaddr: '127.0.0.2' });
      expect(setOption(fd, 'IP_ADD_SOURCE_MEMBERSHIP', m)).toBe(0);
      // In/out getsockopt: the kernel reads the group from the buffer and fills the rest.
      const f = new ip_msfilter(4);
      f.imsf_multiaddr.address = '232.1.1.1';
      f.imsf_interface.address = '127.0.0.1';
      f.imsf_numsrc = 4;
      const n = sk.getsockopt(fd, c.IPPROTO_IP, c.IP_MSFILTER, f);
      expect(n).toBeGreaterThanOrEqual(ip_msfilter.sizeFor(1));
      expect(f.imsf_fmode).toBe(c.MCAST_INCLUDE);
      expect(f.imsf_numsrc).toBe(1);
      expect(f.imsf_slist(0).address).toBe('127.0.0.2');
      // The same by name, with the input buffer.
      const again = new ip_msfilter(4);
      again.imsf_multiaddr.address = '232.1.1.1';
      again.imsf_interface.address = '127.0.0.1';
      again.imsf_numsrc = 4;
      getOption(fd, 'IP_MSFILTER', again);
      expect(again.imsf_slist(0).address).toBe('127.0.0.2');
      expect(setOption(fd, 'IP_DROP_SOURCE_MEMBERSHIP', m)).toBe(0);
      // Any-source join, then block / unblock one source.
      const any = new ip_mreqn({ multiaddr: '239.9.9.9', ifindex: LO });
      setOption(fd, 'IP_ADD_MEMBERSHIP', any);
      const blk = new ip_mreq_source({ multiaddr: '239.9.9.9', interface: '127.0.0.1', sourceaddr: '127.0.0.3' });
      expect(setOption(fd, 'IP_BLOCK_SOURCE', blk)).toBe(0);
      expect(setOption(fd, 'IP_UNBLOCK_SOURCE', blk)).toBe(0);
      setOption(fd, 'IP_DROP_MEMBERSHIP', any);
    });
  });

  it('RFC 3678 group_req / group_source_req on IPv4 and IPv6 (MCAST_* pick the level)', () => {
    withFd('udp4', (fd) => {
      const g = new group_req({ interface: LO, group: new sockaddr_in('239.1.1.7', 0) });
      expect(g.gr_interface).toBe(LO);
      expect(g.gr_group.ss_family).toBe(c.AF_INET);
      expect(setOption(fd, 'MCAST_JOIN_GROUP', g)).toBe(0);
      expect(setOption(fd, 'MCAST_LEAVE_GROUP', g)).toBe(0);
      const gs = new group_source_req({ interface: LO, group: new sockaddr_in('232.1.1.7', 0), source: new sockaddr_in('127.0.0.5', 0) });
      expect(setOption(fd, 'MCAST_JOIN_SOURCE_GROUP', gs)).toBe(0);
      expect(codeOf(() => setOption(fd, 'MCAST_JOIN_SOURCE_GROUP', gs))).toBe('EADDRNOTAVAIL');
      expect(setOption(fd, 'MCAST_LEAVE_SOURCE_GROUP', gs)).toBe(0);
    });
    withFd('udp6', (fd) => {
      const g = new group_req({ interface: LO, group: new sockaddr_in6('ff15::1:7', 0) });
      expect(setOption(fd, 'MCAST_JOIN_GROUP', g)).toBe(0);
      const gs = new group_source_req({ interface: LO, group: new sockaddr_in6('ff15::1:7', 0), source: new sockaddr_in6('::1', 0) });
      expect(setOption(fd, 'MCAST_BLOCK_SOURCE', gs)).toBe(0);
      expect(setOption(fd, 'MCAST_UNBLOCK_SOURCE', gs)).toBe(0);
      expect(setOption(fd, 'MCAST_LEAVE_GROUP', g)).toBe(0);
      const m6 = new ipv6_mreq();
      m6.ipv6mr_multiaddr.address = 'ff15::1:8';
      m6.ipv6mr_interface = LO;
      expect(setOption(fd, 'IPV6_JOIN_GROUP', m6)).toBe(0);
      expect(setOption(fd, 'IPV6_LEAVE_GROUP', m6)).toBe(0);
    });
  });

  it('sock_filter / sock_fprog lay out classic BPF as <linux/filter.h> does', () => {
    expect(sock_filter.size).toBe(8);
    const p = new sock_fprog([BPF_STMT(c.BPF_RET | c.BPF_K, 0), { code: 6, jt: 1, jf: 2, k: 0xdeadbeef }]);
    expect(p.len).toBe(2);
    expect(p.filter.length).toBe(16);
    expect(p.instructions[1]!.toJSON()).toEqual({ code: 6, jt: 1, jf: 2, k: 0xdeadbeef });
  });
});

describe('SO_ATTACH_FILTER and SO_RCVTIMEO', () => {
  function udpPair(): [number, number] {
    const r = sk.socket(c.AF_INET, c.SOCK_DGRAM);
    sk.bind(r, new sockaddr_in('127.0.0.1', 0));
    const s = sk.socket(c.AF_INET, c.SOCK_DGRAM);
    sk.connect(s, sk.getsockname(r));
    return [r, s];
  }

  it('a drop-everything filter: the datagram never arrives, recv fails with EAGAIN after SO_RCVTIMEO', () => {
    const [r, s] = udpPair();
    try {
      setOption(r, 'SO_RCVTIMEO', { tv_sec: 0, tv_usec: 200_000 });
      setOption(r, 'SO_ATTACH_FILTER', [BPF_STMT(c.BPF_RET | c.BPF_K, 0)]);
      expect((getOption(r, 'SO_GET_FILTER') as sock_filter[]).map((i) => i.toJSON())).toEqual([{ code: c.BPF_RET | c.BPF_K, jt: 0, jf: 0, k: 0 }]);
      sk.send(s, 'dropped');
      const t0 = Date.now();
      expect(codeOf(() => sk.recv(r, Buffer.alloc(64)))).toBe('EAGAIN');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
      // Accept-all replaces it: the next datagram arrives.
      setOption(r, 'SO_ATTACH_FILTER', new sock_fprog([BPF_STMT(c.BPF_RET | c.BPF_K, 0xffffffff)]));
      sk.send(s, 'kept');
      const buf = Buffer.alloc(64);
      const n = sk.recv(r, buf);
      expect(buf.subarray(0, n).toString()).toBe('kept');
      // Detach, then SO_LOCK_FILTER forbids attaching again.
      setOption(r, 'SO_DETACH_FILTER', 0);
      expect(getOption(r, 'SO_GET_FILTER')).toEqual([]);
      setOption(r, 'SO_LOCK_FILTER', true);
      expect(codeOf(() => setOption(r, 'SO_ATTACH_FILTER', [BPF_STMT(c.BPF_RET | c.BPF_K, 0)]))).toBe('EPERM');
    } finally {
      sk.close(r);
      sk.close(s);
    }
  });

  it('an invalid program is refused by the kernel (EINVAL)', () => {
    withFd('udp4', (fd) => {
      // No final RET: the classic BPF checker rejects it.
      expect(codeOf(() => setOption(fd, 'SO_ATTACH_FILTER', [BPF_STMT(c.BPF_LD | c.BPF_W | c.BPF_ABS, 0)]))).toBe('EINVAL');
    });
  });

  it('SO_SNDTIMEO bounds a blocking send on a full Unix socket (EAGAIN)', () => {
    const [a, b] = sk.socketpair(c.AF_UNIX, c.SOCK_STREAM);
    try {
      setOption(a, 'SO_SNDBUF', 4096);
      setOption(a, 'SO_SNDTIMEO', new timeval({ tv_sec: 0, tv_usec: 100_000 }));
      const chunk = Buffer.alloc(65536);
      let code: string | undefined;
      for (let i = 0; i < 1000 && code === undefined; i++) code = codeOf(() => sk.send(a, chunk));
      expect(code).toBe('EAGAIN');
    } finally {
      sk.close(a);
      sk.close(b);
    }
  });
});

describe('in/out getsockopt and the Socket class by name', () => {
  it.runIf(isRoot)('PACKET_HDRLEN: the TPACKET version goes in, the header length comes out', () => {
    withFd('packet', (fd) => {
      const v1 = getOption(fd, 'PACKET_HDRLEN', 0) as number; // TPACKET_V1
      const v3 = getOption(fd, 'PACKET_HDRLEN', 2) as number; // TPACKET_V3
      expect(v1).toBeGreaterThan(20);
      expect(v3).toBeGreaterThan(v1);
      const cell = new Int32Array([2]);
      sk.getsockopt(fd, c.SOL_PACKET, c.PACKET_HDRLEN, cell);
      expect(cell[0]).toBe(v3);
      expect(codeOf(() => getOption(fd, 'PACKET_HDRLEN', 9))).toBe('EINVAL');
    });
  });

  it('Socket#setOption / #getOption take a name, and keep the numeric form', () => {
    const s = new Socket(c.AF_INET, c.SOCK_STREAM);
    try {
      expect(s.setOption('SO_REUSEADDR', true)).toBe(s);
      expect(s.getOption('SO_REUSEADDR')).toBe(true);
      expect(s.getOption(c.SOL_SOCKET, c.SO_REUSEADDR)).toBe(1);
      s.setOption(c.SOL_SOCKET, c.SO_KEEPALIVE, 1);
      expect(s.getOption('SO_KEEPALIVE')).toBe(true);
      s.setOption('SO_LINGER', { l_onoff: 1, l_linger: 3 });
      const l = new linger();
      s.getOption(c.SOL_SOCKET, c.SO_LINGER, l);
      expect([l.l_onoff, l.l_linger]).toEqual([1, 3]);
      expect(() => s.setOption('NOT_AN_OPTION', 1)).toThrow(RangeError);
      expect(typeof s.getOption('SO_COOKIE')).toBe('bigint');
      expect(getOption(s.fd, 'SO_TYPE')).toBe(c.SOCK_STREAM);
      expect(getOption(s.fd, 'SO_DOMAIN')).toBe(c.AF_INET);
      expect(getOption(s.fd, 'SO_ERROR')).toBe(0);
      expect(getOption(s.fd, 'SO_ACCEPTCONN')).toBe(false);
      expect((getOption(s.fd, 'SO_MEMINFO') as Buffer).length).toBeGreaterThan(0);
    } finally {
      s.close();
    }
  });
});
