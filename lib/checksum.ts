// The Internet checksum (RFC 1071) and the TCP/UDP pseudo-header checksums (RFC 768,
// RFC 793, RFC 8200 §8.1), returning what C's classic in_cksum() returns: a 16-bit value to
// assign straight to the header's checksum field (`icmp.checksum = in_cksum(packet, len)`),
// i.e. already in the byte order that the field setter's host-order store puts on the wire.
import { endianness } from 'node:os';
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP } from './constants.generated.js';
import { CStruct, in6_addr, in_addr } from './structs.js';
import { rangeError, typeError } from './validate.js';

const LE = endianness() === 'LE';

/** Bytes of a struct or any ArrayBufferView (no copy). */
function bytesOf(x: unknown, name: string): Uint8Array {
  if (x instanceof CStruct) return x.bytes;
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw typeError(name, 'an ArrayBufferView or struct', x);
}

function lengthOf(len: unknown, b: Uint8Array, name = 'len'): number {
  if (len === undefined) return b.byteLength;
  if (typeof len !== 'number') throw typeError(name, 'of type number', len);
  if (!Number.isInteger(len) || len < 0 || len > b.byteLength) throw rangeError(name, `an integer >= 0 and <= ${b.byteLength}`, len);
  return len;
}

/** One's-complement accumulation of big-endian 16-bit words; an odd last byte is zero-padded. */
function sum16(b: Uint8Array, len: number, acc: number): number {
  let sum = acc;
  const even = len & ~1;
  for (let i = 0; i < even; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) sum += b[len - 1]! << 8;
  // Folding now and then keeps the sum far below 2^53 whatever the length.
  return sum > 0x7fffffff ? fold(sum) : sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** ~sum as a network-order word, converted to what a host-order store writes as those bytes. */
function finish(sum: number): number {
  const net = ~fold(sum) & 0xffff;
  return LE ? ((net & 0xff) << 8) | (net >>> 8) : net;
}

/**
 * in_cksum: the Internet checksum (RFC 1071) of the first `len` bytes of `data` (all of them
 * by default), as the classic C routine returns it: assign it to the checksum field as is,
 * `icmp.checksum = in_cksum(packet, len)` (compute over a zeroed checksum field). Over data
 * that already holds its correct checksum the result is 0. Odd lengths are zero-padded.
 * `len` past the end of the buffer is a RangeError.
 *
 * No syscall: the Internet checksum of [RFC 1071](https://www.rfc-editor.org/rfc/rfc1071), as ping in [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html) programs computes it.
 */
export function in_cksum(data: ArrayBufferView | CStruct, len?: number): number {
  const b = bytesOf(data, 'data');
  return finish(sum16(b, lengthOf(len, b), 0));
}

/** An IPv4 address argument: an in_addr, its `s_addr` number, 4 bytes, or dotted text. */
export type Inet4Arg = in_addr | number | ArrayBufferView | string;
/** An IPv6 address argument: an in6_addr, 16 bytes, or text. */
export type Inet6Arg = in6_addr | ArrayBufferView | string;

function addr4(a: unknown, name: string): Uint8Array {
  if (a instanceof in_addr) return a.bytes;
  if (typeof a === 'number') {
    const x = new in_addr();
    x.s_addr = a; // range-checked: an in_addr_t
    return x.bytes;
  }
  if (typeof a === 'string') return new in_addr(a).bytes;
  if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== 4) throw rangeError(`${name}.byteLength`, '4', a.byteLength);
    return bytesOf(a, name);
  }
  throw typeError(name, 'an in_addr, an s_addr number, 4 bytes or a dotted-quad string', a);
}

function addr6(a: unknown, name: string): Uint8Array {
  if (a instanceof in6_addr) return a.bytes;
  if (typeof a === 'string') return new in6_addr(a).bytes;
  if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== 16) throw rangeError(`${name}.byteLength`, '16', a.byteLength);
    return bytesOf(a, name);
  }
  throw typeError(name, 'an in6_addr, 16 bytes or an IPv6 address string', a);
}

/**
 * The checksum of a transport segment (header plus payload, `len` bytes of `segment`) over
 * the pseudo-header of `af` (AF_INET: RFC 768/793; AF_INET6: RFC 8200 §8.1) and `proto`.
 * Returned as in_cksum() returns it, with no UDP special-casing: compute it over a segment
 * whose checksum field is 0 and assign it; over a received segment it is 0 when the segment's
 * checksum is right (this is the way to verify, for UDP as well).
 *
 * No syscall: [RFC 1071](https://www.rfc-editor.org/rfc/rfc1071) over the pseudo-header of [RFC 768](https://www.rfc-editor.org/rfc/rfc768) / [RFC 793](https://www.rfc-editor.org/rfc/rfc793) (IPv4) or [RFC 8200](https://www.rfc-editor.org/rfc/rfc8200) (IPv6), for [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html) sockets.
 */
export function pseudo_checksum(
  af: number,
  proto: number,
  src: Inet4Arg | Inet6Arg,
  dst: Inet4Arg | Inet6Arg,
  segment: ArrayBufferView | CStruct,
  len?: number,
): number {
  if (typeof proto !== 'number' || !Number.isInteger(proto) || proto < 0 || proto > 255) {
    if (typeof proto !== 'number') throw typeError('proto', 'of type number', proto);
    throw rangeError('proto', 'an integer >= 0 and <= 255', proto);
  }
  const seg = bytesOf(segment, 'segment');
  const n = lengthOf(len, seg);
  let sum: number;
  if (af === AF_INET) {
    if (n > 0xffff) throw rangeError('len', '<= 65535 (the IPv4 pseudo-header length is 16 bits)', n);
    sum = sum16(addr4(src, 'src'), 4, 0);
    sum = sum16(addr4(dst, 'dst'), 4, sum);
    sum += proto + n; // zero byte + protocol, then the 16-bit length
  } else if (af === AF_INET6) {
    if (n > 0xffffffff) throw rangeError('len', '<= 4294967295', n);
    sum = sum16(addr6(src, 'src'), 16, 0);
    sum = sum16(addr6(dst, 'dst'), 16, sum);
    sum += Math.floor(n / 0x10000) + (n % 0x10000) + proto; // 32-bit length, 3 zero bytes, next header
  } else {
    throw rangeError('af', 'AF_INET or AF_INET6', af);
  }
  return finish(sum16(seg, n, sum));
}

/** UDP transmits a computed 0 as all ones (0 means "no checksum" over IPv4, and is illegal over IPv6). */
const udpValue = (c: number): number => (c === 0 ? 0xffff : c);

/**
 * The UDP checksum of `segment` (udphdr + payload, check field zeroed) from `saddr` to
 * `daddr` over IPv4, ready to assign: `udp.check = udp4_checksum(ip.saddr, ip.daddr, segment)`.
 * A computed 0 is returned as 0xffff (RFC 768). Verify received segments with
 * `pseudo_checksum(AF_INET, IPPROTO_UDP, …) === 0`.
 *
 * No syscall: [RFC 1071](https://www.rfc-editor.org/rfc/rfc1071) over the pseudo-header of [RFC 768](https://www.rfc-editor.org/rfc/rfc768), for [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html) sockets.
 */
export function udp4_checksum(saddr: Inet4Arg, daddr: Inet4Arg, segment: ArrayBufferView | CStruct, len?: number): number {
  return udpValue(pseudo_checksum(AF_INET, IPPROTO_UDP, saddr, daddr, segment, len));
}

/**
 * The TCP checksum of `segment` (tcphdr + options + data, check zeroed) over IPv4, ready to assign.
 *
 * No syscall: [RFC 1071](https://www.rfc-editor.org/rfc/rfc1071) over the pseudo-header of [RFC 793](https://www.rfc-editor.org/rfc/rfc793), for [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html) sockets.
 */
export function tcp4_checksum(saddr: Inet4Arg, daddr: Inet4Arg, segment: ArrayBufferView | CStruct, len?: number): number {
  return pseudo_checksum(AF_INET, IPPROTO_TCP, saddr, daddr, segment, len);
}

/**
 * The UDP checksum over IPv6 (0 is sent as 0xffff), ready to assign to `udp.check`.
 *
 * No syscall: [RFC 1071](https://www.rfc-editor.org/rfc/rfc1071) over the pseudo-header of [RFC 8200](https://www.rfc-editor.org/rfc/rfc8200), for [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html) sockets.
 */
export function udp6_checksum(src: Inet6Arg, dst: Inet6Arg, segment: ArrayBufferView | CStruct, len?: number): number {
  return udpValue(pseudo_checksum(AF_INET6, IPPROTO_UDP, src, dst, segment, len));
}

/**
 * The TCP checksum over IPv6, ready to assign to `tcp.check`.
 *
 * No syscall: [RFC 1071](https://www.rfc-editor.org/rfc/rfc1071) over the pseudo-header of [RFC 8200](https://www.rfc-editor.org/rfc/rfc8200), for [raw(7)](https://man7.org/linux/man-pages/man7/raw.7.html) sockets.
 */
export function tcp6_checksum(src: Inet6Arg, dst: Inet6Arg, segment: ArrayBufferView | CStruct, len?: number): number {
  return pseudo_checksum(AF_INET6, IPPROTO_TCP, src, dst, segment, len);
}
