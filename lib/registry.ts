// The one registry of fds that the event loop watches. Each fd has at most one uv_poll_t
// (native/poller.cc) shared by every pending operation on it; each operation is a Pending
// whose fire() retries its syscall when the fd is ready. close() goes through here, so a
// pending operation can never complete against a later fd that reuses the number.
import { native } from './native.js';
import { AbortError, SocketError, failure, type ErrorAddress } from './errors.js';
import {
  EAGAIN, ECANCELED, ETIMEDOUT, F_GETFL, F_SETFL, MSG_DONTWAIT, O_NONBLOCK, POLLIN, SO_ERROR, SO_RCVTIMEO, SO_SNDTIMEO, SOL_SOCKET,
} from './constants.generated.js';
import { timeval, type SocketAddress } from './structs.js';
import { addrDone, describeAddress } from './addrargs.js';
import * as v from './validate.js';

export const { READABLE, WRITABLE, DISCONNECT, PRIORITIZED } = native.pollEvents;

/** Options every Promise-API call takes last. */
export interface OpOptions {
  /** Aborting rejects the call with an AbortError and leaves the fd usable. */
  signal?: AbortSignal;
  /** Milliseconds to wait before rejecting with a SocketError of code ETIMEDOUT. */
  timeout?: number;
  /**
   * Wait for readiness before the first attempt instead of trying the syscall first (as
   * io_uring's `IORING_RECVSEND_POLL_FIRST`): for a caller that knows the kernel has
   * nothing yet, such as a client awaiting the reply to the request it just sent, it saves
   * the attempt that would say `EAGAIN`. If the data was there after all, it costs one
   * event-loop turn. No effect with `MSG_DONTWAIT` (which never waits), on `connect` (whose
   * syscall starts the connection) or on name lookups.
   */
  pollFirst?: boolean;
}

class FdState {
  readonly waiters: Pending[] = [];
  /** UV events the handle is started with (0: stopped). */
  mask = 0;
  /** Whether a uv_poll_t exists for the fd. */
  polled = false;
  /** We set O_NONBLOCK behind the caller's back: the sync API emulates blocking. */
  forced = false;
  /** O_NONBLOCK is known to be set (by the caller or by us). */
  nonblocking = false;
  /** No waiters: the handle is to be stopped at the end of this loop iteration. */
  idle = false;
  /**
   * In the `idle` list (at most once, whatever `idle` says now): a state that goes idle
   * and busy again many times between two stopIdle() calls must not be listed each time,
   * or the list grows by one entry per operation under steady traffic.
   */
  listed = false;
  /**
   * The fd's last settled Pending, kept for its next wait. A wait on a long-idle
   * connection lives through many scavenges and is promoted, so with thousands of
   * connections a fresh one per wait becomes old-generation garbage per message.
   */
  spare: Pending | null = null;
  constructor(readonly fd: number) {}
}

const states = new Map<number, FdState>();

// Fds whose last waiter has gone: their handle is stopped in this loop iteration's check
// phase (by the poller's check callback, else by a setImmediate), unless a new waiter with
// the same events came first (the usual case: the caller settles, then waits again).
// uv_poll_start re-registers the fd with epoll (two epoll_ctl calls), so stopping and
// restarting the handle for every operation would double the syscalls of a
// request/response loop. A list plus a flag on each state rather than a Set: an fd goes
// idle and busy again once per operation, and a Set's add/delete pairs kept rehashing.
const idle: FdState[] = [];
let idleCount = 0;
let idleScheduled = false;

function stopIdle(): void {
  idleScheduled = false;
  FLAGS[IDLE] = 0;
  for (let i = 0; i < idle.length; i++) {
    const st = idle[i]!;
    st.listed = false;
    if (!st.idle) continue;
    st.idle = false;
    if (states.get(st.fd) === st) updateMask(st, true);
  }
  idleCount = 0;
  // pop(), not `length = 0`: truncating would free the storage the next round needs again.
  while (idle.length > 0) idle.pop();
}

/** @internal For tests: how many entries the idle list holds now. */
export function idleListed(): number {
  return idle.length;
}

// Shared with native/poller.cc: [IN_CHECK] is 1 while its check callback runs our code
// (the dispatch and the microtasks after it); [IDLE] asks it to call stopIdle before it
// returns, which spares the setImmediate. Its own ArrayBuffer: the cells never move.
const IN_CHECK = 0;
const IDLE = 1;
const FLAGS = new Int32Array(new ArrayBuffer(8));

function updateMask(st: FdState, stopNow = false): void {
  let want = 0;
  for (const w of st.waiters) want |= w.events;
  if (want === st.mask) {
    // A new waiter came before the handle was stopped: it stays as it is.
    if (want !== 0 && st.idle) {
      st.idle = false;
      if (--idleCount === 0) FLAGS[IDLE] = 0;
    }
    return;
  }
  if (want === 0 && !stopNow) {
    if (!st.idle) {
      st.idle = true;
      idleCount++;
      if (!st.listed) {
        st.listed = true;
        idle.push(st);
      }
    }
    if (FLAGS[IN_CHECK] !== 0) {
      FLAGS[IDLE] = 1;
      return;
    }
    if (!idleScheduled) {
      idleScheduled = true;
      setImmediate(stopIdle);
    }
    return;
  }
  const r = native.pollStart(st.fd, want);
  if (r < 0) {
    st.mask = 0;
    for (const w of st.waiters.splice(0)) w.fail(failure(-r, w.syscall));
    return;
  }
  st.polled = true;
  st.mask = want;
}

function dispatch(fd: number, status: number, events: number): void {
  const st = states.get(fd);
  if (st === undefined) return;
  const ws = st.waiters;
  let kept = 0;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if ((status < 0 || (w.events & events) !== 0) && w.fire(events, status)) {
      // Settled, and nothing else holds it (no timer, no abort listener): the fd's next
      // wait reuses it. fire() runs no user code, so that wait comes after this loop.
      if (w.timer === undefined && w.signal === undefined) st.spare = w.recycle();
      continue;
    }
    ws[kept++] = w;
  }
  // pop(), not `length = kept`: truncating frees the array's storage, and the next wait
  // would allocate it again.
  while (ws.length > kept) ws.pop();
  // libuv stops a handle that reported an error: start it afresh for whoever still waits.
  if (status < 0) st.mask = -1;
  updateMask(st);
}
// Each loop iteration's readiness events arrive in one call, as (fd, status, events)
// triples in EVENTS (see native/poller.cc).
const EVENTS = new Int32Array(native.pollBatch * 3);
native.pollInit((count: number): void => {
  for (let i = 0; i < count * 3; i += 3) dispatch(EVENTS[i]!, EVENTS[i + 1]!, EVENTS[i + 2]!);
}, EVENTS, FLAGS, stopIdle);

function stateFor(fd: number): FdState {
  let st = states.get(fd);
  if (st === undefined) {
    st = new FdState(fd);
    states.set(fd, st);
  }
  return st;
}

/**
 * Makes the fd non-blocking for operations that have no per-call flag (accept, connect,
 * read/write on non-sockets). Remembers whether the caller had it blocking, so the
 * synchronous API keeps blocking on it. Returns 0 or -errno.
 */
export function ensureNonBlocking(fd: number): number {
  const st = stateFor(fd);
  if (st.nonblocking) return 0;
  const fl = native.fcntl(fd, F_GETFL, 0);
  if (fl < 0) return fl;
  if ((fl & O_NONBLOCK) === 0) {
    const r = native.fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    if (r < 0) return r;
    st.forced = true;
  }
  st.nonblocking = true;
  return 0;
}

/** True when the caller sees the fd as blocking but we made it non-blocking. */
export function isForced(fd: number): boolean {
  return states.get(fd)?.forced === true;
}

const TV = new timeval();
const OPTLEN = new Int32Array(1);
const SOERR = new Int32Array(1);

/** The pending error of a socket (SO_ERROR) as 0 or -errno. */
export function soError(fd: number): number {
  const r = native.getsockopt(fd, SOL_SOCKET, SO_ERROR, SOERR, OPTLEN);
  return r < 0 ? r : SOERR[0] === 0 ? 0 : -SOERR[0]!;
}

/** SO_RCVTIMEO / SO_SNDTIMEO in ms for poll(2): -1 (for ever) when unset or unreadable. */
function timeoutMs(fd: number, events: number): number {
  const r = native.getsockopt(fd, SOL_SOCKET, events === POLLIN ? SO_RCVTIMEO : SO_SNDTIMEO, TV.bytes, OPTLEN);
  if (r < 0) return -1;
  const ms = TV.tv_sec * 1000 + Math.ceil(TV.tv_usec / 1000);
  return ms > 0 ? Math.min(ms, v.INT32_MAX) : -1;
}

/**
 * C semantics for the synchronous API on an fd the Promise API made non-blocking: when
 * the caller sees it as blocking and did not ask for MSG_DONTWAIT, EAGAIN means "wait":
 * poll(2) (bounded by the socket's SO_RCVTIMEO/SO_SNDTIMEO, as the kernel would be) and
 * try again. `events` is POLLIN or POLLOUT.
 */
export function blocking(r: number, fd: number, flags: number, events: number, again: () => number): number {
  if (r !== -EAGAIN || (flags & MSG_DONTWAIT) !== 0 || !isForced(fd)) return r;
  while (r === -EAGAIN) {
    const p = native.poll(fd, events, timeoutMs(fd, events));
    if (p === 0) return -EAGAIN;
    if (p < 0) return p;
    r = again();
  }
  return r;
}

/**
 * blocking() for a call that just returned -EAGAIN, retried as `call(...args)`. Callers use
 * this rather than an inline arrow function: a closure over their locals would make V8
 * allocate a context on every call, also on the fast path that never waits.
 */
export function retry<A extends unknown[]>(
  r: number, fd: number, flags: number, events: number, call: (...args: A) => number, ...args: A
): number {
  return blocking(r, fd, flags, events, () => call(...args));
}

/** Records the caller's choice of mode on an fd we watch (setNonBlocking). */
export function setCallerNonBlocking(fd: number, on: boolean): boolean {
  const st = states.get(fd);
  if (st === undefined || !st.nonblocking) return false;
  st.forced = !on;
  return true;
}

/** Validates the options object of a Promise-API call (before any syscall). */
export function opOptions(o: unknown): OpOptions | undefined {
  if (o === undefined) return undefined;
  if (o === null || typeof o !== 'object') throw v.typeError('options', 'an object', o);
  const { signal, timeout, pollFirst } = o as OpOptions;
  // Duck-typed like Node's validateAbortSignal, so a signal from another realm works.
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal) ||
      typeof (signal as AbortSignal).addEventListener !== 'function')) {
    throw v.typeError('options.signal', 'an instance of AbortSignal', signal);
  }
  if (timeout !== undefined) {
    if (typeof timeout !== 'number') throw v.typeError('options.timeout', 'of type number', timeout);
    if (!(timeout >= 0) || timeout > v.INT32_MAX) throw v.rangeError('options.timeout', `>= 0 and <= ${v.INT32_MAX}`, timeout);
  }
  if (pollFirst !== undefined && typeof pollFirst !== 'boolean') throw v.typeError('options.pollFirst', 'of type boolean', pollFirst);
  return o as OpOptions;
}

/**
 * Whether a call skips its first attempt (options.pollFirst) and goes straight to waiting:
 * callers then take -EAGAIN as that attempt's result. Never with MSG_DONTWAIT in `flags`.
 */
export function pollFirst(o: OpOptions | undefined, flags: number): boolean {
  return o !== undefined && o.pollFirst === true && (flags & MSG_DONTWAIT) === 0;
}

/**
 * Waits until `attempt` (the syscall, retried on each readiness event) stops saying
 * -EAGAIN. Resolves with its result, or rejects with its SocketError, an AbortError, or
 * ETIMEDOUT. Several waiters on one fd share its one poll handle.
 */
export function waitFor(
  fd: number,
  syscall: string,
  events: number,
  attempt: (events: number, status: number) => number,
  opts?: OpOptions,
  where?: () => ErrorAddress | undefined,
): Promise<number> {
  const signal = opts?.signal;
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
  const w = pending(stateFor(fd), events, syscall);
  w.attempt = attempt;
  w.where = where;
  return wait(w, opts);
}

type IoCall<B> = (fd: number, buf: ArrayBufferView, len: number, flags: number, a: Uint8Array | null, b: B) => number;

/**
 * waitFor() for a data-transfer call (send, recv, sendto, recvfrom), retried as
 * `call(fd, buf, len, flags, a, b)`. When `out` is given, a success stores the kernel's
 * addrlen in it (addrDone); `to` is the destination named in a failure. The arguments go
 * into the Pending's own fields, not a closure: no allocation beyond the promise.
 */
export function waitIo<B>(
  fd: number, syscall: string, events: number, call: IoCall<B>, buf: ArrayBufferView, len: number, flags: number,
  a: Uint8Array | null, b: B, out: unknown, to: unknown, opts: OpOptions | undefined,
): Promise<number> {
  const signal = opts?.signal;
  if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
  const w = pending(stateFor(fd), events, syscall);
  w.call = call as IoCall<unknown>;
  w.fd = fd;
  w.buf = buf;
  w.len = len;
  w.flags = flags;
  w.a = a;
  w.b = b;
  w.out = out;
  w.to = to;
  return wait(w, opts);
}

/** The fd's spare Pending (see FdState.spare), or a new one. */
function pending(st: FdState, events: number, syscall: string): Pending {
  const w = st.spare;
  if (w === null) return new Pending(st, events, syscall);
  st.spare = null;
  w.events = events;
  w.syscall = syscall;
  return w;
}

function wait(w: Pending, opts: OpOptions | undefined): Promise<number> {
  const st = w.st;
  executorFor = w;
  const promise = new NativePromise<number>(executor);
  st.waiters.push(w);
  updateMask(st);
  if (opts?.timeout !== undefined) {
    w.timer = setTimeout(() => w.withdraw(failure(ETIMEDOUT, w.syscall, w.address())), opts.timeout);
  }
  const signal = opts?.signal;
  if (signal !== undefined) {
    w.signal = signal;
    w.onAbort = () => w.withdraw(new AbortError(signal.reason));
    signal.addEventListener('abort', w.onAbort, { once: true });
  }
  return promise;
}

// One executor for every waitFor() promise, handed its Pending through a variable (it
// runs synchronously inside the constructor): an arrow function here would allocate a
// closure and its context per wait.
let executorFor: Pending | undefined;
// The intrinsic, whose constructor runs the executor synchronously, even if a program
// replaces the global later.
const NativePromise = Promise;
function executor(resolve: (r: number) => void, reject: (err: Error) => void): void {
  const w = executorFor!;
  executorFor = undefined;
  w.resolve = resolve;
  w.reject = reject;
}

/**
 * One pending operation, of one waitFor()/waitIo() call; fire() retries its syscall and
 * says whether it settled. A class, so that waiting allocates no closures; reused for the
 * fd's next wait once settled (FdState.spare).
 */
class Pending {
  resolve: (r: number) => void = settledAlready;
  reject: (err: Error) => void = settledAlready;
  timer: NodeJS.Timeout | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  /** waitFor(): the retry, and what a failure names. */
  attempt: ((events: number, status: number) => number) | null = null;
  where: (() => ErrorAddress | undefined) | undefined = undefined;
  /** waitIo(): the retry's call and arguments, the address to complete, the destination. */
  call: IoCall<unknown> | null = null;
  fd = -1;
  buf: ArrayBufferView | null = null;
  len = 0;
  flags = 0;
  a: Uint8Array | null = null;
  b: unknown = null;
  out: unknown = undefined;
  to: unknown = undefined;
  constructor(readonly st: FdState, public events: number, public syscall: string) {}
  private retry(ev: number, status: number): number {
    if (this.attempt !== null) return this.attempt(ev, status);
    const r = this.call!(this.fd, this.buf!, this.len, this.flags, this.a, this.b);
    if (r >= 0 && this.out !== undefined) addrDone(this.out);
    return r;
  }
  /** What a failure names: the destination of a sendto(), or waitFor()'s `where`. */
  address(): ErrorAddress | undefined {
    if (this.to !== undefined) return describeAddress(this.to as SocketAddress);
    return this.where?.();
  }
  fire(ev: number, status: number): boolean {
    let r: number;
    try {
      r = this.retry(ev, status);
    } catch (err) {
      // The retry re-reads the caller's buffers: one detached, transferred or shrunk while
      // the operation waited throws here, and must reject this operation, not escape
      // into the poller's callback (an uncaught exception).
      this.finish();
      this.reject(err as Error);
      return true;
    }
    if (r === -EAGAIN) return false;
    this.finish();
    if (r >= 0) this.resolve(r);
    else this.reject(failure(-r, this.syscall, this.address()));
    return true;
  }
  fail(err: Error): void {
    this.finish();
    this.reject(err);
  }
  /** Timeout or abort: takes the waiter back and rejects, unless it has settled already. */
  withdraw(err: Error): void {
    const ws = this.st.waiters;
    const i = ws.indexOf(this);
    if (i < 0) return;
    ws.splice(i, 1);
    this.finish();
    this.reject(err);
    updateMask(this.st);
  }
  /** Forgets the settled operation (its promise, buffers, addresses) and returns itself. */
  recycle(): this {
    this.resolve = settledAlready;
    this.reject = settledAlready;
    this.attempt = null;
    this.where = undefined;
    this.call = null;
    this.buf = null;
    this.a = null;
    this.b = null;
    this.out = undefined;
    this.to = undefined;
    return this;
  }
  private finish(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

/** A recycled Pending's resolve/reject until its next wait sets them. */
function settledAlready(): void {}

/**
 * Ownership of an fd by one object (a Socket): `open` stays true until close(fd) or
 * detach(fd) releases the fd, or a later claim of the same number supersedes it. Holds no
 * reference to its owner, so a FinalizationRegistry may keep it as its held value.
 */
export interface Claim {
  readonly fd: number;
  readonly open: boolean;
}
const claims = new Map<number, { fd: number; open: boolean }>();

/** Claims `fd` for one owner; a previous claim of the number is marked closed. */
export function claim(fd: number): Claim {
  const prev = claims.get(fd);
  if (prev !== undefined) prev.open = false;
  const c = { fd, open: true };
  claims.set(fd, c);
  return c;
}

/**
 * Forgets an fd: stops and frees its poll handle, and rejects its pending operations with
 * SocketError ECANCELED. close() calls this before close(2). Ends the fd's claim.
 */
export function release(fd: number): void {
  const c = claims.get(fd);
  if (c !== undefined) {
    c.open = false;
    claims.delete(fd);
  }
  const st = states.get(fd);
  if (st === undefined) return;
  states.delete(fd);
  if (st.polled) native.pollClose(fd);
  for (const w of st.waiters.splice(0)) w.fail(failure(ECANCELED, w.syscall));
}

/**
 * The kernel has just handed out `fd` (socket, socketpair, accept, SCM_RIGHTS), so whatever
 * the registry still holds under that number belongs to a file closed behind the library's
 * back (fs.closeSync, another library, a child's close of an inherited number): forget it
 * as close() would. The old file's pending operations then end with ECANCELED instead of
 * waiting for ever, its poll handle is not reused for the new file, and a Socket still
 * claiming the number can no longer close the new fd when it is collected.
 */
export function fresh(fd: number): number {
  if (states.has(fd) || claims.has(fd)) release(fd);
  return fd;
}

/**
 * detach(fd): hands the fd over to other code (e.g. `new net.Socket({ fd })`): pending
 * operations are cancelled (ECANCELED), the poll handle is freed, and a blocking mode that
 * we changed is put back. The fd stays open.
 *
 * Calls [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html) (`F_GETFL`, `F_SETFL`) only to put back a blocking mode the Promise API changed; never [close(2)](https://man7.org/linux/man-pages/man2/close.2.html).
 */
export function detach(fd: number): void {
  v.fd(fd);
  const st = states.get(fd);
  release(fd);
  if (st?.forced) {
    const fl = native.fcntl(fd, F_GETFL, 0);
    if (fl >= 0) native.fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  }
}

export { SocketError };
