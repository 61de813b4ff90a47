// Stream benchmarks, TCP and Unix, client and server in this one process:
//   rr:   `pairs` connections, each a 64-byte request echoed back by the server; the client
//         sends the next request once it has the whole reply. Unit: round trips.
//   bulk: one connection; the client writes 64 KiB chunks as fast as the socket takes them,
//         the server reads them. Unit: bytes received by the server.
// Ours uses the Promise API (berkeley-sockets/promises) throughout; Node's is net.Server /
// net.Socket with 'data' events and write(). TCP_NODELAY is set on both for RR.
import net from 'node:net';
import { rmSync } from 'node:fs';
import { promises as p, sockets } from './lib.js';
import { Window, bounded, deferred, unixPath, type Measurement, type Settings } from './common.js';

const {
  AF_INET, AF_UNIX, IPPROTO_TCP, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, TCP_NODELAY,
  bind, close, getsockname, listen, setsockopt, shutdown, SHUT_WR, sockaddr_in, sockaddr_un, socket,
} = sockets;
type sockaddr_in = InstanceType<typeof sockaddr_in>;
type sockaddr_un = InstanceType<typeof sockaddr_un>;

export type Family = 'tcp' | 'unix';
export const MSG = 64;
export const CHUNK = 64 * 1024;

// ---------------------------------------------------------------------------------------
// our side

interface Listener {
  fd: number;
  addr: sockaddr_in | sockaddr_un;
  cleanup(): void;
}

function ourListener(family: Family, tag: string): Listener {
  if (family === 'tcp') {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    bind(fd, new sockaddr_in('127.0.0.1', 0));
    listen(fd, 511);
    const addr = new sockaddr_in();
    getsockname(fd, addr);
    return { fd, addr, cleanup: () => close(fd) };
  }
  const path = unixPath(tag);
  rmSync(path, { force: true });
  const fd = socket(AF_UNIX, SOCK_STREAM, 0);
  bind(fd, new sockaddr_un(path));
  listen(fd, 511);
  return { fd, addr: new sockaddr_un(path), cleanup: () => { close(fd); rmSync(path, { force: true }); } };
}

async function ourConnect(family: Family, addr: sockaddr_in | sockaddr_un, nodelay: boolean): Promise<number> {
  const fd = socket(family === 'tcp' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  if (nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
  await p.connect(fd, addr);
  return fd;
}

// The loops below call send() directly and finish a partial send inline: a helper async
// function would add a promise per message that Node's side does not pay.

/** options.pollFirst for the reads that wait for the peer's next message (see oursRR). */
const POLL_FIRST = { pollFirst: true } as const;

/** Echoes everything until EOF, then closes. */
async function ourEcho(fd: number, o?: typeof POLL_FIRST): Promise<void> {
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    for (;;) {
      const n = await p.recv(fd, buf, CHUNK, 0, o);
      if (n === 0) break;
      let off = await p.send(fd, buf, n, 0);
      while (off < n) off += await p.send(fd, buf.subarray(off, n), n - off, 0);
    }
  } finally {
    close(fd);
  }
}

/**
 * `pollFirst`: the server's read of the next request and the client's read of each reply
 * wait for readiness first (options.pollFirst), since in a ping-pong neither can be there
 * yet; otherwise each read tries recv() first and that attempt says EAGAIN.
 */
export async function oursRR(family: Family, s: Settings, pollFirst = false): Promise<Measurement> {
  const o = pollFirst ? POLL_FIRST : undefined;
  const nodelay = family === 'tcp';
  const l = ourListener(family, 'rr');
  try {
    const served: Promise<void>[] = [];
    const accepting = (async () => {
      for (let i = 0; i < s.pairs; i++) {
        const fd = await p.accept(l.fd);
        if (nodelay) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
        served.push(ourEcho(fd, o));
      }
    })();
    const clients = await Promise.all(Array.from({ length: s.pairs }, () => ourConnect(family, l.addr, nodelay)));
    await accepting;
    const w = new Window(s);
    const client = async (fd: number): Promise<void> => {
      const req = Buffer.alloc(MSG, 0x61);
      const resp = Buffer.allocUnsafe(MSG);
      try {
        do {
          let off = await p.send(fd, req, MSG, 0);
          while (off < MSG) off += await p.send(fd, req.subarray(off), MSG - off, 0);
          let got = 0;
          while (got < MSG) {
            const n = await p.recv(fd, got === 0 ? resp : resp.subarray(got), MSG - got, 0, got === 0 ? o : undefined);
            if (n === 0) throw new Error('rr: server closed early');
            got += n;
          }
        } while (w.tick());
      } finally {
        close(fd);
      }
    };
    await bounded(Promise.all(clients.map(client)), s.warmup + s.duration + 10_000, `ours ${family} rr`);
    await bounded(Promise.all(served), 10_000, `ours ${family} rr servers`);
    return w.measurement();
  } finally {
    l.cleanup();
  }
}

export async function oursBulk(family: Family, s: Settings): Promise<Measurement> {
  const l = ourListener(family, 'bulk');
  try {
    const accepted = p.accept(l.fd);
    const cfd = await ourConnect(family, l.addr, false);
    const sfd = await accepted;
    const w = new Window(s);
    const reader = (async () => {
      const buf = Buffer.allocUnsafe(CHUNK);
      try {
        for (;;) {
          const n = await p.recv(sfd, buf, CHUNK, 0);
          if (n === 0) break;
          w.tick(n);
        }
      } finally {
        close(sfd);
      }
    })();
    const writer = (async () => {
      const chunk = Buffer.alloc(CHUNK, 0x62);
      try {
        while (performance.now() < w.end) {
          let off = await p.send(cfd, chunk, CHUNK, 0);
          while (off < CHUNK) off += await p.send(cfd, chunk.subarray(off), CHUNK - off, 0);
        }
        shutdown(cfd, SHUT_WR);
      } finally {
        close(cfd);
      }
    })();
    await bounded(Promise.all([reader, writer]), s.warmup + s.duration + 10_000, `ours ${family} bulk`);
    return w.measurement();
  } finally {
    l.cleanup();
  }
}

// ---------------------------------------------------------------------------------------
// Node's side

async function nodeListen(family: Family, tag: string, onConn: (c: net.Socket) => void): Promise<{ server: net.Server; connect: () => net.Socket; cleanup: () => Promise<void> }> {
  const server = net.createServer(onConn);
  const path = family === 'unix' ? unixPath(tag) : undefined;
  if (path !== undefined) rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (path !== undefined) server.listen(path, 511, resolve);
    else server.listen(0, '127.0.0.1', 511, resolve);
  });
  const port = path === undefined ? (server.address() as net.AddressInfo).port : 0;
  const connect = (): net.Socket => (path !== undefined ? net.connect(path) : net.connect(port, '127.0.0.1'));
  const cleanup = async (): Promise<void> => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (path !== undefined) rmSync(path, { force: true });
  };
  return { server, connect, cleanup };
}

export async function nodeRR(family: Family, s: Settings): Promise<Measurement> {
  const nodelay = family === 'tcp';
  const closed: Promise<void>[] = [];
  const srv = await nodeListen(family, 'rr', (c) => {
    if (nodelay) c.setNoDelay(true);
    const done = deferred();
    closed.push(done.promise);
    c.on('data', (d) => c.write(d));
    c.on('end', () => c.end());
    c.on('close', () => done.resolve());
    c.on('error', done.reject);
  });
  try {
    const clients = await Promise.all(Array.from({ length: s.pairs }, () => new Promise<net.Socket>((resolve, reject) => {
      const c = srv.connect();
      if (nodelay) c.setNoDelay(true);
      c.once('connect', () => resolve(c));
      c.once('error', reject);
    })));
    const w = new Window(s);
    const req = Buffer.alloc(MSG, 0x61);
    const runs = clients.map((c) => new Promise<void>((resolve, reject) => {
      let got = 0;
      c.on('data', (d: Buffer) => {
        got += d.length;
        while (got >= MSG) {
          got -= MSG;
          if (w.tick()) c.write(req);
          else c.end();
        }
      });
      c.on('close', () => resolve());
      c.on('error', reject);
      c.write(req);
    }));
    await bounded(Promise.all(runs), s.warmup + s.duration + 10_000, `node ${family} rr`);
    await bounded(Promise.all(closed), 10_000, `node ${family} rr servers`);
    return w.measurement();
  } finally {
    await srv.cleanup();
  }
}

export async function nodeBulk(family: Family, s: Settings): Promise<Measurement> {
  let w!: Window;
  const received = deferred();
  const srv = await nodeListen(family, 'bulk', (c) => {
    c.on('data', (d) => w.tick(d.length));
    c.on('end', () => c.end());
    c.on('close', () => received.resolve());
    c.on('error', received.reject);
  });
  try {
    const c = srv.connect();
    await new Promise<void>((resolve, reject) => {
      c.once('connect', resolve);
      c.once('error', reject);
    });
    w = new Window(s);
    const chunk = Buffer.alloc(CHUNK, 0x62);
    const sent = new Promise<void>((resolve, reject) => {
      const pump = (): void => {
        while (performance.now() < w.end) {
          if (!c.write(chunk)) {
            c.once('drain', pump);
            return;
          }
        }
        c.end();
      };
      c.on('close', () => resolve());
      c.on('error', reject);
      pump();
    });
    await bounded(Promise.all([sent, received.promise]), s.warmup + s.duration + 10_000, `node ${family} bulk`);
    return w.measurement();
  } finally {
    await srv.cleanup();
  }
}
