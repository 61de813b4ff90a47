// Bonus rows: the synchronous API doing the same request/response work with no event loop
// at all. One thread drives both ends of one connection in lockstep: the client sends 64
// bytes, the server receives them and echoes them, the client receives the echo. On
// loopback the kernel has delivered the data by the time send() returns, so the blocking
// recv() calls return at once (should the kernel defer delivery, they just wait for it).
// Compared with Node's event-driven RR on one connection (pairs = 1): same sizes, same
// window, but not the same programming model, hence no target.
import { rmSync } from 'node:fs';
import { Window, unixPath, type Measurement, type Settings } from './common.js';
import { sockets } from './lib.js';
import type { Family } from './stream.js';

const {
  AF_INET, AF_UNIX, IPPROTO_TCP, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, SO_REUSEADDR, TCP_NODELAY,
  accept, bind, close, connect, getsockname, listen, recv, recvfrom, send, sendto, setsockopt, sockaddr_in, sockaddr_un, socket, timeval,
} = sockets;

const MSG = 64;
/** A receive that would block for this long fails (EAGAIN) instead of hanging the run. */
const GIVE_UP = new timeval({ tv_sec: 5, tv_usec: 0 });

/** Receives exactly `n` bytes into buf. */
function recvExactly(fd: number, buf: Buffer, n: number): void {
  let got = recv(fd, buf, n, 0);
  while (got < n) {
    const k = recv(fd, buf.subarray(got), n - got, 0);
    if (k === 0) throw new Error('sync rr: peer closed');
    got += k;
  }
}

export function syncRR(family: Family, s: Settings): Measurement {
  const path = family === 'unix' ? unixPath('sync') : undefined;
  const fds: number[] = [];
  try {
    const lfd = socket(family === 'tcp' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
    fds.push(lfd);
    let addr: InstanceType<typeof sockaddr_in> | InstanceType<typeof sockaddr_un>;
    if (path === undefined) {
      setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
      bind(lfd, new sockaddr_in('127.0.0.1', 0));
      addr = new sockaddr_in();
      getsockname(lfd, addr);
    } else {
      rmSync(path, { force: true });
      addr = new sockaddr_un(path);
      bind(lfd, addr);
    }
    listen(lfd, 16);
    const c = socket(family === 'tcp' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
    fds.push(c);
    connect(c, addr);
    const sv = accept(lfd);
    fds.push(sv);
    for (const fd of [c, sv]) {
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, GIVE_UP);
      if (family === 'tcp') setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    }
    const req = Buffer.alloc(MSG, 0x61);
    const sbuf = Buffer.allocUnsafe(MSG);
    const resp = Buffer.allocUnsafe(MSG);
    const w = new Window(s);
    do {
      send(c, req, MSG, 0);
      recvExactly(sv, sbuf, MSG);
      send(sv, sbuf, MSG, 0);
      recvExactly(c, resp, MSG);
    } while (w.tick());
    return w.measurement();
  } finally {
    for (const fd of fds.reverse()) close(fd);
    if (path !== undefined) rmSync(path, { force: true });
  }
}

/** UDP: datagrams delivered (two per round trip), as in udp.ts. */
export function syncUDP(s: Settings): Measurement {
  const fds: number[] = [];
  try {
    const sv = socket(AF_INET, SOCK_DGRAM, 0);
    fds.push(sv);
    bind(sv, new sockaddr_in('127.0.0.1', 0));
    const addr = new sockaddr_in();
    getsockname(sv, addr);
    const c = socket(AF_INET, SOCK_DGRAM, 0);
    fds.push(c);
    connect(c, addr);
    for (const fd of [c, sv]) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, GIVE_UP);
    const req = Buffer.alloc(MSG, 0x63);
    const sbuf = Buffer.allocUnsafe(2048);
    const resp = Buffer.allocUnsafe(2048);
    const from = new sockaddr_in();
    const w = new Window(s);
    do {
      send(c, req, MSG, 0);
      const n = recvfrom(sv, sbuf, sbuf.length, 0, from);
      sendto(sv, sbuf, n, 0, from);
      recv(c, resp, resp.length, 0);
    } while (w.tick(2));
    return w.measurement();
  } finally {
    for (const fd of fds.reverse()) close(fd);
  }
}
