// poll(2) for the synchronous API: readiness of many fds at once, blocking like C. (The
// Promise API's poll() waits on one fd through the event loop instead.)
import { native } from './native.js';
import { check } from './errors.js';
import { field, layout } from './layouts.js';
import { CStruct } from './structs.js';
import * as v from './validate.js';

const PFD = layout('pollfd');
const PFD_fd = field(PFD, 'fd');
const PFD_events = field(PFD, 'events');
const PFD_revents = field(PFD, 'revents');

/**
 * `struct pollfd` (`<poll.h>`): one entry of {@link poll}'s array. `fd` is the fd to watch (a
 * negative one is ignored, as in C), `events` the POLL* bits asked for, and `revents` the
 * bits poll() reports (POLLERR, POLLHUP and POLLNVAL come without being asked).
 */
export class pollfd extends CStruct {
  static readonly size = PFD.size;
  constructor(init?: Uint8Array | { fd: number; events: number; revents?: number }) {
    super(PFD.size, init instanceof Uint8Array ? init : undefined);
    if (init && !(init instanceof Uint8Array)) {
      this.fd = init.fd;
      this.events = init.events;
      if (init.revents !== undefined) this.revents = init.revents;
    }
  }
  get fd(): number { return this.get_(PFD_fd); }
  set fd(v: number) { this.set_(PFD_fd, v, 'fd'); }
  get events(): number { return this.get_(PFD_events); }
  set events(v: number) { this.set_(PFD_events, v, 'events'); }
  get revents(): number { return this.get_(PFD_revents); }
  set revents(v: number) { this.set_(PFD_revents, v, 'revents'); }
}

export { pollfd as Pollfd };

// The kernel takes one contiguous array: each call gathers the entries into this scratch
// memory and copies each `revents` back. It grows to the largest nfds seen and is reused,
// so a steady poll loop allocates nothing. (An ArrayBuffer of its own: aligned for pollfd.)
let scratch = new Uint8Array(new ArrayBuffer(16 * PFD.size));
const [REV_OFF, REV_SIZE] = PFD_revents; // copied byte for byte: the kernel wrote host order
const NONE: readonly pollfd[] = [];
let busy = false;

/**
 * poll(2): waits until one of the first `nfds` entries of `fds` is ready, or `timeout`
 * milliseconds pass (negative: no limit; 0: just look). Sets each entry's `revents` and
 * returns how many entries have a non-zero one (0 on timeout).
 *
 * It blocks the thread, as in C: on the event loop, use `poll()` from
 * `berkeley-sockets/promises` for one fd, or a worker. A signal that Node handles does not
 * end the wait early: EINTR restarts it with what is left of `timeout`.
 *
 * Calls [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html).
 * @param fds - a `pollfd` or an array of them (`struct pollfd fds[]`).
 * @param nfds - how many entries to pass (default: all of them).
 * @param timeout - milliseconds, as a C `int` (default: -1, no limit).
 * @throws {@link SocketError} with the failure's `errno`/`code`, such as `EINVAL` (`nfds` over `RLIMIT_NOFILE`), `ENOMEM`; the man page says when each occurs.
 */
export function poll(fds: pollfd | readonly pollfd[], nfds?: number, timeout = -1): number {
  // One entry (C's `poll(&pfd, 1, t)`) is taken as it is, without an array around it.
  const single = fds instanceof pollfd ? fds : null;
  if (single === null && !Array.isArray(fds)) throw v.typeError('fds', 'a pollfd or an array of pollfd', fds);
  const list: readonly pollfd[] = single === null ? fds as readonly pollfd[] : NONE;
  const len = single === null ? list.length : 1;
  const n = nfds === undefined ? len : v.int(nfds, 'nfds', 0, len);
  const t = v.cint(timeout, 'timeout');
  // A re-entrant call (from a getter or Proxy trap on `fds`) gets memory of its own.
  const reentered = busy;
  let mem = scratch;
  if (reentered) mem = new Uint8Array(new ArrayBuffer(Math.max(n, 1) * PFD.size));
  else if (mem.byteLength < n * PFD.size) {
    mem = scratch = new Uint8Array(new ArrayBuffer(Math.max(n, 2 * (mem.byteLength / PFD.size)) * PFD.size));
  }
  busy = true;
  try {
    // Each entry is read once, checked and copied: a getter cannot swap it in between.
    for (let i = 0; i < n; i++) {
      const f = single ?? list[i];
      if (!(f instanceof pollfd)) throw v.typeError(`fds[${i}]`, 'a pollfd', f);
      mem.set(f.bytes, i * PFD.size);
    }
    const r = check(native.pollfds(mem, n, t), 'poll');
    for (let i = 0; i < n; i++) {
      const f = single ?? list[i];
      if (!(f instanceof pollfd)) continue;
      const at = i * PFD.size + REV_OFF;
      for (let k = 0; k < REV_SIZE; k++) f.bytes[REV_OFF + k] = mem[at + k]!;
    }
    return r;
  } finally {
    if (!reentered) busy = false;
  }
}
