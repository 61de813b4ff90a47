// Address arguments shared by the synchronous and Promise APIs: sockaddr structs or raw
// bytes in, kernel-filled addresses out, errors that name the address.
import { check } from './errors.js';
import { native } from './native.js';
import * as v from './validate.js';
import { CStruct, SockaddrBase, sockaddr_in, sockaddr_in6, sockaddr_un, type SocketAddress } from './structs.js';

/** An address argument: a sockaddr struct, or raw sockaddr bytes. */
export type AddrArg = SockaddrBase | ArrayBufferView;

/**
 * One socklen_t cell reused by every call: no per-call allocation. The addon's own, which
 * accept and recvfrom fill without being handed it (see native/common.h, AddrLenCell).
 */
export const LEN = native.addrLen;

/** The bytes of an address argument: a struct's own, or a view's, never copied. */
export function addrBytes(addr: unknown, name = 'addr'): Uint8Array {
  if (addr instanceof SockaddrBase) return addr.bytes;
  if (ArrayBuffer.isView(addr) && !(addr instanceof CStruct)) {
    return new Uint8Array(addr.buffer, addr.byteOffset, addr.byteLength);
  }
  throw v.typeError(name, 'a sockaddr struct or ArrayBufferView', addr);
}

/** The addrlen of an input address (`bytes` from addrBytes): the struct's own by default. */
export function addrLenOf(addr: unknown, addrlen: unknown, bytes: Uint8Array): number {
  const size = bytes.length;
  if (addrlen !== undefined) return v.int(addrlen, 'addrlen', 0, size);
  return addr instanceof SockaddrBase ? Math.min(v.int(addr.addrlen, 'addr.addrlen', 0, v.INT32_MAX), size) : size;
}

/** Bytes and addrlen of an input address, for calls off the per-packet path. */
export function addrIn(addr: unknown, addrlen: unknown): [Uint8Array, number] {
  const bytes = addrBytes(addr);
  return [bytes, addrLenOf(addr, addrlen, bytes)];
}

/** Bytes to fill with an output address, limited to the caller's addrlen when given. */
export function addrOut(addr: unknown, addrlen: unknown): Uint8Array | null {
  if (addr === undefined || addr === null) return null;
  const bytes = addrBytes(addr);
  if (addrlen === undefined) return bytes;
  return bytes.subarray(0, v.int(addrlen, 'addrlen', 0, bytes.length));
}

export function addrDone(addr: unknown): void {
  if (addr instanceof SockaddrBase) addr.addrlen = LEN[0]!;
}

/** check() for calls aimed at an address: the error names it (built only on failure). */
export function checkAt(ret: number, syscall: string, addr: unknown): number {
  // The closure lives in another function: one here would make V8 allocate this
  // function's context (holding `addr`) on every call, successes included (sendto).
  return ret >= 0 ? ret : failAt(ret, syscall, addr);
}

function failAt(ret: number, syscall: string, addr: unknown): number {
  return check(ret, syscall, () => describeAddress(addr as SocketAddress));
}

/** Host-readable address fields of a sockaddr, for error reports. */
export function describeAddress(a: SocketAddress | ArrayBufferView | undefined): { address?: string; port?: number; path?: string } | undefined {
  if (a instanceof sockaddr_in || a instanceof sockaddr_in6) return { address: a.address, port: a.port };
  if (a instanceof sockaddr_un) return { path: a.path };
  return undefined;
}
