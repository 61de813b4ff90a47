// Load: one async echo server and many async clients in one process, all on the Promise
// API and one event loop. 1,000 TCP and 1,000 Unix stream connections at once, each
// echoing a few KiB of its own bytes, every byte checked; 16 MiB each way through one TCP
// connection. No fd is left open afterwards.
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as P from '../lib/promises.js';
import { closeAll, tempDir } from './helpers.js';

const CLIENTS = 1000;

/** Open sockets of the current run (clients + accepted), and the most open at once. */
let live = 0;
let peak = 0;
const opened = () => {
  live++;
  if (live > peak) peak = live;
};

function socketFdCount(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // the fd readdir used is gone
    }
  }
  return n;
}

/** `size` bytes that are different for every id (xorshift32 seeded by the id). */
function pattern(id: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = (id * 2654435761 + 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

async function sendAll(fd: number, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await P.send(fd, data.subarray(off), undefined, 0, { timeout: 30_000 });
}

/** Receives until end of stream into one buffer of `expected` bytes (more is an error). */
async function recvAll(fd: number, expected: number): Promise<Buffer> {
  const out = Buffer.alloc(expected + 1);
  let off = 0;
  for (;;) {
    const n = await P.recv(fd, out.subarray(off), undefined, 0, { timeout: 30_000 });
    if (n === 0) return out.subarray(0, off);
    off += n;
    if (off > expected) throw new Error(`fd ${fd}: more than the ${expected} bytes sent`);
  }
}

/** The echo side of one connection: recv → send until end of stream, then close. */
async function echo(fd: number): Promise<number> {
  const buf = Buffer.alloc(16 * 1024);
  let total = 0;
  opened();
  try {
    for (;;) {
      const n = await P.recv(fd, buf, undefined, 0, { timeout: 30_000 });
      if (n === 0) return total;
      await sendAll(fd, buf.subarray(0, n));
      total += n;
    }
  } finally {
    bs.close(fd);
    live--;
  }
}

/** Accepts `count` connections on `lfd`, echoing each; resolves with the byte counts. */
async function serve(lfd: number, count: number): Promise<number[]> {
  const sessions: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const fd = await P.accept(lfd, null, undefined, { timeout: 30_000 });
    sessions.push(echo(fd));
  }
  return Promise.all(sessions);
}

/** Receives exactly `n` bytes (the stream stays open). */
async function recvExactly(fd: number, n: number): Promise<Buffer> {
  const out = Buffer.alloc(n);
  let off = 0;
  while (off < n) {
    const r = await P.recv(fd, out.subarray(off), undefined, 0, { timeout: 30_000 });
    if (r === 0) throw new Error(`fd ${fd}: end of stream after ${off} of ${n} bytes`);
    off += r;
  }
  return out;
}

/** Resolves once `count` callers have arrived: every connection is then open at once. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((r) => (open = r));
  return () => {
    if (++arrived === count) open();
    return all;
  };
}

/**
 * One client: connect, send its own bytes while reading the echo, check every byte; then
 * wait until every client has got its echo, and only then end the stream.
 */
async function client(family: number, addr: bs.SocketAddress, id: number, arrive: () => Promise<void>): Promise<number> {
  const fd = bs.socket(family, bs.SOCK_STREAM, 0);
  opened();
  try {
    await P.connect(fd, addr, undefined, { timeout: 30_000 });
    const data = pattern(id, 2048 + (id % 8) * 512); // 2–5.5 KiB, distinct per client
    const [, got] = await Promise.all([sendAll(fd, data), recvExactly(fd, data.length)]);
    if (!got.equals(data)) throw new Error(`client ${id}: echo differs from what was sent`);
    await arrive();
    bs.shutdown(fd, bs.SHUT_WR);
    if ((await recvAll(fd, 0)).length !== 0) throw new Error(`client ${id}: bytes after the echo`);
    return data.length;
  } finally {
    bs.close(fd);
    live--;
  }
}

async function run(family: number, bindTo: bs.SocketAddress): Promise<void> {
  const before = socketFdCount();
  live = 0;
  peak = 0;
  const l = bs.socket(family, bs.SOCK_STREAM, 0);
  try {
    if (family === bs.AF_INET) bs.setsockopt(l, bs.SOL_SOCKET, bs.SO_REUSEADDR, 1);
    bs.bind(l, bindTo);
    bs.listen(l, 4096); // room for every client at once (capped by somaxconn)
    const addr = bs.getsockname(l);
    const t0 = performance.now();
    const server = serve(l, CLIENTS);
    const arrive = barrier(CLIENTS);
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(family, addr, i, arrive));
    const [sent, echoed] = await Promise.all([Promise.all(clients), server]);
    const ms = performance.now() - t0;
    const total = sent.reduce((a, b) => a + b, 0);
    expect(sent).toHaveLength(CLIENTS);
    expect(echoed.reduce((a, b) => a + b, 0)).toBe(total);
    expect(echoed.sort()).toEqual([...sent].sort());
    expect(live).toBe(0);
    expect(peak).toBe(2 * CLIENTS); // every client and every accepted socket open at once
    console.log(`${CLIENTS} ${family === bs.AF_INET ? 'TCP' : 'Unix'} echo connections, ${(total / 1024 / 1024).toFixed(1)} MiB each way, ${peak} sockets open at the peak: ${ms.toFixed(0)} ms`);
  } finally {
    closeAll(l);
  }
  expect(socketFdCount()).toBe(before);
}

describe('load: one async server, many async clients, one event loop', () => {
  it(`${CLIENTS} concurrent TCP connections echo every byte`, async () => {
    await run(bs.AF_INET, new bs.sockaddr_in('127.0.0.1', 0));
  }, 60_000);

  it(`${CLIENTS} concurrent Unix stream connections echo every byte`, async () => {
    const t = tempDir();
    try {
      await run(bs.AF_UNIX, new bs.sockaddr_un(join(t.dir, 'echo.sock')));
    } finally {
      t.cleanup();
    }
  }, 60_000);

  it('16 MiB each way through one TCP connection at once, byte-checked', async () => {
    const before = socketFdCount();
    const SIZE = 16 * 1024 * 1024;
    const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    let c = -1;
    let s = -1;
    try {
      bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(l, 1);
      c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
      const accepted = P.accept(l);
      await P.connect(c, bs.getsockname(l));
      s = await accepted;
      const up = pattern(1, SIZE);
      const down = pattern(2, SIZE);
      const t0 = performance.now();
      // Each fd has a send and a recv pending together, sharing its one poll handle.
      const [, , gotUp, gotDown] = await Promise.all([
        sendAll(c, up).then(() => bs.shutdown(c, bs.SHUT_WR)),
        sendAll(s, down).then(() => bs.shutdown(s, bs.SHUT_WR)),
        recvAll(s, SIZE),
        recvAll(c, SIZE),
      ]);
      const ms = performance.now() - t0;
      expect(gotUp.length).toBe(SIZE);
      expect(gotDown.length).toBe(SIZE);
      expect(gotUp.equals(up)).toBe(true);
      expect(gotDown.equals(down)).toBe(true);
      console.log(`16 MiB each way through one TCP connection: ${ms.toFixed(0)} ms`);
    } finally {
      closeAll(c, s, l);
    }
    expect(socketFdCount()).toBe(before);
  }, 60_000);
});
