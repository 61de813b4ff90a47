// netlink(7) and rtnetlink(7): sockaddr_nl, the message and attribute headers as C structs
// (layouts from the compiler), the NLMSG_* / RTA_* length macros, and bounded iterators over
// the messages in a received buffer and the attributes in a payload.
//
//   const fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
//   bind(fd, new sockaddr_nl());
//   send(fd, nlmsg({ nlmsg_type: RTM_GETLINK, nlmsg_flags: NLM_F_REQUEST | NLM_F_DUMP, nlmsg_seq: 1 },
//                  new ifinfomsg()));
//   const n = recv(fd, buf);
//   for (const m of nlmsgs(buf, n)) { … for (const a of rtattrs(m.payload.subarray(ifinfomsg.size))) … }
import { endianness } from 'node:os';
import { native } from './native.js';
import { field, layout } from './layouts.js';
import { CStruct, SockaddrBase, registerSockaddrFamily } from './structs.js';
import { rangeError, typeError } from './validate.js';

const LE = endianness() === 'LE';
const C = native.constants;
function need(name: string): number {
  const v = C[name];
  if (v === undefined) throw new Error(`internal: ${name} is not in this build's constants`);
  return v;
}
const AF_NETLINK = need('AF_NETLINK');
const ALIGNTO = need('NLMSG_ALIGNTO');
const RTA_ALIGNTO = need('RTA_ALIGNTO');

// ---------------------------------------------------------------------------------------
// length macros (<linux/netlink.h>, <linux/rtnetlink.h>)

const NLH = layout('nlmsghdr');
const RTA = layout('rtattr');

/**
 * NLMSG_ALIGN(len): `len` rounded up to NLMSG_ALIGNTO.
 *
 * No syscall: the macro of [NLMSG_ALIGN(3)](https://man7.org/linux/man-pages/man3/netlink.3.html) (`<linux/netlink.h>`).
 */
export function NLMSG_ALIGN(len: number): number {
  return (len + ALIGNTO - 1) & ~(ALIGNTO - 1);
}
/** NLMSG_HDRLEN: the aligned size of struct nlmsghdr (also exported as the constant). */
const HDRLEN: number = NLMSG_ALIGN(NLH.size);
/**
 * NLMSG_LENGTH(len): nlmsg_len of a message with `len` payload bytes.
 *
 * No syscall: the macro of [NLMSG_LENGTH(3)](https://man7.org/linux/man-pages/man3/netlink.3.html) (`<linux/netlink.h>`).
 */
export function NLMSG_LENGTH(len: number): number {
  return len + HDRLEN;
}
/**
 * NLMSG_SPACE(len): the room a message with `len` payload bytes takes in a buffer.
 *
 * No syscall: the macro of [NLMSG_SPACE(3)](https://man7.org/linux/man-pages/man3/netlink.3.html) (`<linux/netlink.h>`).
 */
export function NLMSG_SPACE(len: number): number {
  return NLMSG_ALIGN(NLMSG_LENGTH(len));
}
/**
 * RTA_ALIGN(len): `len` rounded up to RTA_ALIGNTO.
 *
 * No syscall: the macro of [RTA_ALIGN(3)](https://man7.org/linux/man-pages/man3/rtnetlink.3.html) (`<linux/rtnetlink.h>`).
 */
export function RTA_ALIGN(len: number): number {
  return (len + RTA_ALIGNTO - 1) & ~(RTA_ALIGNTO - 1);
}
/**
 * RTA_LENGTH(len): rta_len of an attribute with `len` data bytes.
 *
 * No syscall: the macro of [RTA_LENGTH(3)](https://man7.org/linux/man-pages/man3/rtnetlink.3.html) (`<linux/rtnetlink.h>`).
 */
export function RTA_LENGTH(len: number): number {
  return RTA_ALIGN(RTA.size) + len;
}
/**
 * RTA_SPACE(len): the room an attribute with `len` data bytes takes.
 *
 * No syscall: the macro of [RTA_SPACE(3)](https://man7.org/linux/man-pages/man3/rtnetlink.3.html) (`<linux/rtnetlink.h>`).
 */
export function RTA_SPACE(len: number): number {
  return RTA_ALIGN(RTA_LENGTH(len));
}

// ---------------------------------------------------------------------------------------
// structs

const SNL = layout('sockaddr_nl');
const SNL_family = field(SNL, 'nl_family');
const SNL_pad = field(SNL, 'nl_pad');
const SNL_pid = field(SNL, 'nl_pid');
const SNL_groups = field(SNL, 'nl_groups');

/** `struct sockaddr_nl` (`<linux/netlink.h>`): a netlink address (port id and multicast group mask). */
export class sockaddr_nl extends SockaddrBase {
  static readonly size = SNL.size;
  /**
   * `new sockaddr_nl()` is zeroed with nl_family = AF_NETLINK (pid 0: the kernel when sending,
   * "assign one" when binding); `new sockaddr_nl(pid, groups)` fills both;
   * `new sockaddr_nl(bytes, addrlen?)` views existing memory.
   */
  constructor(pid?: number | Uint8Array, groups?: number) {
    if (pid instanceof Uint8Array) {
      super(SNL.size, pid, groups);
      return;
    }
    super(SNL.size);
    this.nl_family = AF_NETLINK;
    if (pid !== undefined) this.nl_pid = pid;
    if (groups !== undefined) this.nl_groups = groups;
  }
  get nl_family(): number { return this.get_(SNL_family); }
  set nl_family(v: number) { this.set_(SNL_family, v, 'nl_family'); }
  get nl_pad(): number { return this.get_(SNL_pad); }
  set nl_pad(v: number) { this.set_(SNL_pad, v, 'nl_pad'); }
  /** Port id (0 is the kernel). */
  get nl_pid(): number { return this.get_(SNL_pid); }
  set nl_pid(v: number) { this.set_(SNL_pid, v, 'nl_pid'); }
  /** Multicast group mask (RTMGRP_*). */
  get nl_groups(): number { return this.get_(SNL_groups); }
  set nl_groups(v: number) { this.set_(SNL_groups, v, 'nl_groups'); }
  get family(): number { return this.nl_family; }
  toString(): string { return `nl{pid=${this.nl_pid}, groups=0x${this.nl_groups.toString(16)}}`; }
}

registerSockaddrFamily(AF_NETLINK, (bytes, addrlen) => {
  const b = Buffer.alloc(Math.max(SNL.size, bytes.length));
  b.set(bytes);
  return new sockaddr_nl(b, addrlen);
});

/** Fills a struct from an object of field values (only the given ones). */
function assign(s: CStruct, init: object | undefined): void {
  if (init === undefined) return;
  for (const [k, v] of Object.entries(init)) {
    if (!(k in s)) throw typeError('init', `an object of ${s.constructor.name} fields`, k);
    (s as unknown as Record<string, unknown>)[k] = v;
  }
}
type Init<T> = Partial<Omit<T, 'bytes' | 'toJSON'>>;
function isBytes(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array;
}

const NLH_len = field(NLH, 'nlmsg_len');
const NLH_type = field(NLH, 'nlmsg_type');
const NLH_flags = field(NLH, 'nlmsg_flags');
const NLH_seq = field(NLH, 'nlmsg_seq');
const NLH_pid = field(NLH, 'nlmsg_pid');

/** `struct nlmsghdr` (`<linux/netlink.h>`): every netlink message starts with one. */
export class nlmsghdr extends CStruct {
  static readonly size = NLH.size;
  constructor(init?: Uint8Array | Init<nlmsghdr>) {
    super(NLH.size, isBytes(init) ? init : undefined);
    if (!isBytes(init)) assign(this, init);
  }
  /** Length of the message including this header. */
  get nlmsg_len(): number { return this.get_(NLH_len); }
  set nlmsg_len(v: number) { this.set_(NLH_len, v, 'nlmsg_len'); }
  get nlmsg_type(): number { return this.get_(NLH_type); }
  set nlmsg_type(v: number) { this.set_(NLH_type, v, 'nlmsg_type'); }
  get nlmsg_flags(): number { return this.get_(NLH_flags); }
  set nlmsg_flags(v: number) { this.set_(NLH_flags, v, 'nlmsg_flags'); }
  get nlmsg_seq(): number { return this.get_(NLH_seq); }
  set nlmsg_seq(v: number) { this.set_(NLH_seq, v, 'nlmsg_seq'); }
  get nlmsg_pid(): number { return this.get_(NLH_pid); }
  set nlmsg_pid(v: number) { this.set_(NLH_pid, v, 'nlmsg_pid'); }
}

const ERR = layout('nlmsgerr');
const ERR_error = field(ERR, 'error');
const ERR_msg = field(ERR, 'msg');

/** `struct nlmsgerr` (`<linux/netlink.h>`): the payload of NLMSG_ERROR (error 0 is an ACK, else -errno). */
export class nlmsgerr extends CStruct {
  static readonly size = ERR.size;
  #msg?: nlmsghdr;
  constructor(bytes?: Uint8Array) { super(ERR.size, bytes); }
  get error(): number { return this.get_(ERR_error); }
  set error(v: number) { this.set_(ERR_error, v, 'error'); }
  /** The header of the request this answers (a view into this struct). */
  get msg(): nlmsghdr { return (this.#msg ??= new nlmsghdr(this.sub_(ERR_msg))); }
}

const IFI = layout('ifinfomsg');
const IFI_family = field(IFI, 'ifi_family');
const IFI_type = field(IFI, 'ifi_type');
const IFI_index = field(IFI, 'ifi_index');
const IFI_flags = field(IFI, 'ifi_flags');
const IFI_change = field(IFI, 'ifi_change');

/** `struct ifinfomsg` (`<linux/rtnetlink.h>`): RTM_NEWLINK/RTM_GETLINK payload header (then IFLA_* attributes). */
export class ifinfomsg extends CStruct {
  static readonly size = IFI.size;
  constructor(init?: Uint8Array | Init<ifinfomsg>) {
    super(IFI.size, isBytes(init) ? init : undefined);
    if (!isBytes(init)) assign(this, init);
  }
  get ifi_family(): number { return this.get_(IFI_family); }
  set ifi_family(v: number) { this.set_(IFI_family, v, 'ifi_family'); }
  /** ARPHRD_* */
  get ifi_type(): number { return this.get_(IFI_type); }
  set ifi_type(v: number) { this.set_(IFI_type, v, 'ifi_type'); }
  get ifi_index(): number { return this.get_(IFI_index); }
  set ifi_index(v: number) { this.set_(IFI_index, v, 'ifi_index'); }
  /** IFF_* */
  get ifi_flags(): number { return this.get_(IFI_flags); }
  set ifi_flags(v: number) { this.set_(IFI_flags, v, 'ifi_flags'); }
  get ifi_change(): number { return this.get_(IFI_change); }
  set ifi_change(v: number) { this.set_(IFI_change, v, 'ifi_change'); }
}

const IFA = layout('ifaddrmsg');
const IFA_family = field(IFA, 'ifa_family');
const IFA_prefixlen = field(IFA, 'ifa_prefixlen');
const IFA_flags = field(IFA, 'ifa_flags');
const IFA_scope = field(IFA, 'ifa_scope');
const IFA_index = field(IFA, 'ifa_index');

/** `struct ifaddrmsg` (`<linux/if_addr.h>`): RTM_NEWADDR/RTM_GETADDR payload header (then IFA_* attributes). */
export class ifaddrmsg extends CStruct {
  static readonly size = IFA.size;
  constructor(init?: Uint8Array | Init<ifaddrmsg>) {
    super(IFA.size, isBytes(init) ? init : undefined);
    if (!isBytes(init)) assign(this, init);
  }
  get ifa_family(): number { return this.get_(IFA_family); }
  set ifa_family(v: number) { this.set_(IFA_family, v, 'ifa_family'); }
  get ifa_prefixlen(): number { return this.get_(IFA_prefixlen); }
  set ifa_prefixlen(v: number) { this.set_(IFA_prefixlen, v, 'ifa_prefixlen'); }
  /** IFA_F_* (the low 8 bits; IFA_FLAGS carries all 32). */
  get ifa_flags(): number { return this.get_(IFA_flags); }
  set ifa_flags(v: number) { this.set_(IFA_flags, v, 'ifa_flags'); }
  /** RT_SCOPE_* */
  get ifa_scope(): number { return this.get_(IFA_scope); }
  set ifa_scope(v: number) { this.set_(IFA_scope, v, 'ifa_scope'); }
  get ifa_index(): number { return this.get_(IFA_index); }
  set ifa_index(v: number) { this.set_(IFA_index, v, 'ifa_index'); }
}

const RTA_len = field(RTA, 'rta_len');
const RTA_type = field(RTA, 'rta_type');

/** `struct rtattr` (`<linux/rtnetlink.h>`): header of one routing attribute (then rta_len - RTA_LENGTH(0) data bytes). */
export class rtattr extends CStruct {
  static readonly size = RTA.size;
  constructor(init?: Uint8Array | Init<rtattr>) {
    super(RTA.size, isBytes(init) ? init : undefined);
    if (!isBytes(init)) assign(this, init);
  }
  get rta_len(): number { return this.get_(RTA_len); }
  set rta_len(v: number) { this.set_(RTA_len, v, 'rta_len'); }
  get rta_type(): number { return this.get_(RTA_type); }
  set rta_type(v: number) { this.set_(RTA_type, v, 'rta_type'); }
}

export {
  sockaddr_nl as SockaddrNl, nlmsghdr as Nlmsghdr, nlmsgerr as Nlmsgerr, ifinfomsg as Ifinfomsg,
  ifaddrmsg as Ifaddrmsg, rtattr as Rtattr,
};

// ---------------------------------------------------------------------------------------
// building messages

type Part = CStruct | Uint8Array;
const bytesOf = (p: Part): Uint8Array => (p instanceof CStruct ? p.bytes : p);

/**
 * One attribute, padded to RTA_ALIGNTO: header plus `data` (a number is written as a u32).
 *
 * No syscall: builds an attribute as [rtnetlink(3)](https://man7.org/linux/man-pages/man3/rtnetlink.3.html) and [rtnetlink(7)](https://man7.org/linux/man-pages/man7/rtnetlink.7.html) describe it.
 */
export function rta(type: number, data: Part | number | string): Buffer {
  let d: Uint8Array;
  if (typeof data === 'number') {
    d = Buffer.alloc(4);
    new DataView(d.buffer, d.byteOffset, 4).setUint32(0, data, LE);
  } else if (typeof data === 'string') d = Buffer.from(`${data}\0`, 'utf8');
  else d = bytesOf(data);
  const out = Buffer.alloc(RTA_SPACE(d.byteLength));
  const h = new rtattr(out);
  h.rta_len = RTA_LENGTH(d.byteLength);
  h.rta_type = type;
  out.set(d, RTA_LENGTH(0));
  return out;
}

/**
 * One message: a header (nlmsg_len is computed) followed by the parts (a payload struct,
 * then attributes from rta()), each part starting at an NLMSG_ALIGNTO boundary.
 *
 * No syscall: builds a message for [send(2)](https://man7.org/linux/man-pages/man2/send.2.html) on an `AF_NETLINK` socket; format in [netlink(7)](https://man7.org/linux/man-pages/man7/netlink.7.html).
 */
export function nlmsg(hdr: Init<nlmsghdr>, ...parts: Part[]): Buffer {
  let len = HDRLEN;
  const at: number[] = [];
  for (const p of parts) {
    len = NLMSG_ALIGN(len);
    at.push(len);
    len += bytesOf(p).byteLength;
  }
  const out = Buffer.alloc(NLMSG_ALIGN(len));
  const h = new nlmsghdr(out);
  assign(h, hdr);
  h.nlmsg_len = len;
  parts.forEach((p, i) => out.set(bytesOf(p), at[i]));
  return out;
}

// ---------------------------------------------------------------------------------------
// parsing

/**
 * A length field that would run past its buffer (or below its own header). Not a syscall
 * failure, so no errno: `code` is `'ERR_NETLINK_MALFORMED'`.
 */
export class NetlinkParseError extends RangeError {
  readonly code = 'ERR_NETLINK_MALFORMED';
  /** Byte offset of the bad header in the buffer. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'NetlinkParseError';
    this.offset = offset;
  }
}

function view(buf: unknown, len: unknown, name: string): Buffer {
  if (!ArrayBuffer.isView(buf)) throw typeError(name, 'an ArrayBufferView', buf);
  const all = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (len === undefined) return all;
  if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || len > all.length) {
    throw rangeError('len', `an integer >= 0 and <= ${all.length}`, len);
  }
  return all.subarray(0, len);
}

/** One message found by nlmsgs(). */
export interface NetlinkMessage {
  /** The header, a view over the buffer. */
  hdr: nlmsghdr;
  nlmsg_type: number;
  nlmsg_flags: number;
  nlmsg_seq: number;
  nlmsg_pid: number;
  /** Offset of the header in the buffer. */
  offset: number;
  /** The payload: nlmsg_len - NLMSG_HDRLEN bytes after the header (a view, not a copy). */
  payload: Buffer;
}

/**
 * The messages in the first `len` bytes of `buf` (what recv() returned), walked by
 * nlmsg_len as NLMSG_OK/NLMSG_NEXT do. It never reads past `len`: a header that does not
 * fit, or an nlmsg_len below NLMSG_HDRLEN or past the end, throws NetlinkParseError after
 * the well-formed messages before it have been yielded.
 *
 * No syscall: walks what [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) returned, as [NLMSG_NEXT(3)](https://man7.org/linux/man-pages/man3/netlink.3.html) does.
 * @throws {@link NetlinkParseError} for a length that runs past the buffer.
 */
export function* nlmsgs(buf: ArrayBufferView, len?: number): Generator<NetlinkMessage, void, undefined> {
  const b = view(buf, len, 'buf');
  let off = 0;
  while (off < b.length) {
    const rest = b.length - off;
    if (rest < NLH.size) throw new NetlinkParseError(`truncated nlmsghdr at offset ${off}: ${rest} bytes left, need ${NLH.size}`, off);
    const hdr = new nlmsghdr(b.subarray(off, off + NLH.size));
    const n = hdr.nlmsg_len;
    if (n < HDRLEN) throw new NetlinkParseError(`nlmsg_len ${n} at offset ${off} is below NLMSG_HDRLEN (${HDRLEN})`, off);
    if (n > rest) throw new NetlinkParseError(`nlmsg_len ${n} at offset ${off} runs past the buffer (${rest} bytes left)`, off);
    yield {
      hdr,
      nlmsg_type: hdr.nlmsg_type,
      nlmsg_flags: hdr.nlmsg_flags,
      nlmsg_seq: hdr.nlmsg_seq,
      nlmsg_pid: hdr.nlmsg_pid,
      offset: off,
      payload: b.subarray(off + HDRLEN, off + n),
    };
    off = Math.min(off + NLMSG_ALIGN(n), b.length);
  }
}

/** One attribute found by rtattrs(). */
export interface RoutingAttribute {
  rta_type: number;
  rta_len: number;
  /** Offset of the attribute header in the walked bytes. */
  offset: number;
  /** The data: rta_len - RTA_LENGTH(0) bytes (a view, not a copy). */
  data: Buffer;
}

/**
 * The attributes in `buf` (e.g. a payload after its ifinfomsg/ifaddrmsg), walked by rta_len
 * as RTA_OK/RTA_NEXT do; same bounds rules as nlmsgs().
 *
 * No syscall: walks attributes as [RTA_NEXT(3)](https://man7.org/linux/man-pages/man3/rtnetlink.3.html) does.
 * @throws {@link NetlinkParseError} for a length that runs past the buffer.
 */
export function* rtattrs(buf: ArrayBufferView, len?: number): Generator<RoutingAttribute, void, undefined> {
  const b = view(buf, len, 'buf');
  const hl = RTA_LENGTH(0);
  let off = 0;
  while (off < b.length) {
    const rest = b.length - off;
    if (rest < RTA.size) throw new NetlinkParseError(`truncated rtattr at offset ${off}: ${rest} bytes left, need ${RTA.size}`, off);
    const h = new rtattr(b.subarray(off, off + RTA.size));
    const n = h.rta_len;
    if (n < hl) throw new NetlinkParseError(`rta_len ${n} at offset ${off} is below RTA_LENGTH(0) (${hl})`, off);
    if (n > rest) throw new NetlinkParseError(`rta_len ${n} at offset ${off} runs past the buffer (${rest} bytes left)`, off);
    yield { rta_type: h.rta_type, rta_len: n, offset: off, data: b.subarray(off + hl, off + n) };
    off = Math.min(off + RTA_ALIGN(n), b.length);
  }
}

/**
 * The attributes of a payload after its fixed header (`skip` bytes, aligned), by type.
 *
 * No syscall: attributes as [rtnetlink(7)](https://man7.org/linux/man-pages/man7/rtnetlink.7.html) lays them out.
 * @throws {@link NetlinkParseError} for a length that runs past the buffer.
 */
export function rtattrMap(payload: ArrayBufferView, skip: number): Map<number, Buffer> {
  const b = view(payload, undefined, 'payload');
  const start = NLMSG_ALIGN(skip);
  if (start > b.length) throw new NetlinkParseError(`payload of ${b.length} bytes is shorter than its ${skip}-byte header`, 0);
  const out = new Map<number, Buffer>();
  for (const a of rtattrs(b.subarray(start))) if (!out.has(a.rta_type)) out.set(a.rta_type, a.data);
  return out;
}
