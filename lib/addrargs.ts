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

function addrBytes(addr: unknown, name = 'addr'): Uint8Array {
  if (addr instanceof SockaddrBase) return addr.bytes;
  if (ArrayBuffer.isView(addr) && !(addr instanceof CStruct)) {
    return new Uint8Array(addr.buffer, addr.byteOffset, addr.byteLength);
  }
  throw v.typeError(name, 'a sockaddr struct or ArrayBufferView', addr);
}

/** Bytes and addrlen of an input address; addrlen defaults to the struct's own. */
export function addrIn(addr: unknown, addrlen: unknown): [Uint8Array, number] {
  // Two byteLength loads, each seeing one kind of view (a struct's Buffer, a fresh
  // Uint8Array), so that neither goes megamorphic on the per-call path.
  if (addr instanceof SockaddrBase) {
    const bytes = addr.bytes;
    const size = bytes.byteLength;
    return [bytes, addrlen === undefined ? Math.min(v.int(addr.addrlen, 'addr.addrlen', 0, v.INT32_MAX), size) : v.int(addrlen, 'addrlen', 0, size)];
  }
  const bytes = addrBytes(addr);
  const size = bytes.byteLength;
  return [bytes, addrlen === undefined ? size : v.int(addrlen, 'addrlen', 0, size)];
}

/** Bytes to fill with an output address, limited to the caller's addrlen when given. */
export function addrOut(addr: unknown, addrlen: unknown): Uint8Array | null {
  if (addr === undefined || addr === null) return null;
  const bytes = addrBytes(addr);
  if (addrlen === undefined) return bytes;
  return bytes.subarray(0, v.int(addrlen, 'addrlen', 0, bytes.byteLength));
}

export function addrDone(addr: unknown): void {
  if (addr instanceof SockaddrBase) addr.addrlen = LEN[0]!;
}

/** check() for calls aimed at an address: the error names it (built only on failure). */
export function checkAt(ret: number, syscall: string, addr: unknown): number {
  return ret >= 0 ? ret : check(ret, syscall, () => describeAddress(addr as SocketAddress));
}

/** Host-readable address fields of a sockaddr, for error reports. */
export function describeAddress(a: SocketAddress | ArrayBufferView | undefined): { address?: string; port?: number; path?: string } | undefined {
  if (a instanceof sockaddr_in || a instanceof sockaddr_in6) return { address: a.address, port: a.port };
  if (a instanceof sockaddr_un) return { path: a.path };
  return undefined;
}
