// Signals arriving mid-call (reliability.md §1 items 47, 59-61): a child blocked in sync
// recv / accept / connect receives SIGUSR2 and SIGALRM over and over (caught by no-op
// process.on handlers, so libuv's SA_RESTART handlers are installed). The calls must return
// normally with the data intact. SO_RCVTIMEO / SO_SNDTIMEO are set on some fds because
// Linux then reports EINTR even for SA_RESTART handlers (signal(7)): that is the path where
// the addon's own EINTR retry (and connect's poll-for-POLLOUT) is what keeps the call going.
// Also: an honest partial send on a full non-blocking socket, and a reset peer that gives
// EPIPE/ECONNRESET but never SIGPIPE, even after process.on('SIGPIPE', f) + process.off.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, tcpListener } from './helpers.js';

const LIB = resolve(__dirname, '../lib');
const dir = mkdtempSync(join(tmpdir(), 'bsock-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRELUDE = `
import * as bs from ${JSON.stringify(`${LIB}/index.js`)};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
let caught = 0;
process.on('SIGUSR2', () => { caught++; });
process.on('SIGALRM', () => { caught++; });
const tv = (s) => new bs.timeval({ tv_sec: s, tv_usec: 0 });
// Exit only when the parent says so: a signal landing while Node tears its handlers down
// at exit would be fatal, and that is not what these tests are about.
const done = () => process.stdin.once('data', () => process.exit(0));
`;

type Msg = Record<string, unknown>;
interface Child {
  child: ChildProcess;
  next: (key: string, ms: number) => Promise<Msg>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function startChild(name: string, body: string, extraFd?: number): Child {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, PRELUDE + body);
  const stdio: (string | number)[] = ['pipe', 'pipe', 'pipe'];
  if (extraFd !== undefined) stdio.push(extraFd);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: stdio as never, cwd: resolve(__dirname, '..') });
  const msgs: Msg[] = [];
  let wake: (() => void) | undefined;
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    msgs.push(JSON.parse(line) as Msg);
    wake?.();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => {
    child.once('close', (code, signal) => { wake?.(); r({ code, signal }); });
  });
  const next = async (key: string, ms: number): Promise<Msg> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = msgs.findIndex((m) => key in m);
      if (i >= 0) return msgs.splice(i, 1)[0]!;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`child exited (${child.exitCode ?? child.signalCode}) before "${key}": ${err}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${key}": ${err}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        wake = () => { clearTimeout(t); r(); };
      });
    }
  };
  return { child, next, exited, stderr: () => err };
}

async function stop(c: Child): Promise<void> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  for (const s of [c.child.stdin, c.child.stdout, c.child.stderr]) s?.destroy();
  await c.exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends SIGUSR2 and SIGALRM alternately every 2 ms for `ms`; returns how many were sent. */
async function pelt(child: ChildProcess, ms: number, stop?: { now: boolean }): Promise<number> {
  let sent = 0;
  const end = Date.now() + ms;
  while (Date.now() < end && !stop?.now) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    child.kill(sent % 2 ? 'SIGALRM' : 'SIGUSR2');
    sent++;
    await sleep(2);
  }
  return sent;
}

describe('EINTR: blocking sync calls under a storm of caught signals', () => {
  it('recv on a socketpair (with and without SO_RCVTIMEO) returns the data intact', async () => {
    const [mine, theirs] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    bs.setCloseOnExec(theirs, false);
    const c = startChild('recv', `
const fd = 3;
for (const timeo of [0, 5]) {
  bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, tv(timeo));
  out({ ready: timeo });
  const buf = Buffer.alloc(64);
  let got = 0, calls = 0;
  while (got < 64) { const n = bs.recv(fd, buf.subarray(got)); if (n === 0) break; got += n; calls++; }
  out({ got, calls, data: buf.toString('latin1', 0, got), caught });
}
done();
`, theirs);
    try {
      bs.close(theirs);
      for (const round of [0, 5]) {
        await c.next('ready', 8000);
        expect(await pelt(c.child, 250)).toBeGreaterThan(20);
        const payload = Buffer.from(`round ${round} `.padEnd(64, String.fromCharCode(97 + round)), 'latin1');
        for (let off = 0; off < 64; off += 16) {
          bs.send(mine, payload.subarray(off, off + 16));
          await pelt(c.child, 20);
        }
        const r = (await c.next('got', 5000)) as { got: number; data: string; caught: number };
        expect(r.got).toBe(64);
        expect(r.data).toBe(payload.toString('latin1'));
      }
      c.child.stdin!.write('bye\n');
      const last = await c.exited;
      expect(last).toEqual({ code: 0, signal: null });
    } finally {
      closeAll(mine);
      await stop(c);
    }
  }, 20_000);

  it('poll waits out its whole timeout, then reports data that arrives mid-storm (EINTR restarts it)', async () => {
    const [mine, theirs] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    bs.setCloseOnExec(theirs, false);
    const c = startChild('poll', `
const fds = [new bs.pollfd({ fd: 3, events: bs.POLLIN })];
out({ ready: 1 });
let t0 = performance.now();
const idle = bs.poll(fds, 1, 400);
out({ idle, waited: performance.now() - t0, caught });
t0 = performance.now();
const busy = bs.poll(fds, 1, 10000);
out({ busy, revents: fds[0].revents });
// Node runs its signal handlers only once the loop turns, after the blocking calls.
setTimeout(() => { out({ caught }); done(); }, 50);
`, theirs);
    try {
      bs.close(theirs);
      await c.next('ready', 8000);
      const stopped = { now: false };
      const pelting = pelt(c.child, 5000, stopped);
      const idle = (await c.next('idle', 8000)) as { idle: number; waited: number };
      expect(idle.idle).toBe(0);
      expect(idle.waited).toBeGreaterThanOrEqual(399);
      await sleep(100);
      bs.send(mine, 'x');
      const busy = (await c.next('busy', 8000)) as { busy: number; revents: number };
      stopped.now = true;
      await pelting;
      expect(busy).toEqual({ busy: 1, revents: bs.POLLIN });
      expect(((await c.next('caught', 5000)) as { caught: number }).caught).toBeGreaterThan(20); // they did land
      c.child.stdin!.write('bye\n');
      expect(await c.exited).toEqual({ code: 0, signal: null });
    } finally {
      closeAll(mine);
      await stop(c);
    }
  }, 20_000);

  it('accept on a listener returns the connection; the data arrives intact', async () => {
    const c = startChild('accept', `
const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
bs.listen(l, 4);
bs.setsockopt(l, bs.SOL_SOCKET, bs.SO_RCVTIMEO, tv(5));
out({ port: bs.getsockname(l).port });
const fd = bs.accept(l);
const buf = Buffer.alloc(32);
let got = 0;
while (got < 32) { const n = bs.recv(fd, buf.subarray(got)); if (n === 0) break; got += n; }
out({ got, data: buf.toString('latin1', 0, got) });
bs.close(fd); bs.close(l);
done();
`);
    const sock = new net.Socket();
    try {
      const { port } = (await c.next('port', 8000)) as { port: number };
      expect(await pelt(c.child, 300)).toBeGreaterThan(20);
      const payload = 'accepted under fire'.padEnd(32, '!');
      sock.on('error', () => {});
      sock.connect(port, '127.0.0.1', () => sock.write(payload));
      await pelt(c.child, 100);
      const r = (await c.next('got', 5000)) as { got: number; data: string };
      expect(r).toEqual({ got: 32, data: payload });
      c.child.stdin!.write('bye\n');
      expect(await c.exited).toEqual({ code: 0, signal: null });
    } finally {
      sock.destroy();
      await stop(c);
    }
  }, 20_000);

  it('connect to a slow listener (full backlog) completes; connect is not reissued after EINTR', async () => {
    // listen(0) + one queued connection: later SYNs are dropped until the queue drains,
    // so the child's connect blocks until a SYN retransmission (about 1 s).
    const l = tcpListener();
    bs.listen(l.fd, 0);
    const filler = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    let accepted: number[] = [];
    bs.connect(filler, l.addr);
    const port = (l.addr as bs.sockaddr_in).port;
    bs.setNonBlocking(l.fd, true);
    const drain = (): void => {
      for (;;) {
        try {
          accepted.push(bs.accept(l.fd));
        } catch (e) {
          if ((e as bs.SocketError).code === 'EAGAIN') return;
          throw e;
        }
      }
    };
    const c = startChild('connect', `
const results = [];
for (const timeo of [0, 5]) {
  const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  if (timeo) bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_SNDTIMEO, tv(timeo));
  out({ ready: timeo });
  const t0 = Date.now();
  let r;
  try { r = bs.connect(fd, new bs.sockaddr_in('127.0.0.1', ${port})); } catch (e) { r = e.code; }
  const peer = r === 0 ? bs.getpeername(fd).port : null;
  if (r === 0) bs.send(fd, 'hello');
  out({ connected: r, ms: Date.now() - t0, peer });
  bs.close(fd);
}
done();
`);
    try {
      for (const round of [0, 5]) {
        await c.next('ready', 8000);
        expect(await pelt(c.child, 400)).toBeGreaterThan(30);
        // Drain the queue: the child's next SYN retransmission gets in.
        drain();
        const stop = { now: false };
        const signalling = pelt(c.child, 4000, stop);
        const r = (await c.next('connected', 6000)) as { connected: unknown; ms: number; peer: number };
        stop.now = true;
        expect(await signalling).toBeGreaterThan(50);
        expect(r.connected, `round ${round}`).toBe(0);
        expect(r.peer).toBe(port);
        expect(r.ms).toBeGreaterThan(300);
        // Refill the queue for the next round (emptied first, or this connect would block).
        drain();
        closeAll(...accepted);
        accepted = [];
        if (round === 0) {
          const f2 = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
          bs.connect(f2, l.addr);
          accepted.push(f2);
        }
      }
      c.child.stdin!.write('bye\n');
      expect(await c.exited).toEqual({ code: 0, signal: null });
    } finally {
      closeAll(...accepted, filler, l.fd);
      await stop(c);
    }
  }, 20_000);
});

describe('partial writes', () => {
  it('send on a non-blocking socket with a full buffer reports the bytes it really sent, then EAGAIN', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM | bs.SOCK_NONBLOCK, 0);
    try {
      bs.setsockopt(a, bs.SOL_SOCKET, bs.SO_SNDBUF, 4096);
      const big = Buffer.alloc(4 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      let sent = 0;
      let partial = false;
      for (;;) {
        let n: number;
        try {
          n = bs.send(a, big.subarray(sent));
        } catch (e) {
          expect((e as bs.SocketError).code).toBe('EAGAIN');
          break;
        }
        expect(n).toBeGreaterThan(0);
        if (n < big.length - sent) partial = true;
        sent += n;
        if (sent === big.length) break;
      }
      expect(partial).toBe(true);
      expect(sent).toBeLessThan(big.length);
      // Exactly the reported bytes arrive, in order.
      const rb = Buffer.alloc(big.length);
      let got = 0;
      for (;;) {
        try {
          const n = bs.recv(b, rb.subarray(got));
          if (n === 0) break;
          got += n;
        } catch (e) {
          expect((e as bs.SocketError).code).toBe('EAGAIN');
          break;
        }
      }
      expect(got).toBe(sent);
      expect(rb.subarray(0, got).equals(big.subarray(0, sent))).toBe(true);
    } finally {
      closeAll(a, b);
    }
  });
});

describe('SIGPIPE', () => {
  it('writing to a reset peer gives EPIPE/ECONNRESET, never SIGPIPE, even after on/off of a SIGPIPE listener', async () => {
    const c = startChild('sigpipe', `
const f = () => {};
process.on('SIGPIPE', f);
process.off('SIGPIPE', f); // the disposition is now SIG_DFL: a raw write(2) would kill us
const results = {};
for (const call of ['send', 'write', 'sendto', 'sendmsg']) {
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
  bs.listen(l, 1);
  const cl = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.connect(cl, bs.getsockname(l));
  const sv = bs.accept(l);
  bs.setsockopt(sv, bs.SOL_SOCKET, bs.SO_LINGER, new bs.linger({ l_onoff: 1, l_linger: 0 }));
  bs.close(sv); // RST
  const codes = [];
  for (let i = 0; i < 4; i++) {
    try {
      if (call === 'send') bs.send(cl, 'x');
      else if (call === 'write') bs.write(cl, 'x');
      else if (call === 'sendto') bs.sendto(cl, 'x', undefined, 0, null);
      else bs.sendmsg(cl, { msg_iov: ['x'] });
      codes.push(0);
    } catch (e) { codes.push(e.code); }
  }
  results[call] = codes;
  bs.close(cl); bs.close(l);
}
// And a half-closed peer (own SHUT_WR): EPIPE from the local side.
const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
bs.shutdown(a, bs.SHUT_WR);
const half = [];
for (const fn of [() => bs.send(a, 'x'), () => bs.write(a, 'x')]) {
  try { fn(); half.push(0); } catch (e) { half.push(e.code); }
}
bs.close(a); bs.close(b);
out({ results, half });
done();
`);
    try {
      const r = (await c.next('results', 10_000)) as { results: Record<string, (string | number)[]>; half: string[] };
      for (const [call, codes] of Object.entries(r.results)) {
        for (const code of codes) expect(['EPIPE', 'ECONNRESET'], `${call}: ${codes.join(',')}`).toContain(code);
        expect(codes.at(-1), call).toBe('EPIPE');
      }
      expect(r.half).toEqual(['EPIPE', 'EPIPE']);
      c.child.stdin!.write('bye\n');
      expect(await c.exited).toEqual({ code: 0, signal: null });
    } finally {
      await stop(c);
    }
  }, 20_000);
});
