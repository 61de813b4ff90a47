// The synchronous API: one function per syscall, C names and C semantics. Each call
// blocks exactly when the C call would, and failures throw SocketError with the errno.
import { native } from './native.js';
import * as io from './io.js';
import { check } from './errors.js';
import {
  EAGAIN, EINPROGRESS, ENOTSOCK, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_NONBLOCK, POLLIN, POLLOUT,
  SOMAXCONN,
} from './constants.generated.js';
import { fresh, isForced, release, retry, setCallerNonBlocking, soError } from './registry.js';
import * as v from './validate.js';
import { CStruct, SockaddrBase, sockaddrFrom, sockaddr_storage, type SocketAddress } from './structs.js';
import { LEN, addrBytes, addrDone, addrIn, addrLenOf, addrOut, checkAt, type AddrArg } from './addrargs.js';

export type { AddrArg };

const STORAGE = new sockaddr_storage();
const PAIR = new Int32Array(2);



/**
 * socket(2): creates an endpoint; returns its fd. Close-on-exec is always set.
 *
 * Calls [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EPERM`, `EAFNOSUPPORT`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOBUFS`, `EPROTONOSUPPORT`; the man page says when each occurs.
 */
export function socket(domain: number, type: number, protocol = 0): number {
  return fresh(check(native.socket(v.cint(domain, 'domain'), v.cint(type, 'type'), v.cint(protocol, 'protocol')), 'socket'));
}

/**
 * socketpair(2): a pair of connected sockets, `[fd0, fd1]`.
 *
 * Calls [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAFNOSUPPORT`, `EMFILE`, `ENFILE`, `EOPNOTSUPP`, `EPROTONOSUPPORT`; the man page says when each occurs.
 */
export function socketpair(domain: number, type: number, protocol = 0): [number, number] {
  check(native.socketpair(v.cint(domain, 'domain'), v.cint(type, 'type'), v.cint(protocol, 'protocol'), PAIR), 'socketpair');
  return [fresh(PAIR[0]!), fresh(PAIR[1]!)];
}

/**
 * bind(2): gives the socket a local address. Returns 0.
 *
 * Calls [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EADDRINUSE`, `EADDRNOTAVAIL`, `EBADF`, `EINVAL`, `ENOTSOCK`, `ENOENT`; the man page says when each occurs.
 */
export function bind(fd: number, addr: AddrArg, addrlen?: number): number {
  v.fd(fd);
  const [bytes, len] = addrIn(addr, addrlen);
  return checkAt(native.bind(fd, bytes, len), 'bind', addr);
}

/**
 * listen(2): marks the socket as accepting connections. Returns 0.
 *
 * Calls [listen(2)](https://man7.org/linux/man-pages/man2/listen.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EADDRINUSE`, `EBADF`, `ENOTSOCK`, `EOPNOTSUPP`; the man page says when each occurs.
 */
export function listen(fd: number, backlog: number = SOMAXCONN): number {
  v.fd(fd);
  return check(native.listen(fd, v.cint(backlog, 'backlog')), 'listen');
}

/**
 * accept(2): waits for a connection (unless the socket is non-blocking) and returns its fd.
 * When `addr` is given it receives the peer's address (and its `addrlen` is updated).
 *
 * Calls [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNABORTED`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOTSOCK`, `EOPNOTSUPP`, `EPERM`; the man page says when each occurs.
 */
export function accept(fd: number, addr?: AddrArg | null, addrlen?: number): number {
  return accept4(fd, addr, addrlen, 0);
}

/**
 * accept4(2): accept() with SOCK_NONBLOCK / SOCK_CLOEXEC flags for the new fd.
 *
 * Calls [accept4(2)](https://man7.org/linux/man-pages/man2/accept.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNABORTED`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOTSOCK`, `EOPNOTSUPP`, `EPERM`; the man page says when each occurs.
 */
export function accept4(fd: number, addr: AddrArg | null | undefined, addrlen: number | undefined, flags: number): number {
  v.fd(fd);
  const out = addrOut(addr, addrlen);
  const f = v.flags(flags);
  let r = native.accept(fd, out, f);
  if (r === -EAGAIN) r = retry(r, fd, 0, POLLIN, native.accept, fd, out, f);
  check(r, 'accept');
  addrDone(addr);
  return fresh(r);
}

/**
 * connect(2): connects to `addr`, blocking until done on a blocking socket. Returns 0.
 *
 * Calls [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EADDRINUSE`, `EADDRNOTAVAIL`, `EAFNOSUPPORT`, `EALREADY`, `ECONNREFUSED`, `EINPROGRESS`, `EISCONN`, `ENETUNREACH`, `ETIMEDOUT`, `ENOENT`; the man page says when each occurs.
 */
export function connect(fd: number, addr: AddrArg, addrlen?: number): number {
  v.fd(fd);
  const [bytes, len] = addrIn(addr, addrlen);
  let r = native.connect(fd, bytes, len);
  if (r === -EINPROGRESS && isForced(fd)) r = retry(-EAGAIN, fd, 0, POLLOUT, soError, fd);
  return checkAt(r, 'connect', addr);
}

/**
 * shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. Returns 0.
 *
 * Calls [shutdown(2)](https://man7.org/linux/man-pages/man2/shutdown.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
 */
export function shutdown(fd: number, how: number): number {
  v.fd(fd);
  return check(native.shutdown(fd, v.cint(how, 'how')), 'shutdown');
}

/**
 * close(2): releases the fd (never retried on EINTR: Linux has already released it).
 *
 * Calls [close(2)](https://man7.org/linux/man-pages/man2/close.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EIO`; the man page says when each occurs.
 */
export function close(fd: number): number {
  v.fd(fd);
  release(fd);
  return check(native.close(fd), 'close');
}

/**
 * send(2): sends from `buf` (a string is sent as UTF-8); returns the bytes sent.
 *
 * Calls [send(2)](https://man7.org/linux/man-pages/man2/send.2.html). `MSG_NOSIGNAL` is always added.
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `ECONNRESET`, `EDESTADDRREQ`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; the man page says when each occurs.
 */
export function send(fd: number, buf: v.Data, len?: number, flags?: number): number {
  v.fd(fd);
  const b = v.data(buf);
  const n = v.length(len, v.byteLength(b));
  const f = v.flags(flags);
  let r = io.send(fd, b, n, f);
  if (r === -EAGAIN) r = retry(r, fd, f, POLLOUT, io.send, fd, b, n, f);
  return check(r, 'send');
}

/**
 * recv(2): receives into the caller's `buf`; returns the byte count, 0 at end of stream.
 *
 * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
 */
export function recv(fd: number, buf: ArrayBufferView, len?: number, flags?: number): number {
  v.fd(fd);
  const b = v.view(buf);
  const n = v.length(len, v.byteLength(b));
  const f = v.flags(flags);
  let r = io.recv(fd, b, n, f);
  if (r === -EAGAIN) r = retry(r, fd, f, POLLIN, io.recv, fd, b, n, f);
  return check(r, 'recv');
}

/**
 * sendto(2): sends a datagram to `addr` (null: the connected peer).
 *
 * Calls [sendto(2)](https://man7.org/linux/man-pages/man2/send.2.html). `MSG_NOSIGNAL` is always added.
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EAGAIN`, `ECONNRESET`, `EDESTADDRREQ`, `EISCONN`, `EMSGSIZE`, `ENETUNREACH`, `ENOBUFS`, `EPIPE`; the man page says when each occurs.
 */
export function sendto(fd: number, buf: v.Data, len: number | undefined, flags: number | undefined, addr: AddrArg | null, addrlen?: number): number {
  v.fd(fd);
  const b = v.data(buf);
  const n = v.length(len, v.byteLength(b));
  const f = v.flags(flags);
  const bytes = addr === null || addr === undefined ? null : addrBytes(addr);
  const alen = bytes === null ? 0 : addrLenOf(addr, addrlen, bytes);
  let r = io.sendto(fd, b, n, f, bytes, alen);
  if (r === -EAGAIN) r = retry(r, fd, f, POLLOUT, io.sendto, fd, b, n, f, bytes, alen);
  return checkAt(r, 'sendto', addr);
}

/**
 * recvfrom(2): receives into `buf`; the sender's address goes into `addr` when given.
 *
 * Calls [recvfrom(2)](https://man7.org/linux/man-pages/man2/recv.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
 */
export function recvfrom(fd: number, buf: ArrayBufferView, len?: number, flags?: number, addr?: AddrArg | null, addrlen?: number): number {
  v.fd(fd);
  const b = v.view(buf);
  const n = v.length(len, v.byteLength(b));
  const f = v.flags(flags);
  const out = addrOut(addr, addrlen);
  let r = io.recvfrom(fd, b, n, f, out);
  if (r === -EAGAIN) r = retry(r, fd, f, POLLIN, io.recvfrom, fd, b, n, f, out);
  check(r, 'recvfrom');
  if (out) addrDone(addr);
  return r;
}

/**
 * read(2) on any fd: returns the byte count, 0 at end of stream.
 *
 * Calls [read(2)](https://man7.org/linux/man-pages/man2/read.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `EINVAL`, `EIO`, `ECONNRESET`; the man page says when each occurs.
 */
export function read(fd: number, buf: ArrayBufferView, len?: number): number {
  v.fd(fd);
  const b = v.view(buf);
  const n = v.length(len, v.byteLength(b));
  let r = io.read(fd, b, n);
  if (r === -EAGAIN) r = retry(r, fd, 0, POLLIN, io.read, fd, b, n);
  return check(r, 'read');
}

/**
 * write(2) on any fd (a string is written as UTF-8); returns the bytes written.
 *
 * Calls [write(2)](https://man7.org/linux/man-pages/man2/write.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `EINVAL`, `EIO`, `EPIPE`; the man page says when each occurs.
 */
export function write(fd: number, buf: v.Data, len?: number): number {
  v.fd(fd);
  const b = v.data(buf);
  const n = v.length(len, v.byteLength(b));
  // On a socket this is send(2), which adds MSG_NOSIGNAL: write(2) to a reset peer would
  // raise SIGPIPE, fatal once an application has removed its SIGPIPE listener.
  let r = io.send(fd, b, n, 0);
  if (r === -ENOTSOCK) {
    r = io.write(fd, b, n);
    if (r === -EAGAIN) r = retry(r, fd, 0, POLLOUT, io.write, fd, b, n);
  } else if (r === -EAGAIN) r = retry(r, fd, 0, POLLOUT, io.send, fd, b, n, 0);
  return check(r, 'write');
}

function name(fd: number, addr: AddrArg | undefined, addrlen: number | undefined, syscall: 'getsockname' | 'getpeername'): SocketAddress {
  v.fd(fd);
  const fn = native[syscall];
  if (addr !== undefined && addr !== null) {
    const out = addrOut(addr, addrlen)!;
    check(fn(fd, out, LEN), syscall);
    addrDone(addr);
    return addr instanceof SockaddrBase ? (addr as SocketAddress) : sockaddrFrom(out, LEN[0]!);
  }
  check(fn(fd, STORAGE.bytes, LEN), syscall);
  return sockaddrFrom(STORAGE.bytes, LEN[0]!);
}

/**
 * getsockname(2): the socket's local address, as the struct of its family
 * (sockaddr_in, sockaddr_in6, sockaddr_un…). When `addr` is given it is filled and returned.
 *
 * Calls [getsockname(2)](https://man7.org/linux/man-pages/man2/getsockname.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ENOTSOCK`, `ENOBUFS`; the man page says when each occurs.
 */
export function getsockname(fd: number, addr?: AddrArg, addrlen?: number): SocketAddress {
  return name(fd, addr, addrlen, 'getsockname');
}

/**
 * getpeername(2): the connected peer's address, as the struct of its family.
 *
 * Calls [getpeername(2)](https://man7.org/linux/man-pages/man2/getpeername.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
 */
export function getpeername(fd: number, addr?: AddrArg, addrlen?: number): SocketAddress {
  return name(fd, addr, addrlen, 'getpeername');
}

// ---------------------------------------------------------------------------------------
// options

const OPT = new Int32Array(1);

/**
 * setsockopt(2). A number or boolean is passed as a C `int`; a struct (linger, timeval,
 * ip_mreq…) or buffer is passed as its bytes (`optlen` defaults to their size). Returns 0.
 *
 * Calls [setsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html). Options: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html), [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html), [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`, `EPERM`; the man page says when each occurs.
 */
export function setsockopt(fd: number, level: number, optname: number, value: number | boolean | CStruct | ArrayBufferView, optlen?: number): number {
  v.fd(fd);
  v.cint(level, 'level');
  v.cint(optname, 'optname');
  let bytes: ArrayBufferView;
  if (typeof value === 'number') {
    OPT[0] = v.int(value, 'value', v.INT32_MIN, v.UINT32_MAX) | 0;
    bytes = OPT;
  } else if (typeof value === 'boolean') {
    OPT[0] = value ? 1 : 0;
    bytes = OPT;
  } else if (value instanceof CStruct) bytes = value.bytes;
  else if (ArrayBuffer.isView(value)) bytes = value;
  else throw v.typeError('value', 'a number, boolean, struct or ArrayBufferView', value);
  return check(native.setsockopt(fd, level, optname, bytes, v.length(optlen, bytes.byteLength, 'optlen')), 'setsockopt');
}

/**
 * getsockopt(2). Without `out`, reads a C `int` option and returns it. With `out` (a struct
 * or buffer), fills it and returns the option length the kernel reported.
 *
 * Calls [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html). Options: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html), [udp(7)](https://man7.org/linux/man-pages/man7/udp.7.html), [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`; the man page says when each occurs.
 */
export function getsockopt(fd: number, level: number, optname: number): number;
export function getsockopt(fd: number, level: number, optname: number, out: CStruct | ArrayBufferView, optlen?: number): number;
export function getsockopt(fd: number, level: number, optname: number, out?: CStruct | ArrayBufferView, optlen?: number): number {
  v.fd(fd);
  v.cint(level, 'level');
  v.cint(optname, 'optname');
  if (out === undefined) {
    OPT[0] = 0;
    check(native.getsockopt(fd, level, optname, OPT, LEN), 'getsockopt');
    return OPT[0]!;
  }
  let bytes: ArrayBufferView;
  if (out instanceof CStruct) bytes = out.bytes;
  else if (ArrayBuffer.isView(out)) bytes = out;
  else throw v.typeError('out', 'a struct or ArrayBufferView', out);
  const cap = v.length(optlen, bytes.byteLength, 'optlen');
  const target = cap === bytes.byteLength ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, cap);
  check(native.getsockopt(fd, level, optname, target, LEN), 'getsockopt');
  return LEN[0]!;
}

// ---------------------------------------------------------------------------------------
// fcntl

/**
 * fcntl(2) with an integer argument: F_GETFL, F_SETFL, F_GETFD, F_SETFD.
 *
 * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`; the man page says when each occurs.
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  v.fd(fd);
  return check(native.fcntl(fd, v.cint(cmd, 'cmd'), v.cint(arg, 'arg')), 'fcntl');
}

/**
 * Whether O_NONBLOCK is set on the fd (F_GETFL).
 *
 * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (`F_GETFL`).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`; the man page says when each occurs.
 */
export function getNonBlocking(fd: number): boolean {
  const nb = (fcntl(fd, F_GETFL) & O_NONBLOCK) !== 0;
  return nb && !isForced(fd);
}

/**
 * Sets or clears O_NONBLOCK (F_GETFL + F_SETFL).
 *
 * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (`F_GETFL` and `F_SETFL`).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`; the man page says when each occurs.
 */
export function setNonBlocking(fd: number, on: boolean): void {
  v.bool(on, 'on');
  // On an fd the Promise API watches, the fd stays non-blocking and only the caller's
  // view changes: the synchronous calls then block (or not) as asked.
  if (setCallerNonBlocking(fd, on)) return;
  const fl = fcntl(fd, F_GETFL);
  const next = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
  if (next !== fl) fcntl(fd, F_SETFL, next);
}

/**
 * Whether FD_CLOEXEC is set on the fd (F_GETFD).
 *
 * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (`F_GETFD`).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`; the man page says when each occurs.
 */
export function getCloseOnExec(fd: number): boolean {
  return (fcntl(fd, F_GETFD) & FD_CLOEXEC) !== 0;
}

/**
 * Sets or clears FD_CLOEXEC (F_GETFD + F_SETFD).
 *
 * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (`F_GETFD` and `F_SETFD`).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`; the man page says when each occurs.
 */
export function setCloseOnExec(fd: number, on: boolean): void {
  v.bool(on, 'on');
  const fl = fcntl(fd, F_GETFD);
  const next = on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC;
  if (next !== fl) fcntl(fd, F_SETFD, next);
}
