// Scale: an echo server holding 10, 100, 1,000 and 10,000 open TCP connections on loopback.
// A fixed number of 64-byte messages flow round-robin over all of them (at most INFLIGHT
// in flight at once, whatever the count), and we measure the server process's CPU time per
// echoed message as the count grows, and its memory per connection (RSS and V8 heap after a
// full GC, minus the same before the first connection, divided by the count). Ours: the
// Promise API, one `await recv()` / `await send()` loop per connection. Node's: net.Server
// with 'data' → write(), the same client. C's (bench/c/ref.c `tcpecho`): one thread,
// level-triggered epoll, one recv() and the echo per readiness event: what the kernel alone
// costs as the count grows.
//
// Processes: each (server, count) gets a fresh server process (so RSS and heap start from
// the same place and nothing from the other side's run is left in them), and a fresh client
// process. The client cannot live in the server's process: 10,000 connections are 20,000
// fds with both ends in one process, and the fd limit here is 20,000; and in its own process
// its CPU time is not in the server's figure. The client is written with the sync API
// (blocking connect/send/recv, no event loop), the same for both servers. The parent only
// coordinates, over the child processes' IPC channels.
//
//   npx tsx bench/scale.ts [--quick] [--counts=10,100,1000,10000] [--msgs=N] [--reps=N] [--inflight=N]
//
// Prints a table and one line of JSON starting with `{"scale":`, and writes it to
// bench/results/scale.json. `npm run bench -- --only=scale` runs it from run.ts too.
import net from 'node:net';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import perfHooks from 'node:perf_hooks';
import { refBinary } from './c-ref.js';

const SELF = fileURLToPath(import.meta.url);
const MSG = 64;
/** Connections that warm the server up before its memory baseline. */
const WARM = 10;

export interface ScaleOptions {
  counts: number[];
  /** Measured messages per repetition. */
  msgs: number;
  /** Repetitions of the measured run per (server, count); the median is reported. */
  reps: number;
  /** Messages in flight at once (each on a different connection). */
  inflight: number;
}

export const SCALE_DEFAULTS: ScaleOptions = { counts: [10, 100, 1000, 10_000], msgs: 100_000, reps: 3, inflight: 8 };
export const SCALE_QUICK: ScaleOptions = { ...SCALE_DEFAULTS, msgs: 20_000, reps: 1 };
/** Target: CPU per message at the largest count within this factor of the smallest's. */
export const SCALE_TARGET = 1.3;

type Server = 'ours' | 'node' | 'c';

export interface ScaleRow {
  server: Server;
  conns: number;
  /** Server process CPU (user + system) per echoed message, µs: median of the reps. */
  cpuUsPerMsg: number;
  /** Every rep's figure. */
  cpuUsReps: number[];
  /** Round-robin messages per second as the client saw them (median rep). */
  msgsPerSec: number;
  /** GC time per message (µs, PerformanceObserver 'gc' entries; median rep; 0 for C). */
  gcUsPerMsg: number;
  /** Mark-compact (major) collections during the measured reps, all reps together. */
  majorGcs: number;
  /** (after − before) / conns, bytes, after a full GC in the server process. */
  rssPerConn: number;
  heapPerConn: number;
  /** Buffers and other memory outside the V8 heap that V8 knows of. */
  externalPerConn: number;
}

export interface ScaleReport {
  scale: 'berkeley-sockets';
  node: string;
  platform: string;
  cpus: number;
  settings: ScaleOptions;
  rows: ScaleRow[];
  /** CPU per message at the largest count ÷ at the smallest, per server. */
  growth: { ours: number; node: number; c: number };
  target: number;
  pass: boolean;
}

// ---------------------------------------------------------------------------------------
// the parent

interface Mem { rss: number; heapUsed: number; external: number }
type Reply = Record<string, unknown> & { error?: string };

/** A child process driven by request/reply messages over IPC. */
class Child {
  readonly proc: ChildProcess;
  #queue: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  #exited: Promise<void>;
  constructor(args: string[], what: string) {
    // process.execArgv carries tsx's loader; --expose-gc for the server's measurements.
    this.proc = fork(SELF, args, { execArgv: [...process.execArgv, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: Reply) => {
      const w = this.#queue.shift();
      if (!w) return;
      if (m.error !== undefined) w.reject(new Error(`${what}: ${m.error}`));
      else w.resolve(m);
    });
    this.#exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        for (const w of this.#queue.splice(0)) w.reject(new Error(`${what} exited with ${code ?? signal}`));
        resolve();
      });
    });
  }
  /** The first message a child sends on its own (ready). */
  first(ms: number): Promise<Reply> {
    return this.#wait(ms, 'start');
  }
  request(cmd: Record<string, unknown>, ms: number): Promise<Reply> {
    const r = this.#wait(ms, String(cmd.cmd));
    this.proc.send(cmd);
    return r;
  }
  #wait(ms: number, what: string): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`scale: ${what} took more than ${ms} ms`)), ms);
      this.#queue.push({ resolve: (r) => { clearTimeout(t); resolve(r); }, reject: (e) => { clearTimeout(t); reject(e); } });
    });
  }
  /** Waits up to `ms` for the exit, then kills it. */
  async end(ms: number): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await this.#exited;
    clearTimeout(t);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function measureOne(server: Server, conns: number, o: ScaleOptions): Promise<ScaleRow> {
  const srv = new Child(['--role=server', `--server=${server}`, `--conns=${conns}`, ...(server === 'c' ? [`--bin=${refBinary()}`] : [])], `${server} server`);
  let cli: Child | undefined;
  try {
    const { port } = (await srv.first(20_000)) as unknown as { port: number };
    cli = new Child(['--role=client', `--port=${port}`, `--inflight=${o.inflight}`], 'client');
    await cli.first(20_000);
    // First WARM connections carry 20,000 messages and are closed: the code is compiled and
    // the one-time allocations made before the baseline, which then holds no connection.
    await cli.request({ cmd: 'connect', n: WARM }, 60_000);
    await srv.request({ cmd: 'accepted', n: WARM }, 30_000);
    await cli.request({ cmd: 'run', msgs: 20_000 }, 120_000);
    await cli.request({ cmd: 'close' }, 30_000);
    await srv.request({ cmd: 'closed', n: WARM }, 30_000);
    const base = (await srv.request({ cmd: 'mem' }, 30_000)) as unknown as Mem;
    await cli.request({ cmd: 'connect', n: conns }, 60_000);
    await srv.request({ cmd: 'accepted', n: WARM + conns }, 30_000);
    // Warm-up: at least two full rounds over every connection (every echo loop runs, every
    // per-connection object exists), and at least 20,000 messages (JIT).
    await cli.request({ cmd: 'run', msgs: Math.max(2 * conns, 20_000) }, 120_000);
    const mem = (await srv.request({ cmd: 'mem' }, 30_000)) as unknown as Mem;
    const cpu: number[] = [];
    const rates: number[] = [];
    const gcUs: number[] = [];
    let majorGcs = 0;
    interface Cpu { cpu: number; gcMs?: number; majors?: number }
    for (let r = 0; r < o.reps; r++) {
      const c0 = (await srv.request({ cmd: 'cpu' }, 10_000)) as unknown as Cpu;
      const { seconds } = (await cli.request({ cmd: 'run', msgs: o.msgs }, 120_000)) as unknown as { seconds: number };
      const c1 = (await srv.request({ cmd: 'cpu' }, 10_000)) as unknown as Cpu;
      cpu.push((c1.cpu - c0.cpu) / o.msgs);
      rates.push(o.msgs / seconds);
      gcUs.push((((c1.gcMs ?? 0) - (c0.gcMs ?? 0)) * 1000) / o.msgs);
      majorGcs += (c1.majors ?? 0) - (c0.majors ?? 0);
    }
    await cli.request({ cmd: 'close' }, 30_000);
    await srv.request({ cmd: 'closed', n: WARM + conns }, 30_000);
    await srv.request({ cmd: 'exit' }, 5_000);
    await cli.request({ cmd: 'exit' }, 5_000);
    const mi = cpu.indexOf(median(cpu)); // an actual rep when reps is odd
    return {
      server, conns,
      cpuUsPerMsg: +median(cpu).toFixed(3),
      cpuUsReps: cpu.map((c) => +c.toFixed(3)),
      msgsPerSec: Math.round(mi >= 0 ? rates[mi]! : median(rates)),
      gcUsPerMsg: +median(gcUs).toFixed(3),
      majorGcs,
      rssPerConn: Math.round((mem.rss - base.rss) / conns),
      heapPerConn: Math.round((mem.heapUsed - base.heapUsed) / conns),
      externalPerConn: Math.round((mem.external - base.external) / conns),
    };
  } finally {
    await Promise.all([cli?.end(5_000), srv.end(5_000)]);
  }
}

export async function runScale(o: ScaleOptions = SCALE_DEFAULTS, log: (s: string) => void = (s) => process.stderr.write(s)): Promise<ScaleReport> {
  const rows: ScaleRow[] = [];
  let k = 0;
  for (const conns of o.counts) {
    // Alternate the order of the servers.
    const servers: Server[] = ['ours', 'node', 'c'];
    for (const server of k++ % 2 === 0 ? servers : [...servers].reverse()) {
      const row = await measureOne(server, conns, o);
      rows.push(row);
      log(`  scale ${server} ${conns} conns: ${row.cpuUsPerMsg.toFixed(2)} CPU us/msg (reps ${row.cpuUsReps.join(' / ')}), ` +
        `GC ${row.gcUsPerMsg.toFixed(2)} us/msg, ${row.majorGcs} major GCs, ` +
        `${row.msgsPerSec.toLocaleString('en-US')} msgs/s, ${row.rssPerConn} B RSS + ${row.heapPerConn} B heap + ${row.externalPerConn} B external per conn\n`);
    }
  }
  const lo = Math.min(...o.counts);
  const hi = Math.max(...o.counts);
  const cost = (s: Server, n: number): number => rows.find((r) => r.server === s && r.conns === n)!.cpuUsPerMsg;
  const grows = (s: Server): number => +(cost(s, hi) / cost(s, lo)).toFixed(3);
  const growth = { ours: grows('ours'), node: grows('node'), c: grows('c') };
  return {
    scale: 'berkeley-sockets', node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length,
    settings: o, rows, growth, target: SCALE_TARGET, pass: growth.ours <= SCALE_TARGET,
  };
}

export function printScale(r: ScaleReport): void {
  const out: string[] = [];
  const hdr = ['server', 'conns', 'CPU us/msg', 'x @min', 'GC us/msg', 'major GCs', 'msgs/s', 'RSS B/conn', 'heap B/conn', 'external B/conn'];
  const rows = [hdr];
  const lo = Math.min(...r.settings.counts);
  for (const x of r.rows) {
    const base = r.rows.find((y) => y.server === x.server && y.conns === lo)!;
    rows.push([x.server, x.conns.toLocaleString('en-US'), x.cpuUsPerMsg.toFixed(2), `${(x.cpuUsPerMsg / base.cpuUsPerMsg).toFixed(2)}x`,
      (x.gcUsPerMsg ?? 0).toFixed(2), String(x.majorGcs ?? 0),
      x.msgsPerSec.toLocaleString('en-US'), String(x.rssPerConn), String(x.heapPerConn), String(x.externalPerConn)]);
  }
  const widths = hdr.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(hdr), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line));
  out.push(`scale: ${r.settings.msgs.toLocaleString('en-US')} msgs x ${r.settings.reps} rep(s) per row, ${r.settings.inflight} in flight, round-robin; ` +
    `CPU us/msg: server process user + system; memory: after - before the connections, full GC, per connection.`);
  out.push(`CPU per message at ${Math.max(...r.settings.counts)} conns / at ${lo}: ours ${r.growth.ours.toFixed(2)}x, node ${r.growth.node.toFixed(2)}x, C ${r.growth.c.toFixed(2)}x ` +
    `(target <= ${r.target}x: ${r.pass ? 'pass' : 'FAIL'})`);
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(r)}\n`);
}

export function saveScale(r: ScaleReport): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}scale.json`, `${JSON.stringify(r, null, 1)}\n`);
  return `${dir}scale.json`;
}

// ---------------------------------------------------------------------------------------
// the children

function arg(name: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  if (a === undefined) throw new Error(`missing --${name}`);
  return a.slice(name.length + 3);
}

function gcNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

function memNow(): Mem {
  gcNow();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

const cpuNow = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** GC pauses of this process so far: total ms and mark-compact count. */
const gcStats = { ms: 0, majors: 0 };
function watchGc(): void {
  const { PerformanceObserver, constants } = perfHooks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcStats.ms += e.duration;
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcStats.majors++;
    }
  }).observe({ entryTypes: ['gc'] });
}

const send = (m: Reply): void => {
  process.send!(m);
};

/** Serves requests from the parent, one at a time. */
function serve(handler: (m: Record<string, unknown>) => Promise<Reply> | Reply): void {
  process.on('message', (m: Record<string, unknown>) => {
    void (async () => {
      try {
        send(await handler(m));
      } catch (e) {
        send({ error: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}

/**
 * The C server (ref.c `tcpecho`), driven for the parent like the others: its counts, CPU
 * and RSS come from its `stat` replies; it has no V8 heap.
 */
async function cServerMain(): Promise<void> {
  const proc = spawn(arg('bin'), ['tcpecho', '3600'], { stdio: ['pipe', 'pipe', 'inherit'] });
  proc.on('exit', (code, signal) => {
    process.stderr.write(`scale C server exited with ${code ?? signal}\n`);
    process.exit(1);
  });
  process.on('exit', () => proc.kill('SIGKILL'));
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let part = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d: string) => {
    part += d;
    for (let i; (i = part.indexOf('\n')) >= 0; part = part.slice(i + 1)) lines.push(part.slice(0, i));
    wake?.();
  });
  const line = async <T>(): Promise<T> => {
    const t0 = Date.now();
    while (lines.length === 0) {
      if (Date.now() - t0 > 10_000) throw new Error('C server: no reply in 10 s');
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
      wake = null;
    }
    return JSON.parse(lines.shift()!) as T;
  };
  interface Stat { accepted: number; closed: number; cpuUs: number; rss: number }
  const stat = (): Promise<Stat> => {
    proc.stdin.write('stat\n');
    return line<Stat>();
  };
  const until = async (done: (st: Stat) => boolean, what: string, ms: number): Promise<void> => {
    for (const t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 5))) {
      const st = await stat();
      if (done(st)) return;
      if (Date.now() - t0 > ms) throw new Error(`${what}: timed out (${st.accepted} accepted, ${st.closed} closed)`);
    }
  };
  const { port } = await line<{ port: number }>();
  serve(async (m) => {
    switch (m.cmd) {
      case 'accepted': await until((st) => st.accepted >= (m.n as number), 'accept', 25_000); return {};
      case 'closed': await until((st) => st.closed >= (m.n as number), 'close', 25_000); return {};
      case 'mem': return { rss: (await stat()).rss, heapUsed: 0, external: 0 };
      case 'cpu': return { cpu: (await stat()).cpuUs };
      case 'exit':
        proc.removeAllListeners('exit');
        proc.stdin.end();
        setImmediate(() => process.disconnect());
        return {};
      default: throw new Error(`unknown command ${String(m.cmd)}`);
    }
  });
  send({ port });
}

async function serverMain(): Promise<void> {
  const which = arg('server');
  if (which === 'c') return cServerMain();
  watchGc();
  const conns = Number(arg('conns')) + WARM;
  const { promises: p, sockets } = await import('./lib.js');
  const { AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, IPPROTO_TCP, TCP_NODELAY, bind, close, getsockname, listen, setsockopt, sockaddr_in, socket } = sockets;
  let accepted = 0;
  let closed = 0;
  let port: number;
  if (which === 'ours') {
    const lfd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
    bind(lfd, new sockaddr_in('127.0.0.1', 0));
    listen(lfd, 4096);
    const a = new sockaddr_in();
    getsockname(lfd, a);
    port = a.port;
    // What one connection costs: this loop's promise chain, its 1 KiB buffer, the fd's
    // registry entry and poll handle.
    const echo = async (fd: number): Promise<void> => {
      const buf = Buffer.allocUnsafe(1024);
      try {
        for (;;) {
          const n = await p.recv(fd, buf, 1024, 0);
          if (n === 0) break;
          let off = await p.send(fd, buf, n, 0);
          while (off < n) off += await p.send(fd, buf.subarray(off, n), n - off, 0);
        }
      } finally {
        close(fd);
        closed++;
      }
    };
    void (async () => {
      try {
        while (accepted < conns) {
          const fd = await p.accept(lfd);
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
          accepted++;
          echo(fd).catch((e: unknown) => {
            process.stderr.write(`scale server: ${String(e)}\n`);
            process.exit(1);
          });
        }
      } finally {
        close(lfd);
      }
    })();
  } else {
    const server = net.createServer((s) => {
      accepted++;
      s.setNoDelay(true);
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
      s.on('close', () => closed++);
      s.on('error', (e) => {
        process.stderr.write(`scale node server: ${String(e)}\n`);
        process.exit(1);
      });
      if (accepted === conns) server.close();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', 4096, resolve);
    });
    port = (server.address() as net.AddressInfo).port;
  }
  const poll = async (done: () => boolean, what: string, ms: number): Promise<void> => {
    for (const t0 = Date.now(); !done(); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() - t0 > ms) throw new Error(`${what}: timed out (${accepted} accepted, ${closed} closed of ${conns})`);
    }
  };
  serve(async (m) => {
    switch (m.cmd) {
      case 'accepted': await poll(() => accepted >= (m.n as number), 'accept', 25_000); return {};
      case 'closed': await poll(() => closed >= (m.n as number), 'close', 25_000); return {};
      case 'mem': return { ...memNow() };
      // The observer's entries come on a later tick: wait one so the figures are current.
      case 'cpu': await new Promise((r) => setTimeout(r, 20)); return { cpu: cpuNow(), gcMs: gcStats.ms, majors: gcStats.majors };
      case 'exit':
        setImmediate(() => process.disconnect());
        return {};
      default: throw new Error(`unknown command ${String(m.cmd)}`);
    }
  });
  send({ port });
}

async function clientMain(): Promise<void> {
  const port = Number(arg('port'));
  const inflightMax = Number(arg('inflight'));
  const { sockets } = await import('./lib.js');
  const { AF_INET, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY, close, connect, recv, send: sendSync, setsockopt, sockaddr_in, socket } = sockets;
  const fds: number[] = [];
  let next = 0; // round-robin position, carried from one run to the next
  const req = Buffer.alloc(MSG, 0x61);
  const resp = Buffer.allocUnsafe(MSG);
  serve((m) => {
    switch (m.cmd) {
      case 'connect': {
        const addr = new sockaddr_in('127.0.0.1', port);
        for (let i = 0; i < (m.n as number); i++) {
          const fd = socket(AF_INET, SOCK_STREAM, 0);
          fds.push(fd);
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
          connect(fd, addr);
        }
        return {};
      }
      case 'run': {
        // Message i goes out on connection (next + i) % conns; its echo is read back
        // `inflight` messages later, so that many are in flight, each on its own connection.
        const msgs = m.msgs as number;
        const conns = fds.length;
        const inflight = Math.min(inflightMax, conns);
        const t0 = performance.now();
        for (let i = 0; i < msgs + inflight; i++) {
          if (i < msgs && sendSync(fds[(next + i) % conns]!, req, MSG, 0) !== MSG) throw new Error('short send');
          if (i >= inflight) {
            const fd = fds[(next + i - inflight) % conns]!;
            for (let got = 0; got < MSG;) {
              const n = recv(fd, got === 0 ? resp : resp.subarray(got), MSG - got, 0);
              if (n === 0) throw new Error('server closed a connection');
              got += n;
            }
          }
        }
        next = (next + msgs) % conns;
        return { seconds: (performance.now() - t0) / 1000 };
      }
      case 'close':
        for (const fd of fds.splice(0)) close(fd);
        next = 0;
        return {};
      case 'exit':
        setImmediate(() => process.disconnect());
        return {};
      default: throw new Error(`unknown command ${String(m.cmd)}`);
    }
  });
  send({});
}

// ---------------------------------------------------------------------------------------
// standalone

export function parseScaleArgs(argv: string[]): ScaleOptions {
  let o: ScaleOptions = { ...SCALE_DEFAULTS };
  if (argv.includes('--quick')) o = { ...SCALE_QUICK };
  for (const a of argv) {
    const m = /^--(counts|msgs|reps|inflight)=(.+)$/.exec(a);
    if (m) {
      const nums = m[2]!.split(',').map(Number);
      if (nums.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`bad ${a}`);
      if (m[1] === 'counts') o.counts = nums;
      else o[m[1] as 'msgs' | 'reps' | 'inflight'] = nums[0]!;
    } else if (a !== '--quick') throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const role = process.argv.find((a) => a.startsWith('--role='))?.slice(7);
  const main = role === 'server' ? serverMain : role === 'client' ? clientMain : async () => {
    const r = await runScale(parseScaleArgs(process.argv.slice(2)));
    printScale(r);
    process.stderr.write(`wrote ${saveScale(r)}\n`);
  };
  main().catch((e: unknown) => {
    process.stderr.write(`scale${role ? ` ${role}` : ''} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
    if (role) process.exit(1);
  });
}
