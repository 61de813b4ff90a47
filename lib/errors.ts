// SocketError keeps the C errno; AddrInfoError keeps getaddrinfo's EAI_* code.
import { native } from './native.js';

/** errno value → canonical C name (EAGAIN wins over EWOULDBLOCK: it comes first). */
const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(native.errnos)) if (!errnoNames.has(value)) errnoNames.set(value, name);
const eaiNames = new Map<number, string>();
for (const [name, value] of Object.entries(native.eais)) if (!eaiNames.has(value)) eaiNames.set(value, name);

/**
 * The errno of the last failed call, like C's `errno` (a live binding: import it and read
 * it after a catch). perror() prints its text.
 */
export let errno = 0;

/**
 * Sets errno, as C code does with `errno = 0` before a call whose failure it tests.
 *
 * No syscall: assigns the `errno` binding, as C assigns [errno(3)](https://man7.org/linux/man-pages/man3/errno.3.html).
 */
export function setErrno(value: number): void {
  errno = value;
}

/**
 * The host's C name for an errno value (`'ECONNREFUSED'`), or `'Unknown system error N'`.
 *
 * No syscall: the name from this host's [errno(3)](https://man7.org/linux/man-pages/man3/errno.3.html) list (`<errno.h>`).
 */
export function errnoName(errnum: number): string {
  return errnoNames.get(errnum) ?? `Unknown system error ${errnum}`;
}

/**
 * strerror(3): the host's text for an errno value.
 *
 * Calls [strerror(3)](https://man7.org/linux/man-pages/man3/strerror.3.html).
 */
export function strerror(errnum: number): string {
  return native.strerror(errnum);
}

/** Where a failed call was aimed, when it had an address. */
export interface ErrorAddress {
  /** The IP address, as text. */
  address?: string;
  /** The port, in host order. */
  port?: number;
  /** The Unix socket path. */
  path?: string;
}

/**
 * A failed socket syscall: `errno` is the positive C value, equal to the exported `E*` constant
 * (the names and values of this host's `<errno.h>`, listed in
 * [errno(3)](https://man7.org/linux/man-pages/man3/errno.3.html)); `code` is its name and
 * `syscall` the call that failed. Each function's documentation lists the errno values its
 * man page gives. The module's `errno` binding is set too, so `perror()` works as in C.
 */
export class SocketError extends Error {
  /** Positive C errno value (`err.errno === ECONNREFUSED`). */
  readonly errno: number;
  /** The C name of the errno, e.g. `'ECONNREFUSED'`. */
  readonly code: string;
  /** The syscall that failed, e.g. `'connect'`. */
  readonly syscall: string;
  /** IP address the call was aimed at, when one applies. */
  declare readonly address?: string;
  /** Port the call was aimed at, when one applies. */
  declare readonly port?: number;
  /** Unix socket path (abstract names start with `'\0'`), when one applies. */
  declare readonly path?: string;

  constructor(errnum: number, syscall: string, where?: ErrorAddress) {
    const code = errnoName(errnum);
    let target = '';
    if (where?.path !== undefined) target = ` ${where.path.replace(/\0/g, '@')}`;
    else if (where?.address !== undefined) {
      const host = where.address.includes(':') ? `[${where.address}]` : where.address;
      target = where.port !== undefined ? ` ${host}:${where.port}` : ` ${host}`;
    }
    super(`${syscall} ${code}${target} (${native.strerror(errnum)})`);
    this.errno = errnum;
    this.code = code;
    this.syscall = syscall;
    if (where?.address !== undefined) this.address = where.address;
    if (where?.port !== undefined) this.port = where.port;
    if (where?.path !== undefined) this.path = where.path;
  }
}
Object.defineProperty(SocketError.prototype, 'name', { value: 'SocketError', writable: true, configurable: true });

/**
 * A getaddrinfo/getnameinfo/gethostbyname failure: `code` is the `EAI_*` (or `HOST_*`) name,
 * `eai` its value from `<netdb.h>` (see
 * [getaddrinfo(3)](https://man7.org/linux/man-pages/man3/getaddrinfo.3.html) and
 * [gai_strerror(3)](https://man7.org/linux/man-pages/man3/getaddrinfo.3.html)); for
 * `EAI_SYSTEM`, `errno` holds the system error.
 */
export class AddrInfoError extends Error {
  /** The C name of the failure, e.g. `'EAI_NONAME'`. */
  readonly code: string;
  /** The EAI_* value as the C function returned it (negative on glibc). */
  readonly eai: number;
  /** For EAI_SYSTEM: the positive errno behind it; otherwise undefined. */
  declare readonly errno?: number;
  /** The call that failed: `'getaddrinfo'`, `'getnameinfo'` or `'gethostbyname'`. */
  readonly syscall: string;
  /** The name that was looked up, when there was one. */
  declare readonly hostname?: string;

  constructor(eai: number, syscall: string, hostname?: string, errnum?: number) {
    const code = eaiNames.get(eai) ?? `EAI_${eai}`;
    const text = eai === native.eais.EAI_SYSTEM && errnum ? native.strerror(errnum) : native.gai_strerror(eai);
    super(`${syscall} ${code}${hostname !== undefined ? ` ${hostname}` : ''} (${text})`);
    this.code = code;
    this.eai = eai;
    if (eai === native.eais.EAI_SYSTEM && errnum) this.errno = errnum;
    this.syscall = syscall;
    if (hostname !== undefined) this.hostname = hostname;
  }
}
Object.defineProperty(AddrInfoError.prototype, 'name', { value: 'AddrInfoError', writable: true, configurable: true });

/** A SocketError for a failed call, recording its errno as C's errno would be. */
export function failure(errnum: number, syscall: string, where?: ErrorAddress): SocketError {
  errno = errnum;
  return new SocketError(errnum, syscall, where);
}

/** Turns a native result into a value, or throws SocketError and records errno. */
export function check(ret: number, syscall: string, where?: () => ErrorAddress | undefined): number {
  if (ret >= 0) return ret;
  throw failure(-ret, syscall, where?.());
}

/**
 * The rejection of an aborted Promise-API call: an Error named 'AbortError' with code
 * 'ABORT_ERR' (as Node's own APIs use), whose `cause` is the signal's reason.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(reason?: unknown) {
    super('The operation was aborted', reason === undefined ? undefined : { cause: reason });
  }
}
Object.defineProperty(AbortError.prototype, 'name', { value: 'AbortError', writable: true, configurable: true });
