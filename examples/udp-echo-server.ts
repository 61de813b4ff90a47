// A UDP echo server on 127.0.0.1, written with the Socket class and its Promise methods:
// each datagram is sent back to whoever sent it, with recvfrom(2) and sendto(2).
//
//   usage: udp-echo-server.ts PORT [MAXDATAGRAMS]
//
// PORT 0 binds an ephemeral port and writes "listening on N\n" to stderr after bind().
// Each datagram is printed on stdout. With MAXDATAGRAMS the server exits 0 after echoing
// that many; without it, it serves until interrupted. Bounded: with MAXDATAGRAMS, waiting
// IDLE_MS for the next datagram exits 2.
import { exit } from 'node:process';
import {
  AF_INET, SOCK_DGRAM, Socket, atoi, fprintf, sockaddr_in, stderr,
} from '../lib/index.js';

const IDLE_MS = 60_000;
const MAX_DATAGRAM = 65_535;

const argv = process.argv.slice(1);
if (argv.length < 2 || argv.length > 3) {
  fprintf(stderr, "usage: %s PORT [MAXDATAGRAMS]\n", argv[0]);
  exit(1);
}
const port = atoi(argv[1]!);
const max = argv.length === 3 ? Math.max(1, atoi(argv[2]!)) : Infinity;

const sock = new Socket(AF_INET, SOCK_DGRAM);
try {
  sock.bind(new sockaddr_in('127.0.0.1', port & 0xffff));
} catch (e) {
  fprintf(stderr, "%s\n", (e as Error).message);
  exit(1);
}
const bound = sock.localAddress as sockaddr_in;
if (port === 0) fprintf(stderr, "listening on %d\n", bound.port);
console.log(`udp echo server on ${bound}${max === Infinity ? '' : `, for ${max} datagram(s)`}`);

const buf = Buffer.alloc(MAX_DATAGRAM);
const from = new sockaddr_in();
for (let i = 1; i <= max; i++) {
  let n: number;
  try {
    n = await sock.recvfrom(buf, buf.length, 0, from, undefined, max === Infinity ? undefined : { timeout: IDLE_MS });
  } catch (e) {
    fprintf(stderr, "recvfrom: %s\n", (e as Error).message);
    exit(2);
  }
  console.log(`datagram ${i}: ${n} bytes from ${from}`);
  await sock.sendto(buf, n, 0, from);
}
sock.close();
console.log(`echoed ${max} datagram(s), exiting`);
exit(0);
