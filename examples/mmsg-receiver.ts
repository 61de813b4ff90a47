// A high-rate UDP receiver: recvmmsg(2) takes up to BATCH datagrams per syscall into one
// preallocated MsgBatch (no allocation per datagram), and the rate is printed each second.
//
//   usage: mmsg-receiver.ts PORT [COUNT]
//
// PORT 0 binds an ephemeral port on 127.0.0.1; "listening on N" goes to stderr once bound.
// With COUNT the receiver exits 0 after that many datagrams (or 2 after 10 s of silence).
import {
  AF_INET, MsgBatch, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF, SO_RCVTIMEO, bind, close, getsockname, recvmmsg, setsockopt,
  sockaddr_in, socket, timeval, MSG_WAITFORONE, SocketError,
} from '../lib/index.js';

const BATCH = 256;
const port = Number(process.argv[2] ?? '0');
const count = process.argv[3] === undefined ? Infinity : Number(process.argv[3]);
const fd = socket(AF_INET, SOCK_DGRAM);
setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval({ tv_sec: 10, tv_usec: 0 }));
bind(fd, new sockaddr_in('127.0.0.1', port));
process.stderr.write(`listening on ${(getsockname(fd) as sockaddr_in).port}\n`);

const batch = new MsgBatch(BATCH, 2048, { withAddresses: true });
let total = 0;
let calls = 0;
let bytes = 0;
let windowStart = process.hrtime.bigint();
let windowCount = 0;
const started = windowStart;
while (total < count) {
  let n: number;
  try {
    n = recvmmsg(fd, batch, MSG_WAITFORONE);
  } catch (e) {
    if (e instanceof SocketError && e.code === 'EAGAIN') {
      process.stderr.write(`no datagram for 10 s after ${total}\n`);
      process.exit(2);
    }
    throw e;
  }
  calls++;
  for (let i = 0; i < n; i++) bytes += batch.length(i);
  total += n;
  windowCount += n;
  const now = process.hrtime.bigint();
  if (now - windowStart >= 1_000_000_000n) {
    const s = Number(now - windowStart) / 1e9;
    process.stdout.write(`${Math.round(windowCount / s)} datagrams/s\n`);
    windowStart = now;
    windowCount = 0;
  }
}
const secs = Math.max(Number(process.hrtime.bigint() - started) / 1e9, 1e-9);
process.stdout.write(`received ${total} datagrams in ${calls} recvmmsg calls (${bytes} bytes), ${Math.round(total / secs)} datagrams/s\n`);
close(fd);
