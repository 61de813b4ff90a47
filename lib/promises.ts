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
import { EAGAIN, EINPROGRESS, ENOTSOCK, ETIMEDOUT, MSG_DONTWAIT, POLLERR, POLLIN, POLLOUT, POLLPRI, POLLRDHUP } from './constants.generated.js';
import * as v from './validate.js';
import { addrBytes, addrDone, addrIn, addrLenOf, addrOut, describeAddress, type AddrArg } from './addrargs.js';
import { type SocketAddress } from './structs.js';
import { poll as pollNow, pollfd } from './poll.js';
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
export function poll(fd: number, events: number, options?: OpOptions): Promise<number>;
/**
 * poll(2) over `struct pollfd` entries, as the synchronous `poll(fds, nfds, timeout)` but
 * without blocking the event loop: resolves with how many of the first `nfds` entries have
 * a non-zero `revents` (each set as poll(2) sets it), or 0 once `timeout` ms have passed
 * (negative: no limit; 0: just look). A C `poll()` loop can be ported by adding `await`.
 *
 * Calls [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html) with a zero timeout; while nothing is ready, waits on each fd's libuv poll handle, then calls it again. An entry asking for none of POLLIN, POLLOUT, POLLPRI, POLLRDHUP does not wake the wait: its POLLHUP/POLLERR are reported when another entry wakes it or at the timeout.
 * @throws (rejects with) {@link "berkeley-sockets"!SocketError | SocketError} with the failure's `errno`/`code`, such as `EINVAL` (`nfds` over `RLIMIT_NOFILE`); `ETIMEDOUT` on `options.timeout`, {@link "berkeley-sockets"!AbortError | AbortError} on `options.signal`; TypeError/RangeError for bad arguments, before any syscall.
 */
export function poll(fds: pollfd | readonly pollfd[], nfds?: number, timeout?: number, options?: OpOptions): Promise<number>;
export function poll(a: number | pollfd | readonly pollfd[], b?: number, c?: unknown, d?: unknown): Promise<number> {
  if (a instanceof pollfd || Array.isArray(a)) return pollEntries(a, b, c, d);
  return pollOne(a as number, b as number, c);
}

async function pollOne(fd: number, events: number, options?: unknown): Promise<number> {
  v.fd(fd);
  v.int(events, 'events', 1, 0xffff);
  const o = callOptions(options);
  const uv = wakeEvents(events);
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

/** The libuv events that should wake a wait for a pollfd entry's `events` (0: none). */
function wakeEvents(events: number): number {
  let uv = 0;
  for (const [p, u] of TO_UV) if ((events & p) !== 0) uv |= u;
  return uv;
}

const woken = (): number => 1;

// The answer always comes from poll(2) itself (zero timeout); the event loop only says when
// to ask again. So the entries' revents are exactly C's, whatever libuv reported.
// `nfds` is checked by the first pollNow() (TypeError/RangeError), like the synchronous call's.
async function pollEntries(fds: pollfd | readonly pollfd[], nfds: number | undefined, timeout: unknown, options: unknown): Promise<number> {
  const t = timeout === undefined ? -1 : v.cint(timeout, 'timeout');
  const o = callOptions(options);
  const first = pollNow(fds, nfds, 0); // checks fds and nfds, sets every revents
  if (first > 0 || t === 0) return first;
  const entries = fds instanceof pollfd ? [fds] : fds.slice(0, nfds ?? fds.length);
  const start = performance.now();
  const deadline = t < 0 ? Infinity : start + t;
  const failAt = o?.timeout === undefined ? Infinity : start + o.timeout;
  for (;;) {
    const now = performance.now();
    if (now >= failAt && failAt <= deadline) throw failure(ETIMEDOUT, 'poll');
    if (now >= deadline) return pollNow(fds, nfds, 0);
    const woke = await wakeOnAny(entries, Math.min(deadline, failAt) - now, o?.signal);
    const r = pollNow(fds, nfds, 0);
    if (r > 0) return r;
    // Woken, yet poll(2) reports nothing (another reader took the data first): one loop turn
    // before waiting again, so that no condition can spin without letting the loop run.
    if (woke) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Resolves true when one entry's fd is ready (or its wait ends in error), false after `ms`. */
function wakeOnAny(entries: readonly pollfd[], ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const ac = new AbortController();
    const own = { signal: ac.signal };
    let done = false;
    const finish = (woke: boolean, err?: Error): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      ac.abort(); // withdraws the other entries' waits
      if (err === undefined) resolve(woke);
      else reject(err);
    };
    const onAbort = (): void => finish(false, new AbortError(signal!.reason));
    const timer = ms === Infinity ? undefined : setTimeout(() => finish(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    const wake = (): void => finish(true);
    for (const f of entries) {
      if (done) break;
      if (!(f instanceof pollfd) || f.fd < 0) continue;
      const uv = wakeEvents(f.events);
      // An error (the fd closed meanwhile, say) wakes too: poll(2) then reports it.
      if (uv !== 0) waitFor(f.fd, 'poll', uv, woken, own).then(wake, wake);
    }
  });
}

export { detach } from './registry.js';
