// C structs as views over bytes laid out exactly as this host's compiler lays them out.
// Offsets and sizes come from native.layouts (offsetof/sizeof at build time); fields keep
// their C names, C types and C byte order, so `addr.sin_port = htons(port)` works as in C.
import { endianness } from 'node:os';
import { native, type FieldLayout } from './native.js';
import { field, layout } from './layouts.js';
import { AF_INET, AF_INET6, AF_UNIX, AF_PACKET } from './constants.generated.js';
import { rangeError, typeError } from './validate.js';
import type { sockaddr_nl } from './netlink.js';

const LE = endianness() === 'LE';
function invalidAddress(af: string, text: string): TypeError {
  const e = new TypeError(`Invalid ${af} address: ${JSON.stringify(text)}`);
  (e as TypeError & { code: string }).code = 'ERR_INVALID_ADDRESS';
  return e;
}

/** Base of every C struct view: `bytes` is the struct's memory, exactly `sizeof` long. */
export abstract class CStruct {
  /** The struct's memory (shared with the kernel calls: no copies are made). */
  readonly bytes: Buffer;
  protected readonly dv: DataView;

  protected constructor(size: number, bytes?: Uint8Array) {
    if (bytes === undefined) this.bytes = Buffer.alloc(size);
    else {
      if (!(bytes instanceof Uint8Array)) throw typeError('bytes', 'a Uint8Array', bytes);
      if (bytes.byteLength < size) throw rangeError('bytes.byteLength', `>= ${size} (sizeof the struct)`, bytes.byteLength);
      this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, size);
    }
    this.dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
  }

  /** Reads an integer field in host byte order, as C would. */
  protected get_(f: FieldLayout): number {
    const [off, size, signed] = f;
    switch (size) {
      case 1: return signed ? this.dv.getInt8(off) : this.dv.getUint8(off);
      case 2: return signed ? this.dv.getInt16(off, LE) : this.dv.getUint16(off, LE);
      case 4: return signed ? this.dv.getInt32(off, LE) : this.dv.getUint32(off, LE);
      default: return Number(signed ? this.dv.getBigInt64(off, LE) : this.dv.getBigUint64(off, LE));
    }
  }

  /** Writes an integer field; a value outside its C type is a RangeError, never truncated. */
  protected set_(f: FieldLayout, v: unknown, name: string): void {
    const [off, size, signed] = f;
    if (typeof v !== 'number') throw typeError(name, 'of type number', v);
    const bits = size * 8;
    const min = signed ? -(2 ** (bits - 1)) : 0;
    const max = Math.min(signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1, Number.MAX_SAFE_INTEGER);
    if (!Number.isInteger(v) || v < min || v > max) throw rangeError(name, `an integer >= ${min} and <= ${max}`, v);
    switch (size) {
      case 1: if (signed) this.dv.setInt8(off, v); else this.dv.setUint8(off, v); break;
      case 2: if (signed) this.dv.setInt16(off, v, LE); else this.dv.setUint16(off, v, LE); break;
      case 4: if (signed) this.dv.setInt32(off, v, LE); else this.dv.setUint32(off, v, LE); break;
      default: if (signed) this.dv.setBigInt64(off, BigInt(v), LE); else this.dv.setBigUint64(off, BigInt(v), LE);
    }
  }

  /** A byte array field (or nested struct memory), shared with the struct. */
  protected sub_(f: FieldLayout): Buffer {
    return this.bytes.subarray(f[0], f[0] + f[1]);
  }

  /** Copies bytes into an array field; a longer source is a RangeError. */
  protected fill_(f: FieldLayout, src: unknown, name: string): void {
    if (!ArrayBuffer.isView(src) && !Array.isArray(src)) throw typeError(name, 'an ArrayBufferView or array of bytes', src);
    const bytes = ArrayBuffer.isView(src) ? new Uint8Array(src.buffer, src.byteOffset, src.byteLength) : Uint8Array.from(src as number[]);
    if (bytes.byteLength > f[1]) throw rangeError(`${name}.length`, `<= ${f[1]}`, bytes.byteLength);
    const dst = this.sub_(f);
    dst.fill(0);
    dst.set(bytes);
  }
}

// ---------------------------------------------------------------------------------------
// in_addr, in6_addr

const IN = layout('in_addr');
const IN_s_addr = field(IN, 's_addr');

/** `struct in_addr` (`<netinet/in.h>`): `s_addr` is the IPv4 address in network byte order (as C stores it). */
export class in_addr extends CStruct {
  static readonly size = IN.size;
  /** A zeroed struct, a view over `bytes`, or the parse of a dotted-quad string. */
  constructor(init?: Uint8Array | string) {
    super(IN.size, typeof init === 'string' ? undefined : init);
    if (typeof init === 'string') this.address = init;
  }
  get s_addr(): number { return this.get_(IN_s_addr); }
  set s_addr(v: number) { this.set_(IN_s_addr, v, 's_addr'); }
  /** Host convenience: the address as a dotted quad. */
  get address(): string { return `${this.bytes[0]}.${this.bytes[1]}.${this.bytes[2]}.${this.bytes[3]}`; }
  set address(text: string) {
    if (typeof text !== 'string') throw typeError('address', 'of type string', text);
    if (native.inet_pton(AF_INET, text, this.bytes) !== 1) throw invalidAddress('IPv4', text);
  }
  toString(): string { return this.address; }
}

const IN6 = layout('in6_addr');
const IN6_s6_addr = field(IN6, 's6_addr');

/** `struct in6_addr` (`<netinet/in.h>`): `s6_addr` is the 16 address bytes. */
export class in6_addr extends CStruct {
  static readonly size = IN6.size;
  constructor(init?: Uint8Array | string) {
    super(IN6.size, typeof init === 'string' ? undefined : init);
    if (typeof init === 'string') this.address = init;
  }
  get s6_addr(): Buffer { return this.sub_(IN6_s6_addr); }
  set s6_addr(v: ArrayLike<number> | ArrayBufferView) { this.fill_(IN6_s6_addr, v, 's6_addr'); }
  /** Host convenience: the address as text (inet_ntop's form). */
  get address(): string { return native.inet_ntop(AF_INET6, this.bytes) as string; }
  set address(text: string) {
    if (typeof text !== 'string') throw typeError('address', 'of type string', text);
    if (native.inet_pton(AF_INET6, text, this.bytes) !== 1) throw invalidAddress('IPv6', text);
  }
  toString(): string { return this.address; }
}

// ---------------------------------------------------------------------------------------
// socket addresses

/** Base of the sockaddr family: `addrlen` is the length handed to or returned by the kernel. */
export abstract class SockaddrBase extends CStruct {
  /** The socklen_t for this address: sizeof by default, the kernel's value when it filled it. */
  addrlen: number;
  protected constructor(size: number, bytes?: Uint8Array, addrlen?: number) {
    super(size, bytes);
    this.addrlen = addrlen ?? size;
  }
  /** The address family (the struct's first field). */
  abstract get family(): number;
}

const SA = layout('sockaddr');
const SA_family = field(SA, 'sa_family');
const SA_data = field(SA, 'sa_data');

/** `struct sockaddr` (`<sys/socket.h>`): the generic header. */
export class sockaddr extends SockaddrBase {
  static readonly size = SA.size;
  constructor(bytes?: Uint8Array, addrlen?: number) { super(SA.size, bytes, addrlen); }
  get sa_family(): number { return this.get_(SA_family); }
  set sa_family(v: number) { this.set_(SA_family, v, 'sa_family'); }
  get sa_data(): Buffer { return this.sub_(SA_data); }
  set sa_data(v: ArrayLike<number> | ArrayBufferView) { this.fill_(SA_data, v, 'sa_data'); }
  get family(): number { return this.sa_family; }
  toString(): string { return `sockaddr{family=${this.sa_family}}`; }
}

const SS = layout('sockaddr_storage');
const SS_family = field(SS, 'ss_family');

/** `struct sockaddr_storage` (`<sys/socket.h>`): room for any address; unknown families come back as this. */
export class sockaddr_storage extends SockaddrBase {
  static readonly size = SS.size;
  constructor(bytes?: Uint8Array, addrlen?: number) { super(SS.size, bytes, addrlen); }
  get ss_family(): number { return this.get_(SS_family); }
  set ss_family(v: number) { this.set_(SS_family, v, 'ss_family'); }
  get family(): number { return this.ss_family; }
  toString(): string { return `sockaddr_storage{family=${this.ss_family}, addrlen=${this.addrlen}}`; }
}

function portArg(v: unknown): number {
  if (typeof v !== 'number') throw typeError('port', 'of type number', v);
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw rangeError('port', '>= 0 and <= 65535', v);
  return v;
}
const swap16 = (v: number): number => (LE ? ((v & 0xff) << 8) | (v >>> 8) : v);

const SIN = layout('sockaddr_in');
const SIN_family = field(SIN, 'sin_family');
const SIN_port = field(SIN, 'sin_port');
const SIN_addr = field(SIN, 'sin_addr');
const SIN_zero = field(SIN, 'sin_zero');

/** `struct sockaddr_in` (`<netinet/in.h>`): an IPv4 address and port, both in network byte order. */
export class sockaddr_in extends SockaddrBase {
  static readonly size = SIN.size;
  #addr?: in_addr;
  /**
   * `new sockaddr_in()` is zeroed with `sin_family = AF_INET`; `new sockaddr_in('127.0.0.1', 8080)`
   * fills it from host values; `new sockaddr_in(bytes)` views existing memory.
   */
  constructor(address?: string | Uint8Array, port?: number) {
    const view = address instanceof Uint8Array ? address : undefined;
    super(SIN.size, view);
    if (view) return;
    this.sin_family = AF_INET;
    if (address !== undefined) this.address = address as string;
    if (port !== undefined) this.port = port;
  }
  get sin_family(): number { return this.get_(SIN_family); }
  set sin_family(v: number) { this.set_(SIN_family, v, 'sin_family'); }
  /** The port in network byte order, as stored: use ntohs() to read it, htons() to write it. */
  get sin_port(): number { return this.get_(SIN_port); }
  set sin_port(v: number) { this.set_(SIN_port, v, 'sin_port'); }
  /** The `struct in_addr` inside this struct (a view: writes go to this sockaddr). */
  get sin_addr(): in_addr { return (this.#addr ??= new in_addr(this.sub_(SIN_addr))); }
  set sin_addr(v: in_addr) {
    if (!(v instanceof in_addr)) throw typeError('sin_addr', 'an in_addr', v);
    this.sub_(SIN_addr).set(v.bytes);
  }
  get sin_zero(): Buffer { return this.sub_(SIN_zero); }
  set sin_zero(v: ArrayLike<number> | ArrayBufferView) { this.fill_(SIN_zero, v, 'sin_zero'); }
  get family(): number { return this.sin_family; }
  /** Host convenience: the address as a dotted quad. */
  get address(): string { return this.sin_addr.address; }
  set address(text: string) { this.sin_addr.address = text; }
  /** Host convenience: the port in host byte order. */
  get port(): number { return swap16(this.sin_port); }
  set port(v: number) { this.sin_port = swap16(portArg(v)); }
  toString(): string { return `${this.address}:${this.port}`; }
}

const SIN6 = layout('sockaddr_in6');
const SIN6_family = field(SIN6, 'sin6_family');
const SIN6_port = field(SIN6, 'sin6_port');
const SIN6_flowinfo = field(SIN6, 'sin6_flowinfo');
const SIN6_addr = field(SIN6, 'sin6_addr');
const SIN6_scope_id = field(SIN6, 'sin6_scope_id');
const swap32 = (v: number): number =>
  LE ? (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0 : v;

/** `struct sockaddr_in6` (`<netinet/in.h>`): IPv6 address, port and flowinfo in network byte order, scope id in host order. */
export class sockaddr_in6 extends SockaddrBase {
  static readonly size = SIN6.size;
  #addr?: in6_addr;
  /**
   * `new sockaddr_in6('::1', 8080)`; the address may carry a `%zone` (interface name or
   * number) that sets sin6_scope_id. Zeroed with `sin6_family = AF_INET6` otherwise.
   */
  constructor(address?: string | Uint8Array, port?: number, flowinfo?: number, scope_id?: number) {
    const view = address instanceof Uint8Array ? address : undefined;
    super(SIN6.size, view);
    if (view) return;
    this.sin6_family = AF_INET6;
    if (address !== undefined) this.address = address as string;
    if (port !== undefined) this.port = port;
    if (flowinfo !== undefined) this.flowinfo = flowinfo;
    if (scope_id !== undefined) this.sin6_scope_id = scope_id;
  }
  get sin6_family(): number { return this.get_(SIN6_family); }
  set sin6_family(v: number) { this.set_(SIN6_family, v, 'sin6_family'); }
  get sin6_port(): number { return this.get_(SIN6_port); }
  set sin6_port(v: number) { this.set_(SIN6_port, v, 'sin6_port'); }
  /** Flow information in network byte order, as stored. */
  get sin6_flowinfo(): number { return this.get_(SIN6_flowinfo); }
  set sin6_flowinfo(v: number) { this.set_(SIN6_flowinfo, v, 'sin6_flowinfo'); }
  get sin6_addr(): in6_addr { return (this.#addr ??= new in6_addr(this.sub_(SIN6_addr))); }
  set sin6_addr(v: in6_addr) {
    if (!(v instanceof in6_addr)) throw typeError('sin6_addr', 'an in6_addr', v);
    this.sub_(SIN6_addr).set(v.bytes);
  }
  /** Interface index for link-local addresses (host byte order). */
  get sin6_scope_id(): number { return this.get_(SIN6_scope_id); }
  set sin6_scope_id(v: number) { this.set_(SIN6_scope_id, v, 'sin6_scope_id'); }
  get family(): number { return this.sin6_family; }
  /** Host convenience: the address text, without the zone. */
  get address(): string { return this.sin6_addr.address; }
  set address(text: string) {
    if (typeof text !== 'string') throw typeError('address', 'of type string', text);
    const pct = text.indexOf('%');
    if (pct < 0) {
      this.sin6_addr.address = text;
      return;
    }
    const zone = text.slice(pct + 1);
    let scope: number;
    if (/^\d+$/.test(zone)) scope = Number(zone);
    else {
      scope = zone.includes('\0') ? -1 : native.if_nametoindex(zone);
      if (scope < 0) throw invalidAddress('IPv6', text);
    }
    // Checked before anything is written: a failed parse leaves the struct unchanged.
    if (scope > 0xffffffff) throw invalidAddress('IPv6', text);
    this.sin6_addr.address = text.slice(0, pct);
    this.sin6_scope_id = scope;
  }
  /** Host convenience: the port in host byte order. */
  get port(): number { return swap16(this.sin6_port); }
  set port(v: number) { this.sin6_port = swap16(portArg(v)); }
  /** Host convenience: flowinfo in host byte order. */
  get flowinfo(): number { return swap32(this.sin6_flowinfo); }
  set flowinfo(v: number) {
    if (typeof v !== 'number') throw typeError('flowinfo', 'of type number', v);
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw rangeError('flowinfo', '>= 0 and <= 4294967295', v);
    this.sin6_flowinfo = swap32(v);
  }
  toString(): string {
    const zone = this.sin6_scope_id ? `%${this.sin6_scope_id}` : '';
    return `[${this.address}${zone}]:${this.port}`;
  }
}

const SUN = layout('sockaddr_un');
const SUN_family = field(SUN, 'sun_family');
const SUN_path = field(SUN, 'sun_path');
/** offsetof(struct sockaddr_un, sun_path): the addrlen of an unnamed socket. */
const SUN_PATH_OFFSET = SUN_path[0];

/**
 * `struct sockaddr_un` (`<sys/un.h>`): a Unix socket address. `addrlen` says how much of `sun_path` counts:
 * a pathname (NUL-terminated), a Linux abstract name (leading NUL, any bytes, no terminator),
 * or nothing at all (an unnamed socket, addrlen == sizeof(sa_family_t)).
 */
export class sockaddr_un extends SockaddrBase {
  static readonly size = SUN.size;
  /** Longest pathname, in bytes, leaving room for the terminating NUL (107 on Linux). */
  static readonly maxPathLength = SUN_path[1] - 1;
  /**
   * `new sockaddr_un('/tmp/sock')`, `new sockaddr_un('\0abstract')` (or a Buffer for names
   * with arbitrary bytes), `new sockaddr_un()` zeroed with sun_family = AF_UNIX, or
   * `new sockaddr_un(bytes, addrlen)` over existing memory.
   */
  constructor(path?: string | Uint8Array, addrlen?: number) {
    if (path instanceof Uint8Array && addrlen !== undefined) {
      super(SUN.size, path, addrlen);
      return;
    }
    super(SUN.size);
    this.sun_family = AF_UNIX;
    if (path !== undefined) this.path = path;
  }
  get sun_family(): number { return this.get_(SUN_family); }
  set sun_family(v: number) { this.set_(SUN_family, v, 'sun_family'); }
  /** The raw path bytes (all of them; `addrlen` says how many count). */
  get sun_path(): Buffer { return this.sub_(SUN_path); }
  set sun_path(v: ArrayLike<number> | ArrayBufferView) { this.fill_(SUN_path, v, 'sun_path'); }
  get family(): number { return this.sun_family; }

  /** The path bytes that count, decoded from `addrlen` (never by strlen past the struct). */
  get pathBytes(): Buffer {
    const n = Math.max(0, Math.min(this.addrlen, SUN.size) - SUN_PATH_OFFSET);
    const p = this.sun_path.subarray(0, n);
    if (n === 0 || p[0] === 0) return p; // unnamed, or abstract: every byte counts
    const nul = p.indexOf(0);
    return nul < 0 ? p : p.subarray(0, nul);
  }
  /** Host convenience: the path; abstract names start with '\0'; '' for an unnamed socket. */
  get path(): string { return this.pathBytes.toString('utf8'); }
  set path(v: string | Uint8Array) {
    let bytes: Buffer;
    if (typeof v === 'string') bytes = Buffer.from(v, 'utf8');
    else if (v instanceof Uint8Array) bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    else throw typeError('path', 'a string or Uint8Array', v);
    const abstract = bytes.length > 0 && bytes[0] === 0;
    if (!abstract && bytes.includes(0)) throw typeError('path', 'a pathname without null bytes', v);
    const room = abstract ? SUN_path[1] : SUN_path[1] - 1;
    if (bytes.length > room) {
      const e = rangeError('path', `at most ${room} bytes long (sizeof sun_path${abstract ? '' : ' - 1'})`, bytes.length);
      throw e;
    }
    this.sun_path.fill(0);
    this.sun_path.set(bytes);
    this.addrlen = SUN_PATH_OFFSET + bytes.length + (abstract || bytes.length === 0 ? 0 : 1);
  }
  /** True for a Linux abstract-namespace address. */
  get abstract(): boolean { return this.pathBytes.length > 0 && this.pathBytes[0] === 0; }
  toString(): string {
    const p = this.pathBytes;
    if (p.length === 0) return '(unnamed)';
    return p[0] === 0 ? `@${p.subarray(1).toString('utf8').replace(/\0/g, '@')}` : p.toString('utf8');
  }
}

const SLL = layout('sockaddr_ll');
const SLL_family = field(SLL, 'sll_family');
const SLL_protocol = field(SLL, 'sll_protocol');
const SLL_ifindex = field(SLL, 'sll_ifindex');
const SLL_hatype = field(SLL, 'sll_hatype');
const SLL_pkttype = field(SLL, 'sll_pkttype');
const SLL_halen = field(SLL, 'sll_halen');
const SLL_addr = field(SLL, 'sll_addr');

/** `struct sockaddr_ll` (`<linux/if_packet.h>`): a link-layer (AF_PACKET) address. */
export class sockaddr_ll extends SockaddrBase {
  static readonly size = SLL.size;
  constructor(bytes?: Uint8Array, addrlen?: number) {
    super(SLL.size, bytes, addrlen);
    if (!bytes) this.sll_family = AF_PACKET;
  }
  get sll_family(): number { return this.get_(SLL_family); }
  set sll_family(v: number) { this.set_(SLL_family, v, 'sll_family'); }
  /** The ethertype in network byte order. */
  get sll_protocol(): number { return this.get_(SLL_protocol); }
  set sll_protocol(v: number) { this.set_(SLL_protocol, v, 'sll_protocol'); }
  get sll_ifindex(): number { return this.get_(SLL_ifindex); }
  set sll_ifindex(v: number) { this.set_(SLL_ifindex, v, 'sll_ifindex'); }
  get sll_hatype(): number { return this.get_(SLL_hatype); }
  set sll_hatype(v: number) { this.set_(SLL_hatype, v, 'sll_hatype'); }
  get sll_pkttype(): number { return this.get_(SLL_pkttype); }
  set sll_pkttype(v: number) { this.set_(SLL_pkttype, v, 'sll_pkttype'); }
  get sll_halen(): number { return this.get_(SLL_halen); }
  set sll_halen(v: number) { this.set_(SLL_halen, v, 'sll_halen'); }
  get sll_addr(): Buffer { return this.sub_(SLL_addr); }
  set sll_addr(v: ArrayLike<number> | ArrayBufferView) { this.fill_(SLL_addr, v, 'sll_addr'); }
  get family(): number { return this.sll_family; }
  toString(): string {
    const mac = [...this.sll_addr.subarray(0, Math.min(this.sll_halen, 8))].map((b) => b.toString(16).padStart(2, '0'));
    return `ll{ifindex=${this.sll_ifindex}, proto=0x${swap16(this.sll_protocol).toString(16)}, addr=${mac.join(':')}}`;
  }
}

/** Any socket address struct. */
export type SocketAddress = sockaddr_in | sockaddr_in6 | sockaddr_un | sockaddr_ll | sockaddr_nl | sockaddr_storage | sockaddr;

/**
 * Decoders of families whose struct lives in another module (lib/netlink.ts registers
 * AF_NETLINK -> sockaddr_nl when it loads; importing it here would be a cycle).
 */
const familyDecoders = new Map<number, (bytes: Buffer, addrlen: number) => SocketAddress>();
/** @internal Registers the decoder sockaddrFrom uses for `family`. */
export function registerSockaddrFamily(family: number, decode: (bytes: Buffer, addrlen: number) => SocketAddress): void {
  familyDecoders.set(family, decode);
}

/**
 * Decodes kernel-filled address bytes into the struct of their family (a copy, so the
 * source can be reused). Unknown families come back as sockaddr_storage with their addrlen.
 *
 * No syscall: decodes bytes the kernel filled, as described in [sockaddr(3type)](https://man7.org/linux/man-pages/man3/sockaddr.3type.html).
 */
export function sockaddrFrom(bytes: Uint8Array, addrlen: number): SocketAddress {
  const n = Math.min(addrlen, bytes.byteLength);
  const family = n >= SA_family[0] + SA_family[1] ? new DataView(bytes.buffer, bytes.byteOffset).getUint16(SA_family[0], LE) : -1;
  const copy = (size: number): Buffer => {
    const b = Buffer.alloc(Math.max(size, n));
    b.set(bytes.subarray(0, n));
    return b;
  };
  if (family === AF_INET && n >= SIN.size) return new sockaddr_in(copy(SIN.size));
  if (family === AF_INET6 && n >= SIN6.size) return new sockaddr_in6(copy(SIN6.size));
  if (family === AF_UNIX) return new sockaddr_un(copy(SUN.size), n);
  if (AF_PACKET !== undefined && family === AF_PACKET && n <= SLL.size) return new sockaddr_ll(copy(SLL.size), n);
  const decode = familyDecoders.get(family); // AF_NETLINK: sockaddr_nl (lib/netlink.ts)
  if (decode) return decode(copy(n), n);
  return new sockaddr_storage(copy(SS.size), n);
}


// ---------------------------------------------------------------------------------------
// option structs

const LINGER = layout('linger');
const LINGER_onoff = field(LINGER, 'l_onoff');
const LINGER_linger = field(LINGER, 'l_linger');

/** `struct linger` (`<sys/socket.h>`) for SO_LINGER. */
export class linger extends CStruct {
  static readonly size = LINGER.size;
  constructor(init?: Uint8Array | { l_onoff: number; l_linger: number }) {
    super(LINGER.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.l_onoff = init.l_onoff;
      this.l_linger = init.l_linger;
    }
  }
  get l_onoff(): number { return this.get_(LINGER_onoff); }
  set l_onoff(v: number) { this.set_(LINGER_onoff, v, 'l_onoff'); }
  get l_linger(): number { return this.get_(LINGER_linger); }
  set l_linger(v: number) { this.set_(LINGER_linger, v, 'l_linger'); }
}

const TV = layout('timeval');
const TV_sec = field(TV, 'tv_sec');
const TV_usec = field(TV, 'tv_usec');

/** `struct timeval` (`<sys/time.h>`) for SO_RCVTIMEO / SO_SNDTIMEO. */
export class timeval extends CStruct {
  static readonly size = TV.size;
  constructor(init?: Uint8Array | { tv_sec: number; tv_usec: number }) {
    super(TV.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.tv_sec = init.tv_sec;
      this.tv_usec = init.tv_usec;
    }
  }
  get tv_sec(): number { return this.get_(TV_sec); }
  set tv_sec(v: number) { this.set_(TV_sec, v, 'tv_sec'); }
  get tv_usec(): number { return this.get_(TV_usec); }
  set tv_usec(v: number) { this.set_(TV_usec, v, 'tv_usec'); }
}

const UCRED = layout('ucred');
const UCRED_pid = field(UCRED, 'pid');
const UCRED_uid = field(UCRED, 'uid');
const UCRED_gid = field(UCRED, 'gid');

/** `struct ucred` (`<sys/socket.h>`) for SO_PEERCRED. */
export class ucred extends CStruct {
  static readonly size = UCRED.size;
  constructor(bytes?: Uint8Array) { super(UCRED.size, bytes); }
  get pid(): number { return this.get_(UCRED_pid); }
  set pid(v: number) { this.set_(UCRED_pid, v, 'pid'); }
  get uid(): number { return this.get_(UCRED_uid); }
  set uid(v: number) { this.set_(UCRED_uid, v, 'uid'); }
  get gid(): number { return this.get_(UCRED_gid); }
  set gid(v: number) { this.set_(UCRED_gid, v, 'gid'); }
}

const MREQ = layout('ip_mreq');
const MREQ_multiaddr = field(MREQ, 'imr_multiaddr');
const MREQ_interface = field(MREQ, 'imr_interface');

/** `struct ip_mreq` (`<netinet/in.h>`) for IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP. */
export class ip_mreq extends CStruct {
  static readonly size = MREQ.size;
  #m?: in_addr;
  #i?: in_addr;
  constructor(bytes?: Uint8Array) { super(MREQ.size, bytes); }
  get imr_multiaddr(): in_addr { return (this.#m ??= new in_addr(this.sub_(MREQ_multiaddr))); }
  get imr_interface(): in_addr { return (this.#i ??= new in_addr(this.sub_(MREQ_interface))); }
}

const MREQ6 = layout('ipv6_mreq');
const MREQ6_multiaddr = field(MREQ6, 'ipv6mr_multiaddr');
const MREQ6_interface = field(MREQ6, 'ipv6mr_interface');

/** `struct ipv6_mreq` (`<netinet/in.h>`) for IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP. */
export class ipv6_mreq extends CStruct {
  static readonly size = MREQ6.size;
  #m?: in6_addr;
  constructor(bytes?: Uint8Array) { super(MREQ6.size, bytes); }
  get ipv6mr_multiaddr(): in6_addr { return (this.#m ??= new in6_addr(this.sub_(MREQ6_multiaddr))); }
  get ipv6mr_interface(): number { return this.get_(MREQ6_interface); }
  set ipv6mr_interface(v: number) { this.set_(MREQ6_interface, v, 'ipv6mr_interface'); }
}

// PascalCase aliases for those who prefer them.
export {
  in_addr as InAddr, in6_addr as In6Addr, sockaddr as Sockaddr, sockaddr_storage as SockaddrStorage,
  sockaddr_in as SockaddrIn, sockaddr_in6 as SockaddrIn6, sockaddr_un as SockaddrUn, sockaddr_ll as SockaddrLl,
  linger as Linger, timeval as Timeval, ucred as Ucred, ip_mreq as IpMreq, ipv6_mreq as Ipv6Mreq,
};

/** Anything with a C size: a struct (class or instance) or a buffer. */
export type Sized = CStruct | ArrayBufferView | { readonly size: number };

/**
 * sizeof: the C size of a struct type or instance, or the byte length of a buffer.
 *
 * No syscall: C's `sizeof` operator, with the size the compiler gave (see [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html) for the address structs).
 */
export function sizeof(x: Sized): number {
  if (x instanceof CStruct) return (x.constructor as unknown as { size: number }).size;
  if (ArrayBuffer.isView(x)) return x.byteLength;
  if (typeof x === 'function' && typeof (x as { size?: unknown }).size === 'number') return (x as { size: number }).size;
  throw typeError('x', 'a struct, struct type or ArrayBufferView', x);
}
