// A tiny synchronous echo server on 127.0.0.1, written with the library (the demo's peer for
// seed/TCPEchoClient4.ts; same contract as test/peers/c/echo_server.c).
//
//   usage: echo-server.ts PORT [MAXCLIENTS]
//
// PORT 0 binds an ephemeral port and writes "listening on N\n" to stderr after listen().
// Clients are served one after another: everything received is echoed back until EOF, then
// the connection is closed. Exits 0 after MAXCLIENTS clients (default 1). Every blocking call
// gives up after TIMEOUT_SEC (SO_RCVTIMEO / SO_SNDTIMEO), so the server can never hang: a
// timed-out accept() exits 2, a timed-out client is dropped. Setup errors: perror(), exit 1.
import { exit } from 'node:process';
import {
  AF_INET, INADDR_LOOPBACK, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, SO_REUSEADDR, SO_SNDTIMEO,
  accept, atoi, bind, close, fprintf, getsockname, htonl, htons, listen, ntohs, perror, recv,
  send, setsockopt, sockaddr_in, socket, stderr, timeval,
} from '../lib/index.js';

const TIMEOUT_SEC = 30;

function fail(what: string): never {
  perror(what);
  exit(1);
}

function serve(fd: number): void {
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n: number;
    try {
      n = recv(fd, buf, buf.length, 0);
    } catch {
      return; // an error or a timeout ends this client
    }
    if (n === 0) return;
    for (let off = 0; off < n;) {
      try {
        off += send(fd, buf.subarray(off, n), n - off, 0);
      } catch {
        return; // EPIPE, ECONNRESET or timeout: drop this client (Node ignores SIGPIPE)
      }
    }
  }
}

const argv = process.argv.slice(1);
if (argv.length < 2 || argv.length > 3) {
  fprintf(stderr, "usage: %s PORT [MAXCLIENTS]\n", argv[0]);
  exit(1);
}
const port = atoi(argv[1]!);
const maxClients = Math.max(1, argv.length === 3 ? atoi(argv[2]!) : 1);
const timeout = new timeval({ tv_sec: TIMEOUT_SEC, tv_usec: 0 });

let lfd: number;
try {
  lfd = socket(AF_INET, SOCK_STREAM, 0);
} catch {
  fail("socket() failed");
}
setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, timeout); // bounds accept() as well as recv()

const local = new sockaddr_in();
local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
local.sin_port = htons(port & 0xffff);
try {
  bind(lfd, local);
} catch {
  fail("bind() failed");
}
try {
  listen(lfd, 16);
} catch {
  fail("listen() failed");
}
if (port === 0) {
  const bound = new sockaddr_in();
  getsockname(lfd, bound);
  fprintf(stderr, "listening on %d\n", ntohs(bound.sin_port));
}

for (let served = 0; served < maxClients; served++) {
  let cfd: number;
  try {
    cfd = accept(lfd, null);
  } catch {
    perror("accept() failed");
    exit(2);
  }
  setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, timeout);
  setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, timeout);
  serve(cfd);
  close(cfd);
}
close(lfd);
exit(0);
