// The addon in worker_threads (reliability.md §1 C items 41-43): it loads and works in a
// Worker, in two Workers at once while the main thread uses it too, fds are process-wide,
// and Workers exit (or are terminated) cleanly. The worker imports lib/index.ts through
// tsx's tsImport, so it tests the same sources as the main thread (no stale dist/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libUrl, scratchFiles, startWorker, tsxApi, type WorkerRun } from './worker-harness.js';
import * as bs from '../lib/index.js';
import { closeAll, tcpPair } from './helpers.js';

const lib = libUrl();

const WORKER_SOURCE = `
import { parentPort, workerData, threadId } from 'node:worker_threads';
const { tsImport } = await import(workerData.tsxApi);
const bs = await tsImport(workerData.lib, import.meta.url);

function roundTrips(n) {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  const buf = Buffer.alloc(64);
  let ok = 0;
  try {
    for (let i = 0; i < n; i++) {
      const msg = 'worker ' + threadId + ' #' + i;
      bs.send(a, msg);
      const got = bs.recv(b, buf);
      if (buf.toString('utf8', 0, got) === msg) ok++;
    }
  } finally {
    bs.close(a);
    bs.close(b);
  }
  return ok;
}

function errorShape() {
  try {
    bs.close(2 ** 30);
  } catch (e) {
    return { isSocketError: e instanceof bs.SocketError, code: e.code, errno: e.errno, syscall: e.syscall, liveErrno: bs.errno };
  }
  return null;
}

function tcpRoundTrip() {
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  let c = -1, s = -1;
  try {
    bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
    bs.listen(l, 1);
    c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    bs.connect(c, bs.getsockname(l));
    s = bs.accept(l);
    bs.send(c, 'tcp in a worker');
    const buf = Buffer.alloc(32);
    return buf.toString('utf8', 0, bs.recv(s, buf));
  } finally {
    for (const fd of [s, c, l]) if (fd >= 0) bs.close(fd);
  }
}

const mode = workerData.mode;
if (mode === 'roundtrip') {
  parentPort.postMessage({
    threadId,
    ok: roundTrips(workerData.n),
    error: errorShape(),
    tcp: tcpRoundTrip(),
    constants: bs.constants,
  });
} else if (mode === 'handoff') {
  // fds are process-wide: hand both ends of a pair to the main thread and exit.
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  bs.send(a, 'sent from a worker that has exited');
  parentPort.postMessage({ fds: [a, b] });
} else if (mode === 'idle') {
  parentPort.postMessage({ ready: roundTrips(1) === 1 });
  setInterval(() => {}, 1000); // stay alive until terminated
}
`;

let scratch: ReturnType<typeof scratchFiles>;
beforeAll(() => {
  scratch = scratchFiles('bsock-workers-', { 'worker.mjs': WORKER_SOURCE });
});
afterAll(() => scratch.cleanup());

type Run<T> = WorkerRun<T>;

function start<T>(mode: string, extra: Record<string, unknown> = {}): Run<T> {
  return startWorker<T>(scratch.url('worker.mjs'), { mode, lib, tsxApi, ...extra });
}

interface RoundTrip {
  threadId: number;
  ok: number;
  error: { isSocketError: boolean; code: string; errno: number; syscall: string; liveErrno: number };
  tcp: string;
  constants: Record<string, number>;
}

function mainRoundTrips(n: number): number {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  const buf = Buffer.alloc(64);
  let ok = 0;
  try {
    for (let i = 0; i < n; i++) {
      bs.send(a, `main #${i}`);
      if (buf.toString('utf8', 0, bs.recv(b, buf)) === `main #${i}`) ok++;
    }
  } finally {
    closeAll(a, b);
  }
  return ok;
}

describe('worker_threads', () => {
  it('the addon loads and works inside a Worker, which then exits cleanly', async () => {
    const run = start<RoundTrip>('roundtrip', { n: 10 });
    const m = await run.message;
    expect(m.threadId).toBeGreaterThan(0);
    expect(m.ok).toBe(10);
    expect(m.tcp).toBe('tcp in a worker');
    // Errors are the worker's own SocketError, and its live errno is per-thread state.
    expect(m.error).toEqual({ isSocketError: true, code: 'EBADF', errno: bs.EBADF, syscall: 'close', liveErrno: bs.EBADF });
    // Same headers, same constants.
    expect(m.constants).toEqual({ ...bs.constants });
    expect(await run.exit).toBe(0);
  });

  it('two Workers at once, while the main thread uses the addon too', async () => {
    bs.setErrno(0);
    const runs = [start<RoundTrip>('roundtrip', { n: 300 }), start<RoundTrip>('roundtrip', { n: 300 })];
    // The main thread keeps working while the workers start up and run.
    let mainOk = 0;
    for (let i = 0; i < 20; i++) {
      mainOk += mainRoundTrips(10);
      await new Promise((r) => setTimeout(r, 5));
    }
    const [c, s] = tcpPair();
    try {
      bs.send(c, 'main tcp');
      const buf = Buffer.alloc(16);
      expect(buf.toString('utf8', 0, bs.recv(s, buf))).toBe('main tcp');
    } finally {
      closeAll(c, s);
    }
    const msgs = await Promise.all(runs.map((r) => r.message));
    expect(mainOk).toBe(200);
    expect(msgs.map((m) => m.ok)).toEqual([300, 300]);
    expect(new Set(msgs.map((m) => m.threadId)).size).toBe(2);
    expect(await Promise.all(runs.map((r) => r.exit))).toEqual([0, 0]);
    // The workers' failed calls did not touch the main thread's errno.
    expect(bs.errno).toBe(0);
  });

  it('fds are process-wide: a pair made in a Worker is usable (and closed) by the main thread after it exits', async () => {
    const run = start<{ fds: [number, number] }>('handoff');
    const { fds } = await run.message;
    expect(await run.exit).toBe(0);
    const [a, b] = fds;
    try {
      // The worker's exit did not close them: the library attaches no finalizer to numbers.
      expect(bs.getsockopt(a, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_STREAM);
      const buf = Buffer.alloc(64);
      const n = bs.recv(b, buf);
      expect(buf.toString('utf8', 0, n)).toBe('sent from a worker that has exited');
    } finally {
      closeAll(a, b);
    }
  });

  it('terminate() on a Worker that loaded the addon; the addon then loads again in a new Worker', async () => {
    const idle = start<{ ready: boolean }>('idle');
    expect((await idle.message).ready).toBe(true);
    await idle.worker.terminate();
    expect(await idle.exit).toBe(1); // terminate()'s exit code
    expect(mainRoundTrips(5)).toBe(5);
    const again = start<RoundTrip>('roundtrip', { n: 3 });
    expect((await again.message).ok).toBe(3);
    expect(await again.exit).toBe(0);
  });
});
