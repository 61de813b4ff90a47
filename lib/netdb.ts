// Addresses and names: byte order, inet_pton(3) and friends, getaddrinfo(3),
// getnameinfo(3), gethostbyname(3).
import { endianness } from 'node:os';
import { native, type GaiFailure, type NativeAddrinfo } from './native.js';
import { AbortError, AddrInfoError, SocketError, failure, setErrno } from './errors.js';
import { opOptions, type OpOptions } from './registry.js';
import { AF_INET, AF_INET6, EAFNOSUPPORT, ETIMEDOUT } from './constants.generated.js';
import * as v from './validate.js';
import { CStruct, SockaddrBase, in_addr, sockaddrFrom, type SocketAddress } from './structs.js';

const LE = endianness() === 'LE';

/**
 * htons(3): host to network byte order, 16 bits.
 *
 * No syscall: the JavaScript equivalent of [htons(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
 */
export function htons(hostshort: number): number {
  v.int(hostshort, 'hostshort', 0, 0xffff);
  return LE ? ((hostshort & 0xff) << 8) | (hostshort >>> 8) : hostshort;
}
/**
 * ntohs(3): network to host byte order, 16 bits.
 *
 * No syscall: the JavaScript equivalent of [ntohs(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
 */
export function ntohs(netshort: number): number {
  v.int(netshort, 'netshort', 0, 0xffff);
  return LE ? ((netshort & 0xff) << 8) | (netshort >>> 8) : netshort;
}
/**
 * htonl(3): host to network byte order, 32 bits.
 *
 * No syscall: the JavaScript equivalent of [htonl(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
 */
export function htonl(hostlong: number): number {
  v.int(hostlong, 'hostlong', 0, v.UINT32_MAX);
  return LE ? (((hostlong & 0xff) << 24) | ((hostlong & 0xff00) << 8) | ((hostlong >>> 8) & 0xff00) | (hostlong >>> 24)) >>> 0 : hostlong;
}
/**
 * ntohl(3): network to host byte order, 32 bits.
 *
 * No syscall: the JavaScript equivalent of [ntohl(3)](https://man7.org/linux/man-pages/man3/byteorder.3.html).
 */
export function ntohl(netlong: number): number {
  v.int(netlong, 'netlong', 0, v.UINT32_MAX);
  return htonl(netlong);
}

function bytesOf(x: unknown, name: string): ArrayBufferView {
  if (x instanceof CStruct) return x.bytes;
  if (ArrayBuffer.isView(x)) return x;
  throw v.typeError(name, 'an in_addr, in6_addr or ArrayBufferView', x);
}

/**
 * inet_pton(3): parses `src` into `dst` (an in_addr, in6_addr or buffer). Returns 1 on
 * success and 0 for text that is not an address of `af`, as C does; an unsupported `af`
 * returns -1 and sets errno to EAFNOSUPPORT.
 *
 * Calls [inet_pton(3)](https://man7.org/linux/man-pages/man3/inet_pton.3.html). No exception for bad text: it returns 0 (and -1 with `errno` `EAFNOSUPPORT` for a bad `af`), as C does.
 */
export function inet_pton(af: number, src: string, dst: CStruct | ArrayBufferView): number {
  v.cint(af, 'af');
  if (typeof src !== 'string') throw v.typeError('src', 'of type string', src);
  const out = bytesOf(dst, 'dst');
  const need = af === AF_INET6 ? 16 : 4;
  if (out.byteLength < need) throw v.rangeError('dst.byteLength', `>= ${need}`, out.byteLength);
  const r = native.inet_pton(af, src, out);
  if (r < 0) {
    setErrno(-r);
    return -1;
  }
  return r;
}

/**
 * inet_ntop(3): the text form of an in_addr / in6_addr (or its bytes).
 *
 * Calls [inet_ntop(3)](https://man7.org/linux/man-pages/man3/inet_ntop.3.html).
 * @throws TypeError / RangeError for a bad argument, before any syscall.
 */
export function inet_ntop(af: number, src: CStruct | ArrayBufferView): string {
  v.cint(af, 'af');
  const b = bytesOf(src, 'src');
  if (af !== AF_INET && af !== AF_INET6) {
    setErrno(EAFNOSUPPORT);
    throw new SocketError(EAFNOSUPPORT, 'inet_ntop');
  }
  const need = af === AF_INET6 ? 16 : 4;
  if (b.byteLength < need) throw v.rangeError('src.byteLength', `>= ${need}`, b.byteLength);
  const r = native.inet_ntop(af, b);
  if (typeof r === 'number') {
    setErrno(-r);
    throw new SocketError(-r, 'inet_ntop');
  }
  return r;
}

/**
 * inet_addr(3): dotted text to an in_addr_t in network byte order; INADDR_NONE on error.
 *
 * Calls [inet_addr(3)](https://man7.org/linux/man-pages/man3/inet.3.html).
 */
export function inet_addr(cp: string): number {
  if (typeof cp !== 'string') throw v.typeError('cp', 'of type string', cp);
  return native.inet_addr(cp);
}

/**
 * inet_aton(3): parses `cp` (any form C accepts, e.g. '127.1') into `inp`; 1 or 0.
 *
 * Calls [inet_aton(3)](https://man7.org/linux/man-pages/man3/inet.3.html).
 */
export function inet_aton(cp: string, inp: in_addr | ArrayBufferView): number {
  if (typeof cp !== 'string') throw v.typeError('cp', 'of type string', cp);
  const out = bytesOf(inp, 'inp');
  if (out.byteLength < 4) throw v.rangeError('inp.byteLength', '>= 4', out.byteLength);
  return native.inet_aton(cp, out);
}

/**
 * inet_ntoa(3): the dotted-quad text of an in_addr.
 *
 * No syscall: the JavaScript equivalent of [inet_ntoa(3)](https://man7.org/linux/man-pages/man3/inet.3.html).
 */
export function inet_ntoa(inp: in_addr): string {
  return inet_ntop(AF_INET, inp);
}

/**
 * if_nametoindex(3): interface index by name; throws SocketError (ENODEV) when unknown.
 *
 * Calls [if_nametoindex(3)](https://man7.org/linux/man-pages/man3/if_nametoindex.3.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `ENODEV`; the man page says when each occurs.
 */
export function if_nametoindex(ifname: string): number {
  const r = native.if_nametoindex(v.cstring(ifname, 'ifname'));
  if (r < 0) {
    setErrno(-r);
    throw new SocketError(-r, 'if_nametoindex');
  }
  return r;
}

/**
 * if_indextoname(3): interface name by index; throws SocketError (ENXIO) when unknown.
 *
 * Calls [if_indextoname(3)](https://man7.org/linux/man-pages/man3/if_nametoindex.3.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `ENXIO`; the man page says when each occurs.
 */
export function if_indextoname(ifindex: number): string {
  const r = native.if_indextoname(v.int(ifindex, 'ifindex', 0, v.UINT32_MAX));
  if (typeof r === 'number') {
    setErrno(-r);
    throw new SocketError(-r, 'if_indextoname');
  }
  return r;
}

/** One entry of if_nameindex(3) (`struct if_nameindex`, `<net/if.h>`). */
export interface if_nameindex_entry {
  if_index: number;
  if_name: string;
}

/**
 * if_nameindex(3) (`<net/if.h>`): every network interface as `{ if_index, if_name }`, in the
 * kernel's order. No if_freenameindex() is needed. Throws SocketError (and sets errno) on failure.
 *
 * Calls [if_nameindex(3)](https://man7.org/linux/man-pages/man3/if_nameindex.3.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `ENOBUFS`, `EMFILE`; the man page says when each occurs.
 */
export function if_nameindex(): if_nameindex_entry[] {
  const r = native.if_nameindex();
  if (typeof r === 'number') {
    setErrno(-r);
    throw new SocketError(-r, 'if_nameindex');
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// getaddrinfo / getnameinfo / gethostbyname

/** `struct addrinfo` (`<netdb.h>`): one result of getaddrinfo(3); `ai_addr` is the ready-to-use sockaddr struct. */
export interface addrinfo {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  ai_addrlen: number;
  ai_addr: SocketAddress;
  ai_canonname: string | null;
  /** The next result, as in C's linked list (null at the end). */
  ai_next: addrinfo | null;
}

/** The `hints` `struct addrinfo` (`<netdb.h>`) for getaddrinfo(3); omitted fields are 0 as in a zeroed C struct. */
export interface AddrinfoHints {
  ai_flags?: number;
  ai_family?: number;
  ai_socktype?: number;
  ai_protocol?: number;
}

type NativeHints = [flags: number, family: number, socktype: number, protocol: number];

/** Checks getaddrinfo()'s arguments (shared by the sync and Promise forms); the native hints. */
function gaiArgs(
  node: string | null | undefined,
  service: string | null | undefined,
  hints: AddrinfoHints | null | undefined,
): NativeHints | null {
  if (node !== null && node !== undefined) v.cstring(node, 'node');
  if (service !== null && service !== undefined) v.cstring(service, 'service');
  if (hints === undefined || hints === null) return null;
  if (typeof hints !== 'object') throw v.typeError('hints', 'an object', hints);
  return [
    v.flags(hints.ai_flags, 'hints.ai_flags'),
    v.cint(hints.ai_family ?? 0, 'hints.ai_family'),
    v.cint(hints.ai_socktype ?? 0, 'hints.ai_socktype'),
    v.cint(hints.ai_protocol ?? 0, 'hints.ai_protocol'),
  ];
}

/** The native getaddrinfo result as the public list, or throws AddrInfoError (setting errno). */
function gaiResult(r: NativeAddrinfo[] | GaiFailure, node: string | null | undefined): addrinfo[] {
  if (!Array.isArray(r)) {
    if (r.errno) setErrno(r.errno);
    throw new AddrInfoError(r.eai, 'getaddrinfo', node ?? undefined, r.errno);
  }
  const list: addrinfo[] = r.map((ai) => ({
    ai_flags: ai.ai_flags,
    ai_family: ai.ai_family,
    ai_socktype: ai.ai_socktype,
    ai_protocol: ai.ai_protocol,
    ai_addrlen: ai.ai_addrlen,
    ai_addr: sockaddrFrom(ai.ai_addr, ai.ai_addrlen),
    ai_canonname: ai.ai_canonname,
    ai_next: null,
  }));
  for (let i = 0; i + 1 < list.length; i++) list[i]!.ai_next = list[i + 1]!;
  return list;
}

/**
 * getaddrinfo(3): resolves `node`/`service` (either may be null) into addresses, returned
 * as an array whose elements are also linked by `ai_next`. Blocks like C; getaddrinfoAsync()
 * runs it on the thread pool. Failures throw AddrInfoError with the EAI_* code.
 *
 * Calls [getaddrinfo(3)](https://man7.org/linux/man-pages/man3/getaddrinfo.3.html) (blocks while it resolves, as in C).
 * @throws {@link AddrInfoError} with `code` `EAI_NONAME`, `EAI_AGAIN`, `EAI_FAIL`, `EAI_FAMILY`, `EAI_SERVICE`, `EAI_SOCKTYPE`, or `EAI_SYSTEM` (then `errno` holds the system error).
 */
export function getaddrinfo(node: string | null, service?: string | null, hints?: AddrinfoHints | null): addrinfo[] {
  const h = gaiArgs(node, service, hints);
  return gaiResult(native.getaddrinfo(node ?? null, service ?? null, h), node);
}

/**
 * freeaddrinfo(3): nothing to free in JavaScript; kept so ports read like the C.
 *
 * No syscall: kept for [freeaddrinfo(3)](https://man7.org/linux/man-pages/man3/getaddrinfo.3.html).
 */
export function freeaddrinfo(_res: addrinfo[] | addrinfo | null): void {}

/** Checks getnameinfo()'s arguments: [bytes, addrlen, flags] for the native call. */
function gniArgs(addr: SockaddrBase | ArrayBufferView, flags: number): [ArrayBufferView, number, number] {
  let bytes: ArrayBufferView;
  let len: number;
  if (addr instanceof SockaddrBase) [bytes, len] = [addr.bytes, v.int(addr.addrlen, 'addr.addrlen', 0, v.INT32_MAX)];
  else if (ArrayBuffer.isView(addr)) [bytes, len] = [addr, addr.byteLength];
  else throw v.typeError('addr', 'a sockaddr struct or ArrayBufferView', addr);
  return [bytes, Math.min(len, bytes.byteLength), v.flags(flags)];
}

/** The native getnameinfo result as { host, serv }, or throws AddrInfoError (setting errno). */
function gniResult(r: [host: string, serv: string] | GaiFailure): { host: string; serv: string } {
  if (!Array.isArray(r)) {
    if (r.errno) setErrno(r.errno);
    throw new AddrInfoError(r.eai, 'getnameinfo', undefined, r.errno);
  }
  return { host: r[0], serv: r[1] };
}

/**
 * getnameinfo(3): host and service names for an address (NI_NUMERICHOST etc. in `flags`).
 *
 * Calls [getnameinfo(3)](https://man7.org/linux/man-pages/man3/getnameinfo.3.html) (blocks while it resolves, as in C).
 * @throws {@link AddrInfoError} with `code` `EAI_NONAME`, `EAI_AGAIN`, `EAI_FAIL`, `EAI_FAMILY`, `EAI_OVERFLOW`, or `EAI_SYSTEM` (then `errno` holds the system error).
 */
export function getnameinfo(addr: SockaddrBase | ArrayBufferView, flags = 0): { host: string; serv: string } {
  const [bytes, len, f] = gniArgs(addr, flags);
  return gniResult(native.getnameinfo(bytes, len, f));
}

// ---------------------------------------------------------------------------------------
// Promise forms: the same C call on the libuv thread pool, never on the JS thread.

/** Options of getaddrinfoAsync() / getnameinfoAsync(): those of every Promise-API call. */
export type LookupOptions = OpOptions;

/**
 * Starts `start` (a native *Async call) and settles with `convert` of its result, unless
 * the signal aborts or the timeout passes first; a late result is then ignored. Options
 * are checked, and an already-aborted signal or an expired timeout rejects, before any
 * work starts. Throws synchronously only from the option checks.
 */
function onThreadPool<R, T>(
  syscall: string,
  options: LookupOptions | undefined,
  start: (done: (result: R) => void) => void,
  convert: (result: R) => T,
): Promise<T> {
  const o = opOptions(options);
  const signal = o?.signal;
  const timeout = o?.timeout;
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
  if (timeout === 0) return Promise.reject(failure(ETIMEDOUT, syscall));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (settle()) reject(new AbortError(signal!.reason));
    };
    start((result) => {
      if (!settle()) return;
      try {
        resolve(convert(result));
      } catch (e) {
        reject(e);
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout !== undefined) {
      timer = setTimeout(() => {
        if (settle()) reject(failure(ETIMEDOUT, syscall));
      }, timeout);
    }
  });
}

/**
 * getaddrinfo(3) on the libuv thread pool: resolves to exactly what getaddrinfo() returns
 * and rejects with the same AddrInfoError. `options.signal` / `options.timeout` settle the
 * Promise early (AbortError / SocketError ETIMEDOUT); the lookup itself cannot be cancelled
 * and its late result is dropped. Bad arguments reject too.
 *
 * Calls [getaddrinfo(3)](https://man7.org/linux/man-pages/man3/getaddrinfo.3.html) on the libuv thread pool.
 * @throws {@link AddrInfoError} with `code` `EAI_NONAME`, `EAI_AGAIN`, `EAI_FAIL`, `EAI_FAMILY`, `EAI_SERVICE`, `EAI_SOCKTYPE`, or `EAI_SYSTEM` (then `errno` holds the system error). Rejects with `ETIMEDOUT` / {@link AbortError} for `options`.
 */
export function getaddrinfoAsync(
  node: string | null,
  service?: string | null,
  hints?: AddrinfoHints | null,
  options?: LookupOptions,
): Promise<addrinfo[]> {
  try {
    const h = gaiArgs(node, service, hints);
    const [n, s] = [node ?? null, service ?? null];
    return onThreadPool(
      'getaddrinfo',
      options,
      (done) => native.getaddrinfoAsync(n, s, h, done),
      (r: NativeAddrinfo[] | GaiFailure) => gaiResult(r, node),
    );
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * getnameinfo(3) on the libuv thread pool: resolves to what getnameinfo() returns, rejects
 * with the same AddrInfoError; `options` as for getaddrinfoAsync(). The address is copied
 * when the call starts, so its buffer may be reused at once.
 *
 * Calls [getnameinfo(3)](https://man7.org/linux/man-pages/man3/getnameinfo.3.html) on the libuv thread pool.
 * @throws {@link AddrInfoError} with `code` `EAI_NONAME`, `EAI_AGAIN`, `EAI_FAIL`, `EAI_FAMILY`, `EAI_OVERFLOW`, or `EAI_SYSTEM` (then `errno` holds the system error). Rejects with `ETIMEDOUT` / {@link AbortError} for `options`.
 */
export function getnameinfoAsync(
  addr: SockaddrBase | ArrayBufferView,
  flags = 0,
  options?: LookupOptions,
): Promise<{ host: string; serv: string }> {
  try {
    const [bytes, len, f] = gniArgs(addr, flags);
    return onThreadPool('getnameinfo', options, (done) => native.getnameinfoAsync(bytes, len, f, done), gniResult);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** `struct hostent` (`<netdb.h>`) from gethostbyname(3); address entries are raw bytes, as in C. */
export interface hostent {
  h_name: string;
  h_aliases: string[];
  h_addrtype: number;
  h_length: number;
  h_addr_list: Buffer[];
  /** The first address (C's `h_addr`, i.e. `h_addr_list[0]`). */
  h_addr: Buffer;
}

/** h_errno of the last failed gethostbyname() (a live binding: HOST_NOT_FOUND, TRY_AGAIN…). */
export let h_errno = 0;

/**
 * hstrerror(3): the text for an h_errno value.
 *
 * Calls [hstrerror(3)](https://man7.org/linux/man-pages/man3/gethostbyname.3.html).
 */
export function hstrerror(err: number): string {
  return native.hstrerror(v.cint(err, 'err'));
}

/**
 * gethostbyname(3): IPv4 addresses of a host name, or null (with h_errno set) when it
 * cannot be resolved, as in C. Obsolete in C too; prefer getaddrinfo().
 *
 * Calls [gethostbyname_r(3)](https://man7.org/linux/man-pages/man3/gethostbyname.3.html). No exception on failure: `null`, with `h_errno` set to `HOST_NOT_FOUND`, `TRY_AGAIN`, `NO_RECOVERY` or `NO_DATA`.
 */
export function gethostbyname(name: string): hostent | null {
  if (typeof name !== 'string') throw v.typeError('name', 'of type string', name);
  const r = native.gethostbyname(name);
  if (typeof r === 'number') {
    h_errno = r;
    return null;
  }
  return { ...r, h_addr: r.h_addr_list[0] ?? Buffer.alloc(0) };
}
