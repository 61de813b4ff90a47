// sendmsg(2), recvmsg(2), sendmmsg(2), recvmmsg(2) and ancillary data (cmsg(3)).
// A msghdr is a plain object with the C field names; control messages go out as typed
// builders (scmRights, ipPktinfo…) or raw bytes, and come back decoded by level and type.
// Received fds are close-on-exec (MSG_CMSG_CLOEXEC is always set) and are never leaked:
// when decoding fails, or the control data was truncated (MSG_CTRUNC), they are closed.
import { endianness } from 'node:os';
import { native } from './native.js';
import { AbortError, check, failure } from './errors.js';
import {
  AF_INET, AF_INET6, EAGAIN, IP_PKTINFO, IP_RECVERR, IP_TOS, IP_TTL, IPPROTO_IP, IPPROTO_IPV6, IPV6_HOPLIMIT,
  IPV6_PKTINFO, IPV6_RECVERR, IPV6_TCLASS, MSG_CTRUNC, MSG_DONTWAIT, POLLIN, POLLOUT, SCM_CREDENTIALS, SCM_RIGHTS,
  SCM_TIMESTAMPING, SO_TIMESTAMP, SO_TIMESTAMPNS, SOL_SOCKET, SOL_UDP, UDP_GRO, UDP_SEGMENT,
} from './constants.generated.js';
import { field, layout } from './layouts.js';
import * as v from './validate.js';
import { addrIn, describeAddress } from './addrargs.js';
import {
  CStruct, SockaddrBase, in6_addr, in_addr, sockaddrFrom, sockaddr_storage, timeval, ucred,
  type SocketAddress,
} from './structs.js';
import { READABLE, WRITABLE, fresh, opOptions, pollFirst, retry, waitFor, type OpOptions } from './registry.js';

const LE = endianness() === 'LE';
const M = native.messages;
const IOV_MAX: number = native.constants.IOV_MAX ?? 1024;
const MMSG_MAX = M.mmsgMax;
const SO_EE_ORIGIN_ICMP: number = native.constants.SO_EE_ORIGIN_ICMP ?? 2;
const SO_EE_ORIGIN_ICMP6: number = native.constants.SO_EE_ORIGIN_ICMP6 ?? 3;
const SO_EE_ORIGIN_LOCAL: number = native.constants.SO_EE_ORIGIN_LOCAL ?? 1;

// ---------------------------------------------------------------------------------------
// CMSG_* macros

/**
 * CMSG_ALIGN(3): `n` rounded up to the cmsg alignment (sizeof(size_t) on Linux).
 *
 * No syscall: the macro of [CMSG_ALIGN(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html) (`<sys/socket.h>`), with this host's `cmsghdr` size and alignment.
 */
export function CMSG_ALIGN(n: number): number {
  v.int(n, 'n', 0, v.INT32_MAX);
  return Math.ceil(n / M.align) * M.align;
}
/**
 * CMSG_SPACE(3): bytes a control message with `n` data bytes takes, padding included.
 *
 * No syscall: the macro of [CMSG_SPACE(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html) (`<sys/socket.h>`), with this host's `cmsghdr` size and alignment.
 */
export function CMSG_SPACE(n: number): number {
  return M.space0 + CMSG_ALIGN(n);
}
/**
 * CMSG_LEN(3): the cmsg_len of a control message with `n` data bytes.
 *
 * No syscall: the macro of [CMSG_LEN(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html) (`<sys/socket.h>`), with this host's `cmsghdr` size and alignment.
 */
export function CMSG_LEN(n: number): number {
  v.int(n, 'n', 0, v.INT32_MAX);
  return M.len0 + n;
}

// ---------------------------------------------------------------------------------------
// structs

const CM = layout('cmsghdr');
const CM_len = field(CM, 'cmsg_len');
const CM_level = field(CM, 'cmsg_level');
const CM_type = field(CM, 'cmsg_type');

/** `struct cmsghdr` (`<sys/socket.h>`): the header of one control message. */
export class cmsghdr extends CStruct {
  static readonly size = CM.size;
  constructor(bytes?: Uint8Array) { super(CM.size, bytes); }
  get cmsg_len(): number { return this.get_(CM_len); }
  set cmsg_len(x: number) { this.set_(CM_len, x, 'cmsg_len'); }
  get cmsg_level(): number { return this.get_(CM_level); }
  set cmsg_level(x: number) { this.set_(CM_level, x, 'cmsg_level'); }
  get cmsg_type(): number { return this.get_(CM_type); }
  set cmsg_type(x: number) { this.set_(CM_type, x, 'cmsg_type'); }
}

const PI = layout('in_pktinfo');
const PI_ifindex = field(PI, 'ipi_ifindex');
const PI_spec_dst = field(PI, 'ipi_spec_dst');
const PI_addr = field(PI, 'ipi_addr');

/** `struct in_pktinfo` (`<netinet/in.h>`) (IP_PKTINFO): interface index, local (spec_dst) and header destination addresses. */
export class in_pktinfo extends CStruct {
  static readonly size = PI.size;
  #spec?: in_addr;
  #addr?: in_addr;
  constructor(init?: Uint8Array | { ipi_ifindex?: number; ipi_spec_dst?: string | in_addr; ipi_addr?: string | in_addr }) {
    super(PI.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      if (init.ipi_ifindex !== undefined) this.ipi_ifindex = init.ipi_ifindex;
      if (init.ipi_spec_dst !== undefined) setIn(this.ipi_spec_dst, init.ipi_spec_dst, 'ipi_spec_dst');
      if (init.ipi_addr !== undefined) setIn(this.ipi_addr, init.ipi_addr, 'ipi_addr');
    }
  }
  get ipi_ifindex(): number { return this.get_(PI_ifindex); }
  set ipi_ifindex(x: number) { this.set_(PI_ifindex, x, 'ipi_ifindex'); }
  /** The local address (a view into this struct). */
  get ipi_spec_dst(): in_addr { return (this.#spec ??= new in_addr(this.sub_(PI_spec_dst))); }
  set ipi_spec_dst(x: in_addr) { setIn(this.ipi_spec_dst, x, 'ipi_spec_dst'); }
  /** The header destination address (a view into this struct). */
  get ipi_addr(): in_addr { return (this.#addr ??= new in_addr(this.sub_(PI_addr))); }
  set ipi_addr(x: in_addr) { setIn(this.ipi_addr, x, 'ipi_addr'); }
  toString(): string { return `in_pktinfo{ifindex=${this.ipi_ifindex}, spec_dst=${this.ipi_spec_dst}, addr=${this.ipi_addr}}`; }
}

function setIn(dst: in_addr | in6_addr, src: unknown, name: string): void {
  if (typeof src === 'string') dst.address = src;
  else if (src instanceof in_addr || src instanceof in6_addr) {
    if (src.bytes.length !== dst.bytes.length) throw v.typeError(name, `an ${dst.constructor.name}`, src);
    dst.bytes.set(src.bytes);
  } else throw v.typeError(name, 'an address string or struct', src);
}

const PI6 = layout('in6_pktinfo');
const PI6_addr = field(PI6, 'ipi6_addr');
const PI6_ifindex = field(PI6, 'ipi6_ifindex');

/** `struct in6_pktinfo` (`<netinet/in.h>`) (IPV6_PKTINFO): address and interface index. */
export class in6_pktinfo extends CStruct {
  static readonly size = PI6.size;
  #addr?: in6_addr;
  constructor(init?: Uint8Array | { ipi6_addr?: string | in6_addr; ipi6_ifindex?: number }) {
    super(PI6.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      if (init.ipi6_addr !== undefined) setIn(this.ipi6_addr, init.ipi6_addr, 'ipi6_addr');
      if (init.ipi6_ifindex !== undefined) this.ipi6_ifindex = init.ipi6_ifindex;
    }
  }
  get ipi6_addr(): in6_addr { return (this.#addr ??= new in6_addr(this.sub_(PI6_addr))); }
  set ipi6_addr(x: in6_addr) { setIn(this.ipi6_addr, x, 'ipi6_addr'); }
  get ipi6_ifindex(): number { return this.get_(PI6_ifindex); }
  set ipi6_ifindex(x: number) { this.set_(PI6_ifindex, x, 'ipi6_ifindex'); }
  toString(): string { return `in6_pktinfo{addr=${this.ipi6_addr}, ifindex=${this.ipi6_ifindex}}`; }
}

const EE = layout('sock_extended_err');
const EE_f = {
  ee_errno: field(EE, 'ee_errno'), ee_origin: field(EE, 'ee_origin'), ee_type: field(EE, 'ee_type'),
  ee_code: field(EE, 'ee_code'), ee_pad: field(EE, 'ee_pad'), ee_info: field(EE, 'ee_info'), ee_data: field(EE, 'ee_data'),
};

/**
 * `struct sock_extended_err` (`<linux/errqueue.h>`) (IP_RECVERR / IPV6_RECVERR, read with MSG_ERRQUEUE). `offender`
 * is SO_EE_OFFENDER(): the address that reported the error (the sockaddr after the struct),
 * or null when the kernel gave none.
 */
export class sock_extended_err extends CStruct {
  static readonly size = EE.size;
  /** SO_EE_OFFENDER(ee): the ICMP sender, decoded from the bytes after the struct. */
  offender: SocketAddress | null = null;
  constructor(bytes?: Uint8Array) { super(EE.size, bytes); }
  get ee_errno(): number { return this.get_(EE_f.ee_errno); }
  set ee_errno(x: number) { this.set_(EE_f.ee_errno, x, 'ee_errno'); }
  get ee_origin(): number { return this.get_(EE_f.ee_origin); }
  set ee_origin(x: number) { this.set_(EE_f.ee_origin, x, 'ee_origin'); }
  get ee_type(): number { return this.get_(EE_f.ee_type); }
  set ee_type(x: number) { this.set_(EE_f.ee_type, x, 'ee_type'); }
  get ee_code(): number { return this.get_(EE_f.ee_code); }
  set ee_code(x: number) { this.set_(EE_f.ee_code, x, 'ee_code'); }
  get ee_pad(): number { return this.get_(EE_f.ee_pad); }
  set ee_pad(x: number) { this.set_(EE_f.ee_pad, x, 'ee_pad'); }
  get ee_info(): number { return this.get_(EE_f.ee_info); }
  set ee_info(x: number) { this.set_(EE_f.ee_info, x, 'ee_info'); }
  get ee_data(): number { return this.get_(EE_f.ee_data); }
  set ee_data(x: number) { this.set_(EE_f.ee_data, x, 'ee_data'); }
}

const TS = layout('timespec');
const TS_sec = field(TS, 'tv_sec');
const TS_nsec = field(TS, 'tv_nsec');

/** `struct timespec` (`<time.h>`) (SO_TIMESTAMPNS). */
export class timespec extends CStruct {
  static readonly size = TS.size;
  constructor(init?: Uint8Array | { tv_sec: number; tv_nsec: number }) {
    super(TS.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.tv_sec = init.tv_sec;
      this.tv_nsec = init.tv_nsec;
    }
  }
  get tv_sec(): number { return this.get_(TS_sec); }
  set tv_sec(x: number) { this.set_(TS_sec, x, 'tv_sec'); }
  get tv_nsec(): number { return this.get_(TS_nsec); }
  set tv_nsec(x: number) { this.set_(TS_nsec, x, 'tv_nsec'); }
}

export { in_pktinfo as InPktinfo, in6_pktinfo as In6Pktinfo, sock_extended_err as SockExtendedErr, timespec as Timespec, cmsghdr as Cmsghdr };

// ---------------------------------------------------------------------------------------
// control messages

/** A control message to send: level, type and the data bytes (a struct is sent as its bytes). */
export interface CmsgInit {
  cmsg_level: number;
  cmsg_type: number;
  data: ArrayBufferView | CStruct;
}

/** A decoded value of a control message of a known level and type. */
export type CmsgValue = number[] | number | ucred | in_pktinfo | in6_pktinfo | timeval | timespec | timespec[] | sock_extended_err;

/** A received control message: `data` holds its bytes, `value` the decoded form (known types only). */
export interface Cmsg {
  cmsg_level: number;
  cmsg_type: number;
  data: Buffer;
  value: CmsgValue | undefined;
}

/**
 * cmsg(3) builder: one control message to send.
 *
 * No syscall: builds what [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html) takes; layout as in [cmsg(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html).
 */
export function cmsg(level: number, type: number, data: ArrayBufferView | CStruct): CmsgInit {
  v.cint(level, 'level');
  v.cint(type, 'type');
  if (!(data instanceof CStruct) && !ArrayBuffer.isView(data)) throw v.typeError('data', 'an ArrayBufferView or struct', data);
  return { cmsg_level: level, cmsg_type: type, data };
}

const int32 = (n: number, name: string, min = v.INT32_MIN, max = v.INT32_MAX): Int32Array => Int32Array.of(v.int(n, name, min, max));

/**
 * SCM_RIGHTS: pass file descriptors (the receiver gets new fds for the same open files).
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html) describes it.
 */
export function scmRights(fds: readonly number[]): CmsgInit {
  if (!Array.isArray(fds)) throw v.typeError('fds', 'an array of file descriptors', fds);
  const a = new Int32Array(fds.length);
  fds.forEach((fd, i) => { a[i] = v.fd(fd, `fds[${i}]`); });
  return { cmsg_level: SOL_SOCKET, cmsg_type: SCM_RIGHTS, data: a };
}

/**
 * SCM_CREDENTIALS: this process's pid, uid and gid (the kernel checks them).
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html) describes it.
 */
export function scmCredentials(cred: ucred | { pid: number; uid: number; gid: number }): CmsgInit {
  let c: ucred;
  if (cred instanceof ucred) c = cred;
  else if (cred !== null && typeof cred === 'object') {
    c = new ucred();
    c.pid = cred.pid;
    c.uid = cred.uid;
    c.gid = cred.gid;
  } else throw v.typeError('cred', 'a ucred or { pid, uid, gid }', cred);
  return { cmsg_level: SOL_SOCKET, cmsg_type: SCM_CREDENTIALS, data: c };
}

/**
 * IP_PKTINFO: choose the source address (ipi_spec_dst) and/or outgoing interface of a datagram.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html) describes it.
 */
export function ipPktinfo(info: in_pktinfo | ConstructorParameters<typeof in_pktinfo>[0]): CmsgInit {
  const p = info instanceof in_pktinfo ? info : new in_pktinfo(info);
  return { cmsg_level: IPPROTO_IP, cmsg_type: IP_PKTINFO, data: p };
}

/**
 * IPV6_PKTINFO: choose the source address and/or outgoing interface of an IPv6 datagram.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html) describes it.
 */
export function ipv6Pktinfo(info: in6_pktinfo | ConstructorParameters<typeof in6_pktinfo>[0]): CmsgInit {
  const p = info instanceof in6_pktinfo ? info : new in6_pktinfo(info);
  return { cmsg_level: IPPROTO_IPV6, cmsg_type: IPV6_PKTINFO, data: p };
}

/**
 * UDP_SEGMENT (GSO): the kernel splits the payload into datagrams of `size` bytes.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html) describes it.
 */
export function udpSegment(size: number): CmsgInit {
  return { cmsg_level: SOL_UDP, cmsg_type: UDP_SEGMENT, data: Uint16Array.of(v.int(size, 'size', 1, 0xffff)) };
}

/**
 * IP_TTL for one datagram.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html) describes it.
 */
export function ipTtl(ttl: number): CmsgInit {
  return { cmsg_level: IPPROTO_IP, cmsg_type: IP_TTL, data: int32(ttl, 'ttl', 1, 255) };
}
/**
 * IP_TOS for one datagram.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html) describes it.
 */
export function ipTos(tos: number): CmsgInit {
  return { cmsg_level: IPPROTO_IP, cmsg_type: IP_TOS, data: int32(tos, 'tos', 0, 255) };
}
/**
 * IPV6_HOPLIMIT for one datagram.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html) describes it.
 */
export function ipv6Hoplimit(hops: number): CmsgInit {
  return { cmsg_level: IPPROTO_IPV6, cmsg_type: IPV6_HOPLIMIT, data: int32(hops, 'hops', -1, 255) };
}
/**
 * IPV6_TCLASS for one datagram.
 *
 * No syscall: a control message for [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html), as [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html) describes it.
 */
export function ipv6Tclass(tclass: number): CmsgInit {
  return { cmsg_level: IPPROTO_IPV6, cmsg_type: IPV6_TCLASS, data: int32(tclass, 'tclass', -1, 255) };
}

function dataBytes(d: ArrayBufferView | CStruct): Uint8Array {
  if (d instanceof CStruct) return d.bytes;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function writeLen(dv: DataView, off: number, n: number): void {
  if (CM_len[1] === 8) dv.setBigUint64(off + CM_len[0], BigInt(n), LE);
  else dv.setUint32(off + CM_len[0], n, LE);
}

function readLen(dv: DataView, off: number): number {
  return CM_len[1] === 8 ? Number(dv.getBigUint64(off + CM_len[0], LE)) : dv.getUint32(off + CM_len[0], LE);
}

/** Checks an array of control messages (before any syscall); returns the CMSG_SPACE total. */
function controlSpace(list: unknown[]): number {
  let total = 0;
  list.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw v.typeError(`msg_control[${i}]`, 'a control message { cmsg_level, cmsg_type, data }', c);
    const m = c as Partial<CmsgInit>;
    v.cint(m.cmsg_level, `msg_control[${i}].cmsg_level`);
    v.cint(m.cmsg_type, `msg_control[${i}].cmsg_type`);
    if (!(m.data instanceof CStruct) && !ArrayBuffer.isView(m.data)) {
      throw v.typeError(`msg_control[${i}].data`, 'an ArrayBufferView or struct', m.data);
    }
    total += CMSG_SPACE(dataBytes(m.data).byteLength);
  });
  return total;
}

/** Lays control messages out as the kernel reads them (cmsghdr, data, padding), into `out`. */
function encodeControl(list: CmsgInit[], out: Buffer): number {
  out.fill(0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let off = 0;
  for (const c of list) {
    const d = dataBytes(c.data);
    writeLen(dv, off, M.len0 + d.byteLength);
    dv.setInt32(off + CM_level[0], c.cmsg_level, LE);
    dv.setInt32(off + CM_type[0], c.cmsg_type, LE);
    out.set(d, off + M.len0);
    off += M.space0 + CMSG_ALIGN(d.byteLength);
  }
  return off;
}

/** Walks received control bytes as CMSG_FIRSTHDR/CMSG_NXTHDR would: [offset, cmsg_len] pairs. */
function* walk(buf: Uint8Array, controllen: number): Generator<[number, number, number, number]> {
  const n = Math.min(controllen, buf.byteLength);
  const dv = new DataView(buf.buffer, buf.byteOffset, n);
  let off = 0;
  while (off + M.len0 <= n) {
    const len = readLen(dv, off);
    if (len < M.len0) return;
    const end = Math.min(off + len, n); // a truncated message keeps the bytes that arrived
    yield [off, end - off - M.len0, dv.getInt32(off + CM_level[0], LE), dv.getInt32(off + CM_type[0], LE)];
    // A message reaching the end is the last: a cmsg_len past it (up to 2^64 - 1) must not
    // be aligned or added (CMSG_ALIGN takes an int32).
    if (len >= n - off) return;
    off += CMSG_ALIGN(len);
  }
}

/** The fds of SCM_RIGHTS messages in received control bytes: whole ints only. */
function rightsIn(buf: Uint8Array, controllen: number): number[] {
  const fds: number[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const [off, len, level, type] of walk(buf, controllen)) {
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) continue;
    for (let k = 0; k + 4 <= len; k += 4) fds.push(dv.getInt32(off + M.len0 + k, LE));
  }
  return fds;
}

function closeFds(fds: number[]): void {
  for (const fd of fds) if (fd >= 0) native.close(fd);
}

function intValue(d: Buffer): number | undefined {
  if (d.length >= 4) return LE ? d.readInt32LE(0) : d.readInt32BE(0);
  if (d.length === 1) return d[0];
  return undefined;
}

function structValue<T extends CStruct>(d: Buffer, size: number, make: (b: Buffer) => T): T | undefined {
  return d.length >= size ? make(d) : undefined;
}

function extendedErr(d: Buffer): sock_extended_err | undefined {
  if (d.length < EE.size) return undefined;
  const e = new sock_extended_err(Buffer.from(d.subarray(0, EE.size)));
  const rest = d.subarray(EE.size);
  const o = e.ee_origin;
  if ((o === SO_EE_ORIGIN_ICMP || o === SO_EE_ORIGIN_ICMP6 || o === SO_EE_ORIGIN_LOCAL) && rest.length >= 2) {
    const a = sockaddrFrom(rest, rest.length);
    // SO_EE_OFFENDER is zeroed (AF_UNSPEC) when there is no offender.
    e.offender = a.family === AF_INET || a.family === AF_INET6 ? a : null;
  }
  return e;
}

const STS = layout('scm_timestamping');

/**
 * `struct scm_timestamping` (`<linux/errqueue.h>`, SO_TIMESTAMPING): three timespecs — software, deprecated,
 * hardware — of which the ones not asked for are zero.
 */
function timestamping(d: Buffer): timespec[] | undefined {
  if (d.length < STS.size) return undefined;
  const out: timespec[] = [];
  for (let k = 0; k < 3; k++) out.push(new timespec(Buffer.from(d.subarray(k * TS.size, (k + 1) * TS.size))));
  return out;
}

/** The decoded value of a known control message, undefined for any other. */
function decode(level: number, type: number, d: Buffer, truncated: boolean): CmsgValue | undefined {
  if (level === SOL_SOCKET) {
    if (type === SCM_RIGHTS) {
      const fds: number[] = [];
      if (!truncated) for (let k = 0; k + 4 <= d.length; k += 4) fds.push(LE ? d.readInt32LE(k) : d.readInt32BE(k));
      return fds;
    }
    if (type === SCM_CREDENTIALS) return structValue(d, ucred.size, (b) => new ucred(Buffer.from(b)));
    if (type === SO_TIMESTAMP) return structValue(d, timeval.size, (b) => new timeval(Buffer.from(b)));
    if (type === SO_TIMESTAMPNS) return structValue(d, TS.size, (b) => new timespec(Buffer.from(b)));
    if (type === SCM_TIMESTAMPING) return timestamping(d);
  } else if (level === IPPROTO_IP) {
    if (type === IP_PKTINFO) return structValue(d, PI.size, (b) => new in_pktinfo(Buffer.from(b)));
    if (type === IP_TTL || type === IP_TOS) return intValue(d);
    if (type === IP_RECVERR) return extendedErr(d);
  } else if (level === IPPROTO_IPV6) {
    if (type === IPV6_PKTINFO) return structValue(d, PI6.size, (b) => new in6_pktinfo(Buffer.from(b)));
    if (type === IPV6_HOPLIMIT || type === IPV6_TCLASS) return intValue(d);
    if (type === IPV6_RECVERR) return extendedErr(d);
  } else if (level === SOL_UDP) {
    if (type === UDP_GRO) return intValue(d);
  }
  return undefined;
}

/**
 * Decodes received control bytes. With MSG_CTRUNC the fds that did arrive are closed (the
 * set is incomplete, and a truncated message could not say which ones are missing): the
 * SCM_RIGHTS message then has `value: []`.
 */
/** @internal Exported for the decoder property tests. */
export function parseControl(buf: Uint8Array, controllen: number, msgFlags: number, copy: boolean): Cmsg[] {
  const truncated = (msgFlags & MSG_CTRUNC) !== 0;
  if (truncated) closeFds(rightsIn(buf, controllen));
  const out: Cmsg[] = [];
  const whole = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const [off, len, level, type] of walk(buf, controllen)) {
    const view = whole.subarray(off + M.len0, off + M.len0 + len);
    const data = copy ? Buffer.from(view) : view;
    out.push({ cmsg_level: level, cmsg_type: type, data, value: decode(level, type, data, truncated) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// msghdr

/** The msghdr argument of sendmsg()/recvmsg(), with C's field names. */
export interface Msghdr {
  /** The peer address: a sockaddr struct or raw bytes; recvmsg() fills it (or sets a new struct when undefined). */
  msg_name?: SockaddrBase | ArrayBufferView | null;
  /** The address length: an input for sendmsg() (defaults to the struct's), set by recvmsg(). */
  msg_namelen?: number;
  /** Scatter/gather buffers (one buffer stands for a one-element array). */
  msg_iov: ArrayBufferView | string | (ArrayBufferView | string)[];
  /** How many of msg_iov to use (default: all). */
  msg_iovlen?: number;
  /** sendmsg(): control messages (typed) or raw control bytes. recvmsg(): the buffer to receive them into. */
  msg_control?: ArrayBufferView | CmsgInit[] | null;
  /** Control bytes to use; for recvmsg() without msg_control, the size of an internal buffer. Set by recvmsg(). */
  msg_controllen?: number;
  /** Set by recvmsg() (MSG_TRUNC, MSG_CTRUNC, MSG_EOR, MSG_ERRQUEUE…). */
  msg_flags?: number;
}

/** What recvmsg() returns: the byte count, the `msg_flags` and the control messages. */
export interface RecvmsgResult {
  /** Bytes received (0 at end of stream). */
  bytes: number;
  /** `msg_flags` as the kernel set them (MSG_TRUNC, MSG_CTRUNC, MSG_EOR, MSG_ERRQUEUE…). */
  msg_flags: number;
  /** Every control message received, decoded where the type is known, raw otherwise. */
  cmsgs: Cmsg[];
}

function iovArray(msg: Msghdr, sending: boolean): ArrayBufferView[] {
  const raw = msg.msg_iov;
  const list = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw];
  if (list === undefined) throw v.typeError('msg.msg_iov', 'an ArrayBufferView or an array of them', raw);
  const count = msg.msg_iovlen === undefined ? list.length : v.int(msg.msg_iovlen, 'msg.msg_iovlen', 0, list.length);
  if (count > IOV_MAX) throw v.rangeError('msg.msg_iov.length', `<= ${IOV_MAX} (IOV_MAX)`, count);
  const out = new Array<ArrayBufferView>(count);
  for (let i = 0; i < count; i++) {
    const b = list[i];
    if (ArrayBuffer.isView(b)) out[i] = b;
    else if (sending && typeof b === 'string') out[i] = Buffer.from(b, 'utf8');
    else throw v.typeError(`msg.msg_iov[${i}]`, sending ? 'a string, Buffer, TypedArray or DataView' : 'a Buffer, TypedArray or DataView', b);
  }
  return out;
}

function msgArg(msg: unknown): Msghdr {
  if (msg === null || typeof msg !== 'object') throw v.typeError('msg', 'a msghdr object', msg);
  return msg as Msghdr;
}

/** Everything sendmsg() hands to the kernel, checked before any syscall. */
interface SendArgs {
  iov: ArrayBufferView[];
  name: Uint8Array | null;
  namelen: number;
  control: ArrayBufferView | null;
  controllen: number;
  flags: number;
}

let SCRATCH = Buffer.alloc(256);

function sendArgs(fd: number, msgIn: unknown, flags: unknown, own: boolean): SendArgs {
  v.fd(fd);
  const msg = msgArg(msgIn);
  const iov = iovArray(msg, true);
  let name: Uint8Array | null = null;
  let namelen = 0;
  if (msg.msg_name !== undefined && msg.msg_name !== null) [name, namelen] = addrIn(msg.msg_name, msg.msg_namelen);
  let control: ArrayBufferView | null = null;
  let controllen = 0;
  const c = msg.msg_control;
  if (Array.isArray(c)) {
    const space = controlSpace(c);
    let buf: Buffer;
    if (own) buf = Buffer.alloc(space);
    else {
      if (SCRATCH.length < space) SCRATCH = Buffer.alloc(Math.max(space, SCRATCH.length * 2));
      buf = SCRATCH.subarray(0, space);
    }
    controllen = encodeControl(c, buf);
    if (msg.msg_controllen !== undefined) controllen = v.int(msg.msg_controllen, 'msg.msg_controllen', 0, space);
    control = buf;
  } else if (ArrayBuffer.isView(c)) {
    control = c;
    controllen = v.length(msg.msg_controllen, c.byteLength, 'msg.msg_controllen');
  } else if (c !== undefined && c !== null) {
    throw v.typeError('msg.msg_control', 'an array of control messages or an ArrayBufferView', c);
  }
  return { iov, name, namelen, control, controllen, flags: v.flags(flags) };
}

/** Everything recvmsg() hands to the kernel, checked before any syscall. */
interface RecvArgs {
  msg: Msghdr;
  iov: ArrayBufferView[];
  /** Where the address goes: the caller's bytes or our scratch storage. */
  name: Uint8Array | null;
  control: Buffer | null;
  /** Whether `control` is ours (data must then be copied out). */
  ownControl: boolean;
  flags: number;
  out: Int32Array;
}

const OUT = new Int32Array(3);
const NAME = new sockaddr_storage();
let RCONTROL = Buffer.alloc(0);

function recvArgs(fd: number, msgIn: unknown, flags: unknown, own: boolean): RecvArgs {
  v.fd(fd);
  const msg = msgArg(msgIn);
  const iov = iovArray(msg, false);
  let name: Uint8Array | null = null;
  const mn = msg.msg_name;
  if (mn === undefined) name = own ? Buffer.alloc(sockaddr_storage.size) : NAME.bytes;
  else if (mn instanceof SockaddrBase) name = mn.bytes;
  else if (ArrayBuffer.isView(mn)) name = new Uint8Array(mn.buffer, mn.byteOffset, mn.byteLength);
  else if (mn !== null) throw v.typeError('msg.msg_name', 'a sockaddr struct, ArrayBufferView, null or undefined', mn);
  if (name !== null && msg.msg_namelen !== undefined && mn !== undefined) {
    name = name.subarray(0, v.int(msg.msg_namelen, 'msg.msg_namelen', 0, name.byteLength));
  }
  let control: Buffer | null = null;
  let ownControl = false;
  const c = msg.msg_control;
  if (ArrayBuffer.isView(c)) {
    const n = v.length(msg.msg_controllen, c.byteLength, 'msg.msg_controllen');
    control = Buffer.from(c.buffer, c.byteOffset, n);
  } else if (c === undefined || c === null) {
    const n = msg.msg_controllen === undefined ? 0 : v.int(msg.msg_controllen, 'msg.msg_controllen', 0, v.INT32_MAX);
    if (n > 0) {
      ownControl = true;
      if (own) control = Buffer.alloc(n);
      else {
        if (RCONTROL.length < n) RCONTROL = Buffer.alloc(n);
        control = RCONTROL.subarray(0, n);
      }
    }
  } else throw v.typeError('msg.msg_control', 'an ArrayBufferView to receive into (or undefined)', c);
  return { msg, iov, name, control, ownControl, flags: v.flags(flags), out: own ? new Int32Array(3) : OUT };
}

/** Fills the msghdr from a successful recvmsg and decodes its control messages. */
function recvDone(a: RecvArgs, bytes: number): RecvmsgResult {
  const [namelen, controllen, msgFlags] = [a.out[0]!, a.out[1]!, a.out[2]!];
  try {
    const msg = a.msg;
    const cmsgs = a.control === null ? [] : parseControl(a.control, controllen, msgFlags, a.ownControl);
    for (const c of cmsgs) if (c.cmsg_level === SOL_SOCKET && c.cmsg_type === SCM_RIGHTS) for (const fd of c.value as number[]) fresh(fd);
    if (msg.msg_name instanceof SockaddrBase) msg.msg_name.addrlen = namelen;
    else if (msg.msg_name === undefined && a.name !== null && namelen > 0) msg.msg_name = sockaddrFrom(a.name, namelen);
    if (a.name !== null) msg.msg_namelen = namelen;
    msg.msg_controllen = controllen;
    msg.msg_flags = msgFlags;
    return { bytes, msg_flags: msgFlags, cmsgs };
  } catch (err) {
    // Whatever failed, the fds that arrived must not leak.
    if (a.control !== null && (msgFlags & MSG_CTRUNC) === 0) closeFds(rightsIn(a.control, controllen));
    throw err;
  }
}

/**
 * Total bytes of the views a call hands to the kernel. A retry after waiting compares it
 * with the first attempt's: a buffer detached, transferred or resized meanwhile then fails
 * with RangeError instead of being read as empty (which recvmsg would report as 0 bytes).
 */
function viewBytes(a: { iov: ArrayBufferView[]; name: ArrayBufferView | null; control: ArrayBufferView | null }): number {
  let n = (a.name?.byteLength ?? 0) + (a.control?.byteLength ?? 0);
  for (const b of a.iov) n += b.byteLength;
  return n;
}

function unchanged(a: Parameters<typeof viewBytes>[0], bytes: number): void {
  if (viewBytes(a) !== bytes) throw v.rangeError('msg', 'buffers that stay attached and keep their size while the call waits', 'a buffer detached or resized');
}

function nativeSend(fd: number, a: SendArgs, flags: number): number {
  return native.sendmsg(fd, a.iov, a.name, a.namelen, a.control, a.controllen, flags);
}

function nativeRecv(fd: number, a: RecvArgs, flags: number): number {
  return native.recvmsg(fd, a.iov, a.name, a.control, flags, a.out);
}

const at = (msg: Msghdr) => () => (msg.msg_name instanceof SockaddrBase ? describeAddress(msg.msg_name as SocketAddress) : undefined);

/**
 * sendmsg(2): sends the gathered `msg.msg_iov` buffers as one message, to `msg.msg_name`
 * when given, with the control messages of `msg.msg_control`. Returns the bytes sent.
 *
 * Calls [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html). Control messages: [cmsg(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EAGAIN`, `EBADF`, `EINVAL`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; the man page says when each occurs.
 */
export function sendmsg(fd: number, msg: Msghdr, flags?: number): number {
  const a = sendArgs(fd, msg, flags, false);
  let r = nativeSend(fd, a, a.flags);
  if (r === -EAGAIN) r = retry(r, fd, a.flags, POLLOUT, nativeSend, fd, a, a.flags);
  return check(r, 'sendmsg', at(msg));
}

/**
 * recvmsg(2): receives into the `msg.msg_iov` buffers (scatter). Fills `msg.msg_name`
 * (a new struct when it was undefined), `msg_namelen`, `msg_controllen` and `msg_flags`.
 * Give `msg.msg_control` (a buffer) or `msg.msg_controllen` (a size, e.g. CMSG_SPACE(4 * n))
 * to receive control messages.
 *
 * Calls [recvmsg(2)](https://man7.org/linux/man-pages/man2/recv.2.html) (with `MSG_CMSG_CLOEXEC`). Control messages: [cmsg(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNREFUSED`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
 */
export function recvmsg(fd: number, msg: Msghdr, flags?: number): RecvmsgResult {
  const a = recvArgs(fd, msg, flags, false);
  let r = nativeRecv(fd, a, a.flags);
  if (r === -EAGAIN) r = retry(r, fd, a.flags, POLLIN, nativeRecv, fd, a, a.flags);
  check(r, 'recvmsg');
  return recvDone(a, r);
}

// ---------------------------------------------------------------------------------------
// Promise forms

function callOptions(options: unknown): OpOptions | undefined {
  const o = opOptions(options);
  if (o?.signal?.aborted) throw new AbortError(o.signal.reason);
  return o;
}

function settle(r: number, syscall: string): number {
  if (r >= 0) return r;
  throw failure(-r, syscall);
}

/**
 * sendmsg(2) without blocking the event loop.
 *
 * Calls [sendmsg(2)](https://man7.org/linux/man-pages/man2/send.2.html) with `MSG_DONTWAIT`, waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EBADF`, `EINVAL`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
 */
export async function sendmsgAsync(fd: number, msg: Msghdr, flags?: number, options?: OpOptions): Promise<number> {
  const a = sendArgs(fd, msg, flags, true);
  const o = callOptions(options);
  const f = a.flags | MSG_DONTWAIT;
  const r = pollFirst(o, a.flags) ? -EAGAIN : nativeSend(fd, a, f);
  if (r !== -EAGAIN || (a.flags & MSG_DONTWAIT) !== 0) return check(r, 'sendmsg', at(msg));
  const bytes = viewBytes(a);
  return waitFor(fd, 'sendmsg', WRITABLE, () => (unchanged(a, bytes), nativeSend(fd, a, f)), o, at(msg));
}

/**
 * recvmsg(2) without blocking the event loop.
 *
 * Calls [recvmsg(2)](https://man7.org/linux/man-pages/man2/recv.2.html) with `MSG_DONTWAIT`, waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
 */
export async function recvmsgAsync(fd: number, msg: Msghdr, flags?: number, options?: OpOptions): Promise<RecvmsgResult> {
  const a = recvArgs(fd, msg, flags, true);
  const o = callOptions(options);
  const f = a.flags | MSG_DONTWAIT;
  let r = pollFirst(o, a.flags) ? -EAGAIN : nativeRecv(fd, a, f);
  if (r === -EAGAIN && (a.flags & MSG_DONTWAIT) === 0) {
    const bytes = viewBytes(a);
    r = await waitFor(fd, 'recvmsg', READABLE, () => (unchanged(a, bytes), nativeRecv(fd, a, f)), o);
  }
  else settle(r, 'recvmsg');
  return recvDone(a, r);
}

// ---------------------------------------------------------------------------------------
// sendmmsg / recvmmsg

/**
 * Buffers for sendmmsg()/recvmmsg(): `count` messages of up to `size` bytes, with optional
 * addresses, all in one allocation made once. Reading is zero-copy: data(i) is a view.
 */
export class MsgBatch {
  readonly count: number;
  readonly size: number;
  /** @internal */ readonly bufs: Buffer[];
  /** @internal */ readonly addrs: Buffer[] | null;
  /** @internal All message buffers: slot i is bytes [i * size, (i + 1) * size). */
  readonly slots: Uint8Array;
  /** @internal All addresses (sockaddr_storage.size bytes each), or null. */
  readonly addrSlots: Uint8Array | null;
  /** @internal */ readonly lens: Int32Array;
  /** @internal */ readonly addrlens: Int32Array;
  /** @internal */ readonly flagsOut: Int32Array;

  constructor(count: number, size: number, options: { withAddresses?: boolean } = {}) {
    this.count = v.int(count, 'count', 1, MMSG_MAX);
    this.size = v.int(size, 'size', 0, 0x7fffffff);
    if (options === null || typeof options !== 'object') throw v.typeError('options', 'an object', options);
    const withAddresses = options.withAddresses === undefined ? false : v.bool(options.withAddresses, 'options.withAddresses');
    const ss = sockaddr_storage.size;
    const dataLen = CMSG_ALIGN(count * size);
    const addrBytes = withAddresses ? count * ss : 0;
    const mem = new ArrayBuffer(12 * count + dataLen + addrBytes);
    this.lens = new Int32Array(mem, 0, count);
    this.addrlens = new Int32Array(mem, 4 * count, count);
    this.flagsOut = new Int32Array(mem, 8 * count, count);
    const base = 12 * count;
    // The native calls get these two views (and the slot sizes), never the per-message arrays.
    this.slots = new Uint8Array(mem, base, count * size);
    this.addrSlots = withAddresses ? new Uint8Array(mem, base + dataLen, addrBytes) : null;
    this.bufs = Array.from({ length: count }, (_, i) => Buffer.from(mem, base + i * size, size));
    this.addrs = withAddresses ? Array.from({ length: count }, (_, i) => Buffer.from(mem, base + dataLen + i * ss, ss)) : null;
  }

  #index(i: number): number {
    return v.int(i, 'i', 0, this.count - 1);
  }
  /** The whole buffer of message `i` (fill it before sendmmsg()). */
  buffer(i: number): Buffer { return this.bufs[this.#index(i)]!; }
  /** Bytes received (after recvmmsg) or to send (setLength) for message `i`. */
  length(i: number): number { return this.lens[this.#index(i)]!; }
  /** Sets the byte count to send for message `i` (at most `size`). */
  setLength(i: number, n: number): void { this.lens[this.#index(i)] = v.int(n, 'n', 0, this.size); }
  /** The received bytes of message `i`: a view into the batch, valid until the next call. */
  data(i: number): Buffer {
    const k = this.#index(i);
    return this.bufs[k]!.subarray(0, Math.min(this.lens[k]!, this.size));
  }
  /** The sender of message `i` (a decoded copy), or null without addresses. */
  address(i: number): SocketAddress | null {
    const k = this.#index(i);
    if (this.addrs === null || this.addrlens[k] === 0) return null;
    return sockaddrFrom(this.addrs[k]!, this.addrlens[k]!);
  }
  /** The destination of message `i` for sendmmsg() (null: the connected peer). */
  setAddress(i: number, addr: SockaddrBase | ArrayBufferView | null, addrlen?: number): void {
    const k = this.#index(i);
    if (this.addrs === null) throw new TypeError('This MsgBatch was created without { withAddresses: true }');
    if (addr === null) {
      this.addrlens[k] = 0;
      return;
    }
    const [bytes, len] = addrIn(addr, addrlen);
    if (len > this.addrs[k]!.length) throw v.rangeError('addrlen', `<= ${this.addrs[k]!.length}`, len);
    this.addrs[k]!.set(bytes.subarray(0, len));
    this.addrlens[k] = len;
  }
  /** msg_flags of message `i` after recvmmsg (MSG_TRUNC…). */
  flags(i: number): number { return this.flagsOut[this.#index(i)]!; }
}

const SS = sockaddr_storage.size;

function batchArg(b: unknown): MsgBatch {
  if (!(b instanceof MsgBatch)) throw v.typeError('batch', 'a MsgBatch', b);
  return b;
}

function recvBatch(fd: number, b: MsgBatch, flags: number): number {
  // The kernel writes addrlens only where an address was given; clear them first.
  if (b.addrs !== null) b.addrlens.fill(0);
  return native.recvmmsg(fd, b.slots, b.lens, b.addrSlots, b.addrlens, b.flagsOut, b.count, flags, b.size, SS);
}

function sendBatch(fd: number, b: MsgBatch, count: number, flags: number): number {
  return native.sendmmsg(fd, b.slots, b.lens, b.addrSlots, b.addrlens, b.flagsOut, count, flags, b.size, SS);
}

/**
 * recvmmsg(2) into a MsgBatch: returns how many messages arrived (read them with
 * batch.length(i), data(i), address(i), flags(i)). On a blocking socket the call waits for
 * `batch.count` messages, as in C: pass MSG_WAITFORONE to return once one has arrived.
 *
 * Calls [recvmmsg(2)](https://man7.org/linux/man-pages/man2/recvmmsg.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNREFUSED`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
 */
export function recvmmsg(fd: number, batch: MsgBatch, flags?: number): number {
  v.fd(fd);
  const b = batchArg(batch);
  const f = v.flags(flags);
  let r = recvBatch(fd, b, f);
  if (r === -EAGAIN) r = retry(r, fd, f, POLLIN, recvBatch, fd, b, f | MSG_DONTWAIT);
  return check(r, 'recvmmsg');
}

/**
 * sendmmsg(2) of the first `count` messages of a batch; returns how many were sent.
 *
 * Calls [sendmmsg(2)](https://man7.org/linux/man-pages/man2/sendmmsg.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EAGAIN`, `EBADF`, `EINVAL`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; the man page says when each occurs.
 */
export function sendmmsg(fd: number, batch: MsgBatch, count: number, flags?: number): number {
  v.fd(fd);
  const b = batchArg(batch);
  const n = v.int(count, 'count', 0, b.count);
  const f = v.flags(flags);
  let r = sendBatch(fd, b, n, f);
  if (r === -EAGAIN) r = retry(r, fd, f, POLLOUT, sendBatch, fd, b, n, f);
  return check(r, 'sendmmsg');
}

/**
 * recvmmsg(2) without blocking the event loop: resolves once at least one message arrived.
 *
 * Calls [recvmmsg(2)](https://man7.org/linux/man-pages/man2/recvmmsg.2.html) with `MSG_DONTWAIT`, waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
 */
export async function recvmmsgAsync(fd: number, batch: MsgBatch, flags?: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  const b = batchArg(batch);
  const f = v.flags(flags);
  const o = callOptions(options);
  const r = pollFirst(o, f) ? -EAGAIN : recvBatch(fd, b, f | MSG_DONTWAIT);
  if (r !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return settle(r, 'recvmmsg');
  return waitFor(fd, 'recvmmsg', READABLE, () => recvBatch(fd, b, f | MSG_DONTWAIT), o);
}

/**
 * sendmmsg(2) without blocking the event loop.
 *
 * Calls [sendmmsg(2)](https://man7.org/linux/man-pages/man2/sendmmsg.2.html) with `MSG_DONTWAIT`, waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EBADF`, `EINVAL`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
 */
export async function sendmmsgAsync(fd: number, batch: MsgBatch, count: number, flags?: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  const b = batchArg(batch);
  const n = v.int(count, 'count', 0, b.count);
  const f = v.flags(flags);
  const o = callOptions(options);
  const r = pollFirst(o, f) ? -EAGAIN : sendBatch(fd, b, n, f | MSG_DONTWAIT);
  if (r !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return settle(r, 'sendmmsg');
  return waitFor(fd, 'sendmmsg', WRITABLE, () => sendBatch(fd, b, n, f | MSG_DONTWAIT), o);
}
