// The accept benchmark's client, run as a separate process so that both servers (ours and
// Node's, in the parent) face exactly the same load. Written with the synchronous API, in
// C style, so that it costs as little CPU as it can.
//
//   accept-client.ts PORT|PATH CONNECTIONS THREADS WARMUP_MS DURATION_MS
//
// PORT: TCP on 127.0.0.1; PATH (starting with '/'): a Unix stream socket.
//
// It keeps CONNECTIONS connections open at a time, split over THREADS threads (worker
// threads of this one process). Each thread: blocking connect() (on loopback the kernel
// completes the handshake without waiting for accept()), then, oldest first, a blocking
// recv() that sees the EOF of a server that accepted the connection and closed it, close(),
// and a new connection in its place. A connection counts when its EOF arrives inside the
// measured window. Prints one JSON line: {"connections","total","seconds","rate","cpuUs"}.
//
// Why threads: on loopback the connecting side's kernel runs the whole handshake, so one
// client thread spends about as much CPU per connection as Node's server does, and could
// not show a server faster than that. Both servers face the same threads either way.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { sockets } from './lib.js';

const { AF_INET, AF_UNIX, SOCK_STREAM, close, connect, recv, sockaddr_in, sockaddr_un, socket } = sockets;

interface Job {
  /** TCP port on 127.0.0.1, or Unix socket path. */
  target: number | string;
  connections: number;
}

type Addr = InstanceType<typeof sockaddr_in> | InstanceType<typeof sockaddr_un>;

function address(job: Job): Addr {
  return typeof job.target === 'number' ? new sockaddr_in('127.0.0.1', job.target) : new sockaddr_un(job.target);
}
interface Result {
  count: number;
  total: number;
}

/** Absolute milliseconds, comparable across threads. */
const clock = (): number => performance.timeOrigin + performance.now();

/** One thread's loop: `job.connections` in flight; counts EOFs seen inside [start, end). */
function run(job: Job, ring: number[], start: number, end: number): Result {
  const addr = address(job);
  const buf = Buffer.alloc(1);
  let count = 0;
  let total = 0;
  for (let i = 0; ; i = (i + 1) % ring.length) {
    const fd = ring[i]!;
    if (recv(fd, buf, 1, 0) !== 0) throw new Error('accept client: the server sent data');
    close(fd);
    total++;
    const t = clock();
    if (t >= end) {
      ring[i] = -1;
      break;
    }
    if (t >= start) count++;
    ring[i] = open(addr);
  }
  for (const fd of ring) {
    if (fd < 0) continue;
    recv(fd, buf, 1, 0);
    close(fd);
    total++;
  }
  return { count, total };
}

function open(addr: Addr): number {
  const fd = socket(addr.family === AF_UNIX ? AF_UNIX : AF_INET, SOCK_STREAM, 0);
  connect(fd, addr);
  return fd;
}

function initialRing(job: Job): number[] {
  const addr = address(job);
  return Array.from({ length: job.connections }, () => open(addr));
}

if (!isMainThread) {
  // A worker: open the first connections, say so, run when told when.
  const job = workerData as Job;
  const ring = initialRing(job);
  parentPort!.once('message', ({ start, end }: { start: number; end: number }) => {
    parentPort!.postMessage(run(job, ring, start, end));
  });
  parentPort!.postMessage('ready');
} else {
  const [targetArg = '', connArg, threadArg, warmArg, durArg] = process.argv.slice(2);
  const target = targetArg.startsWith('/') ? targetArg : Number(targetArg);
  const connections = Number(connArg);
  const threads = Number(threadArg);
  const warmup = Number(warmArg);
  const duration = Number(durArg);
  if (!(typeof target === 'string' || target > 0) || !(threads > 0) || !(connections >= threads) || !(warmup >= 0) || !(duration > 0)) {
    process.stderr.write('usage: accept-client.ts PORT|PATH CONNECTIONS THREADS WARMUP_MS DURATION_MS\n');
    process.exit(2);
  }
  const jobs: Job[] = Array.from({ length: threads }, (_, i) => ({
    target,
    connections: Math.floor(connections / threads) + (i < connections % threads ? 1 : 0),
  }));
  let results: Result[];
  if (threads === 1) {
    const ring = initialRing(jobs[0]!);
    const start = clock() + warmup;
    results = [run(jobs[0]!, ring, start, start + duration)];
  } else {
    // Node 20 does not carry tsx's loader into workers: a TypeScript worker registers it.
    const self = import.meta.url;
    const workers = jobs.map((job) => (self.endsWith('.ts')
      ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`, { eval: true, workerData: job })
      : new Worker(new URL(self), { workerData: job })));
    const next = (w: Worker): Promise<unknown> => new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await Promise.all(workers.map(next));
    const start = clock() + warmup;
    const done = workers.map(next);
    for (const w of workers) w.postMessage({ start, end: start + duration });
    results = (await Promise.all(done)) as Result[];
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const count = results.reduce((a, r) => a + r.count, 0);
  const total = results.reduce((a, r) => a + r.total, 0);
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ connections: count, total, seconds: duration / 1000, rate: count / (duration / 1000), cpuUs: cpu.user + cpu.system })}\n`);
}
