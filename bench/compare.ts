// `npm run bench`: berkeley-sockets, plain C (bench/c/ref.c, compiled at run time) and Node's
// net/dgram doing the same workloads side by side in one run. Each round runs every contender
// of a workload once, in alternating order (forward, then backward), so machine drift hits
// every contender alike; the report gives medians with min–max over the rounds, ratios
// against C and against Node, and writes bench/results/latest.json.
//
//   npm run bench -- [--quick] [--rounds=N] [--duration=MS] [--warmup=MS] [--pairs=N]
//                    [--only=udp-pair,udp-1p,...] [--strict]
import { mkdirSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeAccept, oursAccept } from './accept.js';
import { cleanupRef, hasTaskset, peerCommand, refBinary, runToEnd, start } from './c-ref.js';
import { cDrain, DRAIN_COUNT, oursDrain, oursDrainGro } from './drain.js';
import { Progress, Window, bounded, deferred, parseBenchArgs, unixPath, type BenchArgs, type Measurement, type Settings } from './common.js';
import { promises as p, sockets, source } from './lib.js';
import { fmt, median, printCompare, type CompareReport, type CompareRow } from './report.js';
import { nodeBulk, oursBulk, type Family } from './stream.js';
import { Latencies, addonPair, oursPair, socketPair } from './syncpair.js';
import { nodeUDP, oursUDP } from './udp.js';

const {
  AF_INET, AF_UNIX, IPPROTO_TCP, MSG_WAITFORONE, MsgBatch, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, SO_REUSEADDR, TCP_NODELAY,
  accept, bind, close, connect, getsockname, listen, recv, recvmmsg, send, sendmmsg, setsockopt, sockaddr_in, sockaddr_un, socket, timeval,
} = sockets;

const MSG = 64;
const BURST = 32;

/** What a contender measured; rate is the unit's figure (ns per pair for udp-pair). */
export interface M extends Measurement {
  meanUs?: number | undefined;
  p99Us?: number | undefined;
}

type Side = 'ours' | 'c' | 'node';
interface Contender {
  name: string;
  side: Side;
  run(s: Settings): Promise<M> | M;
  /** The C contender this one is compared with (default: the workload's first C one). */
  vsC?: string;
}
interface Target {
  contender: string;
  against: string;
  /** ratio value/against must be ≥ min (rates) or ≤ max (times). */
  min?: number;
  max?: number;
  label: string;
}
interface Workload {
  name: string;
  what: string;
  unit: string;
  lowerIsBetter?: boolean;
  /** Divides rates for display (bytes → MiB). */
  scale?: number;
  contenders: Contender[];
  targets?: Target[];
}

// ---------------------------------------------------------------------------------------
// C contenders

const C = (...args: (string | number)[]) => (s: Settings): Promise<M> => runToEnd<M>(refBinary(), args, s.warmup + s.duration + 20_000);
const cw = (mode: string, ...args: (string | number)[]) => (s: Settings): Promise<M> => C(mode, s.warmup, s.duration, ...args)(s);

/** ns per pair from the C program's pairs/s. */
async function cPair(s: Settings): Promise<M> {
  const m = await cw('pair')(s);
  return { rate: 1e9 / m.rate, cpuUs: m.cpuUs === undefined ? undefined : m.cpuUs * 1000 };
}

// ---------------------------------------------------------------------------------------
// 2a. UDP in one process: bursts of BURST datagrams from one socket to another, then received

function udpPair(): { a: number; b: number } {
  const a = socket(AF_INET, SOCK_DGRAM, 0);
  const b = socket(AF_INET, SOCK_DGRAM, 0);
  bind(a, new sockaddr_in('127.0.0.1', 0));
  bind(b, new sockaddr_in('127.0.0.1', 0));
  const addr = new sockaddr_in();
  getsockname(b, addr);
  connect(a, addr);
  setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, new timeval({ tv_sec: 2, tv_usec: 0 }));
  return { a, b };
}

function udp1pSync(s: Settings): M {
  const { a, b } = udpPair();
  try {
    const msg = Buffer.alloc(MSG, 0x75);
    const buf = Buffer.allocUnsafe(2048);
    const w = new Window(s);
    do {
      for (let i = 0; i < BURST; i++) send(a, msg, MSG, 0);
      for (let i = 0; i < BURST; i++) recv(b, buf, 2048, 0);
    } while (w.tick(BURST));
    return w.measurement();
  } finally {
    close(a);
    close(b);
  }
}

function udp1pMmsg(s: Settings): M {
  const { a, b } = udpPair();
  try {
    const out = new MsgBatch(BURST, MSG);
    for (let i = 0; i < BURST; i++) out.setLength(i, MSG);
    const inb = new MsgBatch(BURST, 2048);
    const w = new Window(s);
    do {
      for (let sent = 0; sent < BURST;) sent += sendmmsg(a, out, BURST - sent, 0); // all go in one call on loopback
      for (let got = 0; got < BURST;) got += recvmmsg(b, inb, MSG_WAITFORONE);
    } while (w.tick(BURST));
    return w.measurement();
  } finally {
    close(a);
    close(b);
  }
}

async function udp1pPromise(s: Settings): Promise<M> {
  const { a, b } = udpPair();
  try {
    const msg = Buffer.alloc(MSG, 0x75);
    const buf = Buffer.allocUnsafe(2048);
    const w = new Window(s);
    const run = async (): Promise<void> => {
      do {
        for (let i = 0; i < BURST; i++) await p.send(a, msg, MSG, 0);
        for (let i = 0; i < BURST; i++) await p.recv(b, buf, 2048, 0);
      } while (w.tick(BURST));
    };
    await bounded(run(), s.warmup + s.duration + 10_000, 'ours udp-1p');
    return w.measurement();
  } finally {
    close(a);
    close(b);
  }
}

async function udp1pNode(s: Settings): Promise<M> {
  const rx = dgram.createSocket('udp4');
  const tx = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => tx.connect(rx.address().port, '127.0.0.1', () => r()));
    const msg = Buffer.alloc(MSG, 0x75);
    const w = new Window(s);
    const done = deferred();
    let got = 0;
    const burst = (): void => {
      for (let i = 0; i < BURST; i++) tx.send(msg);
    };
    rx.on('message', () => {
      if (++got < BURST) return;
      got = 0;
      if (w.tick(BURST)) burst();
      else done.resolve();
    });
    burst();
    await bounded(done.promise, s.warmup + s.duration + 10_000, 'node udp-1p');
    return w.measurement();
  } finally {
    await Promise.all([rx, tx].map((x) => new Promise<void>((r) => x.close(() => r()))));
  }
}

// ---------------------------------------------------------------------------------------
// 2b / cross-process: a receiver (or echo) process and a sender (or ping) process of the
// same kind. `pin`: both on CPU 0 (taskset -c 0).

type Impl = 'c' | 'c-mmsg' | 'ours' | 'ours-mmsg' | 'node';
const cmdFor = (impl: Impl, role: string, args: (string | number)[]): [string, (string | number)[]] => {
  if (impl === 'c' || impl === 'c-mmsg') {
    const mm = impl === 'c-mmsg' ? 1 : 0;
    const a = role === 'udprecv' ? [...args, mm] : role === 'udpsend' ? [...args, mm] : args;
    return [refBinary(), [role, ...a]];
  }
  const [cmd, argv] = peerCommand([role, impl, ...args]);
  return [cmd, argv];
};

async function udp2p(impl: Impl, s: Settings): Promise<M> {
  const limit = s.warmup + s.duration + 30_000;
  const [rc, ra] = cmdFor(impl, 'udprecv', [s.warmup, s.duration]);
  const rx = start(rc, ra, limit);
  try {
    const { port } = await rx.line<{ port: number }>(15_000);
    const [sc, sa] = cmdFor(impl, 'udpsend', [port, Math.ceil(limit / 1000)]);
    const tx = start(sc, sa, limit);
    try {
      return await rx.line<M>();
    } finally {
      await tx.stop();
    }
  } finally {
    await rx.stop();
  }
}

async function pingPong(impl: 'c' | 'ours' | 'node', pin: boolean, s: Settings): Promise<M> {
  const limit = s.warmup + s.duration + 30_000;
  const [ec, ea] = cmdFor(impl, 'echo', [Math.ceil(limit / 1000)]);
  const echo = start(ec, ea, limit, pin);
  try {
    const { port } = await echo.line<{ port: number }>(15_000);
    const [pc, pa] = cmdFor(impl, 'ping', [port, s.warmup, s.duration]);
    return await runToEnd<M>(pc, pa, limit, pin);
  } finally {
    await echo.stop();
  }
}

// ---------------------------------------------------------------------------------------
// 3. stream request/response in one process, with latencies

interface Conn { c: number; s: number; lfd: number; path?: string | undefined }

function ourListener(family: Family): { lfd: number; addr: InstanceType<typeof sockaddr_in> | InstanceType<typeof sockaddr_un>; path?: string } {
  const lfd = socket(family === 'tcp' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  if (family === 'tcp') {
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
    bind(lfd, new sockaddr_in('127.0.0.1', 0));
    const addr = new sockaddr_in();
    getsockname(lfd, addr);
    listen(lfd, 511);
    return { lfd, addr };
  }
  const path = unixPath('cmp');
  rmSync(path, { force: true });
  const addr = new sockaddr_un(path);
  bind(lfd, addr);
  listen(lfd, 511);
  return { lfd, addr, path };
}

function conns(family: Family, n: number): Conn[] {
  const l = ourListener(family);
  const out: Conn[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = socket(family === 'tcp' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
      connect(c, l.addr);
      const sv = accept(l.lfd);
      for (const fd of [c, sv]) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval({ tv_sec: 2, tv_usec: 0 }));
        if (family === 'tcp') setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      }
      out.push({ c, s: sv, lfd: l.lfd });
    }
  } finally {
    close(l.lfd);
    if (l.path !== undefined) rmSync(l.path, { force: true });
  }
  return out;
}

/**
 * `pollFirst`: the reads that wait for the peer's next message (the server's read of the
 * next request, the client's read of each reply) pass options.pollFirst, since in a
 * ping-pong neither can be queued yet; otherwise each tries recv() first, which says EAGAIN.
 */
async function rrPromise(family: Family, s: Settings, pollFirst = false): Promise<M> {
  const o = pollFirst ? { pollFirst: true } : undefined;
  const cs = conns(family, s.pairs);
  const w = new Window(s);
  const lat = new Latencies(w);
  try {
    const echo = async (fd: number): Promise<void> => {
      const buf = Buffer.allocUnsafe(65536);
      for (;;) {
        const n = await p.recv(fd, buf, 65536, 0, o);
        if (n === 0) return;
        let off = await p.send(fd, buf, n, 0);
        while (off < n) off += await p.send(fd, buf.subarray(off, n), n - off, 0);
      }
    };
    const client = async (fd: number): Promise<void> => {
      const req = Buffer.alloc(MSG, 0x61);
      const resp = Buffer.allocUnsafe(MSG);
      let t0 = performance.now();
      do {
        let off = await p.send(fd, req, MSG, 0);
        while (off < MSG) off += await p.send(fd, req.subarray(off), MSG - off, 0);
        let got = 0;
        while (got < MSG) {
          const n = await p.recv(fd, got === 0 ? resp : resp.subarray(got), MSG - got, 0, got === 0 ? o : undefined);
          if (n === 0) throw new Error('rr: server closed early');
          got += n;
        }
        t0 = lat.add(t0);
      } while (w.tick());
      sockets.shutdown(fd, sockets.SHUT_WR);
    };
    const servers = cs.map((x) => echo(x.s));
    await bounded(Promise.all(cs.map((x) => client(x.c))), s.warmup + s.duration + 10_000, `ours ${family} rr`);
    await bounded(Promise.all(servers), 10_000, `ours ${family} rr servers`);
    return { ...w.measurement(), ...lat.summary() };
  } finally {
    for (const x of cs) {
      close(x.c);
      close(x.s);
    }
  }
}

function rrSync(family: Family, s: Settings): M {
  const [x] = conns(family, 1);
  const { c, s: sv } = x!;
  try {
    const req = Buffer.alloc(MSG, 0x61);
    const buf = Buffer.allocUnsafe(MSG);
    const readExactly = (fd: number): void => {
      let got = recv(fd, buf, MSG, 0);
      while (got < MSG) {
        const k = recv(fd, buf.subarray(got), MSG - got, 0);
        if (k === 0) throw new Error('sync rr: peer closed');
        got += k;
      }
    };
    const w = new Window(s);
    const lat = new Latencies(w);
    do {
      const t0 = performance.now();
      send(c, req, MSG, 0);
      readExactly(sv);
      send(sv, buf, MSG, 0);
      readExactly(c);
      lat.add(t0);
    } while (w.tick());
    return { ...w.measurement(), ...lat.summary() };
  } finally {
    close(c);
    close(sv);
  }
}

async function rrNode(family: Family, s: Settings): Promise<M> {
  const nodelay = family === 'tcp';
  const closed: Promise<void>[] = [];
  const server = net.createServer((c) => {
    if (nodelay) c.setNoDelay(true);
    const done = deferred();
    closed.push(done.promise);
    c.on('data', (d) => c.write(d));
    c.on('end', () => c.end());
    c.on('close', () => done.resolve());
    c.on('error', done.reject);
  });
  const path = family === 'unix' ? unixPath('cmpn') : undefined;
  if (path !== undefined) rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (path !== undefined) server.listen(path, 511, resolve);
    else server.listen(0, '127.0.0.1', 511, resolve);
  });
  try {
    const port = path === undefined ? (server.address() as net.AddressInfo).port : 0;
    const clients = await Promise.all(Array.from({ length: s.pairs }, () => new Promise<net.Socket>((resolve, reject) => {
      const c = path !== undefined ? net.connect(path) : net.connect(port, '127.0.0.1');
      if (nodelay) c.setNoDelay(true);
      c.once('connect', () => resolve(c));
      c.once('error', reject);
    })));
    const w = new Window(s);
    const lat = new Latencies(w);
    const req = Buffer.alloc(MSG, 0x61);
    const runs = clients.map((c) => new Promise<void>((resolve, reject) => {
      let got = 0;
      let t0 = performance.now();
      c.on('data', (d: Buffer) => {
        got += d.length;
        while (got >= MSG) {
          got -= MSG;
          t0 = lat.add(t0);
          if (w.tick()) c.write(req);
          else c.end();
        }
      });
      c.on('close', () => resolve());
      c.on('error', reject);
      c.write(req);
    }));
    await bounded(Promise.all(runs), s.warmup + s.duration + 10_000, `node ${family} rr`);
    await bounded(Promise.all(closed), 10_000, `node ${family} rr servers`);
    return { ...w.measurement(), ...lat.summary() };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (path !== undefined) rmSync(path, { force: true });
  }
}

// ---------------------------------------------------------------------------------------
// 5. accepts: the C server, driven by the same client process as ours and Node's

const CLIENT = fileURLToPath(new URL('./accept-client.ts', import.meta.url));

async function cAccept(s: Settings): Promise<M> {
  const limit = s.warmup + s.duration + 30_000;
  const srv = start(refBinary(), ['accept', Math.ceil(limit / 1000)], limit);
  let stopped = false;
  try {
    const { port } = await srv.line<{ port: number }>(10_000);
    const rep = await runToEnd<{ rate: number; total: number }>(process.execPath, [...process.execArgv, CLIENT, port, s.acceptConcurrency, s.clientThreads, s.warmup, s.duration], limit);
    await new Promise((r) => setTimeout(r, 50)); // the last accepts
    srv.proc.stdin!.end();
    const { accepted, cpuUs } = await srv.line<{ accepted: number; cpuUs: number }>(5000);
    await srv.stop();
    stopped = true;
    if (accepted !== rep.total) throw new Error(`C accept: client made ${rep.total} connections, server accepted ${accepted}`);
    return { rate: rep.rate, cpuUs: cpuUs / rep.total };
  } finally {
    if (!stopped) await srv.stop().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------

const rr = (family: Family): Workload => ({
  name: `${family}-rr`,
  what: `${family === 'tcp' ? 'TCP' : 'Unix stream'} 64 B request/response, one process`,
  unit: 'round trips/s',
  contenders: [
    { name: 'ours promise ×P', side: 'ours', run: (s) => rrPromise(family, s), vsC: 'C epoll ×P' },
    { name: 'ours promise ×P pollFirst', side: 'ours', run: (s) => rrPromise(family, s, true), vsC: 'C epoll ×P' },
    { name: 'ours sync lockstep', side: 'ours', run: (s) => rrSync(family, s), vsC: 'C lockstep' },
    { name: 'C epoll ×P', side: 'c', run: (s) => cw('rr', family, 'epoll', s.pairs)(s) },
    { name: 'C lockstep', side: 'c', run: (s) => cw('rr', family, 'lock', 1)(s) },
    { name: 'node net ×P', side: 'node', run: (s) => rrNode(family, s) },
  ],
  targets: ['ours promise ×P', 'ours promise ×P pollFirst'].map((contender) => (
    { contender, against: 'node net ×P', min: family === 'tcp' ? 1.3 : 2, label: `>= ${family === 'tcp' ? '1.3' : '2'}x node` })),
});

const bulk = (family: Family): Workload => ({
  name: `${family}-bulk`,
  what: `${family === 'tcp' ? 'TCP' : 'Unix stream'} bulk, 64 KiB writes, one process`,
  unit: 'MiB/s',
  scale: 1024 * 1024,
  contenders: [
    { name: 'ours promise', side: 'ours', run: (s) => oursBulk(family, s) },
    { name: 'C poll', side: 'c', run: (s) => cw('bulk', family)(s) },
    // What a readiness-driven event loop (libuv's) does, in C with no JavaScript: the
    // floor of ours' design beside the alternating loop that the target is set against.
    // Unix only: on TCP its writer waits on the peer's window updates and the figure
    // swings 2x between runs, while ours passes there anyway.
    ...(family === 'unix' ? [{ name: 'C epoll loop', side: 'c' as const, run: (s: Settings) => cw('bulk', family, 'loop')(s) }] : []),
    { name: 'node net', side: 'node', run: (s) => nodeBulk(family, s) },
  ],
  targets: [
    { contender: 'ours promise', against: 'node net', min: 1.0, label: '>= 1.0x node' },
    { contender: 'ours promise', against: 'C poll', min: 0.95, label: '>= 0.95x C' },
  ],
});

const xproc = (pin: boolean): Workload => ({
  name: pin ? 'udp-xproc-pinned' : 'udp-xproc',
  what: `UDP 64 B ping-pong between two processes${pin ? ', both on CPU 0 (taskset -c 0)' : ', unpinned'}`,
  unit: 'round trips/s',
  contenders: [
    { name: 'ours sync', side: 'ours', run: (s) => pingPong('ours', pin, s) },
    { name: 'C', side: 'c', run: (s) => pingPong('c', pin, s) },
    { name: 'node dgram', side: 'node', run: (s) => pingPong('node', pin, s) },
  ],
});

export const WORKLOADS: Workload[] = [
  {
    name: 'udp-pair',
    what: 'sync UDP sendto + recvfrom, one socket pair, lockstep',
    unit: 'ns/pair',
    lowerIsBetter: true,
    contenders: [
      { name: 'ours sync', side: 'ours', run: oursPair },
      { name: 'ours Socket', side: 'ours', run: socketPair },
      { name: 'addon only (floor)', side: 'ours', run: addonPair },
      { name: 'C', side: 'c', run: cPair },
    ],
    targets: [{ contender: 'ours sync', against: 'C', max: 1.1, label: '<= 1.10x C time' }],
  },
  {
    name: 'udp-1p',
    what: `UDP 64 B, bursts of ${BURST} between two sockets, one process`,
    unit: 'datagrams/s',
    contenders: [
      { name: 'ours sync', side: 'ours', run: udp1pSync, vsC: 'C' },
      { name: 'ours mmsg', side: 'ours', run: udp1pMmsg, vsC: 'C mmsg' },
      { name: 'ours promise', side: 'ours', run: udp1pPromise, vsC: 'C' },
      { name: 'C', side: 'c', run: (s) => cw('udp1p', BURST, 0)(s) },
      { name: 'C mmsg', side: 'c', run: (s) => cw('udp1p', BURST, 1)(s) },
      { name: 'node dgram', side: 'node', run: udp1pNode },
    ],
  },
  {
    name: 'udp-2p',
    what: 'UDP 64 B, a blasting sender process and a receiver process (received/s)',
    unit: 'datagrams/s',
    contenders: [
      { name: 'ours sync', side: 'ours', run: (s) => udp2p('ours', s), vsC: 'C' },
      { name: 'ours mmsg', side: 'ours', run: (s) => udp2p('ours-mmsg', s), vsC: 'C mmsg' },
      { name: 'C', side: 'c', run: (s) => udp2p('c', s) },
      { name: 'C mmsg', side: 'c', run: (s) => udp2p('c-mmsg', s) },
      { name: 'node dgram', side: 'node', run: (s) => udp2p('node', s) },
    ],
  },
  {
    name: 'udp-drain',
    what: `UDP 64 B, drain of ${DRAIN_COUNT} datagrams queued beforehand on one socket, no sender running (received/s)`,
    unit: 'datagrams/s',
    contenders: [
      { name: 'ours mmsg', side: 'ours', run: oursDrain('mmsg'), vsC: 'C recvfrom' },
      { name: 'ours recvfrom', side: 'ours', run: oursDrain('recvfrom'), vsC: 'C recvfrom' },
      { name: 'C recvfrom', side: 'c', run: cDrain('recvfrom') },
      // The ceiling: what a batch receiver written in C reaches on the same queue.
      { name: 'C mmsg', side: 'c', run: cDrain('mmsg') },
      // Segmentation offload: the queue filled with UDP_SEGMENT sends of 64 datagrams; ours
      // with UDP_GRO receives each send's datagrams in one recvmsg(); C's recvfrom() on the
      // same kind of fill (no UDP_GRO: split as queued) is its reference. Not the target's row.
      { name: 'ours recvmsg UDP_GRO (GSO fill)', side: 'ours', run: oursDrainGro, vsC: 'C recvfrom (GSO fill)' },
      { name: 'C recvfrom (GSO fill)', side: 'c', run: cDrain('recvfrom', true) },
    ],
    targets: [{ contender: 'ours mmsg', against: 'C recvfrom', min: 1.5, label: '>= 1.5x C recvfrom' }],
  },
  {
    name: 'udp-echo',
    what: 'UDP 64 B echo, one server socket, P client sockets, one process (datagrams/s, both ways)',
    unit: 'datagrams/s',
    contenders: [
      { name: 'ours promise ×P', side: 'ours', run: (s) => oursUDP(s) },
      { name: 'ours promise ×P pollFirst', side: 'ours', run: (s) => oursUDP(s, true) },
      { name: 'node dgram ×P', side: 'node', run: nodeUDP },
    ],
    targets: ['ours promise ×P', 'ours promise ×P pollFirst'].map((contender) => ({ contender, against: 'node dgram ×P', min: 1.5, label: '>= 1.5x node' })),
  },
  rr('tcp'),
  rr('unix'),
  bulk('tcp'),
  bulk('unix'),
  {
    name: 'accept',
    what: 'TCP accept + close, separate client process (32 in flight)',
    unit: 'connections/s',
    contenders: [
      { name: 'ours promise', side: 'ours', run: (s) => oursAccept('tcp', s) },
      { name: 'C', side: 'c', run: cAccept },
      { name: 'node net', side: 'node', run: (s) => nodeAccept('tcp', s) },
    ],
    targets: [{ contender: 'ours promise', against: 'node net', min: 1.5, label: '>= 1.5x node' }],
  },
  xproc(false),
  ...(hasTaskset ? [xproc(true)] : []),
];

function parse(argv: string[]): BenchArgs {
  return parseBenchArgs(
    argv,
    { settings: { duration: 1000, warmup: 300, pairs: 8, acceptConcurrency: 32, clientThreads: 2 }, rounds: 3 },
    WORKLOADS.map((w) => w.name),
    (q) => {
      q.settings.duration = 300;
      q.settings.warmup = 100;
      q.rounds = 2;
    },
  );
}

export async function compare(argv: string[]): Promise<void> {
  const t0 = performance.now();
  const { settings, rounds, only, strict } = parse(argv);
  const selected = WORKLOADS.filter((w) => only === null || only.has(w.name));
  const cpus = os.cpus();
  process.stderr.write(`berkeley-sockets bench: node ${process.version}, ${cpus.length} CPUs, ${cpus[0]?.model ?? '?'}; ` +
    `${settings.duration} ms measured after ${settings.warmup} ms warm-up per contender, ${rounds} round(s), ` +
    `${settings.pairs} RR pairs; C: ${process.env.CC ?? 'cc'} -O2; taskset: ${hasTaskset ? 'yes' : 'no'}; library: ${source}\n`);
  refBinary();
  const rows: CompareRow[] = [];
  const progress = new Progress(selected.reduce((n, wl) => n + wl.contenders.length, 0) * rounds);
  try {
    for (const wl of selected) {
      const got = new Map<string, M[]>(wl.contenders.map((c) => [c.name, []]));
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? wl.contenders : [...wl.contenders].reverse();
        const line: string[] = [];
        for (const c of order) {
          const m = await c.run(settings);
          got.get(c.name)!.push(m);
          line.push(`${c.name} ${fmt(m.rate / (wl.scale ?? 1))}`);
          progress.advance(`${wl.name} round ${r + 1}: ${c.name}`);
        }
        progress.log(`  ${wl.name} round ${r + 1}: ${line.join(', ')} ${wl.unit}`);
      }
      const med = (c: Contender): number => median(got.get(c.name)!.map((m) => m.rate)) / (wl.scale ?? 1);
      const firstC = wl.contenders.find((c) => c.side === 'c');
      const node = wl.contenders.find((c) => c.side === 'node');
      for (const c of wl.contenders) {
        const ms = got.get(c.name)!;
        const rates = ms.map((m) => m.rate / (wl.scale ?? 1));
        const v = med(c);
        // Node's rows and the other C rows (C's own variants) are set against the first C one.
        const cRef = c.side === 'ours' ? wl.contenders.find((x) => x.name === (c.vsC ?? firstC?.name)) : firstC;
        const opt = (f: (m: M) => number | undefined): number | null => (ms.every((m) => f(m) !== undefined) ? +median(ms.map((m) => f(m)!)).toFixed(2) : null);
        const targets = (wl.targets ?? []).filter((t) => t.contender === c.name).map((t) => {
          const against = wl.contenders.find((x) => x.name === t.against)!;
          const ratio = v / med(against);
          return { label: t.label, ratio: +ratio.toFixed(3), pass: t.min !== undefined ? ratio >= t.min : ratio <= t.max! };
        });
        rows.push({
          workload: wl.name, what: wl.what, unit: wl.unit, lowerIsBetter: wl.lowerIsBetter ?? false, contender: c.name, side: c.side,
          median: +v.toFixed(2), min: +Math.min(...rates).toFixed(2), max: +Math.max(...rates).toFixed(2), rounds: rates.map((x) => +x.toFixed(2)),
          vsC: cRef && cRef !== c ? { against: cRef.name, ratio: +(v / med(cRef)).toFixed(3) } : null,
          vsNode: node && c.side !== 'node' ? { against: node.name, ratio: +(v / med(node)).toFixed(3) } : null,
          meanUs: opt((m) => m.meanUs), p99Us: opt((m) => m.p99Us),
          cpuUs: opt((m) => (m.cpuUs === undefined ? undefined : m.cpuUs * (wl.scale ?? 1))),
          targets,
        });
      }
    }
  } finally {
    progress.end();
    cleanupRef();
  }
  const report: CompareReport = {
    bench: 'berkeley-sockets-compare',
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? '?',
    library: source,
    settings: { ...settings, rounds },
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
    rows,
  };
  const allPass = printCompare(report);
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}latest.json`, `${JSON.stringify(report, null, 1)}\n`);
  process.stderr.write(`wrote bench/results/latest.json (${report.seconds} s)\n`);
  process.exitCode = strict && !allPass ? 1 : 0;
}
