// class Socket: one socket fd as an object. Every call of the synchronous API (C semantics)
// and of the Promise API is a method, named like Node's fs: `xSync()` blocks as C does,
// `x()` returns a Promise and never blocks the event loop. Calls that never wait (bind,
// listen, shutdown, setOption…) are plain methods. The fd's ownership is recorded in the
// one registry, so closing through the functional close(fd) is seen here too, and a Socket
// that is garbage-collected while open is closed (with a warning) only if the fd number
// still belongs to it.
import { EBADF, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_RAW, SOCK_RDM, SOL_SOCKET, SO_DOMAIN, SO_PROTOCOL, SO_TYPE } from './constants.generated.js';
import { SocketError, failure } from './errors.js';
import { claim, detach as registryDetach, opOptions, type Claim, type OpOptions } from './registry.js';
import * as sockets from './sockets.js';
import { poll as pollSync, pollfd } from './poll.js';
import * as sockopt from './sockopt.js';
import * as promises from './promises.js';
import { native } from './native.js';
import type { AddrArg } from './sockets.js';
import type { CStruct, SocketAddress } from './structs.js';
import * as v from './validate.js';

/** The one entry of sock.pollSync(), reused: the call is synchronous. */
const ONE = new pollfd();

/** Options of `sock.chunks()`: the receive size, plus the Promise API's options for each recv. */
export interface ChunkOptions extends OpOptions {
  /** Bytes asked of each recv(2) (default 65536): a datagram longer than this is truncated. */
  size?: number;
}

const DEFAULT_CHUNK = 65536;
const WARNING_CODE = 'BSOCK_UNCLOSED_SOCKET';

// The held value is the Claim only (the fd and whether it is still this owner's): it never
// references the Socket, or the Socket could not be collected.
const finalizers = new FinalizationRegistry<Claim>((c) => {
  if (!c.open) return; // closed, detached, or the number now belongs to someone else
  const fd = c.fd;
  try {
    sockets.close(fd);
  } catch {
    // the fd is released by close(2) whatever it reports
  }
  process.emitWarning(`Closing socket fd ${fd} on garbage collection: close a Socket with close() or [Symbol.dispose]()`, {
    type: 'Warning',
    code: WARNING_CODE,
  });
});

/** Set by adopt() for the one constructor call that wraps an existing fd. */
let adopting: { fd: number; family: number; type: number; protocol: number } | undefined;

function adopt(fd: number, family: number, type: number, protocol: number): Socket {
  adopting = { fd, family, type, protocol };
  try {
    return new Socket(family, type, protocol);
  } finally {
    adopting = undefined;
  }
}

/** A C int socket option read straight from the native layer: the value, or -errno. */
function intOption(fd: number, optname: number): number {
  const out = new Int32Array(1);
  const r = native.getsockopt(fd, SOL_SOCKET, optname, out, new Int32Array(1));
  return r < 0 ? r : out[0]!;
}

/**
 * A socket fd as an object. `new Socket(AF_INET, SOCK_STREAM)` calls socket(2);
 * `Socket.from(fd)` adopts an fd that is already open. Close it with `close()` (or
 * `[Symbol.dispose]()` / `[Symbol.asyncDispose]()`); after that every method throws a
 * SocketError EBADF naming its syscall, without touching the fd number (which the kernel
 * may have given to someone else). Closing the fd with the functional `close(sock.fd)` or
 * handing it on with `detach(sock.fd)` counts as closing the Socket too.
 */
export class Socket {
  /** The address family (SO_DOMAIN): AF_INET, AF_INET6, AF_UNIX… */
  readonly family: number;
  /** The socket type (SO_TYPE), without SOCK_NONBLOCK / SOCK_CLOEXEC. */
  readonly type: number;
  /** The protocol (SO_PROTOCOL): e.g. IPPROTO_TCP for an AF_INET stream socket. */
  readonly protocol: number;
  readonly #claim: Claim;

  /**
   * socket(2): a new endpoint (close-on-exec, as every fd this library creates).
   *
   * Calls [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EPERM`, `EAFNOSUPPORT`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOBUFS`, `EPROTONOSUPPORT`; the man page says when each occurs.
   */
  constructor(domain: number, type: number, protocol = 0) {
    let fd: number;
    if (adopting !== undefined) {
      ({ fd, family: this.family, type: this.type, protocol: this.protocol } = adopting);
      adopting = undefined;
    } else {
      fd = sockets.socket(domain, type, protocol);
      this.family = domain;
      this.type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
      const p = protocol === 0 ? intOption(fd, SO_PROTOCOL) : protocol;
      this.protocol = p < 0 ? protocol : p;
    }
    this.#claim = claim(fd);
    finalizers.register(this, this.#claim, this);
  }

  /**
   * Adopts an open socket fd (the Socket now owns it: closing the Socket closes it). Its
   * family, type and protocol are read once with getsockopt(2) SO_DOMAIN, SO_TYPE and
   * SO_PROTOCOL. Throws SocketError ENOTSOCK for an fd that is not a socket, EBADF for
   * one that is not open. A Socket that owned the fd before forgets it (it then reads as
   * closed, without the fd being closed).
   *
   * Calls [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html) (`SO_DOMAIN`, `SO_TYPE`, `SO_PROTOCOL`).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ENOTSOCK`; the man page says when each occurs.
   */
  static from(fd: number): Socket {
    v.fd(fd);
    const type = sockets.getsockopt(fd, SOL_SOCKET, SO_TYPE);
    const family = sockets.getsockopt(fd, SOL_SOCKET, SO_DOMAIN);
    const protocol = sockets.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL);
    return adopt(fd, family, type, protocol);
  }

  /**
   * socketpair(2): two connected sockets (AF_UNIX with SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET).
   *
   * Calls [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAFNOSUPPORT`, `EMFILE`, `ENFILE`, `EOPNOTSUPP`, `EPROTONOSUPPORT`; the man page says when each occurs.
   */
  static pair(domain: number, type: number, protocol = 0): [Socket, Socket] {
    const [a, b] = sockets.socketpair(domain, type, protocol);
    const t = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    return [adopt(a, domain, t, protocol), adopt(b, domain, t, protocol)];
  }

  /** The fd while the Socket owns it; -1 once it is closed or detached. */
  get fd(): number {
    return this.#claim.open ? this.#claim.fd : -1;
  }

  /** Whether the Socket no longer owns its fd (closed, or detached). */
  get closed(): boolean {
    return !this.#claim.open;
  }

  /** The fd, or SocketError EBADF naming `syscall` when the Socket is closed. */
  #use(syscall: string): number {
    if (!this.#claim.open) throw failure(EBADF, syscall);
    return this.#claim.fd;
  }

  /** getsockname(2): the local address, as the struct of its family. */
  get localAddress(): SocketAddress {
    return sockets.getsockname(this.#use('getsockname'));
  }

  /** getpeername(2): the peer's address, as the struct of its family (ENOTCONN when none). */
  get remoteAddress(): SocketAddress {
    return sockets.getpeername(this.#use('getpeername'));
  }

  /** fcntl(2) F_GETFL / F_SETFL: O_NONBLOCK as the caller set it (see setNonBlocking). */
  get nonBlocking(): boolean {
    return sockets.getNonBlocking(this.#use('fcntl'));
  }

  set nonBlocking(on: boolean) {
    sockets.setNonBlocking(this.#use('fcntl'), on);
  }

  // -------------------------------------------------------------------------------------
  // calls that never wait

  /**
   * bind(2): gives the socket a local address. Returns the Socket.
   *
   * Calls [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EADDRINUSE`, `EADDRNOTAVAIL`, `EBADF`, `EINVAL`, `ENOTSOCK`, `ENOENT`; the man page says when each occurs.
   */
  bind(addr: AddrArg, addrlen?: number): this {
    sockets.bind(this.#use('bind'), addr, addrlen);
    return this;
  }

  /**
   * listen(2): marks the socket as accepting connections. Returns the Socket.
   *
   * Calls [listen(2)](https://man7.org/linux/man-pages/man2/listen.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EADDRINUSE`, `EBADF`, `ENOTSOCK`, `EOPNOTSUPP`; the man page says when each occurs.
   */
  listen(backlog?: number): this {
    sockets.listen(this.#use('listen'), backlog);
    return this;
  }

  /**
   * shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. Returns the Socket.
   *
   * Calls [shutdown(2)](https://man7.org/linux/man-pages/man2/shutdown.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
   */
  shutdown(how: number): this {
    sockets.shutdown(this.#use('shutdown'), how);
    return this;
  }

  /**
   * setsockopt(2): a number or boolean is passed as a C int; a struct or buffer as its
   * bytes. By name (`setOption('SO_REUSEADDR', true)`), the value is typed as sockoptTable
   * says (see setOption in lib/sockopt.ts). Returns the Socket.
   *
   * Calls [setsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html); option pages: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html)…
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`, `EPERM`; the man page says when each occurs.
   */
  setOption(name: string, value: sockopt.OptionInput): this;
  setOption(level: number, optname: number, value: number | boolean | CStruct | ArrayBufferView, optlen?: number): this;
  setOption(level: number | string, optname: unknown, value?: number | boolean | CStruct | ArrayBufferView, optlen?: number): this {
    if (typeof level === 'string') sockopt.setOption(this.#use('setsockopt'), level, optname as sockopt.OptionInput);
    else sockets.setsockopt(this.#use('setsockopt'), level, optname as number, value!, optlen);
    return this;
  }

  /**
   * getsockopt(2): without `out`, reads a C int option and returns it; with `out` (a struct
   * or buffer), fills it and returns the option length the kernel reported. By name
   * (`getOption('TCP_INFO')`), returns the value typed as sockoptTable says.
   *
   * Calls [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html); option pages: [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html), [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html)…
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EINVAL`, `ENOPROTOOPT`, `ENOTSOCK`; the man page says when each occurs.
   */
  getOption(name: string, input?: number | CStruct | ArrayBufferView): unknown;
  getOption(level: number, optname: number): number;
  getOption(level: number, optname: number, out: CStruct | ArrayBufferView, optlen?: number): number;
  getOption(level: number | string, optname?: unknown, out?: CStruct | ArrayBufferView, optlen?: number): unknown {
    const fd = this.#use('getsockopt');
    if (typeof level === 'string') return sockopt.getOption(fd, level, optname as number | CStruct | ArrayBufferView | undefined);
    return out === undefined ? sockets.getsockopt(fd, level, optname as number) : sockets.getsockopt(fd, level, optname as number, out, optlen);
  }

  /**
   * close(2), once: pending Promise-API calls on the socket reject with ECANCELED. A second
   * call, or a call after the fd was closed or detached elsewhere, does nothing.
   *
   * Calls [close(2)](https://man7.org/linux/man-pages/man2/close.2.html) (once).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `EIO`; the man page says when each occurs.
   */
  close(): void {
    if (!this.#claim.open) return;
    finalizers.unregister(this);
    sockets.close(this.#claim.fd);
  }

  /**
   * Hands the fd over (to `new net.Socket({ fd })`, a child process…) without closing it:
   * registry detach (pending calls reject with ECANCELED, a blocking mode the Promise API
   * changed is put back), then the Socket forgets the fd. Returns the fd.
   *
   * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (`F_GETFL`, `F_SETFL`) only to put back a blocking mode the Promise API changed; never [close(2)](https://man7.org/linux/man-pages/man2/close.2.html).
   */
  detach(): number {
    const fd = this.#use('detach');
    finalizers.unregister(this);
    registryDetach(fd); // releases the claim
    return fd;
  }

  /** Calls [close(2)](https://man7.org/linux/man-pages/man2/close.2.html) once, as close() does (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Calls [close(2)](https://man7.org/linux/man-pages/man2/close.2.html) once, as close() does (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  // -------------------------------------------------------------------------------------
  // calls that can wait: xSync() with C semantics, x() as a Promise. Each async method
  // awaits inside, so a pending call keeps its Socket alive (never collected mid-call).

  /**
   * accept(2): waits for a connection (unless non-blocking); `addr` receives the peer.
   *
   * Calls [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNABORTED`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOTSOCK`, `EOPNOTSUPP`, `EPERM`; the man page says when each occurs.
   */
  acceptSync(addr?: AddrArg | null, addrlen?: number): Socket {
    const fd = sockets.accept(this.#use('accept'), addr, addrlen);
    return adopt(fd, this.family, this.type, this.protocol);
  }

  /**
   * accept(2) as a Promise: resolves with the connection's Socket.
   *
   * Calls [accept(2)](https://man7.org/linux/man-pages/man2/accept.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNABORTED`, `EINVAL`, `EMFILE`, `ENFILE`, `ENOTSOCK`, `EOPNOTSUPP`, `EPERM`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async accept(addr?: AddrArg | null, addrlen?: number, options?: OpOptions): Promise<Socket> {
    const fd = await promises.accept(this.#use('accept'), addr, addrlen, options);
    return adopt(fd, this.family, this.type, this.protocol);
  }

  /**
   * connect(2): blocks until connected on a blocking socket. Returns the Socket.
   *
   * Calls [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EADDRINUSE`, `EADDRNOTAVAIL`, `EAFNOSUPPORT`, `EALREADY`, `ECONNREFUSED`, `EINPROGRESS`, `EISCONN`, `ENETUNREACH`, `ETIMEDOUT`, `ENOENT`; the man page says when each occurs.
   */
  connectSync(addr: AddrArg, addrlen?: number): this {
    sockets.connect(this.#use('connect'), addr, addrlen);
    return this;
  }

  /**
   * connect(2) as a Promise: resolves with the Socket once connected.
   *
   * Calls [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EADDRINUSE`, `EADDRNOTAVAIL`, `EAFNOSUPPORT`, `EALREADY`, `ECONNREFUSED`, `EINPROGRESS`, `EISCONN`, `ENETUNREACH`, `ETIMEDOUT`, `ENOENT`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async connect(addr: AddrArg, addrlen?: number, options?: OpOptions): Promise<this> {
    await promises.connect(this.#use('connect'), addr, addrlen, options);
    return this;
  }

  /**
   * send(2): returns the bytes sent (a string is sent as UTF-8).
   *
   * Calls [send(2)](https://man7.org/linux/man-pages/man2/send.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `ECONNRESET`, `EDESTADDRREQ`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; the man page says when each occurs.
   */
  sendSync(buf: v.Data, len?: number, flags?: number): number {
    return sockets.send(this.#use('send'), buf, len, flags);
  }

  /**
   * send(2) as a Promise: resolves with the bytes sent (a partial send, as in C).
   *
   * Calls [send(2)](https://man7.org/linux/man-pages/man2/send.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `ECONNRESET`, `EDESTADDRREQ`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async send(buf: v.Data, len?: number, flags?: number, options?: OpOptions): Promise<number> {
    return await promises.send(this.#use('send'), buf, len, flags, options);
  }

  /**
   * recv(2): receives into `buf`; returns the byte count, 0 at end of stream.
   *
   * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
   */
  recvSync(buf: ArrayBufferView, len?: number, flags?: number): number {
    return sockets.recv(this.#use('recv'), buf, len, flags);
  }

  /**
   * recv(2) as a Promise: resolves with the byte count, 0 at end of stream.
   *
   * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async recv(buf: ArrayBufferView, len?: number, flags?: number, options?: OpOptions): Promise<number> {
    return await promises.recv(this.#use('recv'), buf, len, flags, options);
  }

  /**
   * sendto(2): sends a datagram to `addr` (null: the connected peer).
   *
   * Calls [sendto(2)](https://man7.org/linux/man-pages/man2/send.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `EAGAIN`, `ECONNRESET`, `EDESTADDRREQ`, `EISCONN`, `EMSGSIZE`, `ENETUNREACH`, `ENOBUFS`, `EPIPE`; the man page says when each occurs.
   */
  sendtoSync(buf: v.Data, len: number | undefined, flags: number | undefined, addr: AddrArg | null, addrlen?: number): number {
    return sockets.sendto(this.#use('sendto'), buf, len, flags, addr, addrlen);
  }

  /**
   * sendto(2) as a Promise.
   *
   * Calls [sendto(2)](https://man7.org/linux/man-pages/man2/send.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EACCES`, `ECONNRESET`, `EDESTADDRREQ`, `EISCONN`, `EMSGSIZE`, `ENETUNREACH`, `ENOBUFS`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async sendto(buf: v.Data, len: number | undefined, flags: number | undefined, addr: AddrArg | null, addrlen?: number, options?: OpOptions): Promise<number> {
    return await promises.sendto(this.#use('sendto'), buf, len, flags, addr, addrlen, options);
  }

  /**
   * recvfrom(2): receives into `buf`; the sender's address goes into `addr` when given.
   *
   * Calls [recvfrom(2)](https://man7.org/linux/man-pages/man2/recv.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; the man page says when each occurs.
   */
  recvfromSync(buf: ArrayBufferView, len?: number, flags?: number, addr?: AddrArg | null, addrlen?: number): number {
    return sockets.recvfrom(this.#use('recvfrom'), buf, len, flags, addr, addrlen);
  }

  /**
   * recvfrom(2) as a Promise; the sender goes into `addr` when given.
   *
   * Calls [recvfrom(2)](https://man7.org/linux/man-pages/man2/recv.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async recvfrom(buf: ArrayBufferView, len?: number, flags?: number, addr?: AddrArg | null, addrlen?: number, options?: OpOptions): Promise<number> {
    return await promises.recvfrom(this.#use('recvfrom'), buf, len, flags, addr, addrlen, options);
  }

  /**
   * read(2): returns the byte count, 0 at end of stream.
   *
   * Calls [read(2)](https://man7.org/linux/man-pages/man2/read.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `EINVAL`, `EIO`, `ECONNRESET`; the man page says when each occurs.
   */
  readSync(buf: ArrayBufferView, len?: number): number {
    return sockets.read(this.#use('read'), buf, len);
  }

  /**
   * read(2) as a Promise (recv(2) with MSG_DONTWAIT underneath).
   *
   * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async read(buf: ArrayBufferView, len?: number, options?: OpOptions): Promise<number> {
    return await promises.read(this.#use('read'), buf, len, options);
  }

  /**
   * write(2): returns the bytes written (a string is written as UTF-8).
   *
   * Calls [write(2)](https://man7.org/linux/man-pages/man2/write.2.html).
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EAGAIN`, `EBADF`, `EINVAL`, `EIO`, `EPIPE`; the man page says when each occurs.
   */
  writeSync(buf: v.Data, len?: number): number {
    return sockets.write(this.#use('write'), buf, len);
  }

  /**
   * write(2) as a Promise (send(2) with MSG_DONTWAIT underneath).
   *
   * Calls [send(2)](https://man7.org/linux/man-pages/man2/send.2.html) without blocking the event loop (the Promise API).
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `ECONNRESET`, `EDESTADDRREQ`, `EMSGSIZE`, `ENOBUFS`, `ENOTCONN`, `EPIPE`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async write(buf: v.Data, len?: number, options?: OpOptions): Promise<number> {
    return await promises.write(this.#use('write'), buf, len, options);
  }

  /**
   * Readiness, as poll(2) reports it: resolves with the ready bits among `events` (POLLIN,
   * POLLOUT, POLLPRI, POLLRDHUP), plus POLLERR when the poller reports an error.
   *
   * Waits as [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html) would, on the fd's libuv poll handle.
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  async poll(events: number, options?: OpOptions): Promise<number> {
    return await promises.poll(this.#use('poll'), events, options);
  }

  /**
   * Readiness within `timeout` ms (negative: no limit; 0: just look), blocking the thread as
   * poll(2) does: returns the fd's `revents` (0 on timeout), with POLLERR, POLLHUP and
   * POLLNVAL reported without being asked.
   *
   * Calls [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html) on this one fd.
   * @throws {@link SocketError} with the failure's `errno`/`code`, such as `ENOMEM`; the man page says when each occurs.
   */
  pollSync(events: number, timeout = -1): number {
    const fd = this.#use('poll');
    ONE.events = events;
    ONE.fd = fd;
    ONE.revents = 0;
    pollSync(ONE, 1, timeout);
    return ONE.revents;
  }

  // -------------------------------------------------------------------------------------
  // async iteration

  /**
   * The received data as an async iterable of fresh Buffers, one per recv(2): chunks of a
   * stream, whole messages of a datagram or seqpacket socket. It ends at end of stream
   * (recv 0 on a connection-oriented socket) and, quietly, when the socket is closed
   * (a pending recv rejects with ECANCELED). Breaking out of the loop leaves the socket
   * open. `signal` / `timeout` apply to each recv, as in the Promise API.
   *
   * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) once per chunk, without blocking the event loop.
   * @throws (rejects with) {@link SocketError} with the failure's `errno`/`code`, such as `EBADF`, `ECONNREFUSED`, `ECONNRESET`, `ENOTCONN`, `ENOTSOCK`; `ECANCELED` when the fd is closed meanwhile, `ETIMEDOUT` on `options.timeout`, {@link AbortError} on `options.signal`.
   */
  chunks(options: ChunkOptions = {}): AsyncIterableIterator<Buffer> {
    if (options === null || typeof options !== 'object') throw v.typeError('options', 'an object', options);
    const size = options.size === undefined ? DEFAULT_CHUNK : v.int(options.size, 'options.size', 1, v.INT32_MAX);
    const { signal, timeout, pollFirst } = options;
    const op = opOptions({ signal, timeout, pollFirst });
    return this.#iterate(size, op);
  }

  /**
   * `for await (const chunk of sock)`: chunks() with a 64 KiB receive buffer.
   *
   * Calls [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html) once per chunk, without blocking the event loop.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    return this.chunks();
  }

  async *#iterate(size: number, op: OpOptions | undefined): AsyncGenerator<Buffer, void, undefined> {
    // One receive buffer per iteration; each chunk is copied out to an exact-size Buffer.
    const buf = Buffer.allocUnsafe(size);
    const messages = this.type === SOCK_DGRAM || this.type === SOCK_RAW || this.type === SOCK_RDM;
    for (;;) {
      if (this.closed) return;
      let n: number;
      try {
        n = await this.recv(buf, size, 0, op);
      } catch (e) {
        if (e instanceof SocketError && this.closed) return; // ECANCELED, or EBADF after close
        throw e;
      }
      if (n === 0 && !messages) return;
      yield Buffer.from(buf.subarray(0, n));
    }
  }
}
