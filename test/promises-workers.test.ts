// The Promise API in worker_threads: each environment has its own poller on its own loop
// (native/poller.cc), so an async echo works inside a Worker, in two Workers at once while
// the main thread uses the Promise API too, and a Worker terminated (or exiting) with
// operations still pending closes its poll handles through the async cleanup hook without
// crashing the process or disturbing the main thread. The worker imports lib/ through
// tsx's tsImport, as test/workers.test.ts does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libUrl, scratchFiles, startWorker, tsxApi, type WorkerRun } from './worker-harness.js';
import * as bs from '../lib/index.js';
import * as P from '../lib/promises.js';
import { closeAll } from './helpers.js';

const lib = libUrl();
const promises = libUrl('promises');

const WORKER_SOURCE = `
import { parentPort, workerData, threadId } from 'node:worker_threads';
const { tsImport } = await import(workerData.tsxApi);
// One tsImport for both: each call has its own module graph, and lib/registry.ts must be
// loaded once per environment (it binds the environment's one poller).
const { bs, P } = await tsImport(workerData.both, import.meta.url);

function pattern(seed, size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13 + seed * 101 + (i >> 9)) & 0xff;
  return b;
}
async function sendAll(fd, data) {
  let off = 0;
  while (off < data.length) off += await P.send(fd, data.subarray(off), undefined, 0, { timeout: 10000 });
}
async function recvToEnd(fd) {
  const parts = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = await P.recv(fd, buf, undefined, 0, { timeout: 10000 });
    if (n === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

// A TCP echo through the Promise API, server and client both in this worker.
async function tcpEcho(size) {
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  let c = -1;
  try {
    bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
    bs.listen(l, 4);
    const server = (async () => {
      const s = await P.accept(l, null, undefined, { timeout: 10000 });
      try {
        const buf = Buffer.alloc(16384);
        for (;;) {
          const n = await P.recv(s, buf, undefined, 0, { timeout: 10000 });
          if (n === 0) break;
          await sendAll(s, buf.subarray(0, n));
        }
      } finally {
        bs.close(s);
      }
    })();
    c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    await P.connect(c, bs.getsockname(l), undefined, { timeout: 10000 });
    const data = pattern(threadId, size);
    const [, got] = await Promise.all([sendAll(c, data).then(() => bs.shutdown(c, bs.SHUT_WR)), recvToEnd(c), server]);
    return got.equals(data) ? got.length : -1;
  } finally {
    if (c >= 0) bs.close(c);
    bs.close(l);
  }
}

// Round trips on a Unix pair where every recv waits (the send comes a tick later).
async function roundTrips(n) {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  let ok = 0;
  try {
    const buf = Buffer.alloc(64);
    for (let i = 0; i < n; i++) {
      const msg = 'worker ' + threadId + ' #' + i;
      const p = P.recv(b, buf, undefined, 0, { timeout: 10000 });
      setImmediate(() => bs.send(a, msg));
      if (buf.toString('utf8', 0, await p) === msg) ok++;
    }
  } finally {
    bs.close(a);
    bs.close(b);
  }
  return ok;
}

async function errorShapes() {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  try {
    const out = {};
    try { await P.recv(a, Buffer.alloc(4), undefined, 0, { timeout: 20 }); } catch (e) {
      out.timeout = { isSocketError: e instanceof bs.SocketError, code: e.code, syscall: e.syscall };
    }
    const ac = new AbortController();
    const p = P.recv(a, Buffer.alloc(4), undefined, 0, { signal: ac.signal });
    ac.abort();
    try { await p; } catch (e) { out.abort = { name: e.name, code: e.code, isAbortError: e instanceof bs.AbortError }; }
    const q = P.recv(a, Buffer.alloc(4));
    bs.close(a);
    try { await q; } catch (e) { out.closed = { code: e.code, syscall: e.syscall }; }
    return out;
  } finally {
    bs.close(b);
  }
}

const mode = workerData.mode;
if (mode === 'echo') {
  parentPort.postMessage({
    threadId,
    tcp: await tcpEcho(workerData.size),
    trips: await roundTrips(workerData.trips),
    errors: await errorShapes(),
  });
} else if (mode === 'pending') {
  // Operations that wait for ever, on fds the main thread owns and closes afterwards.
  const [a, b] = workerData.pair;
  const l = workerData.listener;
  const pending = [
    P.recv(a, Buffer.alloc(64)),
    P.poll(a, bs.POLLIN),
    P.accept(l),
    P.recv(a, Buffer.alloc(64), undefined, 0, { timeout: 600000 }),
  ];
  for (const p of pending) p.catch(() => {});
  parentPort.postMessage({ waiting: pending.length });
  if (workerData.exit) setTimeout(() => process.exit(7), 20);
} else if (mode === 'flood') {
  // Receives as fast as the main thread sends, until terminated mid-stream.
  const fd = workerData.fd;
  const buf = Buffer.alloc(4096);
  let total = 0;
  let told = false;
  for (;;) {
    const n = await P.recv(fd, buf);
    total += n;
    if (!told && total > 65536) {
      told = true;
      parentPort.postMessage({ flowing: true });
    }
  }
}
`;

let scratch: ReturnType<typeof scratchFiles>;
let both = '';
beforeAll(() => {
  scratch = scratchFiles('bsock-pworkers-', {
    'worker.mjs': WORKER_SOURCE,
    'both.mts': `export * as bs from ${JSON.stringify(lib)};\nexport * as P from ${JSON.stringify(promises)};\n`,
  });
  both = scratch.url('both.mts').href;
});
afterAll(() => scratch.cleanup());

type Run<T> = WorkerRun<T>;

function start<T>(mode: string, extra: Record<string, unknown> = {}): Run<T> {
  return startWorker<T>(scratch.url('worker.mjs'), { mode, both, tsxApi, ...extra });
}

interface EchoResult {
  threadId: number;
  tcp: number;
  trips: number;
  errors: {
    timeout: { isSocketError: boolean; code: string; syscall: string };
    abort: { name: string; code: string; isAbortError: boolean };
    closed: { code: string; syscall: string };
  };
}

const SIZE = 256 * 1024;

/** The main thread's own async round trips, meanwhile. */
async function mainRoundTrips(n: number): Promise<number> {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  let ok = 0;
  try {
    const buf = Buffer.alloc(64);
    for (let i = 0; i < n; i++) {
      const p = P.recv(b, buf, undefined, 0, { timeout: 10_000 });
      setImmediate(() => bs.send(a, `main #${i}`));
      if (buf.toString('utf8', 0, await p) === `main #${i}`) ok++;
    }
  } finally {
    closeAll(a, b);
  }
  return ok;
}

function listener(): number {
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
  bs.listen(l, 4);
  return l;
}

describe('Promise API in worker_threads', () => {
  it('an async echo exchange inside a Worker, with timeout, abort and close errors of the right shape', async () => {
    const run = start<EchoResult>('echo', { size: SIZE, trips: 50 });
    const m = await run.message;
    expect(m.tcp).toBe(SIZE);
    expect(m.trips).toBe(50);
    expect(m.errors).toEqual({
      timeout: { isSocketError: true, code: 'ETIMEDOUT', syscall: 'recv' },
      abort: { name: 'AbortError', code: 'ABORT_ERR', isAbortError: true },
      closed: { code: 'ECANCELED', syscall: 'recv' },
    });
    expect(await run.exit).toBe(0);
  }, 30_000);

  it('two Workers at once while the main thread uses the Promise API too', async () => {
    const runs = [start<EchoResult>('echo', { size: SIZE, trips: 200 }), start<EchoResult>('echo', { size: SIZE, trips: 200 })];
    const mainOk = await mainRoundTrips(200);
    const [c, s] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    try {
      const buf = Buffer.alloc(32);
      const p = P.recv(s, buf);
      setTimeout(() => bs.send(c, 'main, async'), 5);
      expect(buf.toString('utf8', 0, await p)).toBe('main, async');
    } finally {
      closeAll(c, s);
    }
    const msgs = await Promise.all(runs.map((r) => r.message));
    expect(mainOk).toBe(200);
    expect(msgs.map((m) => [m.tcp, m.trips])).toEqual([[SIZE, 200], [SIZE, 200]]);
    expect(new Set(msgs.map((m) => m.threadId)).size).toBe(2);
    expect(await Promise.all(runs.map((r) => r.exit))).toEqual([0, 0]);
  }, 30_000);

  it('terminate() while a recv, a poll and an accept wait: no crash; the main thread takes the fds over', async () => {
    const pair = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const l = listener();
    try {
      const run = start<{ waiting: number }>('pending', { pair, listener: l });
      expect((await run.message).waiting).toBe(4);
      await new Promise((r) => setTimeout(r, 20)); // the worker's handles are started
      await run.worker.terminate();
      expect(await run.exit).toBe(1);
      // The main thread goes on, and the fds the worker waited on work here: the worker's
      // poll handles are gone, none of its waiters consumes what comes now.
      expect(await mainRoundTrips(20)).toBe(20);
      const buf = Buffer.alloc(64);
      const p = P.recv(pair[0], buf, undefined, 0, { timeout: 5000 });
      bs.send(pair[1], 'after the worker');
      expect(buf.toString('utf8', 0, await p)).toBe('after the worker');
      const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
      try {
        const accepted = P.accept(l, null, undefined, { timeout: 5000 });
        await P.connect(c, bs.getsockname(l));
        closeAll(await accepted);
      } finally {
        closeAll(c);
      }
    } finally {
      closeAll(...pair, l);
    }
  }, 30_000);

  it('a Worker that exits by itself (process.exit) with operations pending', async () => {
    const pair = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const l = listener();
    try {
      const run = start<{ waiting: number }>('pending', { pair, listener: l, exit: true });
      expect((await run.message).waiting).toBe(4);
      expect(await run.exit).toBe(7);
      const buf = Buffer.alloc(64);
      bs.send(pair[1], 'still here');
      expect(buf.toString('utf8', 0, await P.recv(pair[0], buf, undefined, 0, { timeout: 5000 }))).toBe('still here');
    } finally {
      closeAll(...pair, l);
    }
  }, 30_000);

  it('terminate() mid-stream, while readiness events keep coming, five times over', async () => {
    for (let round = 0; round < 5; round++) {
      const [tx, rx] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
      const stop = new AbortController();
      let pump: Promise<void> = Promise.resolve();
      try {
        const run = start<{ flowing: boolean }>('flood', { fd: rx });
        const chunk = Buffer.alloc(8192, round);
        pump = (async () => {
          for (;;) await P.send(tx, chunk, undefined, 0, { signal: stop.signal });
        })().catch((e) => {
          if ((e as Error).name !== 'AbortError') throw e;
        });
        expect((await run.message).flowing).toBe(true);
        await run.worker.terminate();
        expect(await run.exit).toBe(1);
        stop.abort();
        await pump;
        // The main thread reads on where the worker stopped: what is queued is the pump's.
        // (No synchronous send here: rx may be full, and tx is a blocking socket.)
        const buf = Buffer.alloc(4096);
        const n = await P.recv(rx, buf, undefined, 0, { timeout: 5000 });
        expect(n).toBeGreaterThan(0);
        expect(buf.subarray(0, n).every((b) => b === round)).toBe(true);
      } finally {
        stop.abort();
        closeAll(tx, rx);
        await pump;
      }
    }
    expect(await mainRoundTrips(10)).toBe(10);
  }, 60_000);
});
