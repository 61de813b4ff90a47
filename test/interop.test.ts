// The Promise API against peers that are not ours: Node's own net and dgram modules in the
// same process and event loop, and Python's socket module in a child process. Loopback
// only; every byte checked; children killed (and their stdio closed) in finally.
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as net from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as P from '../lib/promises.js';
import { closeAll, tempDir } from './helpers.js';

/** Deterministic bytes, different for each seed. */
function pattern(seed: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

const OPT = { timeout: 10_000 };

async function sendAll(fd: number, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await P.send(fd, data.subarray(off), undefined, 0, OPT);
}

async function recvToEnd(fd: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = await P.recv(fd, buf, undefined, 0, OPT);
    if (n === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** Our async echo of one accepted connection, until the peer ends its side. */
async function echoOnce(lfd: number): Promise<number> {
  const fd = await P.accept(lfd, null, undefined, OPT);
  let total = 0;
  try {
    const buf = Buffer.alloc(16384);
    for (;;) {
      const n = await P.recv(fd, buf, undefined, 0, OPT);
      if (n === 0) break;
      await sendAll(fd, buf.subarray(0, n));
      total += n;
    }
  } finally {
    bs.close(fd);
  }
  return total;
}

/** A client from our side: send everything, end, read the echo back. */
async function ourClient(family: number, addr: bs.SocketAddress, data: Buffer): Promise<Buffer> {
  const fd = bs.socket(family, bs.SOCK_STREAM, 0);
  try {
    await P.connect(fd, addr, undefined, OPT);
    const [, got] = await Promise.all([sendAll(fd, data).then(() => bs.shutdown(fd, bs.SHUT_WR)), recvToEnd(fd)]);
    return got;
  } finally {
    bs.close(fd);
  }
}

/** A Node net client: connect, write, end, collect what comes back. */
function nodeClient(target: net.NetConnectOpts, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = net.connect(target, () => s.end(data));
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', reject);
    s.on('close', (hadError) => (hadError ? undefined : resolve(Buffer.concat(parts))));
  });
}

function nodeEchoServer(): net.Server {
  return net.createServer((s) => {
    s.on('error', () => {});
    s.pipe(s);
  });
}

async function closeServer(server: net.Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((r) => server.close(() => r()));
}

describe('Node net', () => {
  it('our async client against a Node net echo server (TCP)', async () => {
    const server = nodeEchoServer();
    try {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as net.AddressInfo;
      const data = pattern(1, 256 * 1024);
      const got = await ourClient(bs.AF_INET, new bs.sockaddr_in('127.0.0.1', port), data);
      expect(got.length).toBe(data.length);
      expect(got.equals(data)).toBe(true);
    } finally {
      await closeServer(server);
    }
  });

  it('a Node net client against our async echo server (TCP)', async () => {
    const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(l, 4);
      const port = (bs.getsockname(l) as bs.sockaddr_in).port;
      const data = pattern(2, 256 * 1024);
      const [echoed, got] = await Promise.all([echoOnce(l), nodeClient({ host: '127.0.0.1', port }, data)]);
      expect(echoed).toBe(data.length);
      expect(got.equals(data)).toBe(true);
    } finally {
      closeAll(l);
    }
  });

  it('a Node net client over a Unix path against our async server, and our client against a Node server on a path', async () => {
    const t = tempDir();
    const l = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    const server = nodeEchoServer();
    try {
      const ours = join(t.dir, 'ours.sock');
      bs.bind(l, new bs.sockaddr_un(ours));
      bs.listen(l, 4);
      const data = pattern(3, 128 * 1024);
      const [echoed, got] = await Promise.all([echoOnce(l), nodeClient({ path: ours }, data)]);
      expect(echoed).toBe(data.length);
      expect(got.equals(data)).toBe(true);

      const theirs = join(t.dir, 'node.sock');
      server.listen(theirs);
      await once(server, 'listening');
      const back = await ourClient(bs.AF_UNIX, new bs.sockaddr_un(theirs), data);
      expect(back.equals(data)).toBe(true);
    } finally {
      closeAll(l);
      await closeServer(server);
      t.cleanup();
    }
  });

  it('an fd Node already watches (a net.Server\'s) rejects EEXIST, and Node\'s server keeps working', async () => {
    const server = net.createServer((s) => s.end('served'));
    try {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
      expect(fd).toBeGreaterThan(2);
      // One fd, one watcher per loop: libuv refuses a second one.
      await expect(P.poll(fd, bs.POLLIN, { timeout: 1000 })).rejects.toMatchObject({ code: 'EEXIST', errno: bs.EEXIST, syscall: 'poll' });
      await expect(P.accept(fd, null, undefined, { timeout: 1000 })).rejects.toMatchObject({ code: 'EEXIST', syscall: 'accept' });
      const { port } = server.address() as net.AddressInfo;
      const got = await nodeClient({ host: '127.0.0.1', port }, Buffer.alloc(0));
      expect(got.toString()).toBe('served');
      bs.detach(fd); // forget it (without closing: Node owns it) — and the mode we changed
    } finally {
      await closeServer(server);
    }
  });

  it('detach(fd) hands a connection with a pending recv over to new net.Socket({ fd })', async () => {
    const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    let fd = -1;
    try {
      bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(l, 1);
      const port = (bs.getsockname(l) as bs.sockaddr_in).port;
      const client = net.connect(port, '127.0.0.1');
      client.on('error', () => {});
      fd = await P.accept(l, null, undefined, OPT);
      const pending = P.recv(fd, Buffer.alloc(16));
      await new Promise((r) => setTimeout(r, 10));
      bs.detach(fd); // frees our poll handle: libuv may now watch the fd itself
      await expect(pending).rejects.toMatchObject({ code: 'ECANCELED', syscall: 'recv' });
      const sock = new net.Socket({ fd });
      const taken = fd;
      fd = -1; // net.Socket owns and closes it now
      const got: Buffer[] = [];
      sock.on('data', (d: Buffer) => got.push(d));
      client.end('through node now');
      await once(sock, 'end');
      sock.end();
      await once(sock, 'close');
      expect(Buffer.concat(got).toString()).toBe('through node now');
      expect(() => bs.fcntl(taken, bs.F_GETFL)).toThrow(expect.objectContaining({ code: 'EBADF' }));
      if (!client.destroyed) await once(client, 'close');
    } finally {
      closeAll(fd, l);
    }
  });
});

describe('Node dgram', () => {
  it('our async UDP socket and a Node dgram socket exchange datagrams both ways', async () => {
    const node = dgram.createSocket('udp4');
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      node.bind(0, '127.0.0.1');
      await once(node, 'listening');
      const nodePort = node.address().port;
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      const ourPort = (bs.getsockname(fd) as bs.sockaddr_in).port;

      // Node → us: our recvfrom waits first, then Node sends; the sender's address is Node's.
      const buf = Buffer.alloc(2048);
      const from = new bs.sockaddr_in();
      for (let i = 0; i < 5; i++) {
        const p = P.recvfrom(fd, buf, undefined, 0, from, undefined, OPT);
        const msg = pattern(10 + i, 100 + i * 200);
        node.send(msg, ourPort, '127.0.0.1');
        const n = await p;
        expect(buf.subarray(0, n).equals(msg)).toBe(true);
        expect(from.address).toBe('127.0.0.1');
        expect(from.port).toBe(nodePort);
      }

      // us → Node: each datagram arrives whole, from our port.
      const received: { msg: Buffer; port: number }[] = [];
      const five = new Promise<void>((resolve) =>
        node.on('message', (msg, rinfo) => {
          received.push({ msg, port: rinfo.port });
          if (received.length === 5) resolve();
        }),
      );
      const sent: Buffer[] = [];
      for (let i = 0; i < 5; i++) {
        const msg = pattern(20 + i, 50 + i * 300);
        sent.push(msg);
        expect(await P.sendto(fd, msg, undefined, 0, new bs.sockaddr_in('127.0.0.1', nodePort), undefined, OPT)).toBe(msg.length);
      }
      await five;
      expect(received.map((r) => r.port)).toEqual([ourPort, ourPort, ourPort, ourPort, ourPort]);
      expect(received.map((r) => r.msg.toString('hex')).sort()).toEqual(sent.map((m) => m.toString('hex')).sort());

      // Node echoes what we send; we read it back with the Promise API (one loop, both sides).
      node.removeAllListeners('message');
      node.on('message', (msg, rinfo) => node.send(msg, rinfo.port, rinfo.address));
      const ping = Buffer.from('ping through node');
      await P.sendto(fd, ping, undefined, 0, new bs.sockaddr_in('127.0.0.1', nodePort));
      const n = await P.recvfrom(fd, buf, undefined, 0, from, undefined, OPT);
      expect(buf.toString('utf8', 0, n)).toBe('ping through node');
    } finally {
      closeAll(fd);
      await new Promise<void>((r) => node.close(() => r()));
    }
  });
});

// ---------------------------------------------------------------------------------------
// Python's socket module, in a child process.

const PY_ECHO_SERVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
s.settimeout(20)
c, _ = s.accept()
c.settimeout(20)
while True:
    d = c.recv(65536)
    if not d:
        break
    c.sendall(d)
c.close()
s.close()
`;

const PY_CLIENT = `
import socket, sys
port, size = int(sys.argv[1]), int(sys.argv[2])
data = bytes(((i * 31 + 5 * 7 + (i >> 8)) & 0xff) for i in range(size))
c = socket.create_connection(('127.0.0.1', port), timeout=20)
c.sendall(data)
c.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    d = c.recv(65536)
    if not d:
        break
    got += d
c.close()
print('OK' if bytes(got) == data else 'MISMATCH %d of %d' % (len(got), size), flush=True)
`;

interface Child {
  proc: ChildProcess;
  /** Resolves with the first line the child prints. */
  line: Promise<string>;
  /** Resolves with all the child printed once it has exited and its stdio is closed. */
  done: Promise<{ code: number | null; out: string; err: string }>;
}

function python(script: string, args: string[] = []): Child {
  const proc = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let gotLine: (l: string) => void;
  let failLine: (e: Error) => void;
  const line = new Promise<string>((res, rej) => ((gotLine = res), (failLine = rej)));
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const i = out.indexOf('\n');
    if (i >= 0) gotLine(out.slice(0, i).trim());
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((res) =>
    proc.on('close', (code) => {
      failLine(new Error(`python exited (${code}) before printing a line: ${err}`));
      res({ code, out, err });
    }),
  );
  proc.on('error', (e) => failLine(e));
  return { proc, line, done };
}

/** Kills the child if it still runs, and waits for its stdio (sockets here) to close. */
async function reap(c: Child): Promise<void> {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await c.done;
}

describe('Python socket module', () => {
  it('our async client against a Python TCP echo server', async () => {
    const py = python(PY_ECHO_SERVER);
    try {
      const port = Number(await py.line);
      expect(port).toBeGreaterThan(0);
      const data = pattern(4, 300 * 1024);
      const got = await ourClient(bs.AF_INET, new bs.sockaddr_in('127.0.0.1', port), data);
      expect(got.length).toBe(data.length);
      expect(got.equals(data)).toBe(true);
      expect((await py.done).code).toBe(0);
    } finally {
      await reap(py);
    }
  });

  it('a Python client against our async echo server', async () => {
    const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    let py: Child | undefined;
    try {
      bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(l, 4);
      const port = (bs.getsockname(l) as bs.sockaddr_in).port;
      const size = 300 * 1024;
      py = python(PY_CLIENT, [String(port), String(size)]);
      const echoed = await echoOnce(l);
      expect(echoed).toBe(size);
      expect(await py.line).toBe('OK');
      expect((await py.done).code).toBe(0);
    } finally {
      closeAll(l);
      if (py) await reap(py);
    }
  });
});
