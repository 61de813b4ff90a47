// Load and soak (issue 7): bounded stress runs of the library on loopback and Unix sockets,
// outside the unit tests.
//
//   npx tsx bench/stress.ts [--only=connections,storm,reset,halfclose,soak] [--soak-minutes=N] [--quick]
//
//   connections  10,000 TCP connections open at once through one async echo server (Socket
//                class + Promise API), every byte of every echo checked
//   storm        50,000 connect / 16 bytes each way / close, 256 at a time
//   reset        2,000 clients that reset (SO_LINGER {1,0}) mid-transfer: each must reach the
//                server as exactly one SocketError ECONNRESET or EPIPE, and the server then
//                still serves
//   halfclose    client SHUT_WR: the server sees EOF and still sends; server SHUT_WR: the
//                client sees EOF and still sends (2,000 each)
//   soak         N minutes (default 10) of every call, sync and Promise, TCP/UDP/Unix stream,
//                datagram and seqpacket, SCM_RIGHTS, mmsg, getaddrinfo, poll, options, error
//                paths; fds, RSS, heap and external memory sampled each minute
//
// The server, the client and the soak each run in their own child process (bench/stress/*.ts),
// started through prlimit when their soft RLIMIT_NOFILE is below their fd budget (up to the
// hard limit): 10,000 connections are 10,000 fds on each side. Each scenario prints a verdict line
// `stress NAME: PASS|FAIL figures`; the exit code is 1 when any failed. --quick runs
// everything scaled down (1,000 / 5,000 / 200 / 200, a 20 s soak sampled every 5 s).
import { parseBenchArgs } from './common.js';
import { Child, MiB, type Mem, type Msg } from './stress/common.js';
import type { Stats } from './stress/server.js';
import type { Sample } from './stress/soak.js';

const SCENARIOS = ['connections', 'storm', 'reset', 'halfclose', 'soak'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Sizes {
  connections: number;
  storm: number;
  stormConcurrency: number;
  resets: number;
  resetAfter: number;
  halfclose: number;
  concurrency: number;
  soakMs: number;
  sampleMs: number;
}
const FULL: Sizes = {
  connections: 10_000, storm: 50_000, stormConcurrency: 256, resets: 2_000, resetAfter: 64 * 1024, halfclose: 2_000, concurrency: 200,
  soakMs: 10 * 60_000, sampleMs: 60_000,
};
const QUICK: Sizes = { ...FULL, connections: 1_000, storm: 5_000, resets: 200, halfclose: 200, soakMs: 20_000, sampleMs: 5_000 };

type ServerSnap = { fds: number; mem: Mem; stats: Record<string, Stats & { live: number }> };
type ClientReport = { ok: number; bad: number; bytes: number; failures: string[]; ms: number; fdsBefore: number; fdsAfter: number; heldOpen?: number };

/** Per-field difference of one listener's stats between two snapshots. */
function delta(a: ServerSnap, b: ServerSnap, proto: string): Stats {
  const x = a.stats[proto]!;
  const y = b.stats[proto]!;
  const errors: Record<string, number> = {};
  for (const [k, v] of Object.entries(y.errors)) if (v - (x.errors[k] ?? 0) > 0) errors[k] = v - (x.errors[k] ?? 0);
  return {
    accepted: y.accepted - x.accepted, closed: y.closed - x.closed, bytesIn: y.bytesIn - x.bytesIn, bytesOut: y.bytesOut - x.bytesOut,
    eof: y.eof - x.eof, errors, verified: y.verified - x.verified, bad: y.bad - x.bad,
    epipeAfterShutdown: y.epipeAfterShutdown - x.epipeAfterShutdown, unexpected: y.unexpected.filter((u) => !x.unexpected.includes(u)),
  };
}

/** Collects the failed checks of one scenario. */
class Verdict {
  readonly why: string[] = [];
  expect(ok: boolean, what: string): void {
    if (!ok) this.why.push(what);
  }
  client(r: ClientReport, n: number, what: string): void {
    this.expect(r.ok === n && r.bad === 0, `${what}: ${r.ok} of ${n} ok, ${r.bad} failed ${r.failures.join('; ')}`);
    // A leak is growth; an fd of the runtime's own (tsx's esbuild pipes) may close meanwhile.
    if (Number.isFinite(r.fdsBefore)) this.expect(r.fdsAfter <= r.fdsBefore, `${what}: client fds ${r.fdsBefore} -> ${r.fdsAfter}`);
  }
  server(d: Stats, want: Partial<Record<'accepted' | 'closed' | 'eof' | 'verified' | 'epipeAfterShutdown', number>>, what: string, errors = 0): void {
    for (const [k, v] of Object.entries(want)) this.expect(d[k as keyof typeof want] === v, `${what}: server ${k} ${d[k as keyof typeof want]}, want ${v}`);
    const errs = Object.values(d.errors).reduce((s, v) => s + v, 0);
    this.expect(errs === errors, `${what}: server errors ${JSON.stringify(d.errors)}, want ${errors}`);
    this.expect(d.unexpected.length === 0 && d.bad === 0, `${what}: server ${d.bad} bad, ${d.unexpected.join('; ')}`);
  }
  fds(before: ServerSnap, after: ServerSnap): void {
    this.expect(after.fds <= before.fds, `server fds ${before.fds} -> ${after.fds}`);
  }
}

let failures = 0;
function report(name: string, v: Verdict, figures: string): void {
  const pass = v.why.length === 0;
  if (!pass) failures++;
  process.stdout.write(`stress ${name}: ${pass ? 'PASS' : 'FAIL'} ${figures}\n`);
  for (const w of v.why) process.stdout.write(`  FAIL: ${w}\n`);
}

/** Runs one scenario when selected; an exception (a timeout, a child that died) is its FAIL verdict. */
async function scenario(run: Set<Scenario>, name: Scenario, body: () => Promise<void>): Promise<void> {
  if (!run.has(name)) return;
  try {
    await body();
  } catch (e) {
    const v = new Verdict();
    v.expect(false, e instanceof Error ? e.message : String(e));
    report(name, v, 'did not complete');
  }
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const num = (n: number): string => n.toLocaleString('en-US');

/** The socket scenarios, against one server child and one client child. */
async function socketScenarios(run: Set<Scenario>, z: Sizes): Promise<void> {
  const server = new Child('server', z.connections + 1_000);
  const client = new Child('client', z.connections + 1_000);
  try {
    const { ports } = (await server.ready) as { ports: Record<string, number> };
    await client.ready;
    const snap = async (): Promise<ServerSnap> => (await server.request('snapshot')) as unknown as ServerSnap;
    const call = async (cmd: string, proto: string, args: Msg): Promise<ClientReport> =>
      (await client.request(cmd, { port: ports[proto], ...args })) as unknown as ClientReport;
    /** Waits until `proto` has accepted `n` more than in `base` and has `live` open. */
    const until = async (base: ServerSnap, proto: string, n: number, live = 0): Promise<ServerSnap> =>
      (await server.request('until', { proto, accepted: base.stats[proto]!.accepted + n, live, ms: 60_000 })) as unknown as ServerSnap;

    await scenario(run, 'connections', async () => {
      const n = z.connections;
      const v = new Verdict();
      const s0 = await snap();
      const opened = await call('open', 'echo', { n });
      v.client({ ...opened, fdsBefore: NaN }, n, 'connect'); // holds them: counted below
      const peak = await until(s0, 'echo', n, n); // all n open at once on the server
      const echoed = await call('echo', 'echo', {});
      v.client(echoed, n, 'echo');
      const s1 = await until(s0, 'echo', n, 0);
      const d = delta(s0, s1, 'echo');
      v.server(d, { accepted: n, closed: n, eof: n }, 'echo');
      v.expect(d.bytesIn === echoed.bytes && d.bytesOut === echoed.bytes, `bytes: client ${echoed.bytes}, server in ${d.bytesIn} out ${d.bytesOut}`);
      v.expect(opened.heldOpen === n, `client holds ${opened.heldOpen} open stream sockets, want ${n} (fd count ${opened.fdsBefore} -> ${opened.fdsAfter})`);
      v.fds(s0, s1);
      report('connections', v, `${num(n)} concurrent TCP connections, ${MiB(echoed.bytes)} MiB echoed and checked; connect ${secs(opened.ms)}, ` +
        `echo+close ${secs(echoed.ms)}; server fds ${s0.fds} -> ${peak.fds} -> ${s1.fds}, RSS ${MiB(s0.mem.rss)} -> ${MiB(peak.mem.rss)} MiB; ` +
        `client fds ${opened.fdsBefore} -> ${opened.fdsAfter} -> ${echoed.fdsAfter}`);
    });
    await scenario(run, 'storm', async () => {
      const n = z.storm;
      const v = new Verdict();
      const s0 = await snap();
      const r = await call('storm', 'once', { total: n, concurrency: z.stormConcurrency });
      v.client(r, n, 'storm');
      const s1 = await until(s0, 'once', n, 0);
      v.server(delta(s0, s1, 'once'), { accepted: n, closed: n }, 'storm');
      v.fds(s0, s1);
      report('storm', v, `${num(n)} connect/close rounds, ${z.stormConcurrency} at a time, in ${secs(r.ms)} (${num(Math.round(n / (r.ms / 1000)))} conn/s); ` +
        `server fds ${s0.fds} -> ${s1.fds}, client fds ${r.fdsBefore} -> ${r.fdsAfter}`);
    });
    await scenario(run, 'reset', async () => {
      const n = z.resets;
      const v = new Verdict();
      const s0 = await snap();
      const r = await call('reset', 'echo', { n, concurrency: z.concurrency, after: z.resetAfter });
      v.client(r, n, 'reset');
      const s1 = await until(s0, 'echo', n, 0);
      const d = delta(s0, s1, 'echo');
      const resets = (d.errors.ECONNRESET ?? 0) + (d.errors.EPIPE ?? 0);
      v.server(d, { accepted: n, closed: n, eof: 0 }, 'reset', n);
      v.expect(resets === n, `server saw ${resets} ECONNRESET/EPIPE for ${n} resets: ${JSON.stringify(d.errors)}`);
      // The same listener afterwards: 100 clean echo connections.
      const again = await call('open', 'echo', { n: 100 });
      const echoed = await call('echo', 'echo', {});
      v.client({ ...again, fdsBefore: NaN }, 100, 'after the resets: connect');
      v.client(echoed, 100, 'after the resets: echo');
      const s2 = await until(s1, 'echo', 100, 0);
      v.server(delta(s1, s2, 'echo'), { accepted: 100, eof: 100 }, 'after the resets');
      v.fds(s0, s2);
      report('reset', v, `${num(n)} peers reset mid-transfer (after >= ${z.resetAfter / 1024} KiB echoed and checked) in ${secs(r.ms)}: server saw ` +
        `ECONNRESET ${d.errors.ECONNRESET ?? 0}, EPIPE ${d.errors.EPIPE ?? 0}, other ${Object.keys(d.errors).filter((k) => k !== 'ECONNRESET' && k !== 'EPIPE').length}; ` +
        `then 100/100 clean echoes; server fds ${s0.fds} -> ${s2.fds}, client fds ${r.fdsBefore} -> ${r.fdsAfter}`);
    });
    await scenario(run, 'halfclose', async () => {
      const n = z.halfclose;
      const v = new Verdict();
      const s0 = await snap();
      const a = await call('halfClient', 'drain', { n, concurrency: z.concurrency });
      v.client(a, n, 'client SHUT_WR');
      const s1 = await until(s0, 'drain', n, 0);
      v.server(delta(s0, s1, 'drain'), { accepted: n, closed: n, eof: n }, 'client SHUT_WR');
      const b = await call('halfServer', 'greet', { n, concurrency: z.concurrency });
      v.client(b, n, 'server SHUT_WR');
      const s2 = await until(s1, 'greet', n, 0);
      const d = delta(s1, s2, 'greet');
      v.server(d, { accepted: n, closed: n, eof: n, verified: n, epipeAfterShutdown: n }, 'server SHUT_WR');
      v.fds(s0, s2);
      report('halfclose', v, `client SHUT_WR: ${num(a.ok)}/${num(n)} (server EOF then echo, client EPIPE after its SHUT_WR) in ${secs(a.ms)}; ` +
        `server SHUT_WR: ${num(b.ok)}/${num(n)} (client EOF then payload, ${num(d.verified)} verified, server EPIPE after its SHUT_WR ${num(d.epipeAfterShutdown)}) ` +
        `in ${secs(b.ms)}; server fds ${s0.fds} -> ${s2.fds}, client fds ${a.fdsBefore} -> ${b.fdsAfter}`);
    });
  } finally {
    await Promise.all([client.end(), server.end()]);
  }
}

async function soak(z: Sizes): Promise<void> {
  const { marks, soakVerdict } = await import('./stress/soak.js');
  const child = new Child('soak', 1_000);
  try {
    await child.ready;
    const r = (await child.request('run', { ms: z.soakMs, sampleMs: z.sampleMs }, z.soakMs + 10 * 60_000)) as unknown as {
      samples: Sample[]; runs: Record<string, number>; total: number; failed: number; failures: string[]; seconds: number;
    };
    const rows = [['t (s)', 'fds', 'RSS MiB', 'heap MiB', 'external MiB', 'tasks']];
    for (const s of r.samples) rows.push([String(s.at), String(s.fds), MiB(s.rss), MiB(s.heapUsed), MiB(s.external), num(s.tasks)]);
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    process.stdout.write(`${rows.map((row) => row.map((c, i) => c.padStart(w[i]!)).join('  ')).join('\n')}\n`);
    process.stdout.write(`soak tasks: ${Object.entries(r.runs).map(([k, n]) => `${k} ${num(n)}`).join(', ')}\n`);
    const v = new Verdict();
    const { why } = soakVerdict(r.samples);
    for (const x of why) v.expect(false, x);
    v.expect(r.failed === 0, `${r.failed} tasks failed: ${r.failures.join('; ')}`);
    v.expect(Object.values(r.runs).every((n) => n > 0), 'a task never completed');
    const { first, half, last } = marks(r.samples);
    const fds = r.samples[0]!.fds;
    report('soak', v, `${(r.seconds / 60).toFixed(1)} min, ${num(r.total)} tasks, ${r.failed} failed; fds ${fds} at every sample: ` +
      `${r.samples.every((s) => s.fds === fds) ? 'yes' : 'no'}; heap ${MiB(first.heapUsed)} -> ${MiB(last.heapUsed)} MiB and external ` +
      `${MiB(first.external)} -> ${MiB(last.external)} MiB from ${first.at} s to ${last.at} s; RSS ${MiB(first.rss)} -> ${MiB(half.rss)} -> ` +
      `${MiB(last.rss)} MiB at ${first.at} / ${half.at} / ${last.at} s`);
  } finally {
    await child.end();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const role = argv.find((a) => a.startsWith('--role='))?.slice(7);
  if (role === 'server') return (await import('./stress/server.js')).serverMain();
  if (role === 'client') return (await import('./stress/client.js')).clientMain();
  if (role === 'soak') return (await import('./stress/soak.js')).soakMain();
  let quick = false;
  let minutes: number | undefined;
  const rest = argv.filter((a) => {
    const m = /^--soak-minutes=(.*)$/.exec(a);
    if (!m) return true;
    minutes = Number(m[1]);
    if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error(`--soak-minutes wants a number of minutes in (0, 1440], got ${m[1]}`);
    return false;
  });
  const args = parseBenchArgs(rest, { settings: { duration: 1, warmup: 0, pairs: 1, acceptConcurrency: 1, clientThreads: 1 }, rounds: 1 },
    SCENARIOS, () => { quick = true; });
  const z: Sizes = { ...(quick ? QUICK : FULL) };
  if (minutes !== undefined) z.soakMs = minutes * 60_000;
  const run = new Set<Scenario>(args.only ? [...args.only] as Scenario[] : SCENARIOS);
  const t0 = performance.now();
  if (SCENARIOS.some((s) => s !== 'soak' && run.has(s))) await socketScenarios(run, z);
  await scenario(run, 'soak', () => soak(z));
  process.stdout.write(`stress: ${failures === 0 ? 'PASS' : `FAIL (${failures} scenario${failures > 1 ? 's' : ''})`} in ${secs(performance.now() - t0)}\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`stress failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
  if (process.argv.some((a) => a.startsWith('--role='))) process.exit(1);
});
