// Synchronous poll(2) over a struct pollfd array: what it reports, what it ignores, how it
// waits, and what it refuses before the syscall. (Across every transport: transports.test.ts;
// under a storm of signals: signals.test.ts.)
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as p from '../lib/promises.js';
import { closeAll, tcpListener } from './helpers.js';

const { POLLIN, POLLOUT, POLLHUP, POLLNVAL } = bs;
const pfd = (fd: number, events: number): bs.pollfd => new bs.pollfd({ fd, events });

function unixPair(type: number = bs.SOCK_STREAM): [number, number] {
  return bs.socketpair(bs.AF_UNIX, type, 0);
}

describe('struct pollfd', () => {
  it("has poll(2)'s layout: int fd, short events, short revents, in host byte order", () => {
    expect(bs.sizeof(bs.pollfd)).toBe(8);
    const f = new bs.pollfd({ fd: 0x01020304, events: POLLIN | POLLOUT, revents: 0x0102 });
    const dv = new DataView(f.bytes.buffer, f.bytes.byteOffset, 8);
    const le = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
    expect(dv.getInt32(0, le)).toBe(0x01020304);
    expect(dv.getInt16(4, le)).toBe(POLLIN | POLLOUT);
    expect(dv.getInt16(6, le)).toBe(0x0102);
    expect(new bs.pollfd(f.bytes).fd).toBe(0x01020304); // a view over the same bytes
    expect(new bs.Pollfd().events).toBe(0);
  });

  it('refuses values outside the C types (RangeError), never truncating them', () => {
    const f = new bs.pollfd();
    expect(() => { f.events = 0x8000; }).toThrow(RangeError);
    expect(() => { f.fd = 2 ** 31; }).toThrow(RangeError);
    expect(() => { f.fd = 1.5; }).toThrow(RangeError);
    expect(() => { f.revents = '1' as unknown as number; }).toThrow(TypeError);
    f.fd = -1; // allowed: poll(2) ignores negative fds
    expect(f.fd).toBe(-1);
  });
});

describe('poll', () => {
  it('reports POLLOUT on an idle connected socket, then POLLIN once the peer has sent', () => {
    const [a, b] = unixPair();
    try {
      const fds = [pfd(a, POLLIN), pfd(b, POLLIN | POLLOUT)];
      expect(bs.poll(fds, 2, 0)).toBe(1);
      expect(fds.map((f) => f.revents)).toEqual([0, POLLOUT]);
      bs.send(b, 'x');
      expect(bs.poll(fds, 2, 0)).toBe(2);
      expect(fds.map((f) => f.revents)).toEqual([POLLIN, POLLOUT]);
      expect(fds.map((f) => f.events)).toEqual([POLLIN, POLLIN | POLLOUT]); // only revents is written
      bs.recv(a, Buffer.alloc(1));
      expect(bs.poll(fds, 2, 0)).toBe(1);
      expect(fds[0]!.revents).toBe(0); // cleared by the call, as in C
    } finally {
      closeAll(a, b);
    }
  });

  it('ignores entries with a negative fd: revents 0, not counted', () => {
    const [a, b] = unixPair();
    try {
      bs.send(b, 'x');
      const fds = [pfd(-1, POLLIN), pfd(a, POLLIN), pfd(-5, POLLOUT)];
      fds[0]!.revents = 7;
      expect(bs.poll(fds, 3, 0)).toBe(1);
      expect(fds.map((f) => f.revents)).toEqual([0, POLLIN, 0]);
    } finally {
      closeAll(a, b);
    }
  });

  it('reports POLLNVAL for a closed fd and POLLHUP for a closed peer without being asked, and does not throw', () => {
    const [a, b] = unixPair();
    const [c, d] = unixPair();
    bs.close(c);
    try {
      bs.close(b);
      const fds = [pfd(a, POLLOUT), pfd(c, POLLIN)];
      expect(bs.poll(fds, 2, 0)).toBe(2);
      expect(fds[0]!.revents & POLLHUP).toBe(POLLHUP);
      expect(fds[1]!.revents).toBe(POLLNVAL);
    } finally {
      closeAll(a, d);
    }
  });

  it('passes only the first nfds entries; the others are left alone', () => {
    const [a, b] = unixPair();
    try {
      const fds = [pfd(a, POLLOUT), pfd(b, POLLOUT)];
      fds[1]!.revents = 99;
      expect(bs.poll(fds, 1, 0)).toBe(1);
      expect(fds.map((f) => f.revents)).toEqual([POLLOUT, 99]);
    } finally {
      closeAll(a, b);
    }
  });

  it('takes one pollfd as well as an array, and nfds defaults to all of them', () => {
    const [a, b] = unixPair();
    try {
      const one = pfd(a, POLLOUT);
      expect(bs.poll(one, 1, 0)).toBe(1);
      expect(one.revents).toBe(POLLOUT);
      const two = [pfd(a, POLLOUT), pfd(b, POLLOUT)];
      expect(bs.poll(two)).toBe(2); // nfds = 2, timeout -1: both ready at once, so no wait
    } finally {
      closeAll(a, b);
    }
  });

  it('multiplexes a listener and its clients in one thread, as a C poll() server does', () => {
    const l = tcpListener();
    const clients: number[] = [];
    const served: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
        clients.push(c);
        bs.connect(c, l.addr); // completes through the backlog, before accept()
      }
      const fds = [pfd(l.fd, POLLIN)];
      const buf = Buffer.alloc(16);
      let echoed = 0;
      for (let round = 0; round < 20 && echoed < 3; round++) {
        if (round === 1) clients.forEach((c, i) => bs.send(c, `hello ${i}`));
        const ready = bs.poll(fds, fds.length, 2000);
        expect(ready).toBeGreaterThan(0);
        for (const f of fds.slice()) {
          if ((f.revents & POLLIN) === 0) continue;
          if (f.fd === l.fd) {
            while (served.length < 3) {
              const s = bs.accept(l.fd);
              served.push(s);
              fds.push(pfd(s, POLLIN));
            }
            continue;
          }
          const n = bs.recv(f.fd, buf);
          bs.send(f.fd, buf, n);
          echoed++;
        }
      }
      expect(echoed).toBe(3);
      clients.forEach((c, i) => {
        const n = bs.recv(c, buf);
        expect(buf.toString('latin1', 0, n)).toBe(`hello ${i}`);
      });
    } finally {
      closeAll(l.fd, ...clients, ...served);
    }
  });

  it('times out with 0 when nothing is ready, having waited at least the timeout', () => {
    const [a, b] = unixPair();
    try {
      const fds = [pfd(a, POLLIN)];
      expect(bs.poll(fds, 1, 0)).toBe(0);
      const t0 = performance.now();
      expect(bs.poll(fds, 1, 40)).toBe(0);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(39);
      expect(fds[0]!.revents).toBe(0);
      const t1 = performance.now();
      expect(bs.poll([], 0, 20)).toBe(0); // nfds 0: poll(NULL, 0, t), the classic sleep
      expect(performance.now() - t1).toBeGreaterThanOrEqual(19);
    } finally {
      closeAll(a, b);
    }
  });

  it('blocks until a datagram from another process (Node dgram) arrives', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      const { port } = bs.getsockname(fd) as bs.sockaddr_in;
      const child = spawn(process.execPath, ['-e', `
        const s = require('node:dgram').createSocket('udp4');
        setTimeout(() => s.send('ping', ${port}, '127.0.0.1', () => s.close()), 100);`], { stdio: 'ignore' });
      try {
        const fds = [pfd(fd, POLLIN)];
        expect(bs.poll(fds, 1, 10_000)).toBe(1);
        expect(fds[0]!.revents).toBe(POLLIN);
        const buf = Buffer.alloc(8);
        expect(buf.toString('latin1', 0, bs.recv(fd, buf))).toBe('ping');
      } finally {
        child.kill();
      }
    } finally {
      bs.close(fd);
    }
  });

  it('sees the same readiness as a pending Promise-API recv on the fd, which then completes', async () => {
    const [a, b] = unixPair();
    try {
      const buf = Buffer.alloc(8);
      const pending = p.recv(a, buf, 8, 0, { timeout: 5000 });
      const fds = [pfd(a, POLLIN)];
      expect(bs.poll(fds, 1, 0)).toBe(0);
      bs.send(b, 'data');
      expect(bs.poll(fds, 1, 0)).toBe(1); // poll consumes nothing
      expect(await pending).toBe(4);
      expect(buf.toString('latin1', 0, 4)).toBe('data');
    } finally {
      closeAll(a, b);
    }
  });

  it('refuses bad arguments before the syscall (TypeError / RangeError), leaving revents alone', () => {
    const f = pfd(0, POLLIN);
    f.revents = 5;
    const bad: [() => unknown, ErrorConstructor, string][] = [
      [() => bs.poll(undefined as never), TypeError, 'fds'],
      [() => bs.poll({ fd: 0, events: POLLIN } as never, 1, 0), TypeError, 'fds'],
      [() => bs.poll([f, { fd: 0, events: POLLIN }] as never, 2, 0), TypeError, 'fds[1]'],
      [() => bs.poll([f], 2, 0), RangeError, 'nfds'],
      [() => bs.poll([f], -1, 0), RangeError, 'nfds'],
      [() => bs.poll([f], 0.5, 0), RangeError, 'nfds'],
      [() => bs.poll([f], '1' as never, 0), TypeError, 'nfds'],
      [() => bs.poll([f], 1, 1.5), RangeError, 'timeout'],
      [() => bs.poll([f], 1, 2 ** 31), RangeError, 'timeout'],
      [() => bs.poll([f], 1, NaN), RangeError, 'timeout'],
      [() => bs.poll([f], 1, null as never), TypeError, 'timeout'],
    ];
    for (const [call, kind, name] of bad) {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(kind);
      expect((err as Error).message).toContain(`"${name}"`);
      expect(f.revents).toBe(5);
    }
  });

  it('survives hostile arrays: a getter that re-enters poll() or changes the entries mid-call', () => {
    const [a, b] = unixPair();
    try {
      bs.send(b, 'x');
      const inner = [pfd(b, POLLOUT)];
      const ready = pfd(a, POLLIN);
      let reads = 0;
      const reentrant = new Proxy([ready, pfd(b, POLLOUT)], {
        get(target, key, recv) {
          if (key === '1') {
            reads++;
            expect(bs.poll(inner, 1, 0)).toBe(1); // a nested call, from inside the outer one
          }
          return Reflect.get(target, key, recv) as unknown;
        },
      });
      expect(bs.poll(reentrant, 2, 0)).toBe(2);
      expect(reads).toBeGreaterThan(0);
      expect(ready.revents).toBe(POLLIN);
      expect(inner[0]!.revents).toBe(POLLOUT);
      // an entry that turns into something else after the first read: a TypeError on the one read
      let first = true;
      const swapping = new Proxy([ready], {
        get(target, key, recv) {
          if (key === '0' && !first) return { fd: a, events: POLLIN, bytes: Buffer.alloc(1 << 20) };
          if (key === '0') first = false;
          return Reflect.get(target, key, recv) as unknown;
        },
      });
      expect(bs.poll(swapping, 1, 0)).toBe(1); // read once: the swap comes too late to matter
      const hostile = new Proxy([ready], { get: (t, k, r) => (k === '0' ? { bytes: Buffer.alloc(1 << 20) } : Reflect.get(t, k, r) as unknown) });
      expect(() => bs.poll(hostile, 1, 0)).toThrow(TypeError);
    } finally {
      closeAll(a, b);
    }
  });

  it('fails with EINVAL when nfds is over RLIMIT_NOFILE (a child under ulimit -n 64)', () => {
    const lib = JSON.stringify(resolve(__dirname, '../lib/index.js'));
    const script = `
      import * as bs from ${lib};
      const fds = Array.from({ length: 65 }, () => new bs.pollfd({ fd: -1, events: bs.POLLIN }));
      let out;
      try { out = { r: bs.poll(fds, 64, 0) }; bs.poll(fds, 65, 0); out.ok = true; }
      catch (e) { out = { ...out, name: e.name, code: e.code, errno: e.errno, syscall: e.syscall, EINVAL: bs.EINVAL }; }
      console.log(JSON.stringify(out));`;
    const r = spawnSync('bash', ['-c', 'ulimit -n 64 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script],
      { cwd: resolve(__dirname, '..'), encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out).toEqual({ r: 0, name: 'SocketError', code: 'EINVAL', errno: out.EINVAL, syscall: 'poll', EINVAL: out.EINVAL });
    expect(out.errno).toBeGreaterThan(0);
  });
});

describe('promises.poll over pollfd entries (the event-loop form)', () => {
  it('resolves with the ready count and each revents once one of several fds is ready, while timers keep firing', async () => {
    const [a, b] = unixPair();
    const [c, d] = unixPair();
    try {
      const fds = [pfd(a, POLLIN), pfd(c, POLLIN), pfd(-1, POLLIN)];
      let ticks = 0;
      const iv = setInterval(() => ticks++, 2);
      const sending = setTimeout(() => bs.send(d, 'x'), 40);
      try {
        expect(await p.poll(fds, 3, 10_000)).toBe(1);
      } finally {
        clearInterval(iv);
        clearTimeout(sending);
      }
      expect(fds.map((f) => f.revents)).toEqual([0, POLLIN, 0]);
      expect(ticks).toBeGreaterThan(3); // the loop was never blocked
    } finally {
      closeAll(a, b, c, d);
    }
  });

  it('resolves at once when an entry is ready already, and takes one pollfd as well as an array', async () => {
    const [a, b] = unixPair();
    try {
      const one = pfd(a, POLLOUT);
      expect(await p.poll(one, 1, -1)).toBe(1);
      expect(one.revents).toBe(POLLOUT);
      expect(await p.poll([pfd(a, POLLIN)], 1, 0)).toBe(0); // timeout 0: just look
    } finally {
      closeAll(a, b);
    }
  });

  it('resolves 0 after the timeout with every revents cleared, as C does', async () => {
    const [a, b] = unixPair();
    try {
      const fds = [pfd(a, POLLIN)];
      fds[0]!.revents = 9;
      const t0 = performance.now();
      expect(await p.poll(fds, 1, 30)).toBe(0);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
      expect(fds[0]!.revents).toBe(0);
    } finally {
      closeAll(a, b);
    }
  });

  it('signal rejects with AbortError and options.timeout with ETIMEDOUT; the fds stay usable and nothing stays pending', async () => {
    const [a, b] = unixPair();
    try {
      const fds = [pfd(a, POLLIN)];
      const ac = new AbortController();
      setTimeout(() => ac.abort('enough'), 10);
      await expect(p.poll(fds, 1, -1, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: 'enough' });
      await expect(p.poll(fds, 1, -1, { timeout: 10 })).rejects.toMatchObject({ name: 'SocketError', code: 'ETIMEDOUT', errno: bs.ETIMEDOUT, syscall: 'poll' });
      // no wait left behind: a recv now gets the data, and the next poll sees it
      const got = p.recv(a, Buffer.alloc(4), 4, 0, { timeout: 5000 });
      bs.send(b, 'ok');
      expect(await got).toBe(2);
      bs.send(b, 'again');
      expect(await p.poll(fds, 1, 5000)).toBe(1);
    } finally {
      closeAll(a, b);
    }
  });

  it('close(fd) of an entry while it waits wakes the call, which reports POLLNVAL for it', async () => {
    const [a, b] = unixPair();
    const [c, d] = unixPair();
    try {
      const fds = [pfd(a, POLLIN), pfd(c, POLLIN)];
      const waiting = p.poll(fds, 2, 10_000);
      await new Promise((r) => setTimeout(r, 10));
      bs.close(c); // the library's close: cancels the entry's wait (ECANCELED), which wakes the call
      expect(await waiting).toBe(1);
      expect(fds.map((f) => f.revents)).toEqual([0, POLLNVAL]);
    } finally {
      closeAll(a, b, d);
    }
  });

  it('rejects bad arguments with TypeError / RangeError before any syscall', async () => {
    const f = pfd(0, POLLIN);
    f.revents = 5;
    await expect(p.poll([f, {} as bs.pollfd], 2, 0)).rejects.toThrow(TypeError);
    await expect(p.poll([f], 2, 0)).rejects.toThrow(RangeError);
    await expect(p.poll([f], 1, 1.5)).rejects.toThrow(RangeError);
    await expect(p.poll([f], 1, 0, { timeout: -1 })).rejects.toThrow(RangeError);
    expect(f.revents).toBe(5);
  });
});
