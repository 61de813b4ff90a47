// berkeley-sockets benchmarks: each workload run with our Promise API and with Node's own
// net/dgram, in this one process, on loopback; printed as ratios (ours / node). One row,
// udp-mmsg, compares against plain C instead (the `vs` column says so).
//
//   npm run bench -- [--duration=MS] [--warmup=MS] [--pairs=N] [--concurrency=N] [--client-threads=N]
//                    [--rounds=N] [--only=tcp-rr,unix-rr,accept,udp,tcp-bulk,udp-mmsg] [--strict]
//
// Prints a table, then one line of JSON (starting with `{"bench":`). Exits 0 once every
// benchmark has run (with --strict: only when every target is met), 1 on any error.
import os from 'node:os';
import { nodeAccept, oursAccept } from './accept.js';
import { source } from './lib.js';
import { Progress, parseBenchArgs, type BenchArgs, type Measurement, type Settings } from './common.js';
import { cRecvfrom, oursMmsg, stopMmsg } from './mmsg.js';
import { fmt, median, printReport, type Result } from './report.js';
import { nodeBulk, nodeRR, oursBulk, oursRR } from './stream.js';
import { syncRR, syncUDP } from './sync.js';
import { nodeUDP, oursUDP } from './udp.js';

interface Bench {
  name: string;
  what: string;
  unit: string;
  /** Divides the raw per-second rate for display (bytes → MiB). */
  scale: number;
  /** Minimum ratio ours/node (null: informational row). */
  target: number | null;
  ours(s: Settings): Promise<number | Measurement>;
  /** The other side: Node's own net/dgram, unless `vs` names something else. */
  node(s: Settings): Promise<number | Measurement>;
  /** What the other side is, when it is not Node (shown in the `vs` column). */
  vs?: string;
  /** Run once after the benchmark's rounds (ends helper processes). */
  done?: () => Promise<void>;
}

const measure = async (f: (s: Settings) => Promise<number | Measurement>, s: Settings): Promise<Measurement> => {
  const r = await f(s);
  return typeof r === 'number' ? { rate: r } : r;
};

const BENCHES: Bench[] = [
  { name: 'tcp-rr', what: 'TCP 64 B request/response', unit: 'round trips/s', scale: 1, target: 1.3, ours: (s) => oursRR('tcp', s), node: (s) => nodeRR('tcp', s) },
  { name: 'unix-rr', what: 'Unix stream 64 B request/response', unit: 'round trips/s', scale: 1, target: 2, ours: (s) => oursRR('unix', s), node: (s) => nodeRR('unix', s) },
  // The same with options.pollFirst on the reads that wait for the peer's next message.
  { name: 'tcp-rr-pf', what: 'TCP 64 B request/response, pollFirst', unit: 'round trips/s', scale: 1, target: 1.3, ours: (s) => oursRR('tcp', s, true), node: (s) => nodeRR('tcp', s) },
  { name: 'unix-rr-pf', what: 'Unix stream 64 B RR, pollFirst', unit: 'round trips/s', scale: 1, target: 2, ours: (s) => oursRR('unix', s, true), node: (s) => nodeRR('unix', s) },
  { name: 'accept', what: 'TCP accepts (accept + close)', unit: 'connections/s', scale: 1, target: 1.5, ours: (s) => oursAccept('tcp', s), node: (s) => nodeAccept('tcp', s) },
  { name: 'udp', what: 'UDP 64 B datagrams (echo)', unit: 'datagrams/s', scale: 1, target: 1.5, ours: (s) => oursUDP(s), node: nodeUDP },
  { name: 'udp-pf', what: 'UDP 64 B datagrams (echo), pollFirst', unit: 'datagrams/s', scale: 1, target: 1.5, ours: (s) => oursUDP(s, true), node: nodeUDP },
  { name: 'udp-mmsg', what: 'UDP 64 B datagrams received, one shared sender', unit: 'datagrams/s', scale: 1, target: 1.5, vs: 'C recvfrom', ours: oursMmsg, node: cRecvfrom, done: stopMmsg },
  { name: 'tcp-bulk', what: 'TCP bulk, 64 KiB writes', unit: 'MiB/s', scale: 1024 * 1024, target: 1, ours: (s) => oursBulk('tcp', s), node: (s) => nodeBulk('tcp', s) },
  // Informational: accepts where the client's connect() is cheap (no TCP handshake).
  { name: 'accept-unix', what: 'Unix stream accepts (accept + close)', unit: 'connections/s', scale: 1, target: null, ours: (s) => oursAccept('unix', s), node: (s) => nodeAccept('unix', s) },
  // Bonus: the synchronous API, lockstep on one connection, against Node on one connection.
  { name: 'tcp-rr-sync', what: 'TCP RR, sync API lockstep, 1 conn', unit: 'round trips/s', scale: 1, target: null, ours: async (s) => syncRR('tcp', s), node: (s) => nodeRR('tcp', { ...s, pairs: 1 }) },
  { name: 'unix-rr-sync', what: 'Unix RR, sync API lockstep, 1 conn', unit: 'round trips/s', scale: 1, target: null, ours: async (s) => syncRR('unix', s), node: (s) => nodeRR('unix', { ...s, pairs: 1 }) },
  { name: 'udp-sync', what: 'UDP echo, sync API lockstep, 1 client', unit: 'datagrams/s', scale: 1, target: null, ours: async (s) => syncUDP(s), node: (s) => nodeUDP({ ...s, pairs: 1 }) },
];

function parseArgs(argv: string[]): BenchArgs {
  return parseBenchArgs(
    argv,
    { settings: { duration: 2000, warmup: 500, pairs: 8, acceptConcurrency: 32, clientThreads: 2 }, rounds: 1 },
    BENCHES.map((b) => b.name),
  );
}

async function main(): Promise<void> {
  // Default: the side-by-side comparison with C and Node (bench/compare.ts). `--legacy`, or
  // --only= naming a benchmark of BENCHES below that compare.ts lacks, runs the older
  // ours-vs-Node table instead.
  const argv = process.argv.slice(2).filter((a) => a !== '--legacy');
  const onlyNames = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? [];
  // --only=scale,memory [--quick]: bench/scale.ts and bench/memory.ts, each with its own table.
  if (onlyNames.length > 0 && onlyNames.every((n) => n === 'scale' || n === 'memory')) {
    const quick = argv.includes('--quick');
    let pass = true;
    if (onlyNames.includes('scale')) {
      const sc = await import('./scale.js');
      const r = await sc.runScale(quick ? sc.SCALE_QUICK : sc.SCALE_DEFAULTS);
      sc.printScale(r);
      process.stderr.write(`wrote ${sc.saveScale(r)}\n`);
      pass &&= r.pass;
    }
    if (onlyNames.includes('memory')) pass &&= (await (await import('./memory.js')).runMemoryChild(quick)).pass;
    process.exitCode = argv.includes('--strict') && !pass ? 1 : 0;
    return;
  }
  const { compare, WORKLOADS } = await import('./compare.js');
  if (!process.argv.includes('--legacy') && onlyNames.every((n) => WORKLOADS.some((w) => w.name === n) || !BENCHES.some((b) => b.name === n))) {
    return compare(argv);
  }
  const { settings, rounds, only, strict } = parseArgs(argv);
  const selected = BENCHES.filter((b) => only === null || only.has(b.name));
  const cpus = os.cpus().length;
  process.stderr.write(`berkeley-sockets bench: node ${process.version}, ${cpus} CPUs, ${os.cpus()[0]?.model ?? '?'}; ` +
    `${settings.duration} ms measured after ${settings.warmup} ms warm-up, ${settings.pairs} RR pairs, ` +
    `${settings.acceptConcurrency} connections in flight over ${settings.clientThreads} client thread(s) for accept, ${rounds} round(s); library: ${source}\n`);
  const results: Result[] = [];
  const progress = new Progress(selected.length * rounds * 2);
  for (const b of selected) {
    const ours: Measurement[] = [];
    const node: Measurement[] = [];
    const vs = b.vs ?? 'node';
    try {
      for (let r = 0; r < rounds; r++) {
        // Alternate which side goes first, so neither always runs on a warmer process.
        for (const side of r % 2 === 0 ? (['ours', 'node'] as const) : (['node', 'ours'] as const)) {
          (side === 'ours' ? ours : node).push(await measure(b[side], settings));
          progress.advance(`${b.name} round ${r + 1}: ${side === 'ours' ? 'ours' : vs}`);
        }
        progress.log(`  ${b.name} round ${r + 1}: ours ${fmt(ours.at(-1)!.rate / b.scale)}, ${vs} ${fmt(node.at(-1)!.rate / b.scale)} ${b.unit}`);
      }
    } finally {
      await b.done?.();
    }
    const o = median(ours.map((m) => m.rate)) / b.scale;
    const n = median(node.map((m) => m.rate)) / b.scale;
    const ratio = o / n;
    // CPU per unit, per the unit shown (bulk: per MiB).
    const cpu = (ms: Measurement[]): number | null => (ms.some((m) => m.cpuUs === undefined) ? null : +(median(ms.map((m) => m.cpuUs!)) * b.scale).toFixed(2));
    results.push({
      name: b.name, what: b.what, unit: b.unit, ...(b.vs === undefined ? {} : { vs: b.vs }), ours: +o.toFixed(1), node: +n.toFixed(1), ratio: +ratio.toFixed(3), target: b.target,
      pass: b.target === null ? null : ratio >= b.target,
      cpuUs: { ours: cpu(ours), node: cpu(node) },
    });
  }
  progress.end();
  const allPass = printReport({
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus,
    library: source,
    settings: { ...settings, rounds },
    results,
  });
  process.exitCode = strict && !allPass ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
