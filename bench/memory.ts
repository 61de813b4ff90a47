// Memory: does a long run of calls leave anything behind, and does the sync hot path
// allocate per call?
//
//   sync send+recv   N sync calls (N/2 send() + N/2 recv() of 64 bytes) on an AF_UNIX
//                    SOCK_DGRAM socketpair, one thread, no event loop. Default 10,000,000.
//   sync getsockopt  N/10 getsockopt(SOL_SOCKET, SO_RCVBUF) calls (number form).
//   sync poll        N/10 poll() calls over two pollfd entries, timeout 0 (one is ready).
//   sync sendto+recvfrom  N/10 calls (sendto() to a sockaddr_in, recvfrom() into one) on two
//                    UDP sockets on 127.0.0.1: the address paths of the udp-pair workload.
//   async recv/send  M Promise-API calls (M/2 iterations of: recv() on an empty socket, which
//                    waits for readiness, then send() on the peer, then the recv's result) on
//                    an AF_UNIX SOCK_STREAM socketpair. Default 1,000,000.
//
// For each: RSS, V8 heap used and external memory after a full GC, before and after (after
// a warm-up of 1 % of the calls, at least 200,000); the scavenges (minor GCs) that ran during
// the loop, counted from PerformanceObserver 'gc' entries; and the bytes allocated per call
// in V8's new space (young generation), from its used size sampled every 4,096 calls. With
// no scavenge that is exact (new space is a bump allocator); otherwise the bytes allocated
// between a sample and the scavenge that follows it are missed, so it is a lower bound.
// The sampling itself (one v8.getHeapSpaceStatistics() per 4,096 calls) is measured on an
// empty loop and subtracted.
//
//   npx tsx bench/memory.ts [--quick]      # --quick: 10x fewer calls
//
// Prints a table and one line of JSON starting with `{"memory":`, and writes it to
// bench/results/memory.json. `npm run bench -- --only=memory` runs it (in a child process,
// for a clean heap) from run.ts too.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver, constants as perfConstants, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const SELF = fileURLToPath(import.meta.url);
const SAMPLE = 4096;

export interface MemoryOptions {
  syncCalls: number;
  asyncCalls: number;
}
export const MEMORY_DEFAULTS: MemoryOptions = { syncCalls: 10_000_000, asyncCalls: 1_000_000 };
export const MEMORY_QUICK: MemoryOptions = { syncCalls: 1_000_000, asyncCalls: 100_000 };

interface Mem { rss: number; heapUsed: number; external: number }

export interface MemoryRow {
  name: string;
  calls: number;
  seconds: number;
  before: Mem;
  after: Mem;
  /** after − before, bytes. */
  growth: Mem;
  /** Minor (scavenge) and major GCs that ran during the measured loop. */
  scavenges: number;
  majorGcs: number;
  /** Bytes allocated in new space per call (exact with no scavenge, else a lower bound). */
  bytesPerCall: number;
  bytesPerCallExact: boolean;
}

export interface MemoryReport {
  memory: 'berkeley-sockets';
  node: string;
  platform: string;
  cpus: number;
  settings: MemoryOptions;
  /** New space capacity at the start, bytes (how much a loop may allocate without a scavenge). */
  newSpace: number;
  rows: MemoryRow[];
  /** Every row: heap growth < 1 MiB, RSS growth < 8 MiB; sync rows: no scavenge, < 0.01 B/call. */
  pass: boolean;
}

const gc: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

function memNow(): Mem {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

const newSpaceUsed = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

/** Counts GCs by kind between two performance.now() marks. */
class GcCounter {
  #entries: { start: number; kind: number }[] = [];
  #obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.#entries.push({ start: e.startTime, kind: (e as unknown as { detail: { kind: number } }).detail.kind });
  });
  constructor() {
    this.#obs.observe({ entryTypes: ['gc'] });
  }
  /** Entries are delivered asynchronously: lets them arrive, then counts. */
  async count(t0: number, t1: number): Promise<{ minor: number; major: number }> {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    const within = this.#entries.filter((e) => e.start >= t0 && e.start <= t1);
    return {
      minor: within.filter((e) => e.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR).length,
      major: within.filter((e) => e.kind !== perfConstants.NODE_PERFORMANCE_GC_MINOR).length,
    };
  }
  stop(): void {
    this.#obs.disconnect();
  }
}

/** Sum of new-space growth between samples; a drop (a scavenge) restarts from the new value. */
class AllocMeter {
  bytes = 0;
  #last = newSpaceUsed();
  sample(): void {
    const now = newSpaceUsed();
    this.bytes += now >= this.#last ? now - this.#last : now;
    this.#last = now;
  }
}

async function measure(name: string, calls: number, callsPerStep: number, loop: (steps: number, meter: AllocMeter) => void | Promise<void>,
  samplingCost: number, gcs: GcCounter): Promise<MemoryRow> {
  const steps = Math.ceil(calls / callsPerStep);
  // Warm-up (JIT: until optimized, V8 may box numbers the optimized code keeps unboxed).
  await loop(Math.max(Math.ceil(steps / 100), Math.ceil(200_000 / callsPerStep)), new AllocMeter());
  const before = memNow();
  const meter = new AllocMeter();
  const t0 = performance.now();
  await loop(steps, meter);
  const t1 = performance.now();
  const { minor, major } = await gcs.count(t0, t1);
  const after = memNow();
  const n = steps * callsPerStep;
  const bytes = Math.max(0, meter.bytes - samplingCost * Math.ceil(steps / SAMPLE));
  return {
    name, calls: n, seconds: +((t1 - t0) / 1000).toFixed(2), before, after,
    growth: { rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, external: after.external - before.external },
    scavenges: minor, majorGcs: major, bytesPerCall: +(bytes / n).toFixed(4), bytesPerCallExact: minor === 0 && major === 0,
  };
}

export async function runMemory(o: MemoryOptions = MEMORY_DEFAULTS): Promise<MemoryReport> {
  const { promises: p, sockets } = await import('./lib.js');
  const {
    AF_INET, AF_UNIX, POLLIN, POLLOUT, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, bind, close, getsockname, getsockopt, poll, pollfd, recv,
    recvfrom, send, sendto, sockaddr_in, socket, socketpair,
  } = sockets;
  const gcs = new GcCounter();
  const rows: MemoryRow[] = [];
  const newSpace = (() => {
    const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')!;
    return s.space_size;
  })();

  // What sampling costs: the same chunked loop with nothing in it.
  let samplingCost = 0;
  {
    const empty = (steps: number, meter: AllocMeter): void => {
      for (let i = 0; i < steps; i++) if ((i & (SAMPLE - 1)) === 0) meter.sample();
      meter.sample();
    };
    empty(1 << 20, new AllocMeter());
    const m = new AllocMeter();
    const steps = 1 << 22;
    empty(steps, m);
    samplingCost = m.bytes / Math.ceil(steps / SAMPLE);
  }

  const req = Buffer.alloc(64, 0x61);
  const resp = Buffer.allocUnsafe(64);
  {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM, 0);
    try {
      rows.push(await measure('sync send+recv', o.syncCalls, 2, (steps, meter) => {
        for (let i = 0; i < steps; i++) {
          if ((i & (SAMPLE - 1)) === 0) meter.sample();
          if (send(a, req, 64, 0) !== 64 || recv(b, resp, 64, 0) !== 64) throw new Error('short datagram');
        }
        meter.sample();
      }, samplingCost, gcs));
      rows.push(await measure('sync getsockopt', Math.round(o.syncCalls / 10), 1, (steps, meter) => {
        for (let i = 0; i < steps; i++) {
          if ((i & (SAMPLE - 1)) === 0) meter.sample();
          if (getsockopt(a, SOL_SOCKET, SO_RCVBUF) <= 0) throw new Error('getsockopt');
        }
        meter.sample();
      }, samplingCost, gcs));
      // (absent from builds before poll(): BENCH_LIB may point at one)
      if (typeof poll === 'function') {
        const fds = [new pollfd({ fd: a, events: POLLIN | POLLOUT }), new pollfd({ fd: b, events: POLLIN })];
        rows.push(await measure('sync poll', Math.round(o.syncCalls / 10), 1, (steps, meter) => {
          for (let i = 0; i < steps; i++) {
            if ((i & (SAMPLE - 1)) === 0) meter.sample();
            if (poll(fds, 2, 0) !== 1) throw new Error('poll');
          }
          meter.sample();
        }, samplingCost, gcs));
      }
    } finally {
      close(a);
      close(b);
    }
  }
  {
    const a = socket(AF_INET, SOCK_DGRAM, 0);
    const b = socket(AF_INET, SOCK_DGRAM, 0);
    try {
      bind(a, new sockaddr_in('127.0.0.1', 0));
      bind(b, new sockaddr_in('127.0.0.1', 0));
      const to = new sockaddr_in();
      getsockname(b, to);
      const from = new sockaddr_in();
      rows.push(await measure('sync sendto+recvfrom', Math.round(o.syncCalls / 10), 2, (steps, meter) => {
        for (let i = 0; i < steps; i++) {
          if ((i & (SAMPLE - 1)) === 0) meter.sample();
          if (sendto(a, req, 64, 0, to) !== 64 || recvfrom(b, resp, 64, 0, from) !== 64) throw new Error('short datagram');
        }
        meter.sample();
      }, samplingCost, gcs));
    } finally {
      close(a);
      close(b);
    }
  }
  {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM, 0);
    try {
      rows.push(await measure('async recv/send', o.asyncCalls, 2, async (steps, meter) => {
        for (let i = 0; i < steps; i++) {
          if ((i & (SAMPLE - 1)) === 0) meter.sample();
          const r = p.recv(b, resp, 64, 0); // nothing queued yet: waits for readiness
          if ((await p.send(a, req, 64, 0)) !== 64) throw new Error('short send');
          let got = await r;
          while (got < 64) got += await p.recv(b, resp.subarray(got), 64 - got, 0);
        }
        meter.sample();
      }, samplingCost, gcs));
    } finally {
      close(a);
      close(b);
    }
  }
  gcs.stop();
  const pass = rows.every((r) => r.growth.heapUsed < 1024 * 1024 && r.growth.rss < 8 * 1024 * 1024) &&
    rows.filter((r) => r.name.startsWith('sync')).every((r) => r.scavenges === 0 && r.bytesPerCall < 0.01);
  return { memory: 'berkeley-sockets', node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, settings: o, newSpace, rows, pass };
}

const kib = (n: number): string => `${n < 0 ? '-' : '+'}${(Math.abs(n) / 1024).toFixed(0)} KiB`;
const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function printMemory(r: MemoryReport): void {
  const hdr = ['loop', 'calls', 'seconds', 'RSS before', 'RSS growth', 'heap before', 'heap growth', 'external growth', 'scavenges', 'major GCs', 'bytes/call'];
  const rows = [hdr, ...r.rows.map((x) => [x.name, x.calls.toLocaleString('en-US'), x.seconds.toFixed(1), mib(x.before.rss), kib(x.growth.rss),
    mib(x.before.heapUsed), kib(x.growth.heapUsed), kib(x.growth.external), String(x.scavenges), String(x.majorGcs),
    `${x.bytesPerCallExact ? '' : '>= '}${x.bytesPerCall.toFixed(x.bytesPerCall < 1 ? 4 : 1)}`])];
  const widths = hdr.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write([line(hdr), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n');
  process.stdout.write(`memory: after a full GC, before and after each loop (after its warm-up); new space ${mib(r.newSpace)} at the start; ` +
    `bytes/call: new-space allocation per call (exact with no GC in the loop, else a lower bound). ${r.pass ? 'pass' : 'FAIL'}\n`);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

export function saveMemory(r: MemoryReport): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}memory.json`, `${JSON.stringify(r, null, 1)}\n`);
  return `${dir}memory.json`;
}

/** Runs this file in a fresh child process (clean heap, --expose-gc); prints its output. */
export function runMemoryChild(quick: boolean): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, '--expose-gc', SELF, ...(quick ? ['--quick'] : [])],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        process.stderr.write(stderr);
        if (err) return reject(err);
        process.stdout.write(stdout);
        const line = stdout.split('\n').find((l) => l.startsWith('{"memory":'));
        if (!line) return reject(new Error('memory: no result line'));
        resolve(JSON.parse(line) as MemoryReport);
      });
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  for (const a of process.argv.slice(2)) if (a !== '--quick') throw new Error(`unknown argument ${a}`);
  runMemory(quick ? MEMORY_QUICK : MEMORY_DEFAULTS).then((r) => {
    printMemory(r);
    process.stderr.write(`wrote ${saveMemory(r)}\n`);
  }).catch((e: unknown) => {
    process.stderr.write(`memory failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
