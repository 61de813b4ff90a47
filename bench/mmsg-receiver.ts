// Our receiver of the udp-mmsg benchmark (a child process of bench/mmsg.ts): the same work as
// bench/c/udp_recvfrom.c, with berkeley-sockets' synchronous recvmmsg() into one MsgBatch
// allocated up front. Nothing is allocated per call: the batch, its buffers and the length
// array are reused, and the loop reads only batch.length(i).
//
//   mmsg-receiver.ts PORT WARMUP_MS DURATION_MS RCVBUF BATCH
//
// Prints {"port":N}, then {"received":N,"calls":K,"seconds":S,"cpuUs":C,"rcvbuf":B}, as the C one
// does (calls: recvmmsg() calls that returned inside the window).
import { performance } from 'node:perf_hooks';
import { sockets } from './lib.js';

const {
  AF_INET, EAGAIN, MSG_WAITFORONE, MsgBatch, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, SO_RCVBUFFORCE, SO_RCVTIMEO,
  bind, close, getsockname, getsockopt, recvmmsg, setsockopt, sockaddr_in, socket, timeval,
} = sockets;

const [port, warmup, duration, rcvbuf, count] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
const SIZE = 64;

const fd = socket(AF_INET, SOCK_DGRAM, 0);
try {
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf);
} catch {
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf);
}
setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval({ tv_sec: 2, tv_usec: 0 }));
bind(fd, new sockaddr_in('127.0.0.1', port));
const addr = new sockaddr_in();
getsockname(fd, addr);
const effective = getsockopt(fd, SOL_SOCKET, SO_RCVBUF);
process.stdout.write(`${JSON.stringify({ port: addr.port })}\n`);

const batch = new MsgBatch(count, SIZE);
const cpuNow = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
let received = 0;
let calls = 0;
let bytes = 0;
let start = 0;
let end = 0;
let cpu0 = -1;
let first = true;
for (;;) {
  let n: number;
  try {
    // Blocks until one datagram is there, then takes what else is queued, up to `count`.
    n = recvmmsg(fd, batch, MSG_WAITFORONE);
  } catch (e) {
    if ((e as { errno?: number }).errno === EAGAIN && !first) break; // the sender stopped
    throw e;
  }
  const t = performance.now();
  if (first) {
    first = false;
    start = t + warmup;
    end = start + duration;
  }
  if (t >= end) break;
  if (t >= start) {
    if (cpu0 < 0) cpu0 = cpuNow();
    received += n;
    calls++;
    for (let i = 0; i < n; i++) bytes += batch.length(i);
  }
}
const cpu1 = cpuNow();
close(fd);
if (received === 0) throw new Error('mmsg-receiver: nothing received in the window');
if (bytes !== received * SIZE) throw new Error(`mmsg-receiver: ${bytes} bytes in ${received} datagrams of ${SIZE}`);
process.stdout.write(`${JSON.stringify({ received, calls, seconds: duration / 1000, cpuUs: (cpu1 - cpu0) / received, rcvbuf: effective })}\n`);
