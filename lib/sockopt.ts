// Socket options by name: the option structs of socket(7), ip(7), ipv6(7), tcp(7), udp(7),
// unix(7), raw(7) and packet(7) (tcp_info, ip_mreqn, ip_mreq_source, group_req,
// group_source_req, sock_filter…), and one typed table of the options this host defines,
// so `setOption(fd, 'SO_REUSEADDR', true)` and `getOption(fd, 'TCP_INFO')` make exactly
// the setsockopt(2) / getsockopt(2) call C would, with the C type of each option.
//
// In/out options: getsockopt(2) hands the kernel the caller's buffer with optlen = its
// size, and the kernel may read it before overwriting it. `getsockopt(fd, level, optname,
// inout)` (lib/sockets.ts) is therefore already in/out: fill `inout` with the input struct
// (IP_MSFILTER's ip_msfilter, PACKET_HDRLEN's TPACKET version…) and read the answer from
// the same bytes. `getOption(fd, name, input)` does the same by name.
import { native, type BitLayout } from './native.js';
import { field, bitfield, layout } from './layouts.js';
import { check } from './errors.js';
import { getsockopt, setsockopt } from './sockets.js';
import { CStruct, in_addr, ip_mreq, ipv6_mreq, linger, sockaddr_in, sockaddr_in6, sockaddr_storage, timeval, ucred } from './structs.js';
import { icmp_filter, packet_mreq } from './headers.js';
import * as v from './validate.js';

const C = native.constants;
const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------
// structs

const TI = layout('tcp_info');
const TI_BITS = { snd: bitfield(TI, 'tcpi_snd_wscale'), rcv: bitfield(TI, 'tcpi_rcv_wscale') };

function getBits(bytes: Uint8Array, [first, width]: BitLayout): number {
  let r = 0;
  for (let k = width - 1; k >= 0; k--) {
    const bit = first + k;
    r = r * 2 + ((bytes[bit >>> 3]! >>> (bit & 7)) & 1);
  }
  return r;
}

/** The tcp_info fields that are plain integers, in C order (every one of <netinet/tcp.h>'s). */
export const TCP_INFO_FIELDS = Object.keys(TI).filter((k) => Array.isArray((TI as Record<string, unknown>)[k])) as readonly string[];

/**
 * `struct tcp_info` (`<netinet/tcp.h>`) for TCP_INFO: read-only, every field named as in C
 * (including the 4-bit `tcpi_snd_wscale` / `tcpi_rcv_wscale`, located by the compiler).
 * The kernel's own struct is longer; getsockopt gives this struct's bytes of it.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- fields are defined from the compiler's layout at load time
export class tcp_info extends CStruct {
  static readonly size = TI.size;
  constructor(bytes?: Uint8Array) { super(TI.size, bytes); }
  get tcpi_snd_wscale(): number { return getBits(this.bytes, TI_BITS.snd); }
  get tcpi_rcv_wscale(): number { return getBits(this.bytes, TI_BITS.rcv); }
  /** All fields as a plain object (bitfields included). */
  toJSON(): Record<string, number> {
    const o: Record<string, number> = {};
    for (const k of TCP_INFO_FIELDS) o[k] = (this as unknown as Record<string, number>)[k]!;
    o.tcpi_snd_wscale = this.tcpi_snd_wscale;
    o.tcpi_rcv_wscale = this.tcpi_rcv_wscale;
    return o;
  }
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the class above
export interface tcp_info {
  readonly tcpi_state: number; readonly tcpi_ca_state: number; readonly tcpi_retransmits: number;
  readonly tcpi_probes: number; readonly tcpi_backoff: number; readonly tcpi_options: number;
  readonly tcpi_rto: number; readonly tcpi_ato: number; readonly tcpi_snd_mss: number; readonly tcpi_rcv_mss: number;
  readonly tcpi_unacked: number; readonly tcpi_sacked: number; readonly tcpi_lost: number; readonly tcpi_retrans: number;
  readonly tcpi_fackets: number; readonly tcpi_last_data_sent: number; readonly tcpi_last_ack_sent: number;
  readonly tcpi_last_data_recv: number; readonly tcpi_last_ack_recv: number; readonly tcpi_pmtu: number;
  readonly tcpi_rcv_ssthresh: number; readonly tcpi_rtt: number; readonly tcpi_rttvar: number;
  readonly tcpi_snd_ssthresh: number; readonly tcpi_snd_cwnd: number; readonly tcpi_advmss: number;
  readonly tcpi_reordering: number; readonly tcpi_rcv_rtt: number; readonly tcpi_rcv_space: number;
  readonly tcpi_total_retrans: number;
}
for (const k of TCP_INFO_FIELDS) {
  const f = field(TI, k);
  Object.defineProperty(tcp_info.prototype, k, {
    get(this: tcp_info) { return (this as unknown as { get_(x: typeof f): number }).get_(f); },
    enumerable: false,
    configurable: true,
  });
}

const MREQN = layout('ip_mreqn');
const MREQN_multiaddr = field(MREQN, 'imr_multiaddr');
const MREQN_address = field(MREQN, 'imr_address');
const MREQN_ifindex = field(MREQN, 'imr_ifindex');

/** `struct ip_mreqn` (`<netinet/in.h>`) for IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP / IP_MULTICAST_IF (by ifindex). */
export class ip_mreqn extends CStruct {
  static readonly size = MREQN.size;
  #m?: in_addr;
  #a?: in_addr;
  /** Zeroed, a view over `bytes`, or `{ multiaddr, address?, ifindex? }` (dotted quads). */
  constructor(init?: Uint8Array | { multiaddr: string; address?: string; ifindex?: number }) {
    super(MREQN.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.imr_multiaddr.address = init.multiaddr;
      if (init.address !== undefined) this.imr_address.address = init.address;
      if (init.ifindex !== undefined) this.imr_ifindex = init.ifindex;
    }
  }
  get imr_multiaddr(): in_addr { return (this.#m ??= new in_addr(this.sub_(MREQN_multiaddr))); }
  get imr_address(): in_addr { return (this.#a ??= new in_addr(this.sub_(MREQN_address))); }
  get imr_ifindex(): number { return this.get_(MREQN_ifindex); }
  set imr_ifindex(x: number) { this.set_(MREQN_ifindex, x, 'imr_ifindex'); }
}

const MSRC = layout('ip_mreq_source');
const MSRC_multiaddr = field(MSRC, 'imr_multiaddr');
const MSRC_interface = field(MSRC, 'imr_interface');
const MSRC_sourceaddr = field(MSRC, 'imr_sourceaddr');

/** `struct ip_mreq_source` (`<netinet/in.h>`) for IP_ADD_SOURCE_MEMBERSHIP, IP_BLOCK_SOURCE… */
export class ip_mreq_source extends CStruct {
  static readonly size = MSRC.size;
  #m?: in_addr;
  #i?: in_addr;
  #s?: in_addr;
  /** Zeroed, a view over `bytes`, or `{ multiaddr, interface, sourceaddr }` (dotted quads). */
  constructor(init?: Uint8Array | { multiaddr: string; interface?: string; sourceaddr: string }) {
    super(MSRC.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.imr_multiaddr.address = init.multiaddr;
      if (init.interface !== undefined) this.imr_interface.address = init.interface;
      this.imr_sourceaddr.address = init.sourceaddr;
    }
  }
  get imr_multiaddr(): in_addr { return (this.#m ??= new in_addr(this.sub_(MSRC_multiaddr))); }
  get imr_interface(): in_addr { return (this.#i ??= new in_addr(this.sub_(MSRC_interface))); }
  get imr_sourceaddr(): in_addr { return (this.#s ??= new in_addr(this.sub_(MSRC_sourceaddr))); }
}

const MSF = layout('ip_msfilter');
const MSF_multiaddr = field(MSF, 'imsf_multiaddr');
const MSF_interface = field(MSF, 'imsf_interface');
const MSF_fmode = field(MSF, 'imsf_fmode');
const MSF_numsrc = field(MSF, 'imsf_numsrc');
const MSF_slist = field(MSF, 'imsf_slist');

/**
 * `struct ip_msfilter` (`<netinet/in.h>`) for IP_MSFILTER, with room for `nsrc` sources after the header
 * (`bytes.length = ip_msfilter.sizeFor(nsrc)`). getsockopt(IP_MSFILTER) is in/out: the
 * kernel reads imsf_multiaddr/imsf_interface/imsf_numsrc and fills in the rest.
 */
export class ip_msfilter extends CStruct {
  static readonly size = MSF.size;
  /** Bytes needed for `nsrc` source addresses (the struct ends in a flexible array). */
  static sizeFor(nsrc: number): number { return Math.max(MSF.size, MSF_slist[0] + 4 * nsrc); }
  #m?: in_addr;
  #i?: in_addr;
  constructor(nsrcOrBytes: number | Uint8Array = 1) {
    super(typeof nsrcOrBytes === 'number' ? ip_msfilter.sizeFor(v.int(nsrcOrBytes, 'nsrc', 0, 0xffff)) : nsrcOrBytes.byteLength,
      typeof nsrcOrBytes === 'number' ? undefined : nsrcOrBytes);
  }
  get imsf_multiaddr(): in_addr { return (this.#m ??= new in_addr(this.sub_(MSF_multiaddr))); }
  get imsf_interface(): in_addr { return (this.#i ??= new in_addr(this.sub_(MSF_interface))); }
  get imsf_fmode(): number { return this.get_(MSF_fmode); }
  set imsf_fmode(x: number) { this.set_(MSF_fmode, x, 'imsf_fmode'); }
  get imsf_numsrc(): number { return this.get_(MSF_numsrc); }
  set imsf_numsrc(x: number) { this.set_(MSF_numsrc, x, 'imsf_numsrc'); }
  /** Source `i` of imsf_slist (a view into these bytes). */
  imsf_slist(i: number): in_addr {
    const off = MSF_slist[0] + 4 * v.int(i, 'i', 0, 0xffff);
    if (off + 4 > this.bytes.length) throw v.rangeError('i', `< ${(this.bytes.length - MSF_slist[0]) >> 2}`, i);
    return new in_addr(this.bytes.subarray(off, off + 4));
  }
}

/** Writes a socket address into a sockaddr_storage field. */
function storageAt(bytes: Buffer, addr: sockaddr_in | sockaddr_in6 | sockaddr_storage, name: string): void {
  if (!(addr instanceof sockaddr_in || addr instanceof sockaddr_in6 || addr instanceof sockaddr_storage)) {
    throw v.typeError(name, 'a sockaddr_in, sockaddr_in6 or sockaddr_storage', addr);
  }
  bytes.fill(0);
  bytes.set(addr.bytes.subarray(0, Math.min(addr.bytes.length, bytes.length)));
}
function storageFrom(bytes: Buffer): sockaddr_storage {
  return new sockaddr_storage(Buffer.from(bytes));
}

const GR = layout('group_req');
const GR_interface = field(GR, 'gr_interface');
const GR_group = field(GR, 'gr_group');

/** `struct group_req` (`<netinet/in.h>`) (RFC 3678) for MCAST_JOIN_GROUP / MCAST_LEAVE_GROUP, IPv4 or IPv6. */
export class group_req extends CStruct {
  static readonly size = GR.size;
  /** Zeroed, a view over `bytes`, or `{ interface: ifindex, group: sockaddr_in | sockaddr_in6 }`. */
  constructor(init?: Uint8Array | { interface: number; group: sockaddr_in | sockaddr_in6 }) {
    super(GR.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.gr_interface = init.interface;
      this.gr_group = init.group;
    }
  }
  get gr_interface(): number { return this.get_(GR_interface); }
  set gr_interface(x: number) { this.set_(GR_interface, x, 'gr_interface'); }
  /** A copy of the group address (a sockaddr_storage); assign a sockaddr_in/in6 to set it. */
  get gr_group(): sockaddr_storage { return storageFrom(this.sub_(GR_group)); }
  set gr_group(a: sockaddr_in | sockaddr_in6 | sockaddr_storage) { storageAt(this.sub_(GR_group), a, 'gr_group'); }
}

const GSR = layout('group_source_req');
const GSR_interface = field(GSR, 'gsr_interface');
const GSR_group = field(GSR, 'gsr_group');
const GSR_source = field(GSR, 'gsr_source');

/** `struct group_source_req` (`<netinet/in.h>`) (RFC 3678) for MCAST_JOIN_SOURCE_GROUP, MCAST_BLOCK_SOURCE… */
export class group_source_req extends CStruct {
  static readonly size = GSR.size;
  constructor(init?: Uint8Array | { interface: number; group: sockaddr_in | sockaddr_in6; source: sockaddr_in | sockaddr_in6 }) {
    super(GSR.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.gsr_interface = init.interface;
      this.gsr_group = init.group;
      this.gsr_source = init.source;
    }
  }
  get gsr_interface(): number { return this.get_(GSR_interface); }
  set gsr_interface(x: number) { this.set_(GSR_interface, x, 'gsr_interface'); }
  get gsr_group(): sockaddr_storage { return storageFrom(this.sub_(GSR_group)); }
  set gsr_group(a: sockaddr_in | sockaddr_in6 | sockaddr_storage) { storageAt(this.sub_(GSR_group), a, 'gsr_group'); }
  get gsr_source(): sockaddr_storage { return storageFrom(this.sub_(GSR_source)); }
  set gsr_source(a: sockaddr_in | sockaddr_in6 | sockaddr_storage) { storageAt(this.sub_(GSR_source), a, 'gsr_source'); }
}

const SF = layout('sock_filter');
const SF_code = field(SF, 'code');
const SF_jt = field(SF, 'jt');
const SF_jf = field(SF, 'jf');
const SF_k = field(SF, 'k');

/** One classic BPF instruction. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** `struct sock_filter`: one classic BPF instruction (`<linux/filter.h>`). */
export class sock_filter extends CStruct implements BpfInstruction {
  static readonly size = SF.size;
  constructor(init?: Uint8Array | BpfInstruction) {
    super(SF.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      if (typeof init !== 'object') throw v.typeError('instruction', 'an object {code, jt, jf, k}', init);
      this.code = init.code;
      this.jt = init.jt;
      this.jf = init.jf;
      this.k = init.k;
    }
  }
  get code(): number { return this.get_(SF_code); }
  set code(x: number) { this.set_(SF_code, x, 'code'); }
  get jt(): number { return this.get_(SF_jt); }
  set jt(x: number) { this.set_(SF_jt, x, 'jt'); }
  get jf(): number { return this.get_(SF_jf); }
  set jf(x: number) { this.set_(SF_jf, x, 'jf'); }
  get k(): number { return this.get_(SF_k); }
  set k(x: number) { this.set_(SF_k, x, 'k'); }
  /** The instruction as a plain `{ code, jt, jf, k }` object. */
  toJSON(): BpfInstruction { return { code: this.code, jt: this.jt, jf: this.jf, k: this.k }; }
}

/**
 * BPF_STMT(code, k) as in <linux/filter.h>.
 *
 * No syscall: the macro of `<linux/filter.h>`; classic BPF for `SO_ATTACH_FILTER` in [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html).
 */
export const BPF_STMT = (code: number, k: number): BpfInstruction => ({ code, jt: 0, jf: 0, k });
/**
 * BPF_JUMP(code, k, jt, jf) as in <linux/filter.h>.
 *
 * No syscall: the macro of `<linux/filter.h>`; classic BPF for `SO_ATTACH_FILTER` in [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html).
 */
export const BPF_JUMP = (code: number, k: number, jt: number, jf: number): BpfInstruction => ({ code, jt, jf, k });

/**
 * A classic BPF program as `struct sock_fprog` (`<linux/filter.h>`) would hold it: `len` instructions laid out
 * as a `sock_filter` array in `filter` (the bytes the kernel copies on SO_ATTACH_FILTER).
 */
export class sock_fprog {
  readonly len: number;
  readonly filter: Buffer;
  constructor(program: readonly (BpfInstruction | sock_filter)[]) {
    if (!Array.isArray(program)) throw v.typeError('program', 'an array of {code, jt, jf, k}', program);
    const max = C.BPF_MAXINSNS ?? 4096;
    if (program.length === 0 || program.length > max) throw v.rangeError('program.length', `>= 1 and <= ${max}`, program.length);
    this.len = program.length;
    this.filter = Buffer.alloc(SF.size * program.length);
    program.forEach((ins, i) => {
      const view = new sock_filter(this.filter.subarray(i * SF.size, (i + 1) * SF.size));
      if (ins instanceof sock_filter) view.bytes.set(ins.bytes);
      else {
        if (ins === null || typeof ins !== 'object') throw v.typeError(`program[${i}]`, 'an object {code, jt, jf, k}', ins);
        view.code = ins.code;
        view.jt = ins.jt;
        view.jf = ins.jf;
        view.k = ins.k;
      }
    });
  }
  /** The instructions (views into `filter`). */
  get instructions(): sock_filter[] {
    return Array.from({ length: this.len }, (_, i) => new sock_filter(this.filter.subarray(i * SF.size, (i + 1) * SF.size)));
  }
}

/**
 * setsockopt(fd, level, optname, &prog, sizeof prog) with a `struct sock_fprog` built in
 * C around `prog` (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF, PACKET_FANOUT_DATA). Returns 0.
 *
 * Calls [setsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html); `SO_ATTACH_FILTER` is in [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`, `EPERM`; the man page says when each occurs.
 */
export function setsockoptFilter(fd: number, level: number, optname: number, prog: sock_fprog | readonly BpfInstruction[]): number {
  v.fd(fd);
  v.cint(level, 'level');
  v.cint(optname, 'optname');
  const p = prog instanceof sock_fprog ? prog : new sock_fprog(prog);
  return check(native.setsockoptFilter(fd, level, optname, p.filter, p.len), 'setsockopt');
}

// ---------------------------------------------------------------------------------------
// the option table

/** How an option's value is typed (its C type, or the struct it takes). */
export type OptionType =
  | 'bool' | 'int' | 'u32' | 'u64' | 'linger' | 'timeval' | 'ucred' | 'string' | 'ifname' | 'tcp_info'
  | 'ip_mreq' | 'ip_mreqn' | 'ip_mreq_source' | 'ipv6_mreq' | 'group_req' | 'group_source_req'
  | 'packet_mreq' | 'in_addr' | 'icmp_filter' | 'filter' | 'bytes';

/** The manual page that documents an option. */
export type OptionPage = 'socket' | 'ip' | 'ipv6' | 'tcp' | 'udp' | 'unix' | 'raw' | 'packet';

/** One row of the option table: its name, level and optname, C value type, and whether it can be read and written. */
export interface OptionEntry {
  readonly name: string;
  readonly level: number;
  readonly optname: number;
  readonly type: OptionType;
  readonly readable: boolean;
  readonly writable: boolean;
  /** The manual pages that list it (an SOL_SOCKET option for Unix sockets is in both socket and unix). */
  readonly pages: readonly OptionPage[];
  /** MCAST_*: IPPROTO_IP on an IPv4 socket, IPPROTO_IPV6 on an IPv6 one (RFC 3678). */
  readonly protocolIndependent?: boolean;
  /** For 'bytes' / 'string': how many bytes getOption offers the kernel. */
  readonly size?: number;
}

type Spec = [name: string, type: OptionType, rw: 'r' | 'w' | 'rw', size?: number];

const SPECS: [level: string, pages: OptionPage[], specs: Spec[]][] = [
  ['SOL_SOCKET', ['socket'], [
    ['SO_ACCEPTCONN', 'bool', 'r'], ['SO_ATTACH_FILTER', 'filter', 'rw'], ['SO_GET_FILTER', 'filter', 'r'],
    ['SO_ATTACH_BPF', 'int', 'w'], ['SO_ATTACH_REUSEPORT_CBPF', 'filter', 'w'], ['SO_ATTACH_REUSEPORT_EBPF', 'int', 'w'],
    ['SO_DETACH_FILTER', 'int', 'w'], ['SO_DETACH_BPF', 'int', 'w'], ['SO_DETACH_REUSEPORT_BPF', 'int', 'w'],
    ['SO_LOCK_FILTER', 'bool', 'rw'], ['SO_BINDTODEVICE', 'ifname', 'rw'], ['SO_BINDTOIFINDEX', 'int', 'rw'],
    ['SO_BROADCAST', 'bool', 'rw'], ['SO_BSDCOMPAT', 'bool', 'w'], ['SO_BUF_LOCK', 'int', 'rw'],
    ['SO_BUSY_POLL', 'int', 'rw'], ['SO_BUSY_POLL_BUDGET', 'int', 'rw'], ['SO_PREFER_BUSY_POLL', 'bool', 'rw'],
    ['SO_BPF_EXTENSIONS', 'int', 'r'], ['SO_CNX_ADVICE', 'int', 'w'], ['SO_COOKIE', 'u64', 'r'],
    ['SO_DEBUG', 'bool', 'rw'], ['SO_DOMAIN', 'int', 'r'], ['SO_DONTROUTE', 'bool', 'rw'], ['SO_ERROR', 'int', 'r'],
    ['SO_INCOMING_CPU', 'int', 'rw'], ['SO_INCOMING_NAPI_ID', 'int', 'r'], ['SO_KEEPALIVE', 'bool', 'rw'],
    ['SO_LINGER', 'linger', 'rw'], ['SO_MARK', 'u32', 'rw'], ['SO_MAX_PACING_RATE', 'u32', 'rw'],
    ['SO_MEMINFO', 'bytes', 'r', 64], ['SO_NETNS_COOKIE', 'u64', 'r'], ['SO_NOFCS', 'bool', 'rw'],
    ['SO_NO_CHECK', 'bool', 'rw'], ['SO_OOBINLINE', 'bool', 'rw'], ['SO_PASSCRED', 'bool', 'rw'],
    ['SO_PASSSEC', 'bool', 'rw'], ['SO_PEEK_OFF', 'int', 'rw'], ['SO_PEERCRED', 'ucred', 'r'],
    ['SO_PEERGROUPS', 'bytes', 'r', 65536 * 4], ['SO_PEERNAME', 'bytes', 'r', 128], ['SO_PEERSEC', 'string', 'r', 4096],
    ['SO_PRIORITY', 'int', 'rw'], ['SO_PROTOCOL', 'int', 'r'], ['SO_RCVBUF', 'int', 'rw'], ['SO_RCVBUFFORCE', 'int', 'w'],
    ['SO_RCVLOWAT', 'int', 'rw'], ['SO_RCVMARK', 'bool', 'rw'], ['SO_RCVTIMEO', 'timeval', 'rw'],
    ['SO_RESERVE_MEM', 'int', 'rw'], ['SO_REUSEADDR', 'bool', 'rw'], ['SO_REUSEPORT', 'bool', 'rw'],
    ['SO_RXQ_OVFL', 'bool', 'rw'], ['SO_SELECT_ERR_QUEUE', 'bool', 'rw'], ['SO_SNDBUF', 'int', 'rw'],
    ['SO_SNDBUFFORCE', 'int', 'w'], ['SO_SNDLOWAT', 'int', 'r'], ['SO_SNDTIMEO', 'timeval', 'rw'],
    ['SO_TIMESTAMP', 'bool', 'rw'], ['SO_TIMESTAMPNS', 'bool', 'rw'], ['SO_TIMESTAMPING', 'int', 'rw'],
    ['SO_TXREHASH', 'int', 'rw'], ['SO_TXTIME', 'bytes', 'rw', 16], ['SO_TYPE', 'int', 'r'],
    ['SO_WIFI_STATUS', 'bool', 'rw'], ['SO_ZEROCOPY', 'bool', 'rw'],
  ]],
  ['IPPROTO_IP', ['ip'], [
    ['IP_ADD_MEMBERSHIP', 'ip_mreqn', 'w'], ['IP_DROP_MEMBERSHIP', 'ip_mreqn', 'w'],
    ['IP_ADD_SOURCE_MEMBERSHIP', 'ip_mreq_source', 'w'], ['IP_DROP_SOURCE_MEMBERSHIP', 'ip_mreq_source', 'w'],
    ['IP_BLOCK_SOURCE', 'ip_mreq_source', 'w'], ['IP_UNBLOCK_SOURCE', 'ip_mreq_source', 'w'],
    ['IP_BIND_ADDRESS_NO_PORT', 'bool', 'rw'], ['IP_FREEBIND', 'bool', 'rw'], ['IP_HDRINCL', 'bool', 'rw'],
    ['IP_MSFILTER', 'bytes', 'rw', 4096], ['IP_MTU', 'int', 'r'], ['IP_MTU_DISCOVER', 'int', 'rw'],
    ['IP_MULTICAST_ALL', 'bool', 'rw'], ['IP_MULTICAST_IF', 'in_addr', 'rw'], ['IP_MULTICAST_LOOP', 'bool', 'rw'],
    ['IP_MULTICAST_TTL', 'int', 'rw'], ['IP_NODEFRAG', 'bool', 'rw'], ['IP_OPTIONS', 'bytes', 'rw', 40],
    ['IP_PASSSEC', 'bool', 'rw'], ['IP_PKTINFO', 'bool', 'rw'], ['IP_RECVERR', 'bool', 'rw'],
    ['IP_RECVERR_RFC4884', 'bool', 'rw'], ['IP_RECVFRAGSIZE', 'bool', 'rw'], ['IP_RECVOPTS', 'bool', 'rw'],
    ['IP_RECVORIGDSTADDR', 'bool', 'rw'], ['IP_RECVTOS', 'bool', 'rw'], ['IP_RECVTTL', 'bool', 'rw'],
    ['IP_RETOPTS', 'bool', 'rw'], ['IP_ROUTER_ALERT', 'bool', 'rw'], ['IP_TOS', 'int', 'rw'],
    ['IP_TRANSPARENT', 'bool', 'rw'], ['IP_TTL', 'int', 'rw'], ['IP_MINTTL', 'int', 'rw'], ['IP_UNICAST_IF', 'u32', 'rw'],
    ['MCAST_JOIN_GROUP', 'group_req', 'w'], ['MCAST_LEAVE_GROUP', 'group_req', 'w'],
    ['MCAST_JOIN_SOURCE_GROUP', 'group_source_req', 'w'], ['MCAST_LEAVE_SOURCE_GROUP', 'group_source_req', 'w'],
    ['MCAST_BLOCK_SOURCE', 'group_source_req', 'w'], ['MCAST_UNBLOCK_SOURCE', 'group_source_req', 'w'],
    ['MCAST_MSFILTER', 'bytes', 'rw', 4096],
  ]],
  ['IPPROTO_IPV6', ['ipv6'], [
    ['IPV6_ADDRFORM', 'int', 'w'], ['IPV6_ADD_MEMBERSHIP', 'ipv6_mreq', 'w'], ['IPV6_DROP_MEMBERSHIP', 'ipv6_mreq', 'w'],
    ['IPV6_JOIN_GROUP', 'ipv6_mreq', 'w'], ['IPV6_LEAVE_GROUP', 'ipv6_mreq', 'w'],
    ['IPV6_JOIN_ANYCAST', 'ipv6_mreq', 'w'], ['IPV6_LEAVE_ANYCAST', 'ipv6_mreq', 'w'],
    ['IPV6_MTU', 'int', 'rw'], ['IPV6_MTU_DISCOVER', 'int', 'rw'], ['IPV6_MULTICAST_HOPS', 'int', 'rw'],
    ['IPV6_MULTICAST_IF', 'int', 'rw'], ['IPV6_MULTICAST_LOOP', 'bool', 'rw'], ['IPV6_MULTICAST_ALL', 'bool', 'rw'],
    ['IPV6_RECVPKTINFO', 'bool', 'rw'], ['IPV6_PKTINFO', 'bytes', 'rw', 20], ['IPV6_RECVERR', 'bool', 'rw'],
    ['IPV6_RECVERR_RFC4884', 'bool', 'rw'], ['IPV6_ROUTER_ALERT', 'int', 'rw'], ['IPV6_ROUTER_ALERT_ISOLATE', 'bool', 'rw'],
    ['IPV6_UNICAST_HOPS', 'int', 'rw'], ['IPV6_V6ONLY', 'bool', 'rw'], ['IPV6_RECVHOPLIMIT', 'bool', 'rw'],
    ['IPV6_RECVTCLASS', 'bool', 'rw'], ['IPV6_RECVRTHDR', 'bool', 'rw'], ['IPV6_RECVHOPOPTS', 'bool', 'rw'],
    ['IPV6_RECVDSTOPTS', 'bool', 'rw'], ['IPV6_RECVPATHMTU', 'bool', 'rw'], ['IPV6_RECVORIGDSTADDR', 'bool', 'rw'],
    ['IPV6_RECVFRAGSIZE', 'bool', 'rw'], ['IPV6_TCLASS', 'int', 'rw'], ['IPV6_FLOWINFO', 'bool', 'rw'],
    ['IPV6_FLOWINFO_SEND', 'bool', 'rw'], ['IPV6_AUTOFLOWLABEL', 'bool', 'rw'], ['IPV6_DONTFRAG', 'bool', 'rw'],
    ['IPV6_FREEBIND', 'bool', 'rw'], ['IPV6_TRANSPARENT', 'bool', 'rw'], ['IPV6_UNICAST_IF', 'int', 'rw'],
    ['IPV6_MINHOPCOUNT', 'int', 'rw'], ['IPV6_PATHMTU', 'bytes', 'r', 32], ['IPV6_CHECKSUM', 'int', 'rw'],
    ['IPV6_ADDR_PREFERENCES', 'int', 'rw'], ['IPV6_HDRINCL', 'bool', 'rw'],
    ['IPV6_HOPOPTS', 'bytes', 'rw', 2048], ['IPV6_DSTOPTS', 'bytes', 'rw', 2048], ['IPV6_RTHDR', 'bytes', 'rw', 2048],
    ['IPV6_RTHDRDSTOPTS', 'bytes', 'rw', 2048], ['IPV6_NEXTHOP', 'bytes', 'w'],
  ]],
  ['IPPROTO_TCP', ['tcp'], [
    ['TCP_CONGESTION', 'string', 'rw', 16], ['TCP_CORK', 'bool', 'rw'], ['TCP_DEFER_ACCEPT', 'int', 'rw'],
    ['TCP_INFO', 'tcp_info', 'r'], ['TCP_KEEPCNT', 'int', 'rw'], ['TCP_KEEPIDLE', 'int', 'rw'], ['TCP_KEEPINTVL', 'int', 'rw'],
    ['TCP_LINGER2', 'int', 'rw'], ['TCP_MAXSEG', 'int', 'rw'], ['TCP_NODELAY', 'bool', 'rw'], ['TCP_QUICKACK', 'bool', 'rw'],
    ['TCP_SYNCNT', 'int', 'rw'], ['TCP_USER_TIMEOUT', 'int', 'rw'], ['TCP_WINDOW_CLAMP', 'int', 'rw'],
    ['TCP_FASTOPEN', 'int', 'rw'], ['TCP_FASTOPEN_CONNECT', 'bool', 'rw'], ['TCP_FASTOPEN_NO_COOKIE', 'bool', 'rw'],
    ['TCP_FASTOPEN_KEY', 'bytes', 'rw', 32], ['TCP_NOTSENT_LOWAT', 'int', 'rw'], ['TCP_THIN_LINEAR_TIMEOUTS', 'bool', 'rw'],
    ['TCP_THIN_DUPACK', 'bool', 'rw'], ['TCP_TIMESTAMP', 'u32', 'rw'], ['TCP_TX_DELAY', 'int', 'rw'], ['TCP_INQ', 'bool', 'rw'],
    ['TCP_CC_INFO', 'bytes', 'r', 64], ['TCP_ULP', 'string', 'rw', 16], ['TCP_MD5SIG', 'bytes', 'w'],
    ['TCP_MD5SIG_EXT', 'bytes', 'w'], ['TCP_REPAIR', 'int', 'rw'], ['TCP_REPAIR_QUEUE', 'int', 'rw'],
    ['TCP_QUEUE_SEQ', 'u32', 'rw'], ['TCP_REPAIR_OPTIONS', 'bytes', 'w'], ['TCP_REPAIR_WINDOW', 'bytes', 'rw', 20],
    ['TCP_SAVE_SYN', 'int', 'rw'], ['TCP_SAVED_SYN', 'bytes', 'r', 512], ['TCP_ZEROCOPY_RECEIVE', 'bytes', 'r', 64],
  ]],
  ['IPPROTO_UDP', ['udp'], [
    ['UDP_CORK', 'bool', 'rw'], ['UDP_SEGMENT', 'int', 'rw'], ['UDP_GRO', 'bool', 'rw'], ['UDP_ENCAP', 'int', 'rw'],
    ['UDP_NO_CHECK6_TX', 'bool', 'rw'], ['UDP_NO_CHECK6_RX', 'bool', 'rw'],
  ]],
  ['SOL_RAW', ['raw'], [['ICMP_FILTER', 'icmp_filter', 'rw']]],
  ['IPPROTO_ICMPV6', ['raw'], [['ICMP6_FILTER', 'bytes', 'rw', 32]]],
  ['SOL_PACKET', ['packet'], [
    ['PACKET_ADD_MEMBERSHIP', 'packet_mreq', 'w'], ['PACKET_DROP_MEMBERSHIP', 'packet_mreq', 'w'],
    ['PACKET_AUXDATA', 'bool', 'rw'], ['PACKET_FANOUT', 'u32', 'rw'], ['PACKET_FANOUT_DATA', 'filter', 'w'],
    ['PACKET_LOSS', 'bool', 'rw'], ['PACKET_RESERVE', 'int', 'rw'], ['PACKET_RX_RING', 'bytes', 'w'],
    ['PACKET_TX_RING', 'bytes', 'w'], ['PACKET_STATISTICS', 'bytes', 'r', 12], ['PACKET_TIMESTAMP', 'int', 'rw'],
    ['PACKET_VERSION', 'int', 'rw'], ['PACKET_HDRLEN', 'int', 'r'], ['PACKET_ORIGDEV', 'bool', 'rw'],
    ['PACKET_VNET_HDR', 'bool', 'rw'], ['PACKET_TX_HAS_OFF', 'bool', 'rw'], ['PACKET_QDISC_BYPASS', 'bool', 'rw'],
    ['PACKET_ROLLOVER_STATS', 'bytes', 'r', 24], ['PACKET_IGNORE_OUTGOING', 'bool', 'rw'], ['PACKET_COPY_THRESH', 'int', 'w'],
  ]],
];

/** SOL_SOCKET options that unix(7) documents too. */
const UNIX_OPTIONS = new Set(['SO_PASSCRED', 'SO_PASSSEC', 'SO_PEEK_OFF', 'SO_PEERCRED', 'SO_PEERSEC', 'SO_PEERGROUPS']);
/** Options raw(7) documents besides its own level. */
const RAW_OPTIONS = new Set(['IP_HDRINCL', 'IP_NODEFRAG', 'IP_ROUTER_ALERT', 'IPV6_CHECKSUM', 'IPV6_HDRINCL']);

function buildTable(): ReadonlyMap<string, OptionEntry> {
  const t = new Map<string, OptionEntry>();
  for (const [levelName, pages, specs] of SPECS) {
    const level = C[levelName];
    if (level === undefined) continue;
    for (const [name, type, rw, size] of specs) {
      const optname = C[name];
      if (optname === undefined) continue; // this host does not define it: absent
      const p: OptionPage[] = [...pages];
      if (UNIX_OPTIONS.has(name)) p.push('unix');
      if (RAW_OPTIONS.has(name)) p.push('raw');
      const e: OptionEntry = {
        name, level, optname, type, readable: rw.includes('r'), writable: rw.includes('w'), pages: Object.freeze(p),
        ...(name.startsWith('MCAST_') ? { protocolIndependent: true } : {}),
        ...(size !== undefined ? { size } : {}),
      };
      t.set(name, Object.freeze(e));
    }
  }
  return t;
}

/** Every option this host defines, by name: level, optname, C type, readable, writable. */
export const sockoptTable: ReadonlyMap<string, OptionEntry> = buildTable();

/**
 * The table entry of `name`: TypeError for a non-string, RangeError for a name not in the table.
 *
 * No syscall: the option table of [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html), [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html), [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html), [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html), [packet(7)](https://man7.org/linux/man-pages/man7/packet.7.html).
 */
export function sockoptInfo(name: string): OptionEntry {
  if (typeof name !== 'string') throw v.typeError('name', 'of type string', name);
  const e = sockoptTable.get(name);
  if (!e) {
    const err = v.rangeError('name', 'a socket option this host defines (see sockoptTable)', JSON.stringify(name));
    (err as RangeError & { code: string }).code = 'ERR_UNKNOWN_SOCKOPT';
    throw err;
  }
  return e;
}

/** The value type setOption takes / getOption returns for each option type. */
export interface OptionValues {
  bool: boolean;
  int: number;
  u32: number;
  u64: bigint;
  linger: linger;
  timeval: timeval;
  ucred: ucred;
  string: string;
  ifname: string;
  tcp_info: tcp_info;
  ip_mreq: ip_mreq;
  ip_mreqn: ip_mreqn | ip_mreq;
  ip_mreq_source: ip_mreq_source;
  ipv6_mreq: ipv6_mreq;
  group_req: group_req;
  group_source_req: group_source_req;
  packet_mreq: packet_mreq;
  in_addr: in_addr;
  icmp_filter: icmp_filter;
  filter: sock_filter[];
  bytes: Buffer;
}

/** What setOption accepts (struct options also take their field objects). */
export type OptionInput =
  | boolean | number | bigint | string | CStruct | ArrayBufferView | readonly BpfInstruction[] | sock_fprog
  | { l_onoff: number; l_linger: number } | { tv_sec: number; tv_usec: number };

function levelFor(fd: number, e: OptionEntry): number {
  if (!e.protocolIndependent) return e.level;
  return getsockopt(fd, C.SOL_SOCKET!, C.SO_DOMAIN!) === C.AF_INET6 ? C.IPPROTO_IPV6! : e.level;
}

function structArg<T extends CStruct>(cls: abstract new (...a: never[]) => T, value: unknown, name: string, what: string): T {
  if (!(value instanceof cls)) throw v.typeError('value', `${what} for ${name}`, value);
  return value;
}

const IFNAMSIZ = C.IFNAMSIZ ?? 16;

/**
 * setsockopt(2) by option name, the value typed as the table says: bool → boolean,
 * int → number (C int), u32 → number (unsigned), linger/timeval → the struct or its fields,
 * string/ifname → a string, struct options → their struct, filter → an array of
 * {code, jt, jf, k} (or a sock_fprog), bytes → an ArrayBufferView. Bad values throw
 * TypeError / RangeError before any syscall. Returns 0.
 *
 * Calls [setsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html). Options: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html), [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html), [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html), [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html), [packet(7)](https://man7.org/linux/man-pages/man7/packet.7.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`, `EPERM`; the man page says when each occurs.
 */
export function setOption(fd: number, name: string, value: OptionInput): number {
  v.fd(fd);
  const e = sockoptInfo(name);
  if (!e.writable) throw v.rangeError('name', 'a writable option', name);
  const level = levelFor(fd, e);
  switch (e.type) {
    case 'bool':
      return setsockopt(fd, level, e.optname, v.bool(value, 'value'));
    case 'int':
      return setsockopt(fd, level, e.optname, v.int(value, 'value', v.INT32_MIN, v.INT32_MAX));
    case 'u32':
      return setsockopt(fd, level, e.optname, v.int(value, 'value', 0, v.UINT32_MAX));
    case 'u64': {
      if (typeof value !== 'bigint' && typeof value !== 'number') throw v.typeError('value', 'a bigint or number', value);
      const n = BigInt(typeof value === 'number' ? v.int(value, 'value', 0, Number.MAX_SAFE_INTEGER) : value);
      if (n < 0n || n > 0xffffffffffffffffn) throw v.rangeError('value', '>= 0 and < 2^64', value);
      const b = Buffer.alloc(8);
      new DataView(b.buffer, b.byteOffset, 8).setBigUint64(0, n, hostLE);
      return setsockopt(fd, level, e.optname, b);
    }
    case 'linger':
      return setsockopt(fd, level, e.optname, value instanceof linger ? value : new linger(plain(value, ['l_onoff', 'l_linger']) as never));
    case 'timeval':
      return setsockopt(fd, level, e.optname, value instanceof timeval ? value : new timeval(plain(value, ['tv_sec', 'tv_usec']) as never));
    case 'string': {
      const s = v.cstring(value, 'value');
      const b = Buffer.from(s, 'utf8');
      if (e.size !== undefined && b.length >= e.size) throw v.rangeError('value.length', `< ${e.size} bytes`, b.length);
      return setsockopt(fd, level, e.optname, b);
    }
    case 'ifname': {
      const s = v.cstring(value, 'value');
      const b = Buffer.from(s, 'utf8');
      if (b.length >= IFNAMSIZ) throw v.rangeError('value.length', `< ${IFNAMSIZ} bytes (IFNAMSIZ)`, b.length);
      return setsockopt(fd, level, e.optname, b);
    }
    case 'ip_mreq': return setsockopt(fd, level, e.optname, structArg(ip_mreq, value, name, 'an ip_mreq'));
    case 'ip_mreqn':
      if (value instanceof ip_mreq) return setsockopt(fd, level, e.optname, value);
      return setsockopt(fd, level, e.optname, structArg(ip_mreqn, value, name, 'an ip_mreqn or ip_mreq'));
    case 'ip_mreq_source': return setsockopt(fd, level, e.optname, structArg(ip_mreq_source, value, name, 'an ip_mreq_source'));
    case 'ipv6_mreq': return setsockopt(fd, level, e.optname, structArg(ipv6_mreq, value, name, 'an ipv6_mreq'));
    case 'group_req': return setsockopt(fd, level, e.optname, structArg(group_req, value, name, 'a group_req'));
    case 'group_source_req': return setsockopt(fd, level, e.optname, structArg(group_source_req, value, name, 'a group_source_req'));
    case 'packet_mreq': return setsockopt(fd, level, e.optname, structArg(packet_mreq, value, name, 'a packet_mreq'));
    case 'icmp_filter': return setsockopt(fd, level, e.optname, structArg(icmp_filter, value, name, 'an icmp_filter'));
    case 'in_addr':
      if (value instanceof ip_mreqn || value instanceof ip_mreq) return setsockopt(fd, level, e.optname, value);
      return setsockopt(fd, level, e.optname, structArg(in_addr, value, name, 'an in_addr, ip_mreq or ip_mreqn'));
    case 'filter':
      if (!(value instanceof sock_fprog) && !Array.isArray(value)) throw v.typeError('value', 'an array of {code, jt, jf, k} or a sock_fprog', value);
      return setsockoptFilter(fd, level, e.optname, value as sock_fprog | BpfInstruction[]);
    case 'bytes':
      if (value instanceof CStruct) return setsockopt(fd, level, e.optname, value);
      return setsockopt(fd, level, e.optname, v.view(value, 'value'));
    default:
      throw v.rangeError('name', 'a writable option', name);
  }
}


function plain(value: unknown, keys: string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object') throw v.typeError('value', `a struct or an object {${keys.join(', ')}}`, value);
  return value as Record<string, unknown>;
}

/**
 * getsockopt(2) by option name, typed as the table says (see setOption; strings are cut
 * at the first NUL, bytes are cut to the length the kernel reported). `input` makes the
 * call in/out: for an int option it is the int handed in (PACKET_HDRLEN takes the TPACKET
 * version), for a bytes option the buffer handed in and read back (IP_MSFILTER).
 *
 * Calls [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html). Options: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html), [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html), [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html), [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html), [packet(7)](https://man7.org/linux/man-pages/man7/packet.7.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`; the man page says when each occurs.
 */
export function getOption<N extends string>(fd: number, name: N, input?: number | ArrayBufferView | CStruct): unknown;
export function getOption(fd: number, name: string, input?: number | ArrayBufferView | CStruct): unknown {
  v.fd(fd);
  const e = sockoptInfo(name);
  if (!e.readable) throw v.rangeError('name', 'a readable option', name);
  const level = levelFor(fd, e);
  if (input !== undefined && e.type !== 'int' && e.type !== 'u32' && e.type !== 'bytes') {
    throw v.typeError('input', `undefined for ${name} (only int and bytes options take an input)`, input);
  }
  switch (e.type) {
    case 'bool':
    case 'int':
    case 'u32': {
      const cell = new Int32Array(1);
      if (input !== undefined) cell[0] = v.int(input, 'input', v.INT32_MIN, v.UINT32_MAX) | 0;
      getsockopt(fd, level, e.optname, cell);
      return e.type === 'bool' ? cell[0] !== 0 : e.type === 'u32' ? cell[0]! >>> 0 : cell[0]!;
    }
    case 'u64': {
      const b = Buffer.alloc(8);
      getsockopt(fd, level, e.optname, b);
      return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, hostLE);
    }
    case 'linger': { const s = new linger(); getsockopt(fd, level, e.optname, s); return s; }
    case 'timeval': { const s = new timeval(); getsockopt(fd, level, e.optname, s); return s; }
    case 'ucred': { const s = new ucred(); getsockopt(fd, level, e.optname, s); return s; }
    case 'tcp_info': { const s = new tcp_info(); getsockopt(fd, level, e.optname, s); return s; }
    case 'icmp_filter': { const s = new icmp_filter(); getsockopt(fd, level, e.optname, s); return s; }
    case 'in_addr': { const s = new in_addr(); getsockopt(fd, level, e.optname, s); return s; }
    case 'string':
    case 'ifname': {
      const b = Buffer.alloc(e.type === 'ifname' ? IFNAMSIZ : e.size ?? 256);
      const n = getsockopt(fd, level, e.optname, b);
      const s = b.subarray(0, Math.min(n, b.length));
      const nul = s.indexOf(0);
      return (nul < 0 ? s : s.subarray(0, nul)).toString('utf8');
    }
    case 'filter': {
      // SO_GET_FILTER: optlen counts instructions, not bytes; 0 asks for the count.
      const count = getsockopt(fd, level, e.optname, Buffer.alloc(0));
      if (count === 0) return [];
      const b = Buffer.alloc(count * SF.size);
      const n = getsockopt(fd, level, e.optname, b);
      return Array.from({ length: n }, (_, i) => new sock_filter(b.subarray(i * SF.size, (i + 1) * SF.size)));
    }
    case 'bytes': {
      let b: Buffer;
      if (input === undefined) b = Buffer.alloc(e.size ?? 256);
      else if (input instanceof CStruct) b = input.bytes;
      else if (ArrayBuffer.isView(input)) b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      else throw v.typeError('input', 'a struct or ArrayBufferView', input);
      const n = getsockopt(fd, level, e.optname, b);
      return b.subarray(0, Math.min(n, b.length));
    }
    default:
      throw v.rangeError('name', 'a readable option', name);
  }
}

/**
 * Number of options in the table per level name (SOL_SOCKET, IPPROTO_IP…), for reports.
 *
 * No syscall: counts the option table of [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html), [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html), [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html), [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html), [packet(7)](https://man7.org/linux/man-pages/man7/packet.7.html).
 */
export function sockoptCounts(): Record<string, number> {
  const byValue = new Map<string, number>();
  for (const [levelName, , specs] of SPECS) {
    const n = specs.filter(([name]) => sockoptTable.get(name)?.level === C[levelName]).length;
    byValue.set(levelName, (byValue.get(levelName) ?? 0) + n);
  }
  return Object.fromEntries(byValue);
}

export {
  tcp_info as TcpInfo, ip_mreqn as IpMreqn, ip_mreq_source as IpMreqSource, ip_msfilter as IpMsfilter,
  group_req as GroupReq, group_source_req as GroupSourceReq, sock_filter as SockFilter, sock_fprog as SockFprog,
};
