// UDP request/response on loopback, in this one process: one server socket echoes every
// 64-byte datagram to its sender; `pairs` client sockets (each connected to the server)
// send one datagram, wait for the echo, and send the next. Unit: datagrams delivered (two
// per round trip: the request to the server and the echo back).
// Ours: recvfrom()/sendto() on the server, send()/recv() on the clients, Promise API.
// Node's: dgram 'message' events, socket.send(msg, port, address) / connected send(msg).
import dgram from 'node:dgram';
import { Window, bounded, deferred, type Measurement, type Settings } from './common.js';
import { promises as p, sockets } from './lib.js';

const { AF_INET, ECANCELED, SOCK_DGRAM, bind, close, connect, getsockname, sockaddr_in, socket } = sockets;

export const MSG = 64;

/**
 * `pollFirst`: each client's read of its echo waits for readiness first (options.pollFirst:
 * the echo cannot be there yet). Not the server's: its one socket serves every client, so
 * the next datagram is often queued already, and trying first takes it without a loop turn.
 */
export async function oursUDP(s: Settings, pollFirst = false): Promise<Measurement> {
  const o = pollFirst ? { pollFirst: true } : undefined;
  const sfd = socket(AF_INET, SOCK_DGRAM, 0);
  let serverOpen = true;
  const clients: number[] = [];
  try {
    bind(sfd, new sockaddr_in('127.0.0.1', 0));
    const addr = new sockaddr_in();
    getsockname(sfd, addr);
    const server = (async () => {
      const buf = Buffer.allocUnsafe(2048);
      const from = new sockaddr_in();
      try {
        for (;;) {
          const n = await p.recvfrom(sfd, buf, buf.length, 0, from);
          await p.sendto(sfd, buf, n, 0, from);
        }
      } catch (e) {
        if ((e as { errno?: number }).errno !== ECANCELED) throw e; // close() ends the loop
      }
    })();
    for (let i = 0; i < s.pairs; i++) {
      const fd = socket(AF_INET, SOCK_DGRAM, 0);
      clients.push(fd);
      connect(fd, addr);
    }
    const w = new Window(s);
    const client = async (fd: number): Promise<void> => {
      const req = Buffer.alloc(MSG, 0x63);
      const resp = Buffer.allocUnsafe(2048);
      do {
        await p.send(fd, req, MSG, 0);
        await p.recv(fd, resp, resp.length, 0, o);
      } while (w.tick(2));
    };
    await bounded(Promise.all(clients.map(client)), s.warmup + s.duration + 10_000, 'ours udp');
    serverOpen = false;
    close(sfd); // rejects the server's pending recvfrom with ECANCELED
    await server;
    return w.measurement();
  } finally {
    for (const fd of clients) close(fd);
    if (serverOpen) close(sfd);
  }
}

export async function nodeUDP(s: Settings): Promise<Measurement> {
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind(0, '127.0.0.1', () => resolve());
  });
  const port = server.address().port;
  const clients: dgram.Socket[] = [];
  try {
    for (let i = 0; i < s.pairs; i++) {
      const c = dgram.createSocket('udp4');
      clients.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once('error', reject);
        c.connect(port, '127.0.0.1', () => resolve());
      });
    }
    const w = new Window(s);
    const req = Buffer.alloc(MSG, 0x63);
    const runs = clients.map((c) => {
      const done = deferred();
      c.on('message', () => {
        if (w.tick(2)) c.send(req);
        else done.resolve();
      });
      c.on('error', done.reject);
      c.send(req);
      return done.promise;
    });
    await bounded(Promise.all(runs), s.warmup + s.duration + 10_000, 'node udp');
    return w.measurement();
  } finally {
    await Promise.all([server, ...clients].map((c) => new Promise<void>((resolve) => c.close(() => resolve()))));
  }
}
