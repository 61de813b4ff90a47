// A TCP echo server on 127.0.0.1 that serves several clients at once the way C servers did
// before threads: one synchronous poll(2) loop over the listener and every client, with
// `struct pollfd` entries. It blocks its thread, as the C does (the Promise API is the way
// to share the event loop with other work: see async-echo-server.ts).
//
//   usage: poll-server.ts PORT [MAXCLIENTS]
//
// PORT 0 binds an ephemeral port and writes "listening on N\n" to stderr after listen().
// Each client gets everything it sends echoed back until it shuts down its side (EOF); the
// server then closes that connection. What happens is printed on stdout. After MAXCLIENTS
// clients (default 1) have come and gone, it exits 0. Bounded: when no fd is ready for
// TIMEOUT_MS, it exits 2.
import { exit } from 'node:process';
import {
  AF_INET, INADDR_LOOPBACK, POLLERR, POLLHUP, POLLIN, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR,
  accept, atoi, bind, close, fprintf, getsockname, htonl, htons, listen, ntohs, perror, poll, pollfd,
  printf, recv, send, setsockopt, sockaddr_in, socket, stderr,
} from '../lib/index.js';

const TIMEOUT_MS = 30_000;
const MAXFDS = 64;

function fail(what: string): never {
  perror(what);
  exit(1);
}

const argv = process.argv.slice(1);
if (argv.length < 2 || argv.length > 3) {
  fprintf(stderr, "usage: %s PORT [MAXCLIENTS]\n", argv[0]);
  exit(1);
}
const port = atoi(argv[1]!);
const maxClients = Math.max(1, argv.length === 3 ? atoi(argv[2]!) : 1);

let lfd: number;
try {
  lfd = socket(AF_INET, SOCK_STREAM, 0);
} catch {
  fail("socket() failed");
}
setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
const local = new sockaddr_in();
local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
local.sin_port = htons(port & 0xffff);
try {
  bind(lfd, local);
  listen(lfd, 16);
} catch {
  fail("bind()/listen() failed");
}
if (port === 0) {
  const bound = new sockaddr_in();
  getsockname(lfd, bound);
  fprintf(stderr, "listening on %d\n", ntohs(bound.sin_port));
}

// struct pollfd fds[MAXFDS]; fds[0] is the listener, fds[1..nfds-1] the clients.
const fds: pollfd[] = Array.from({ length: MAXFDS }, () => new pollfd({ fd: -1, events: 0 }));
const echoed: number[] = new Array<number>(MAXFDS).fill(0);
const ids: number[] = new Array<number>(MAXFDS).fill(0);
fds[0]!.fd = lfd;
fds[0]!.events = POLLIN;
let nfds = 1, accepted = 0, finished = 0;
const buf = Buffer.alloc(4096);
const peer = new sockaddr_in();

function drop(i: number): void {
  printf("client %d: echoed %d bytes, closing\n", ids[i], echoed[i]);
  close(fds[i]!.fd);
  // Move the last entry into the hole, as C code does with its array.
  nfds--;
  fds[i]!.fd = fds[nfds]!.fd;
  echoed[i] = echoed[nfds]!;
  ids[i] = ids[nfds]!;
  fds[nfds]!.fd = -1;
  finished++;
}

while (finished < maxClients) {
  const ready = poll(fds, nfds, TIMEOUT_MS);
  if (ready === 0) {
    fprintf(stderr, "poll() timed out\n");
    exit(2);
  }
  // Clients first, from the end: drop() moves the last entry into the slot it frees.
  for (let i = nfds - 1; i >= 1; i--) {
    const p = fds[i]!;
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) === 0) continue;
    let n: number;
    try {
      n = recv(p.fd, buf, buf.length, 0);
    } catch {
      n = 0; // ECONNRESET and the like end this client
    }
    if (n === 0) {
      drop(i);
      continue;
    }
    try {
      for (let off = 0; off < n;) off += send(p.fd, buf.subarray(off, n), n - off, 0);
      echoed[i]! += n;
    } catch {
      drop(i);
    }
  }
  if ((fds[0]!.revents & POLLIN) !== 0 && accepted < maxClients && nfds < MAXFDS) {
    const cfd = accept(lfd, peer);
    accepted++;
    fds[nfds]!.fd = cfd;
    fds[nfds]!.events = POLLIN;
    echoed[nfds] = 0;
    ids[nfds] = accepted;
    nfds++;
    printf("client %d connected from %s (%d active)\n", accepted, peer.toString(), nfds - 1);
    if (accepted === maxClients) fds[0]!.events = 0; // no more: stop watching the listener
  }
}
close(lfd);
printf("served %d client(s), exiting\n", finished);
exit(0);
