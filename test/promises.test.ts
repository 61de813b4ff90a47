// The Promise API (lib/promises.ts): every call that can wait tries its syscall first and
// waits on the fd's one uv_poll_t only on EAGAIN, so the event loop keeps turning; abort,
// timeout, close() and detach() settle pending calls; the synchronous API keeps C
// semantics on fds the Promise API made non-blocking behind the caller's back.
// Errors are asserted by code/errno/syscall, never by message.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { getEventListeners, setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as P from '../lib/promises.js';
import { native } from '../lib/native.js';
import { READABLE, idleListed } from '../lib/registry.js';
import { closeAll, tempDir } from './helpers.js';

// ---------------------------------------------------------------------------------------
// helpers

/** fds opened by the current test; closed (through bs.close, so the registry forgets them) after it. */
let opened: number[] = [];
const own = <T extends number | number[]>(x: T): T => {
  if (typeof x === 'number') opened.push(x);
  else opened.push(...(x as number[]));
  return x;
};
let cleanups: (() => void)[] = [];
beforeEach(() => {
  opened = [];
  cleanups = [];
});
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
  closeAll(...opened.splice(0).reverse());
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** One full turn of the event loop (timers, poll phase, check). */
const turn = () => new Promise<void>((r) => setImmediate(r));

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the Promise to reject');
}

async function expectSocketError(p: Promise<unknown>, code: string, syscall: string): Promise<bs.SocketError> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(bs.SocketError);
  const se = e as unknown as bs.SocketError;
  expect({ code: se.code, errno: se.errno, syscall: se.syscall }).toEqual({
    code,
    errno: (bs as unknown as Record<string, number>)[code],
    syscall,
  });
  return se;
}

async function expectAbort(p: Promise<unknown>, reason?: unknown): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(bs.AbortError);
  expect(e.name).toBe('AbortError');
  expect(e.code).toBe('ABORT_ERR');
  if (reason !== undefined) expect(e.cause).toBe(reason);
}

/** Whether a Promise has settled by now (after pending microtasks). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await turn();
  return done;
}

/** Fills fd's send buffer (stream or datagram) with MSG_DONTWAIT sends until EAGAIN. */
function fillSendBuffer(fd: number, chunk = 65536): number {
  let total = 0;
  for (const size of [chunk, 1024, 1]) {
    const b = Buffer.alloc(size, 0x2e);
    for (;;) {
      try {
        total += bs.send(fd, b, undefined, bs.MSG_DONTWAIT);
      } catch (e) {
        if (e instanceof bs.SocketError && e.code === 'EAGAIN') break;
        throw e;
      }
    }
  }
  return total;
}

/** Receives all that is queued on fd without waiting; returns the bytes (stream) or messages. */
function drain(fd: number): Buffer[] {
  const out: Buffer[] = [];
  const b = Buffer.alloc(65536);
  for (;;) {
    try {
      const n = bs.recv(fd, b, undefined, bs.MSG_DONTWAIT);
      out.push(Buffer.from(b.subarray(0, n)));
      if (n === 0) return out;
    } catch (e) {
      if (e instanceof bs.SocketError && e.code === 'EAGAIN') return out;
      throw e;
    }
  }
}

/** Asserts that nothing is queued for reading on fd. */
function expectNothingQueued(fd: number): void {
  expect(() => bs.recv(fd, Buffer.alloc(1), 1, bs.MSG_DONTWAIT | bs.MSG_PEEK)).toThrow(
    expect.objectContaining({ code: 'EAGAIN', syscall: 'recv' }),
  );
}

/** Raw O_NONBLOCK of the fd, as the kernel has it (getNonBlocking() gives the caller's view). */
const rawNonBlocking = (fd: number) => (bs.fcntl(fd, bs.F_GETFL) & bs.O_NONBLOCK) !== 0;

/** Records every call into the native addon until stopped (to prove "before any syscall"). */
function recordNativeCalls(): { calls: string[]; stop(): void } {
  const calls: string[] = [];
  const n = native as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  for (const [k, f] of Object.entries(n)) {
    if (typeof f !== 'function') continue;
    saved.set(k, f);
    n[k] = function (this: unknown, ...args: unknown[]) {
      calls.push(k);
      return (f as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  const stop = () => {
    for (const [k, f] of saved) n[k] = f;
    saved.clear();
  };
  cleanups.push(stop);
  return { calls, stop };
}

const pair = (type = bs.SOCK_STREAM) => own(bs.socketpair(bs.AF_UNIX, type, 0));

function listener(backlog = 64, flags = 0): { fd: number; addr: bs.SocketAddress } {
  const fd = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM | flags, 0));
  bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1);
  bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
  bs.listen(fd, backlog);
  return { fd, addr: bs.getsockname(fd) };
}

/**
 * A listener whose accept queue is full (backlog 0 holds one connection on Linux): a
 * further SYN is dropped, so a connect() to it stays in progress (SYN_SENT) until the
 * queue is drained and the SYN is retransmitted (after ~1 s).
 */
function fullListener(): { fd: number; addr: bs.SocketAddress; filler: number } {
  const l = listener(0);
  const filler = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
  bs.connect(filler, l.addr); // completes: the queue had room for this one
  return { ...l, filler };
}

function udp(): { fd: number; addr: bs.sockaddr_in } {
  const fd = own(bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0));
  bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
  return { fd, addr: bs.getsockname(fd) as bs.sockaddr_in };
}

/** SO_RCVTIMEO/SO_SNDTIMEO on fd: a blocking syscall made by mistake fails instead of hanging. */
function guard(fd: number, ms = 2000): void {
  const tv = new bs.timeval({ tv_sec: Math.floor(ms / 1000), tv_usec: (ms % 1000) * 1000 });
  bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, tv);
  bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_SNDTIMEO, tv);
}

/** Largest gap between ticks of a 5 ms interval over `ms`, and the tick count. */
function measureLoop(ms: number): Promise<{ maxGap: number; ticks: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    let last = start;
    let maxGap = 0;
    let ticks = 0;
    const t = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
      if (now - start >= ms) {
        clearInterval(t);
        resolve({ maxGap, ticks });
      }
    }, 5);
  });
}

// ---------------------------------------------------------------------------------------
// The matrix: every awaitable call, in a state where it waits and in one where it
// could complete at once.

interface Waiting {
  /** Starts the call; it must wait (nothing is ready). */
  start(o?: P.OpOptions): Promise<number>;
  /** After the call was abandoned (abort, timeout): proves the fd still works. */
  usable(): Promise<void>;
}
interface Ready {
  /** Starts the call; it would complete at once. */
  start(o?: P.OpOptions): Promise<number>;
  /** Proves the call did nothing (no data consumed, sent, accepted, connected). */
  untouched(): Promise<void>;
}
interface Case {
  name: string;
  syscall: string;
  /** Address fields a connect/sendto error carries. */
  where?: boolean;
  /** Whether usable() waits on a kernel retransmission (~1 s). */
  slow?: boolean;
  waiting(): Waiting;
  ready(): Ready;
}

const MSG = 'data that arrives later';

/** usable() for a receive-side case: data sent later is read by a fresh call, intact. */
function laterData(rx: number, tx: number, call: (buf: Buffer) => Promise<number>): () => Promise<void> {
  return async () => {
    const buf = Buffer.alloc(64);
    const p = call(buf);
    await sleep(10);
    bs.send(tx, MSG);
    const n = await p;
    expect(buf.toString('utf8', 0, n)).toBe(MSG);
    expectNothingQueued(rx);
  };
}

/** usable() for a send-side case: once the peer drains, a fresh call sends, and only its bytes arrive. */
function afterDrain(rx: number, call: (data: string) => Promise<number>, filled: () => number, stream: boolean): () => Promise<void> {
  return async () => {
    const got = drain(rx);
    if (stream) expect(got.reduce((s, b) => s + b.length, 0)).toBe(filled());
    else expect(got.length).toBe(filled());
    expect(await call('after')).toBe(5);
    const buf = Buffer.alloc(64);
    expect(buf.toString('utf8', 0, bs.recv(rx, buf, undefined, bs.MSG_DONTWAIT))).toBe('after');
    expectNothingQueued(rx); // the abandoned call sent nothing, now or later
  };
}

const cases: Case[] = [
  {
    name: 'accept',
    syscall: 'accept',
    waiting() {
      const l = listener();
      return {
        start: (o) => P.accept(l.fd, null, undefined, o),
        async usable() {
          const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
          const peer = new bs.sockaddr_in();
          const p = P.accept(l.fd, peer);
          await sleep(10);
          bs.connect(c, l.addr);
          const s = own(await p);
          expect(peer.port).toBe((bs.getsockname(c) as bs.sockaddr_in).port);
          bs.send(c, MSG);
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, await P.recv(s, buf))).toBe(MSG);
        },
      };
    },
    ready() {
      const l = listener();
      const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
      bs.connect(c, l.addr);
      return {
        start: (o) => P.accept(l.fd, null, undefined, o),
        async untouched() {
          expect(rawNonBlocking(l.fd)).toBe(false); // not even made non-blocking
          guard(l.fd);
          own(bs.accept(l.fd)); // the queued connection is still there
        },
      };
    },
  },
  {
    name: 'accept4',
    syscall: 'accept',
    waiting() {
      const l = listener();
      return {
        start: (o) => P.accept4(l.fd, null, undefined, bs.SOCK_NONBLOCK, o),
        async usable() {
          const p = P.accept4(l.fd, null, undefined, bs.SOCK_NONBLOCK | bs.SOCK_CLOEXEC);
          await sleep(10);
          const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
          bs.connect(c, l.addr);
          const s = own(await p);
          expect(bs.getNonBlocking(s)).toBe(true);
          expect(bs.getCloseOnExec(s)).toBe(true);
          bs.send(c, MSG);
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, await P.recv(s, buf))).toBe(MSG);
        },
      };
    },
    ready() {
      const l = listener();
      const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
      bs.connect(c, l.addr);
      return {
        start: (o) => P.accept4(l.fd, null, undefined, bs.SOCK_NONBLOCK, o),
        async untouched() {
          expect(rawNonBlocking(l.fd)).toBe(false);
          guard(l.fd);
          own(bs.accept(l.fd));
        },
      };
    },
  },
  {
    name: 'connect (to a listener whose accept queue is full)',
    syscall: 'connect',
    where: true,
    slow: true,
    waiting() {
      const l = fullListener();
      const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
      return {
        start: (o) => P.connect(c, l.addr, undefined, o),
        async usable() {
          // The kernel's connect goes on: C says poll for writability, then read SO_ERROR.
          await expectSocketError(P.connect(c, l.addr), 'EALREADY', 'connect');
          own(bs.accept(l.fd)); // room in the queue: the retransmitted SYN gets in
          expect(await P.poll(c, bs.POLLOUT, { timeout: 10_000 })).toBe(bs.POLLOUT);
          expect(bs.getsockopt(c, bs.SOL_SOCKET, bs.SO_ERROR)).toBe(0);
          const s = own(await P.accept(l.fd, null, undefined, { timeout: 5000 }));
          bs.send(c, MSG);
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, await P.recv(s, buf))).toBe(MSG);
        },
      };
    },
    ready() {
      const l = listener();
      const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
      return {
        start: (o) => P.connect(c, l.addr, undefined, o),
        async untouched() {
          expect(() => bs.getpeername(c)).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
          await expectSocketError(P.accept(l.fd, null, undefined, { timeout: 30 }), 'ETIMEDOUT', 'accept');
        },
      };
    },
  },
  {
    name: 'send (socket buffer full)',
    syscall: 'send',
    waiting() {
      const [a, b] = pair();
      const filled = fillSendBuffer(a);
      return {
        start: (o) => P.send(a, 'abandoned', undefined, 0, o),
        usable: afterDrain(b, (d) => P.send(a, d), () => filled, true),
      };
    },
    ready() {
      const [a, b] = pair();
      return { start: (o) => P.send(a, 'x', undefined, 0, o), untouched: async () => expectNothingQueued(b) };
    },
  },
  {
    name: 'recv',
    syscall: 'recv',
    waiting() {
      const [a, b] = pair();
      return {
        start: (o) => P.recv(a, Buffer.alloc(64), undefined, 0, o),
        usable: laterData(a, b, (buf) => P.recv(a, buf)),
      };
    },
    ready() {
      const [a, b] = pair();
      bs.send(b, MSG);
      return {
        start: (o) => P.recv(a, Buffer.alloc(64), undefined, 0, o),
        async untouched() {
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, bs.recv(a, buf, undefined, bs.MSG_DONTWAIT))).toBe(MSG);
        },
      };
    },
  },
  {
    name: 'sendto (Unix datagram pair, receiver queue full)',
    syscall: 'sendto',
    waiting() {
      const [a, b] = pair(bs.SOCK_DGRAM);
      let queued = 0;
      for (;;) {
        try {
          bs.sendto(a, 'q', undefined, bs.MSG_DONTWAIT, null);
          queued++;
        } catch (e) {
          if ((e as bs.SocketError).code === 'EAGAIN') break;
          throw e;
        }
      }
      return {
        start: (o) => P.sendto(a, 'abandoned', undefined, 0, null, undefined, o),
        usable: afterDrain(b, (d) => P.sendto(a, d, undefined, 0, null), () => queued, false),
      };
    },
    ready() {
      const [a, b] = pair(bs.SOCK_DGRAM);
      return { start: (o) => P.sendto(a, 'x', undefined, 0, null, undefined, o), untouched: async () => expectNothingQueued(b) };
    },
  },
  {
    name: 'recvfrom (UDP)',
    syscall: 'recvfrom',
    waiting() {
      const r = udp();
      const s = udp();
      return {
        start: (o) => P.recvfrom(r.fd, Buffer.alloc(64), undefined, 0, new bs.sockaddr_in(), undefined, o),
        async usable() {
          const buf = Buffer.alloc(64);
          const from = new bs.sockaddr_in();
          const p = P.recvfrom(r.fd, buf, undefined, 0, from);
          await sleep(10);
          bs.sendto(s.fd, MSG, undefined, 0, r.addr);
          const n = await p;
          expect(buf.toString('utf8', 0, n)).toBe(MSG);
          expect(from.port).toBe(s.addr.port);
          expect(from.address).toBe('127.0.0.1');
        },
      };
    },
    ready() {
      const r = udp();
      const s = udp();
      bs.sendto(s.fd, MSG, undefined, 0, r.addr);
      return {
        start: (o) => P.recvfrom(r.fd, Buffer.alloc(64), undefined, 0, null, undefined, o),
        async untouched() {
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, bs.recvfrom(r.fd, buf, undefined, bs.MSG_DONTWAIT))).toBe(MSG);
        },
      };
    },
  },
  {
    name: 'read (socket)',
    syscall: 'read',
    waiting() {
      const [a, b] = pair();
      return { start: (o) => P.read(a, Buffer.alloc(64), undefined, o), usable: laterData(a, b, (buf) => P.read(a, buf)) };
    },
    ready() {
      const [a, b] = pair();
      bs.send(b, MSG);
      return {
        start: (o) => P.read(a, Buffer.alloc(64), undefined, o),
        async untouched() {
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, bs.recv(a, buf, undefined, bs.MSG_DONTWAIT))).toBe(MSG);
        },
      };
    },
  },
  {
    name: 'write (socket buffer full)',
    syscall: 'write',
    waiting() {
      const [a, b] = pair();
      const filled = fillSendBuffer(a);
      return { start: (o) => P.write(a, 'abandoned', undefined, o), usable: afterDrain(b, (d) => P.write(a, d), () => filled, true) };
    },
    ready() {
      const [a, b] = pair();
      return { start: (o) => P.write(a, 'x', undefined, o), untouched: async () => expectNothingQueued(b) };
    },
  },
  {
    name: 'poll (POLLIN)',
    syscall: 'poll',
    waiting() {
      const [a, b] = pair();
      return {
        start: (o) => P.poll(a, bs.POLLIN, o),
        async usable() {
          const p = P.poll(a, bs.POLLIN);
          await sleep(10);
          expect(await settled(p)).toBe(false);
          bs.send(b, MSG);
          expect(await p).toBe(bs.POLLIN);
          const buf = Buffer.alloc(64);
          expect(buf.toString('utf8', 0, await P.recv(a, buf))).toBe(MSG);
        },
      };
    },
    ready() {
      const [a] = pair();
      return { start: (o) => P.poll(a, bs.POLLOUT, o), untouched: async () => undefined };
    },
  },
];

/** Closes an fd the test opened, early (so afterEach does not close a reused number). */
function shut(fd: number): void {
  const i = opened.lastIndexOf(fd);
  if (i >= 0) opened.splice(i, 1);
  bs.close(fd);
}

const abortListeners = (s: AbortSignal) => getEventListeners(s, 'abort').length;

describe.each(cases)('$name', (c) => {
  const slow = c.slow ? 15_000 : undefined;

  it('abort rejects with AbortError (code ABORT_ERR, cause = reason); the fd stays usable', async () => {
    const w = c.waiting();
    const ac = new AbortController();
    const p = w.start({ signal: ac.signal, timeout: 60_000 });
    await sleep(20);
    expect(await settled(p)).toBe(false);
    const reason = new Error('enough');
    ac.abort(reason);
    await expectAbort(p, reason);
    expect(abortListeners(ac.signal)).toBe(0);
    await w.usable();
  }, slow);

  it('a pre-aborted signal rejects before any syscall, even when the call could complete', async () => {
    const r = c.ready();
    const ac = new AbortController();
    ac.abort('already');
    const rec = recordNativeCalls();
    const p = r.start({ signal: ac.signal });
    await expectAbort(p, 'already');
    rec.stop();
    expect(rec.calls).toEqual([]);
    await r.untouched();
  });

  it('timeout rejects with SocketError ETIMEDOUT of the call; the fd stays usable', async () => {
    const w = c.waiting();
    const ac = new AbortController();
    const t0 = performance.now();
    const e = await expectSocketError(w.start({ timeout: 40, signal: ac.signal }), 'ETIMEDOUT', c.syscall);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(abortListeners(ac.signal)).toBe(0);
    if (c.where) {
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBeGreaterThan(0);
    }
    await w.usable();
  }, slow);
});

// ---------------------------------------------------------------------------------------

describe('first attempt and wait paths', () => {
  it.each(cases.filter((c) => c.syscall !== 'connect'))('$name: when it can complete, it does so on the first attempt (no poll handle)', async (c) => {
    const r = c.ready();
    const rec = recordNativeCalls();
    const p = r.start();
    const at = await settled(p); // settled within the same turn, without a readiness event
    rec.stop();
    expect(at).toBe(true);
    const r2 = await p;
    expect(r2).toBeGreaterThanOrEqual(0);
    if (c.syscall === 'accept') own(r2);
    expect(rec.calls).not.toContain('pollStart');
  });

  it.each(cases.filter((c) => c.syscall !== 'connect'))('$name: with pollFirst, it waits for readiness before any attempt, then completes', async (c) => {
    const r = c.ready();
    const rec = recordNativeCalls();
    const p = r.start({ pollFirst: true });
    rec.stop();
    expect(rec.calls).toContain('pollStart'); // went straight to waiting
    expect(rec.calls).not.toContain(c.syscall); // accept(2), poll(2): not attempted (the data calls go through lib/io.ts)
    const r2 = await p; // settled by the readiness event
    expect(r2).toBeGreaterThanOrEqual(0);
    if (c.syscall === 'accept') own(r2);
  });

  it('recv with pollFirst leaves queued data to a synchronous recv in the same turn, and receives what comes next', async () => {
    const [a, b] = pair();
    bs.send(b, 'first');
    const buf = Buffer.alloc(64);
    const p = P.recv(a, buf, undefined, 0, { pollFirst: true });
    const mine = Buffer.alloc(64);
    expect(mine.toString('utf8', 0, bs.recv(a, mine, undefined, bs.MSG_DONTWAIT))).toBe('first');
    await sleep(10);
    expect(await settled(p)).toBe(false);
    bs.send(b, MSG);
    expect(buf.toString('utf8', 0, await p)).toBe(MSG);
  });

  it('recvfrom and recvmsg with pollFirst fill in the sender and the data once it arrives', async () => {
    const rx = udp();
    const tx = udp();
    const from = new bs.sockaddr_in();
    const buf = Buffer.alloc(64);
    const p = P.recvfrom(rx.fd, buf, undefined, 0, from, undefined, { pollFirst: true });
    const iov = Buffer.alloc(64);
    const name = new bs.sockaddr_in();
    const q = P.recvmsg(rx.fd, { msg_iov: iov, msg_name: name }, 0, { pollFirst: true });
    await sleep(10);
    bs.sendto(tx.fd, 'one', undefined, 0, rx.addr);
    bs.sendto(tx.fd, 'two', undefined, 0, rx.addr);
    const [n, got] = await Promise.all([p, q]);
    expect(buf.toString('utf8', 0, n)).toBe('one');
    expect(from.port).toBe(tx.addr.port);
    expect(got.bytes).toBe(3);
    expect(iov.toString('utf8', 0, 3)).toBe('two');
    expect(name.port).toBe(tx.addr.port);
  });

  it('pollFirst has no effect with MSG_DONTWAIT: with nothing queued it rejects with EAGAIN at once', async () => {
    const [a] = pair();
    const rec = recordNativeCalls();
    const p = P.recv(a, Buffer.alloc(8), undefined, bs.MSG_DONTWAIT, { pollFirst: true });
    rec.stop();
    expect(rec.calls).not.toContain('pollStart');
    await expectSocketError(p, 'EAGAIN', 'recv');
  });

  it('pollFirst aborted before the readiness event rejects with AbortError and leaves the queued data', async () => {
    const [a, b] = pair();
    const ac = new AbortController();
    bs.send(b, 'x');
    const p = P.recv(a, Buffer.alloc(8), undefined, 0, { pollFirst: true, signal: ac.signal });
    ac.abort();
    await expectAbort(p);
    expect(bs.recv(a, Buffer.alloc(8), undefined, bs.MSG_DONTWAIT)).toBe(1); // still queued
  });

  it('connect on a Unix stream socket with room in the backlog completes on the first attempt', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 's');
    const l = own(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0));
    bs.bind(l, new bs.sockaddr_un(path));
    bs.listen(l, 4);
    const c = own(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0));
    const rec = recordNativeCalls();
    const p = P.connect(c, new bs.sockaddr_un(path));
    expect(await settled(p)).toBe(true);
    rec.stop();
    expect(await p).toBe(0);
    expect(rec.calls).not.toContain('pollStart');
    const s = own(await P.accept(l));
    bs.send(c, 'x');
    expect(bs.recv(s, Buffer.alloc(4))).toBe(1);
  });

  it('recv with nothing queued starts the poll handle, resolves when data arrives, then stops the handle', async () => {
    const [a, b] = pair();
    const calls: [string, unknown[]][] = [];
    const n = native as unknown as Record<string, (...args: unknown[]) => unknown>;
    const orig = n.pollStart!;
    n.pollStart = (...args: unknown[]) => {
      calls.push(['pollStart', args]);
      return orig(...args);
    };
    cleanups.push(() => (n.pollStart = orig));
    const buf = Buffer.alloc(64);
    const p = P.recv(a, buf);
    await sleep(20);
    expect(await settled(p)).toBe(false);
    expect(calls).toEqual([['pollStart', [a, READABLE]]]);
    bs.send(b, MSG);
    expect(buf.toString('utf8', 0, await p)).toBe(MSG);
    await sleep(5); // the registry may keep an idle handle started until the loop's check phase
    expect(calls.at(-1)).toEqual(['pollStart', [a, 0]]); // nothing waits any more: stopped
  });

  it('a wait settled by a readiness event leaves nothing that keeps the process alive', () => {
    // The handle must be stopped in that loop iteration even with data queued and nobody
    // waiting (a started uv_poll_t would keep the child's loop running for ever).
    const lib = new URL('../lib/', import.meta.url).pathname;
    const code = `import * as s from '${lib}index.ts'; import * as p from '${lib}promises.ts';
      const [a, b] = s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0);
      setTimeout(() => s.send(b, 'x'), 20);
      const n = await p.recv(a, Buffer.alloc(8));
      s.send(b, 'more');
      process.stdout.write('got ' + n);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL',
    });
    expect(r.error).toBeUndefined();
    expect(r.signal).toBeNull();
    expect([r.status, r.stdout]).toEqual([0, 'got 1']);
  });

  it('data already queued and data that arrives later give the same bytes', async () => {
    const [a, b] = pair();
    bs.send(b, 'first');
    const buf = Buffer.alloc(64);
    expect(buf.toString('utf8', 0, await P.recv(a, buf))).toBe('first');
    const p = P.recv(a, buf);
    await sleep(10);
    bs.send(b, 'second');
    expect(buf.toString('utf8', 0, await p)).toBe('second');
  });

  it('MSG_DONTWAIT passed by the caller means "do not wait": EAGAIN at once', async () => {
    const [a] = pair();
    await expectSocketError(P.recv(a, Buffer.alloc(4), undefined, bs.MSG_DONTWAIT), 'EAGAIN', 'recv');
  });
});

// ---------------------------------------------------------------------------------------

describe('the event loop keeps turning while calls wait', () => {
  const gaps: Record<string, number> = {};
  it.each([
    ['blocking', false],
    ['non-blocking', true],
  ])('%s fds: accept, accept4, connect, recv, read, recvfrom, send, write, poll pending for 300 ms', async (mode, nb) => {
    const flags = nb ? bs.SOCK_NONBLOCK : 0;
    const l = listener(64, flags);
    const full = fullListener();
    const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM | flags, 0));
    const [a] = pair();
    const [x] = pair();
    const u = own(bs.socket(bs.AF_INET, bs.SOCK_DGRAM | flags, 0));
    bs.bind(u, new bs.sockaddr_in('127.0.0.1', 0));
    if (nb) {
      bs.setNonBlocking(a, true);
      bs.setNonBlocking(x, true);
    }
    fillSendBuffer(x);
    // A call that blocked by mistake would fail after 2 s instead of hanging the suite.
    for (const fd of [l.fd, c, a, x, u]) guard(fd);
    const ac = new AbortController();
    setMaxListeners(32, ac.signal);
    const o = { signal: ac.signal };
    const buf = Buffer.alloc(64);
    const pending = [
      P.accept(l.fd, null, undefined, o),
      P.accept4(l.fd, null, undefined, bs.SOCK_CLOEXEC, o),
      P.poll(l.fd, bs.POLLIN, o),
      P.connect(c, full.addr, undefined, o),
      P.recv(a, buf, undefined, 0, o),
      P.read(a, buf, undefined, o),
      P.poll(a, bs.POLLIN, o),
      P.recvfrom(u, buf, undefined, 0, null, undefined, o),
      P.send(x, 'more', undefined, 0, o),
      P.write(x, 'more', undefined, o),
      P.poll(x, bs.POLLOUT, o),
    ];
    const m = await measureLoop(300);
    for (const p of pending) expect(await settled(p)).toBe(false);
    ac.abort();
    for (const p of pending) await expectAbort(p);
    gaps[mode] = m.maxGap;
    console.log(`event loop with 11 pending calls on ${mode} fds: max gap ${m.maxGap.toFixed(1)} ms over ${m.ticks} ticks`);
    expect(m.maxGap).toBeLessThan(100);
    expect(m.ticks).toBeGreaterThan(20);
    // The caller's view of each fd's mode is what it set.
    for (const fd of [l.fd, c, a, x, u]) expect(bs.getNonBlocking(fd)).toBe(nb);
  });
});

// ---------------------------------------------------------------------------------------

describe('close() and detach() with operations pending', () => {
  it('close(fd) rejects every pending operation on it with ECANCELED, each with its own syscall', async () => {
    const [a] = pair();
    fillSendBuffer(a);
    const l = listener();
    const full = fullListener();
    const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    const [d] = pair(bs.SOCK_DGRAM);
    const [dx] = pair(bs.SOCK_DGRAM);
    for (;;) {
      try {
        bs.send(dx, 'q', undefined, bs.MSG_DONTWAIT);
      } catch {
        break;
      }
    }
    const ac = new AbortController();
    const o = { signal: ac.signal, timeout: 60_000 };
    const buf = Buffer.alloc(8);
    const groups: [number, [Promise<number>, string][]][] = [
      [a, [
        [P.recv(a, buf, undefined, 0, o), 'recv'],
        [P.read(a, buf, undefined, o), 'read'],
        [P.poll(a, bs.POLLIN), 'poll'],
        [P.send(a, 'x', undefined, 0, o), 'send'],
        [P.write(a, 'x'), 'write'],
        [P.poll(a, bs.POLLOUT, o), 'poll'],
      ]],
      [l.fd, [
        [P.accept(l.fd, null, undefined, o), 'accept'],
        [P.accept4(l.fd, null, undefined, bs.SOCK_NONBLOCK), 'accept'],
        [P.poll(l.fd, bs.POLLIN, o), 'poll'],
      ]],
      [c, [[P.connect(c, full.addr, undefined, o), 'connect']]],
      [d, [[P.recvfrom(d, buf, undefined, 0, null, undefined, o), 'recvfrom']]],
      [dx, [[P.sendto(dx, 'x', undefined, 0, null, undefined, o), 'sendto']]],
    ];
    await sleep(20);
    for (const [fd, ops] of groups) {
      for (const [p] of ops) expect(await settled(p)).toBe(false);
      shut(fd);
      for (const [p, syscall] of ops) await expectSocketError(p, 'ECANCELED', syscall);
    }
    expect(abortListeners(ac.signal)).toBe(0);
    ac.abort(); // too late to matter: nothing listens, nothing rejects twice
    await sleep(5);
  });

  it('a new fd that reuses a closed number gets no stale completion', async () => {
    const [a, b] = pair();
    const oldBuf = Buffer.alloc(64);
    const old = P.recv(a, oldBuf);
    const oldPoll = P.poll(a, bs.POLLIN);
    await sleep(10);
    shut(a);
    shut(b);
    // The lowest free numbers: the pair reuses a's number (retry past unrelated free slots).
    let fresh: [number, number] | undefined;
    const spare: number[] = [];
    for (let i = 0; i < 64 && fresh === undefined; i++) {
      const p2 = own(bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0));
      if (p2.includes(a)) fresh = p2;
      else spare.push(...p2);
    }
    expect(fresh).toBeDefined();
    const [x, y] = fresh![0] === a ? fresh! : [fresh![1], fresh![0]];
    expect(x).toBe(a);
    bs.send(y, 'for the new fd only');
    await expectSocketError(old, 'ECANCELED', 'recv');
    await expectSocketError(oldPoll, 'ECANCELED', 'poll');
    await sleep(30); // readiness of the new fd has had every chance to reach a stale waiter
    expect(oldBuf.every((v) => v === 0)).toBe(true);
    const buf = Buffer.alloc(64);
    expect(buf.toString('utf8', 0, bs.recv(x, buf, undefined, bs.MSG_DONTWAIT))).toBe('for the new fd only');
    // And the new fd waits on a fresh poll handle of its own.
    const p = P.recv(x, buf);
    await sleep(10);
    bs.send(y, 'again');
    expect(buf.toString('utf8', 0, await p)).toBe('again');
  });

  it('detach(fd) cancels pending operations, puts back blocking mode and leaves the fd open', async () => {
    const l = listener();
    const first = P.accept(l.fd);
    const poll = P.poll(l.fd, bs.POLLIN);
    await sleep(10);
    expect(rawNonBlocking(l.fd)).toBe(true); // made non-blocking behind the caller's back
    expect(bs.getNonBlocking(l.fd)).toBe(false); // ...which the caller does not see
    bs.detach(l.fd);
    await expectSocketError(first, 'ECANCELED', 'accept');
    await expectSocketError(poll, 'ECANCELED', 'poll');
    expect(rawNonBlocking(l.fd)).toBe(false);
    // Still open and listening: a blocking accept gets the next client.
    const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    bs.connect(c, l.addr);
    guard(l.fd);
    own(bs.accept(l.fd));
    // The Promise API may take it up again afterwards.
    const again = P.accept(l.fd);
    await sleep(5);
    const c2 = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    bs.connect(c2, l.addr);
    own(await again);
  });

  it('detach(fd) keeps O_NONBLOCK when the caller had set it', async () => {
    const l = listener(4, bs.SOCK_NONBLOCK);
    const p = P.accept(l.fd);
    await sleep(5);
    bs.detach(l.fd);
    await expectSocketError(p, 'ECANCELED', 'accept');
    expect(rawNonBlocking(l.fd)).toBe(true);
    expect(bs.getNonBlocking(l.fd)).toBe(true);
  });

  it('detach(fd) of a recv-only fd cancels it and leaves the mode alone', async () => {
    const [a, b] = pair();
    const p = P.recv(a, Buffer.alloc(8));
    await sleep(5);
    bs.detach(a);
    await expectSocketError(p, 'ECANCELED', 'recv');
    expect(rawNonBlocking(a)).toBe(false);
    bs.send(b, 'hi');
    expect(bs.recv(a, Buffer.alloc(8))).toBe(2);
  });
});
describe('fds closed behind the library\'s back', () => {
  /**
   * Calls `produce` (each call yields one new fd from this library) until the kernel hands
   * out `fd` again: the lowest free number comes first, so lower free ones are taken and
   * kept (owned) on the way. Bounded.
   */
  function untilReused(fd: number, produce: () => number | Promise<number>): Promise<number> {
    return (async () => {
      for (let i = 0; i < 64; i++) {
        const got = await produce();
        own(got);
        if (got === fd) return got;
        if (got > fd) throw new Error(`fd ${fd} was not handed out again (got ${got})`);
      }
      throw new Error(`fd ${fd} was not handed out again`);
    })();
  }

  const producers: [string, () => () => number | Promise<number>][] = [
    ['socket()', () => () => bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0)],
    ['a Promise-API accept()', () => {
      const l = listener();
      for (let i = 0; i < 8; i++) bs.connect(own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0)), l.addr); // queued
      return () => P.accept(l.fd, null, undefined, { timeout: 5000 });
    }],
    ['an fd received with SCM_RIGHTS', () => {
      const [x, y] = pair();
      const passed = own(bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0));
      return () => {
        bs.sendmsg(x, { msg_iov: 'f', msg_control: [bs.scmRights([passed])] });
        const r = bs.recvmsg(y, { msg_iov: Buffer.alloc(4), msg_controllen: bs.CMSG_SPACE(4) });
        return (r.cmsgs[0]!.value as number[])[0]!;
      };
    }],
  ];

  for (const [how, make] of producers) {
    it(`when ${how} hands the number out again, the old file's pending recv ends with ECANCELED and the new fd waits normally`, async () => {
      const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
      own(b);
      const produce = make(); // its own sockets first, so that they do not take the number
      const stale = P.recv(a, Buffer.alloc(8), 8, 0, { timeout: 10_000 });
      stale.catch(() => {}); // asserted below; rejected as soon as the number is reused
      await sleep(5);
      fs.closeSync(a); // not bs.close: the registry is not told
      const fd = await untilReused(a, produce);
      await expectSocketError(stale, 'ECANCELED', 'recv');
      // the new file under the same number gets a poll handle of its own
      const probe = P.poll(fd, bs.POLLOUT, { timeout: 5000 });
      expect(await probe).toBe(bs.POLLOUT);
    });
  }
});


// ---------------------------------------------------------------------------------------

describe('several pending operations on one fd', () => {
  it('a recv and a send pending together each complete once', async () => {
    const [a, b] = pair();
    const filled = fillSendBuffer(a);
    const rbuf = Buffer.alloc(64);
    const r = P.recv(a, rbuf);
    const s = P.send(a, 'queued behind the fill');
    await sleep(20);
    expect(await settled(r)).toBe(false);
    expect(await settled(s)).toBe(false);
    bs.send(b, 'to a');
    expect(rbuf.toString('utf8', 0, await r)).toBe('to a');
    expect(await settled(s)).toBe(false); // still full
    const got: Buffer[] = [];
    const want = filled + 'queued behind the fill'.length;
    let total = 0;
    const chunk = Buffer.alloc(65536);
    while (total < want) {
      const n = await P.recv(b, chunk, undefined, 0, { timeout: 5000 });
      got.push(Buffer.from(chunk.subarray(0, n)));
      total += n;
    }
    expect(await s).toBe('queued behind the fill'.length);
    expect(total).toBe(want);
    expect(Buffer.concat(got).subarray(filled).toString()).toBe('queued behind the fill');
    expectNothingQueued(b);
    expectNothingQueued(a);
  });

  it('50 concurrent accepts on one listener each get a distinct connection', async () => {
    const l = listener(128);
    const peers = Array.from({ length: 50 }, () => new bs.sockaddr_in());
    const accepts = peers.map((peer) => P.accept(l.fd, peer, undefined, { timeout: 10_000 }));
    await sleep(10);
    const clients: number[] = [];
    for (let i = 0; i < 50; i++) {
      const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
      bs.connect(c, l.addr);
      clients.push(c);
    }
    const fds = own(await Promise.all(accepts));
    expect(new Set(fds).size).toBe(50);
    const clientPorts = clients.map((c) => (bs.getsockname(c) as bs.sockaddr_in).port).sort();
    expect(peers.map((p) => p.port).sort()).toEqual(clientPorts);
    expect(fds.map((fd) => (bs.getpeername(fd) as bs.sockaddr_in).port).sort()).toEqual(clientPorts);
  });

  it('10 pending recvs on a datagram socket each get one message; an aborted one takes none', async () => {
    const r = udp();
    const s = udp();
    const bufs = Array.from({ length: 10 }, () => Buffer.alloc(64));
    const recvs = bufs.map((b) => P.recv(r.fd, b, undefined, 0, { timeout: 10_000 }));
    const ac = new AbortController();
    const extra = P.recv(r.fd, Buffer.alloc(64), undefined, 0, { signal: ac.signal });
    await sleep(10);
    ac.abort();
    await expectAbort(extra);
    const sent = Array.from({ length: 10 }, (_, i) => `datagram #${i}`);
    for (const m of sent) bs.sendto(s.fd, m, undefined, 0, r.addr);
    const ns = await Promise.all(recvs);
    expect(bufs.map((b, i) => b.toString('utf8', 0, ns[i])).sort()).toEqual([...sent].sort());
    expectNothingQueued(r.fd);
  });

  it('a timeout on one waiter leaves the others on the fd waiting', async () => {
    const [a, b] = pair();
    const buf = Buffer.alloc(16);
    const long = P.recv(a, buf);
    const poll = P.poll(a, bs.POLLIN);
    await expectSocketError(P.recv(a, Buffer.alloc(16), undefined, 0, { timeout: 20 }), 'ETIMEDOUT', 'recv');
    expect(await settled(long)).toBe(false);
    bs.send(b, 'late');
    expect(await poll).toBe(bs.POLLIN);
    expect(buf.toString('utf8', 0, await long)).toBe('late');
  });
});

// ---------------------------------------------------------------------------------------

describe('successive waits on one fd (the wait object is reused)', () => {
  it('a later recv() without an address leaves the address of an earlier recvfrom() alone', async () => {
    const rx = udp();
    const tx1 = udp();
    const tx2 = udp();
    const from = new bs.sockaddr_in();
    const buf = Buffer.alloc(64);
    const p1 = P.recvfrom(rx.fd, buf, undefined, 0, from, undefined, { pollFirst: true });
    setTimeout(() => bs.sendto(tx1.fd, 'one', undefined, 0, rx.addr), 5);
    expect(await p1).toBe(3);
    expect(from.port).toBe(tx1.addr.port);
    const p2 = P.recv(rx.fd, buf, undefined, 0, { pollFirst: true });
    setTimeout(() => bs.sendto(tx2.fd, 'two!', undefined, 0, rx.addr), 5);
    expect(await p2).toBe(4);
    expect(from.port).toBe(tx1.addr.port); // not rewritten with tx2's
  });

  it('a later wait fails with its own syscall and reason, not the earlier one\'s', async () => {
    const [a, b] = pair();
    const buf = Buffer.alloc(64);
    const p1 = P.recv(a, buf, undefined, 0, { pollFirst: true });
    setTimeout(() => bs.send(b, 'x'), 5);
    expect(await p1).toBe(1);
    fillSendBuffer(a);
    const p2 = P.send(a, Buffer.alloc(4096), undefined, 0);
    setTimeout(() => shut(b), 5);
    await expectSocketError(p2, 'EPIPE', 'send');
  });
});

describe('the registry under steady traffic', () => {
  it('an fd that goes idle and busy again on every operation is listed for stopping once, not once per operation', async () => {
    const [a, b] = pair();
    const req = Buffer.alloc(64, 0x61);
    const resp = Buffer.alloc(64);
    let most = 0;
    for (let i = 0; i < 2000; i++) {
      const r = P.recv(b, resp, 64, 0); // nothing queued: waits, and settles from the poller
      expect(await P.send(a, req, 64, 0)).toBe(64);
      let got = await r;
      while (got < 64) got += await P.recv(b, resp.subarray(got), 64 - got, 0);
      most = Math.max(most, idleListed());
    }
    expect(most).toBeLessThanOrEqual(2); // it grew to one entry per operation before
  });
});

describe('connect', () => {
  it('completes through writability and SO_ERROR: a closed port rejects ECONNREFUSED with address and port', async () => {
    const hold = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    bs.bind(hold, new bs.sockaddr_in('127.0.0.1', 0)); // bound, not listening: SYN gets RST
    const port = (bs.getsockname(hold) as bs.sockaddr_in).port;
    for (const flags of [0, bs.SOCK_NONBLOCK]) {
      const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM | flags, 0));
      const e = await expectSocketError(P.connect(c, new bs.sockaddr_in('127.0.0.1', port)), 'ECONNREFUSED', 'connect');
      expect(e.address).toBe('127.0.0.1');
      expect(e.port).toBe(port);
    }
  });

  it('a Unix stream connect to a listener whose backlog is full rejects EAGAIN at once (as a non-blocking connect in C, and Node\'s net)', async () => {
    // The kernel offers no readiness to wait on for room in a Unix backlog: the connecting
    // socket is not told when the listener accepts. So there is nothing to poll for.
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'full');
    const l = own(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0));
    bs.bind(l, new bs.sockaddr_un(path));
    bs.listen(l, 0); // holds one connection
    const first = own(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0));
    expect(await P.connect(first, new bs.sockaddr_un(path))).toBe(0);
    const second = own(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0));
    const e = await expectSocketError(P.connect(second, new bs.sockaddr_un(path), undefined, { timeout: 5000 }), 'EAGAIN', 'connect');
    expect(e.path).toBe(path);
    own(await P.accept(l)); // room again: the same socket may try again
    expect(await P.connect(second, new bs.sockaddr_un(path))).toBe(0);
  });

  it('a TCP connect resolves 0 once the handshake completes', async () => {
    const l = listener();
    const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    expect(await P.connect(c, l.addr)).toBe(0);
    const s = own(await P.accept(l.fd));
    expect((bs.getpeername(s) as bs.sockaddr_in).port).toBe((bs.getsockname(c) as bs.sockaddr_in).port);
    expect(bs.getNonBlocking(c)).toBe(false);
  });

  it('connect again after an async connect behaves as in C on Linux: 0 once (the socket is marked connected), then EISCONN', async () => {
    const l = listener();
    const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    await P.connect(c, l.addr);
    own(await P.accept(l.fd));
    // A completed non-blocking connect leaves the socket "connecting" until connect() is
    // called again, which reports 0 (Linux); only then is it EISCONN.
    expect(await P.connect(c, l.addr)).toBe(0);
    await expectSocketError(P.connect(c, l.addr), 'EISCONN', 'connect');
  });
});

// ---------------------------------------------------------------------------------------

describe('sync after async on the same fd keeps C semantics', () => {
  it('an async accept leaves the listener blocking for the synchronous API', async () => {
    const l = listener();
    const c1 = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    const p = P.accept(l.fd);
    await sleep(5);
    bs.connect(c1, l.addr);
    own(await p);
    expect(rawNonBlocking(l.fd)).toBe(true);
    expect(bs.getNonBlocking(l.fd)).toBe(false);

    // SO_RCVTIMEO bounds the blocking accept: EAGAIN after it, which shows it waited.
    bs.setsockopt(l.fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 0, tv_usec: 200_000 }));
    let t0 = performance.now();
    expect(() => bs.accept(l.fd)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'accept' }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);

    // A blocking accept returns when a client comes: the client is another process, since
    // this thread is blocked meanwhile.
    bs.setsockopt(l.fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 10, tv_usec: 0 }));
    const port = (l.addr as bs.sockaddr_in).port;
    const child = spawn(process.execPath, [
      '-e',
      `setTimeout(() => { const s = require('net').connect(${port}, '127.0.0.1', () => s.end('from the child')); s.on('error', () => {}); s.on('close', () => process.exit(0)); }, 300);`,
    ], { stdio: 'ignore' });
    cleanups.push(() => child.kill('SIGKILL'));
    t0 = performance.now();
    const s = own(bs.accept(l.fd));
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(100); // it blocked until the child connected
    expect(waited).toBeLessThan(9000);
    const buf = Buffer.alloc(32);
    bs.setsockopt(s, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 5, tv_usec: 0 }));
    let got = '';
    for (;;) {
      const n = bs.recv(s, buf);
      if (n === 0) break;
      got += buf.toString('utf8', 0, n);
    }
    expect(got).toBe('from the child');

    // setNonBlocking(fd, true): the synchronous accept now says EAGAIN at once.
    bs.setNonBlocking(l.fd, true);
    expect(bs.getNonBlocking(l.fd)).toBe(true);
    t0 = performance.now();
    expect(() => bs.accept(l.fd)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'accept' }));
    expect(performance.now() - t0).toBeLessThan(100);
    // And back to blocking: it waits (up to SO_RCVTIMEO) again.
    bs.setNonBlocking(l.fd, false);
    expect(bs.getNonBlocking(l.fd)).toBe(false);
    bs.setsockopt(l.fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 0, tv_usec: 100_000 }));
    t0 = performance.now();
    expect(() => bs.accept(l.fd)).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'accept' }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('an async connect leaves the socket blocking: a later sync recv waits (up to SO_RCVTIMEO)', async () => {
    const l = listener();
    const c = own(bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0));
    await P.connect(c, l.addr);
    own(await P.accept(l.fd));
    expect(bs.getNonBlocking(c)).toBe(false);
    bs.setsockopt(c, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 0, tv_usec: 150_000 }));
    const t0 = performance.now();
    expect(() => bs.recv(c, Buffer.alloc(4))).toThrow(expect.objectContaining({ code: 'EAGAIN', syscall: 'recv' }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(() => bs.recv(c, Buffer.alloc(4), undefined, bs.MSG_DONTWAIT)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
  });
});

// ---------------------------------------------------------------------------------------

describe('poll', () => {
  it('POLLIN resolves with POLLIN when data arrives; POLLOUT at once on a writable socket', async () => {
    const [a, b] = pair();
    const p = P.poll(a, bs.POLLIN);
    await sleep(20);
    expect(await settled(p)).toBe(false);
    bs.send(b, 'x');
    expect(await p).toBe(bs.POLLIN);
    const out = P.poll(b, bs.POLLOUT);
    expect(await settled(out)).toBe(true);
    expect(await out).toBe(bs.POLLOUT);
    // Both asked, only what is ready is reported.
    expect(await P.poll(b, bs.POLLIN | bs.POLLOUT)).toBe(bs.POLLOUT);
    expect(await P.poll(a, bs.POLLIN | bs.POLLOUT)).toBe(bs.POLLIN | bs.POLLOUT);
  });

  it('POLLRDHUP when the peer shuts down its side, while waiting', async () => {
    const [a, b] = pair();
    const p = P.poll(a, bs.POLLRDHUP);
    await sleep(10);
    expect(await settled(p)).toBe(false);
    bs.shutdown(b, bs.SHUT_WR);
    expect((await p) & bs.POLLRDHUP).toBe(bs.POLLRDHUP);
  });

  it('rejects an events mask with none of POLLIN/POLLOUT/POLLPRI/POLLRDHUP (RangeError), and a bad fd (EBADF)', async () => {
    const [a] = pair();
    await expect(P.poll(a, bs.POLLERR)).rejects.toBeInstanceOf(RangeError);
    await expect(P.poll(a, 0)).rejects.toBeInstanceOf(RangeError);
    await expect(P.poll(a, 1.5)).rejects.toBeInstanceOf(RangeError);
  });

  it('works on a FIFO opened with fs.openSync', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const r = own(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    const w = own(fs.openSync(path, fs.constants.O_WRONLY));
    const p = P.poll(r, bs.POLLIN);
    await sleep(20);
    expect(await settled(p)).toBe(false);
    expect(await P.poll(w, bs.POLLOUT)).toBe(bs.POLLOUT);
    fs.writeSync(w, 'fifo data');
    expect(await p).toBe(bs.POLLIN);
    const buf = Buffer.alloc(16);
    expect(buf.toString('utf8', 0, await P.read(r, buf))).toBe('fifo data');
  });

  it('works on a pipe a child process writes into', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const r = own(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    bs.setNonBlocking(r, false); // a blocking read end, as a C program would have it
    const w = fs.openSync(path, fs.constants.O_WRONLY);
    let child: ChildProcess;
    try {
      child = spawn('sh', ['-c', 'sleep 0.1; printf "from the child"'], { stdio: ['ignore', w, 'inherit'] });
    } finally {
      fs.closeSync(w); // only the child writes now
    }
    cleanups.push(() => child.kill('SIGKILL'));
    expect(await P.poll(r, bs.POLLIN, { timeout: 5000 })).toBe(bs.POLLIN);
    const buf = Buffer.alloc(64);
    let got = '';
    for (;;) {
      const n = await P.read(r, buf, undefined, { timeout: 5000 });
      if (n === 0) break; // the child exited: end of file
      got += buf.toString('utf8', 0, n);
    }
    expect(got).toBe('from the child');
    expect(bs.getNonBlocking(r)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------

describe('read/write on a pipe (not a socket)', () => {
  it('make the fd non-blocking (invisibly), wait for data and for room, and keep the bytes in order', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const r = own(fs.openSync(path, fs.constants.O_RDWR)); // O_RDWR: does not block on open
    const w = own(fs.openSync(path, fs.constants.O_WRONLY));
    expect(rawNonBlocking(r)).toBe(false);
    const rbuf = Buffer.alloc(1 << 20);
    const pending = P.read(r, rbuf);
    await sleep(20);
    expect(await settled(pending)).toBe(false);
    expect(rawNonBlocking(r)).toBe(true);
    expect(bs.getNonBlocking(r)).toBe(false);
    expect(await P.write(w, 'hello pipe')).toBe(10);
    expect(rbuf.toString('utf8', 0, await pending)).toBe('hello pipe');

    // Fill the pipe: a write of 1 MiB is partial (what fits); the next one waits for room.
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
    const first = await P.write(w, big);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(big.length);
    expect(rawNonBlocking(w)).toBe(true);
    expect(bs.getNonBlocking(w)).toBe(false);
    let sent = first;
    const writer = (async () => {
      while (sent < big.length) sent += await P.write(w, big.subarray(sent), undefined, { timeout: 10_000 });
    })();
    await sleep(10);
    expect(await settled(writer)).toBe(false);
    const got: Buffer[] = [];
    let total = 0;
    while (total < big.length) {
      const n = await P.read(r, rbuf, undefined, { timeout: 10_000 });
      got.push(Buffer.from(rbuf.subarray(0, n)));
      total += n;
    }
    await writer;
    expect(Buffer.concat(got).equals(big)).toBe(true);
  });

  it('a timeout or abort on a pipe read leaves the pipe usable', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const r = own(fs.openSync(path, fs.constants.O_RDWR));
    const buf = Buffer.alloc(16);
    await expectSocketError(P.read(r, buf, undefined, { timeout: 20 }), 'ETIMEDOUT', 'read');
    const ac = new AbortController();
    const p = P.read(r, buf, undefined, { signal: ac.signal });
    await sleep(5);
    ac.abort();
    await expectAbort(p);
    const q = P.read(r, buf);
    fs.writeSync(r, 'later');
    expect(buf.toString('utf8', 0, await q)).toBe('later');
  });
});

// ---------------------------------------------------------------------------------------

describe('bad options are rejected before any syscall', () => {
  const bad: [string, unknown, new (...a: never[]) => Error][] = [
    ['options = 5', 5, TypeError],
    ["options = 'x'", 'x', TypeError],
    ['options = null', null, TypeError],
    ['options = true', true, TypeError],
    ['signal = {}', { signal: {} }, TypeError],
    ["signal = 'abort'", { signal: 'abort' }, TypeError],
    ['signal = null', { signal: null }, TypeError],
    ['signal = an EventTarget', { signal: new EventTarget() }, TypeError],
    ["timeout = '10'", { timeout: '10' }, TypeError],
    ['timeout = -1', { timeout: -1 }, RangeError],
    ['timeout = NaN', { timeout: NaN }, RangeError],
    ['timeout = Infinity', { timeout: Infinity }, RangeError],
    ['timeout = 2**31', { timeout: 2 ** 31 }, RangeError],
    ['pollFirst = 1', { pollFirst: 1 }, TypeError],
    ["pollFirst = 'yes'", { pollFirst: 'yes' }, TypeError],
    ['pollFirst = null', { pollFirst: null }, TypeError],
  ];
  describe.each(cases)('$name', (c) => {
    it.each(bad)('%s', async (_n, options, cls) => {
      const r = c.ready();
      const rec = recordNativeCalls();
      const p = r.start(options as P.OpOptions);
      const e = await rejection(p);
      rec.stop();
      expect(e).toBeInstanceOf(cls);
      expect(e.code).toBe(cls === TypeError ? 'ERR_INVALID_ARG_TYPE' : 'ERR_OUT_OF_RANGE');
      expect(rec.calls).toEqual([]);
      await r.untouched();
    });
  });
});
