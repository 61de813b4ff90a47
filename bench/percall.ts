// Fixed-count loops for counting instructions per operation with callgrind, which counts
// user-space instructions only and is not moved by other load on the machine:
//
//   npx tsx bench/percall.ts pair|rr|bulk|udp [N]      # prints wall and CPU ns per operation
//   bash bench/percall.sh pair 40000 240000         # callgrind at two counts; the difference / (N2 - N1)
//
//   pair: sync sendto() + recvfrom() of 64 bytes between two UDP sockets (as udp-pair)
//   rr:   Promise API, one Unix stream socketpair: 64-byte request, echo, reply (one round trip)
//   bulk: Promise API, one Unix stream socketpair: one 64 KiB chunk written and read
//   udp:  Promise API, UDP on 127.0.0.1: a connected client send()s 64 bytes and recv()s the
//         echo; the server recvfrom()s into a sockaddr_in and sendto()s it back (as `udp`)
// Each runs a warm-up of its own (so that the optimising compiler is done) before the N
// measured operations; the startup cost is the same at both counts and cancels out.
import { promises as p, sockets as s } from './lib.js';

const [mode = 'pair', count = '100000'] = process.argv.slice(2);
const N = Number(count);
// BENCH_POLL_FIRST=1: rr and udp wait for readiness before each reply's recv (options.pollFirst).
const PF = process.env.BENCH_POLL_FIRST === '1' ? { pollFirst: true } : undefined;
const CHUNK = 64 * 1024;

async function pairLoop(): Promise<(n: number) => Promise<void>> {
  const a = s.socket(s.AF_INET, s.SOCK_DGRAM, 0);
  const b = s.socket(s.AF_INET, s.SOCK_DGRAM, 0);
  s.bind(a, new s.sockaddr_in('127.0.0.1', 0));
  s.bind(b, new s.sockaddr_in('127.0.0.1', 0));
  const to = new s.sockaddr_in();
  s.getsockname(b, to);
  const msg = Buffer.alloc(64, 0x70);
  const buf = Buffer.allocUnsafe(2048);
  const from = new s.sockaddr_in();
  const { sendto, recvfrom } = s;
  return async (n) => {
    for (let i = 0; i < n; i++) {
      sendto(a, msg, 64, 0, to);
      recvfrom(b, buf, 2048, 0, from);
    }
  };
}

async function rrLoop(): Promise<(n: number) => Promise<void>> {
  const [c, d] = s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0);
  const sb = Buffer.allocUnsafe(1024);
  void (async () => {
    for (;;) {
      const n = await p.recv(d, sb, 1024, 0, PF);
      if (n <= 0) break;
      await p.send(d, sb, n, 0);
    }
  })();
  const req = Buffer.alloc(64, 0x61);
  const resp = Buffer.allocUnsafe(64);
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await p.send(c, req, 64, 0);
      let got = 0;
      while (got < 64) got += await p.recv(c, got === 0 ? resp : resp.subarray(got), 64 - got, 0, PF);
    }
  };
}

async function udpLoop(): Promise<(n: number) => Promise<void>> {
  const srv = s.socket(s.AF_INET, s.SOCK_DGRAM, 0);
  const cli = s.socket(s.AF_INET, s.SOCK_DGRAM, 0);
  s.bind(srv, new s.sockaddr_in('127.0.0.1', 0));
  const to = new s.sockaddr_in();
  s.getsockname(srv, to);
  s.connect(cli, to);
  const sb = Buffer.allocUnsafe(2048);
  const from = new s.sockaddr_in();
  void (async () => {
    for (;;) {
      const n = await p.recvfrom(srv, sb, 2048, 0, from, undefined, PF);
      await p.sendto(srv, sb, n, 0, from);
    }
  })();
  const req = Buffer.alloc(64, 0x63);
  const resp = Buffer.allocUnsafe(2048);
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await p.send(cli, req, 64, 0);
      await p.recv(cli, resp, 2048, 0, PF);
    }
  };
}

async function bulkLoop(): Promise<(n: number) => Promise<void>> {
  const [c, d] = s.socketpair(s.AF_UNIX, s.SOCK_STREAM, 0);
  const chunk = Buffer.alloc(CHUNK, 0x62);
  const buf = Buffer.allocUnsafe(CHUNK);
  return async (n) => {
    let left = n * CHUNK;
    const reader = (async () => {
      while (left > 0) left -= await p.recv(d, buf, CHUNK, 0);
    })();
    for (let i = 0; i < n; i++) {
      let off = await p.send(c, chunk, CHUNK, 0);
      while (off < CHUNK) off += await p.send(c, chunk.subarray(off), CHUNK - off, 0);
    }
    await reader;
  };
}

const loops: Record<string, () => Promise<(n: number) => Promise<void>>> = { pair: pairLoop, rr: rrLoop, bulk: bulkLoop, udp: udpLoop };
const make = loops[mode];
if (make === undefined || !(N >= 0)) {
  process.stderr.write('usage: percall.ts pair|rr|bulk|udp [N]\n');
  process.exit(2);
}
const run = await make();
await run(mode === 'bulk' ? 2000 : 20000);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(N);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (N > 0) {
  const per = (us: number): string => ((us * 1000) / N).toFixed(0);
  process.stdout.write(`${mode}: ${((ms * 1e6) / N).toFixed(0)} ns wall, CPU ${per(cpu.user + cpu.system)} ns ` +
    `(user ${per(cpu.user)}, system ${per(cpu.system)}) per operation\n`);
}
// The fds close with the process (the rr echo loop is still waiting on its socket).
process.exit(0);
