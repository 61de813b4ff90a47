// berkeley-sockets/promises: the calls that can wait, as Promises driven by the event loop.
// Each tries its syscall first and waits only when the kernel says EAGAIN, on the fd's one
// uv_poll_t; none ever blocks the event loop, on blocking and non-blocking fds alike.
// Names and arguments mirror the synchronous API, plus a final { signal, timeout }.
/**
 * The calls that can wait, as Promises driven by the event loop: each tries its syscall first
 * and waits only when the kernel says `EAGAIN`, on the fd's one libuv poll handle, so none
 * blocks the event loop. Names and arguments are those of the synchronous API, plus a final
 * {@link OpOptions} (`{ signal, timeout }`). Each rejects with the same `SocketError` as its
 * synchronous twin.
 *
 * @packageDocumentation
 * @module berkeley-sockets/promises
 */
import { native } from './native.js';
import * as io from './io.js';
import { AbortError, failure } from './errors.js';
import { EAGAIN, EINPROGRESS, ENOTSOCK, MSG_DONTWAIT, POLLIN, POLLOUT, POLLPRI, POLLRDHUP, POLLERR } from './constants.generated.js';
import * as v from './validate.js';
import { addrBytes, addrDone, addrIn, addrLenOf, addrOut, describeAddress, type AddrArg } from './addrargs.js';
import { type SocketAddress } from './structs.js';
import {
  DISCONNECT, PRIORITIZED, READABLE, WRITABLE, ensureNonBlocking, fresh, opOptions, pollFirst, soError, waitFor, waitIo, type OpOptions,
} from './registry.js';

export type { OpOptions };
export { getaddrinfoAsync as getaddrinfo, getnameinfoAsync as getnameinfo } from './netdb.js';
export { sendmsgAsync as sendmsg, recvmsgAsync as recvmsg, sendmmsgAsync as sendmmsg, recvmmsgAsync as recvmmsg } from './messages.js';

/** Settles a first attempt that did not need to wait. */
function settle(r: number, syscall: string, addr?: unknown): number {
  if (r >= 0) return r;
  throw failure(-r, syscall, addr === undefined ? undefined : describeAddress(addr as SocketAddress));
}

const at = (addr: unknown) => () => describeAddress(addr as SocketAddress);

/** opOptions(), and an already-aborted signal rejects here: before any syscall is made. */
function callOptions(options: unknown): OpOptions | undefined {
  const o = opOptions(options);
  if (o?.signal?.aborted) throw new AbortError(o.signal.reason);
  return o;
}

/**
 * accept(2) without blocking: resolves with the new fd (blocking, close-on-exec, as in C).
 *
 * Calls [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNABORTED`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOTSOCK`, `EOPNOTSUPP`, `EPERM`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export async function accept(fd: number, addr?: AddrArg | null, addrlen?: number, options?: OpOptions): Promise<number> {
  return accept4(fd, addr, addrlen, 0, options);
}

/**
 * accept4(2) without blocking; `flags` may hold SOCK_NONBLOCK / SOCK_CLOEXEC.
 *
 * Calls [accept4(2)](https://man7.org/linux/man-pages/man2/accept.2.html), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNABORTED`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOTSOCK`, `EOPNOTSUPP`, `EPERM`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export async function accept4(fd: number, addr: AddrArg | null | undefined, addrlen: number | undefined, flags: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  const out = addrOut(addr, addrlen);
  const f = v.flags(flags);
  const o = callOptions(options);
  const nb = ensureNonBlocking(fd);
  if (nb < 0) throw failure(-nb, 'accept');
  const attempt = (): number => {
    const r = native.accept(fd, out, f);
    if (r >= 0) {
      addrDone(addr);
      fresh(r);
    }
    return r;
  };
  const r = pollFirst(o, 0) ? -EAGAIN : attempt();
  if (r !== -EAGAIN) return settle(r, 'accept');
  return waitFor(fd, 'accept', READABLE, attempt, o);
}

/**
 * connect(2) without blocking: resolves once connected (writability, then SO_ERROR).
 *
 * Calls [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html), then waits for writability and reads `SO_ERROR` with [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html).
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EADDRINUSE`, `EADDRNOTAVAIL`, `EAFNOSUPPORT`, `EALREADY`, `ECONNREFUSED`, `EINPROGRESS`, `EISCONN`, `ENETUNREACH`, `ETIMEDOUT`, `ENOENT`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export async function connect(fd: number, addr: AddrArg, addrlen?: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  const [bytes, len] = addrIn(addr, addrlen);
  const o = callOptions(options);
  const nb = ensureNonBlocking(fd);
  if (nb < 0) throw failure(-nb, 'connect');
  const r = native.connect(fd, bytes, len);
  if (r !== -EINPROGRESS) return settle(r, 'connect', addr);
  return waitFor(fd, 'connect', WRITABLE, () => soError(fd), o, at(addr));
}

// send, recv, sendto and recvfrom are not `async` functions, for speed: when they wait they
// return waitFor()'s promise itself, where an async function would wrap it in another one
// and settle a microtask turn or two later. A throw still becomes a rejection.

/**
 * send(2) without blocking: resolves with the bytes sent (a partial send, as in C).
 *
 * Calls [send(2)](https://man7.org/linux/man-pages/man2/send.2.html) (`MSG_DONTWAIT`), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `ECONNRESET`, `EDESTADDRREQ`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export function send(fd: number, buf: v.Data, len?: number, flags?: number, options?: OpOptions): Promise<number> {
  try {
    v.fd(fd);
    const b = v.data(buf);
    const n = v.length(len, v.byteLength(b));
    const f = v.flags(flags);
    const o = callOptions(options);
    const r = pollFirst(o, f) ? -EAGAIN : io.send(fd, b, n, f | MSG_DONTWAIT);
    if (r !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return Promise.resolve(settle(r, 'send'));
    return waitIo(fd, 'send', WRITABLE, io.send, b, n, f | MSG_DONTWAIT, null, null, undefined, undefined, o);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * recv(2) without blocking: resolves with the byte count (0 at end of stream).
 *
 * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) (`MSG_DONTWAIT`), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export function recv(fd: number, buf: ArrayBufferView, len?: number, flags?: number, options?: OpOptions): Promise<number> {
  try {
    v.fd(fd);
    const b = v.view(buf);
    const n = v.length(len, v.byteLength(b));
    const f = v.flags(flags);
    const o = callOptions(options);
    const r = pollFirst(o, f) ? -EAGAIN : io.recv(fd, b, n, f | MSG_DONTWAIT);
    if (r !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return Promise.resolve(settle(r, 'recv'));
    return waitIo(fd, 'recv', READABLE, io.recv, b, n, f | MSG_DONTWAIT, null, null, undefined, undefined, o);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * sendto(2) without blocking.
 *
 * Calls [sendto(2)](https://man7.org/linux/man-pages/man2/send.2.html) (`MSG_DONTWAIT`), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EACCES`, `ECONNRESET`, `EDESTADDRREQ`, `EISCONN`, `EMSGSIZE`, `ENETUNREACH`, `ENOBUFS`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export function sendto(fd: number, buf: v.Data, len: number | undefined, flags: number | undefined, addr: AddrArg | null, addrlen?: number, options?: OpOptions): Promise<number> {
  try {
    v.fd(fd);
    const b = v.data(buf);
    const n = v.length(len, v.byteLength(b));
    const f = v.flags(flags);
    const bytes = addr === null || addr === undefined ? null : addrBytes(addr);
    const alen = bytes === null ? 0 : addrLenOf(addr, addrlen, bytes);
    const o = callOptions(options);
    const r = pollFirst(o, f) ? -EAGAIN : io.sendto(fd, b, n, f | MSG_DONTWAIT, bytes, alen);
    if (r !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return Promise.resolve(settle(r, 'sendto', addr ?? undefined));
    return waitIo(fd, 'sendto', WRITABLE, io.sendto, b, n, f | MSG_DONTWAIT, bytes, alen, undefined, addr ?? undefined, o);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * recvfrom(2) without blocking; the sender goes into `addr` when given.
 *
 * Calls [recvfrom(2)](https://man7.org/linux/man-pages/man2/recv.2.html) (`MSG_DONTWAIT`), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export function recvfrom(fd: number, buf: ArrayBufferView, len?: number, flags?: number, addr?: AddrArg | null, addrlen?: number, options?: OpOptions): Promise<number> {
  try {
    v.fd(fd);
    const b = v.view(buf);
    const n = v.length(len, v.byteLength(b));
    const f = v.flags(flags);
    const out = addrOut(addr, addrlen);
    const o = callOptions(options);
    const r = pollFirst(o, f) ? -EAGAIN : io.recvfrom(fd, b, n, f | MSG_DONTWAIT, out);
    if (r >= 0 && out) addrDone(addr);
    if (r !== -EAGAIN || (f & MSG_DONTWAIT) !== 0) return Promise.resolve(settle(r, 'recvfrom'));
    return waitIo(fd, 'recvfrom', READABLE, io.recvfrom, b, n, f | MSG_DONTWAIT, out, null, out ? addr : undefined, undefined, o);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * The attempt of read()/write(): `onSocket()` (recv/send with MSG_DONTWAIT, the fd's mode
 * untouched) until the fd turns out not to be a socket (ENOTSOCK), then `onFile()` on the fd
 * made non-blocking. Decided at the first attempt, which options.pollFirst may defer.
 */
function socketOrFile(fd: number, onSocket: () => number, onFile: () => number): () => number {
  let socket = true;
  return () => {
    if (socket) {
      const r = onSocket();
      if (r !== -ENOTSOCK) return r;
      socket = false;
      const nb = ensureNonBlocking(fd);
      if (nb < 0) return nb;
    }
    return onFile();
  };
}

/**
 * read(2) without blocking, on any pollable fd. On a socket it is recv() with
 * MSG_DONTWAIT (the fd's mode is untouched); on a pipe or tty the fd is made non-blocking.
 *
 * Calls [read(2)](https://man7.org/linux/man-pages/man2/read.2.html) (on a socket: [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) with `MSG_DONTWAIT`), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `EIO`, `ECONNRESET`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export async function read(fd: number, buf: ArrayBufferView, len?: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  const b = v.view(buf);
  const n = v.length(len, v.byteLength(b));
  const o = callOptions(options);
  const attempt = socketOrFile(fd, () => io.recv(fd, b, n, MSG_DONTWAIT), () => io.read(fd, b, n));
  const r = pollFirst(o, 0) ? -EAGAIN : attempt();
  if (r !== -EAGAIN) return settle(r, 'read');
  return waitFor(fd, 'read', READABLE, attempt, o);
}

/**
 * write(2) without blocking, on any pollable fd (see read()).
 *
 * Calls [write(2)](https://man7.org/linux/man-pages/man2/write.2.html) (on a socket: [send(2)](https://man7.org/linux/man-pages/man2/send.2.html) with `MSG_DONTWAIT`), waiting on the fd's libuv poll handle while it says `EAGAIN`.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `EIO`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export async function write(fd: number, buf: v.Data, len?: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  const b = v.data(buf);
  const n = v.length(len, v.byteLength(b));
  const o = callOptions(options);
  const attempt = socketOrFile(fd, () => io.send(fd, b, n, MSG_DONTWAIT), () => io.write(fd, b, n));
  const r = pollFirst(o, 0) ? -EAGAIN : attempt();
  if (r !== -EAGAIN) return settle(r, 'write');
  return waitFor(fd, 'write', WRITABLE, attempt, o);
}

// POLL* bits <-> libuv's event bits.
const TO_UV: readonly [number, number][] = [[POLLIN, READABLE], [POLLOUT, WRITABLE], [POLLPRI, PRIORITIZED], [POLLRDHUP, DISCONNECT]];

/**
 * Readiness of any pollable fd: resolves with the POLL* bits that are ready among `events`
 * (POLLIN, POLLOUT, POLLPRI, POLLRDHUP), plus POLLERR when libuv reports an error.
 *
 * Calls [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html) once with a zero timeout, then, if nothing is ready, waits on the fd's libuv poll handle.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EBADF`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`.
 */
export async function poll(fd: number, events: number, options?: OpOptions): Promise<number> {
  v.fd(fd);
  v.int(events, 'events', 1, 0xffff);
  const o = callOptions(options);
  let uv = 0;
  for (const [p, u] of TO_UV) if ((events & p) !== 0) uv |= u;
  if (uv === 0) throw v.rangeError('events', 'a mask of POLLIN, POLLOUT, POLLPRI or POLLRDHUP', events);
  const now = pollFirst(o, 0) ? 0 : native.poll(fd, events, 0);
  if (now < 0) throw failure(-now, 'poll');
  if (now > 0) return now;
  return waitFor(fd, 'poll', uv, (ev, status) => {
    if (status < 0) return POLLERR;
    let out = 0;
    for (const [p, u] of TO_UV) if ((ev & u) !== 0 && (events & p) !== 0) out |= p;
    return out === 0 ? -EAGAIN : out;
  }, o);
}

export { detach } from './registry.js';
