// The one typed view of the native addon. Every native function is a thin syscall wrapper
// that returns its result, or -errno on failure; lib/ turns failures into SocketError.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** [offset, size in bytes, is signed] of one struct field, as the compiler laid it out. */
export type FieldLayout = readonly [offset: number, size: number, signed: boolean];
/** [first bit, width] of a bitfield; bits numbered from the struct's start, LSB of each byte first. */
export type BitLayout = readonly [firstBit: number, width: number];
export type StructLayout = {
  readonly size: number;
  readonly align: number;
  readonly bits?: Readonly<Record<string, BitLayout>>;
} & Readonly<Record<string, FieldLayout>>;

/** Output of getaddrinfo/getnameinfo when they fail. */
export interface GaiFailure {
  eai: number;
  errno: number;
}

export interface NativeAddrinfo {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  ai_addrlen: number;
  ai_addr: Buffer;
  ai_canonname: string | null;
}

export interface NativeHostent {
  h_name: string;
  h_aliases: string[];
  h_addrtype: number;
  h_length: number;
  h_addr_list: Buffer[];
}

type Bytes = ArrayBufferView;
/** Int32Array(1) receiving a socklen_t. */
type LenOut = Int32Array;

export interface NativeBinding {
  constants: Readonly<Record<string, number>>;
  errnos: Readonly<Record<string, number>>;
  eais: Readonly<Record<string, number>>;
  layouts: Readonly<Record<string, StructLayout>>;
  strerror(errnum: number): string;

  socket(domain: number, type: number, protocol: number): number;
  socketpair(domain: number, type: number, protocol: number, out: Int32Array): number;
  bind(fd: number, addr: Bytes, addrlen: number): number;
  listen(fd: number, backlog: number): number;
  /** The peer's addrlen goes to addrLen[0]. */
  accept(fd: number, addr: Bytes | null, flags: number): number;
  connect(fd: number, addr: Bytes, addrlen: number): number;
  shutdown(fd: number, how: number): number;
  close(fd: number): number;
  getsockname(fd: number, addr: Bytes, addrlen: LenOut): number;
  getpeername(fd: number, addr: Bytes, addrlen: LenOut): number;
  fcntl(fd: number, cmd: number, arg: number): number;

  // The data calls read their numbers from `ioArgs` (lib/io.ts writes them) and leave their
  // result (bytes or -errno) there: [fd, length, flags, address length (-1: no address),
  // addrLen out, result].
  readonly ioArgs: Int32Array;
  send(buf: Bytes): void;
  recv(buf: Bytes): void;
  sendto(buf: Bytes, addr?: Bytes): void;
  /** The sender's addrlen goes to addrLen[0]. */
  recvfrom(buf: Bytes, addr?: Bytes): void;
  /** The socklen_t out-cell of accept and recvfrom (one per environment; ioArgs[4]). */
  readonly addrLen: Int32Array;
  read(buf: Bytes): void;
  write(buf: Bytes): void;

  setsockopt(fd: number, level: number, optname: number, value: Bytes, optlen: number): number;
  getsockopt(fd: number, level: number, optname: number, value: Bytes, optlen: LenOut): number;
  /** setsockopt with a `struct sock_fprog { count, filter }` built around `filter` (sock_filter bytes); 0 or -errno. */
  setsockoptFilter(fd: number, level: number, optname: number, filter: Bytes, count: number): number;

  /**
   * Binds the poller to this environment's loop. Once per loop iteration `dispatch(count)`
   * gets that iteration's readiness events as (fd, status, events) triples in `events`.
   */
  pollInit(dispatch: (count: number) => void, events: Int32Array, flags: Int32Array, stopIdle: () => void): void;
  /** Readiness events per dispatch call at most. */
  pollBatch: number;
  /** Watches `fd` for UV_* `events` (0 stops watching); 0 or -errno. */
  pollStart(fd: number, events: number): number;
  /** Stops watching and frees the fd's handle: call before close(2). */
  pollClose(fd: number): number;
  /** poll(2) on one fd: revents, 0 on timeout, or -errno. */
  poll(fd: number, events: number, timeoutMs: number): number;
  /** poll(2) over `nfds` struct pollfd in `fds` (aligned, checked against its length): the ready count, 0 on timeout, or -errno. */
  pollfds(fds: Uint8Array, nfds: number, timeoutMs: number): number;
  pollEvents: { READABLE: number; WRITABLE: number; DISCONNECT: number; PRIORITIZED: number };

  /** CMSG_ALIGN(1) (the cmsg alignment), CMSG_SPACE(0), CMSG_LEN(0), and the largest mmsg vlen. */
  messages: { align: number; space0: number; len0: number; mmsgMax: number };
  /** sendmsg(2) (MSG_NOSIGNAL added): bytes sent or -errno. */
  sendmsg(fd: number, iovs: Bytes[], name: Bytes | null, namelen: number, control: Bytes | null, controllen: number, flags: number): number;
  /** recvmsg(2) (MSG_CMSG_CLOEXEC added): bytes or -errno; `out` gets [namelen, controllen, msg_flags]. */
  recvmsg(fd: number, iovs: Bytes[], name: Bytes | null, control: Bytes | null, flags: number, out: Int32Array): number;
  /**
   * sendmmsg(2): message k is `lens[k]` bytes of data[k * slotSize…] to the addrlens[k] bytes
   * of addrs[k * addrSlot…] (0: no address); vlen * slotSize must fit data, vlen * addrSlot
   * addrs (RangeError otherwise). Count sent or -errno.
   */
  sendmmsg(fd: number, data: Bytes, lens: Int32Array, addrs: Bytes | null, addrlens: Int32Array, flagsOut: Int32Array, vlen: number, flags: number, slotSize: number, addrSlot: number): number;
  /**
   * recvmmsg(2) (MSG_CMSG_CLOEXEC added) into slots of `slotSize` bytes of data and `addrSlot`
   * bytes of addrs, bounds as for sendmmsg: fills lens, addrlens, flagsOut; count or -errno.
   */
  recvmmsg(fd: number, data: Bytes, lens: Int32Array, addrs: Bytes | null, addrlens: Int32Array, flagsOut: Int32Array, vlen: number, flags: number, slotSize: number, addrSlot: number): number;

  /** if_nameindex(3), or -errno. */
  if_nameindex(): { if_index: number; if_name: string }[] | number;

  inet_pton(af: number, src: string, dst: Bytes): number;
  inet_ntop(af: number, src: Bytes): string | number;
  inet_addr(cp: string): number;
  inet_aton(cp: string, dst: Bytes): number;
  if_nametoindex(name: string): number;
  if_indextoname(index: number): string | number;

  getaddrinfo(
    node: string | null,
    service: string | null,
    hints: [flags: number, family: number, socktype: number, protocol: number] | null,
  ): NativeAddrinfo[] | GaiFailure;
  getnameinfo(addr: Bytes, addrlen: number, flags: number): [host: string, serv: string] | GaiFailure;
  /** getaddrinfo on the libuv thread pool; `callback` gets what getaddrinfo() would return. */
  getaddrinfoAsync(
    node: string | null,
    service: string | null,
    hints: [flags: number, family: number, socktype: number, protocol: number] | null,
    callback: (result: NativeAddrinfo[] | GaiFailure) => void,
  ): void;
  /** getnameinfo on the thread pool (the address bytes are copied first). */
  getnameinfoAsync(
    addr: Bytes,
    addrlen: number,
    flags: number,
    callback: (result: [host: string, serv: string] | GaiFailure) => void,
  ): void;
  gethostbyname(name: string): NativeHostent | number;
  gai_strerror(code: number): string;
  hstrerror(code: number): string;
}

// node-gyp-build finds build/Release, build/Debug or prebuilds/ from the package root,
// which is one level above both lib/ (tsx, tests) and dist/ (compiled).
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const load = require('node-gyp-build') as (dir: string) => unknown;

function loadAddon(): NativeBinding {
  try {
    return load(root) as NativeBinding;
  } catch (err) {
    // Only "nothing fits" gets advice; a binary that fits but fails to load keeps its error.
    if (!(err instanceof Error) || !err.message.startsWith('No native build was found')) throw err;
    throw new Error(
      `berkeley-sockets: no prebuilt binary for ${process.platform}-${process.arch} and none built from source. ` +
        'With python3, make and a C++17 compiler on PATH, run `npm rebuild berkeley-sockets` ' +
        '(npm 11 skips dependency install scripts until `npm install-scripts approve berkeley-sockets`).',
      { cause: err },
    );
  }
}

// A copy of the addon's exports: the addon object itself is in dictionary mode (its
// properties are added one by one), so every `native.send` on it would be a hash lookup
// through V8's generic load IC; the spread copy has fast properties that optimised code
// loads inline.
export const native = { ...loadAddon() };
