// class Socket (lib/socket.ts): the sync (xSync) and Promise (x) methods over TCP, UDP and
// Unix stream/dgram/seqpacket; close, dispose and EBADF after close; async iteration; fd
// ownership shared with the functional close(); the GC finalizer (in child processes with
// --expose-gc); handing an fd to net.Socket; and the examples built on it, as children.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { Socket } from '../lib/index.js';
import { closeAll, expectSocketError, tempDir } from './helpers.js';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const LIB_URL = new URL('../lib/index.ts', import.meta.url).href;
const file = (rel: string): string => fileURLToPath(new URL(`../${rel}`, import.meta.url));

/** Every Promise-API wait in these tests gives up after this (a bug fails, never hangs). */
const T = { timeout: 5000 };
const LOOPBACK = (): bs.sockaddr_in => new bs.sockaddr_in('127.0.0.1', 0);

// ---------------------------------------------------------------------------------------
// bookkeeping: every Socket and fd a test opens is closed after it

const opened: Socket[] = [];
const fds: number[] = [];
const dirs: (() => void)[] = [];
/** Registers Sockets for closing after the test. */
function own<T extends Socket | Socket[]>(s: T): T {
  if (Array.isArray(s)) opened.push(...s);
  else opened.push(s);
  return s;
}
function dir(): string {
  const t = tempDir();
  dirs.push(t.cleanup);
  return t.dir;
}
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  closeAll(...fds.splice(0));
  for (const c of dirs.splice(0)) c();
});

/** A listening TCP Socket on 127.0.0.1. */
const tcpListener = (): Socket => own(new Socket(bs.AF_INET, bs.SOCK_STREAM).bind(LOOPBACK()).listen(16));

/** A connected TCP pair: [client, accepted], with the Promise API. */
async function tcpPair(): Promise<[Socket, Socket]> {
  const l = tcpListener();
  const c = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
  const [a] = await Promise.all([l.accept(null, undefined, T), c.connect(l.localAddress, undefined, T)]);
  own(a);
  l.close();
  return [c, a];
}

/** Asserts a rejection's identity (SocketError code and syscall). */
async function rejectsWith(p: Promise<unknown>, code: string, syscall: string): Promise<bs.SocketError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof bs.SocketError)) throw new Error(`expected ${syscall} ${code}, got ${String(e)}`);
  expect({ code: e.code, syscall: e.syscall, errno: e.errno }).toEqual({ code, syscall, errno: (bs as unknown as Record<string, number>)[code] });
  return e;
}

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** /proc/self/fd/N's target ('socket:[inode]'), or null when N is not open. */
function link(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------

describe('construction and adoption', () => {
  it('new Socket() calls socket(2) and records family, type and protocol', () => {
    const s = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    expect(Number.isInteger(s.fd) && s.fd >= 0).toBe(true);
    expect(link(s.fd)).toMatch(/^socket:/);
    expect([s.family, s.type, s.protocol, s.closed]).toEqual([bs.AF_INET, bs.SOCK_STREAM, bs.IPPROTO_TCP, false]);
    expect(bs.getCloseOnExec(s.fd)).toBe(true);
    expect(s.getOption(bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_STREAM);
    const u = own(new Socket(bs.AF_INET, bs.SOCK_DGRAM, 0));
    expect([u.type, u.protocol]).toEqual([bs.SOCK_DGRAM, bs.IPPROTO_UDP]);
  });

  it('type flags SOCK_NONBLOCK | SOCK_CLOEXEC act but are not part of .type', () => {
    const s = own(new Socket(bs.AF_UNIX, bs.SOCK_DGRAM | bs.SOCK_NONBLOCK | bs.SOCK_CLOEXEC));
    expect(s.type).toBe(bs.SOCK_DGRAM);
    expect(s.nonBlocking).toBe(true);
    expectSocketError(() => s.recvSync(Buffer.alloc(4)), 'EAGAIN', 'recv');
    s.nonBlocking = false;
    expect(s.nonBlocking).toBe(false);
  });

  it('socket() failures and bad arguments are thrown as by socket()', () => {
    expectSocketError(() => new Socket(bs.AF_INET, bs.SOCK_STREAM, bs.IPPROTO_UDP), 'EPROTONOSUPPORT', 'socket');
    expect(() => new Socket('2' as unknown as number, bs.SOCK_STREAM)).toThrow(TypeError);
  });

  it('Socket.from(fd) adopts an open socket, reading SO_DOMAIN / SO_TYPE / SO_PROTOCOL', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    const s = own(Socket.from(fd));
    expect([s.fd, s.family, s.type, s.protocol]).toEqual([fd, bs.AF_INET, bs.SOCK_DGRAM, bs.IPPROTO_UDP]);
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_SEQPACKET);
    fds.push(b);
    const u = own(Socket.from(a));
    expect([u.family, u.type, u.protocol]).toEqual([bs.AF_UNIX, bs.SOCK_SEQPACKET, 0]);
    // the Socket owns it: closing the Socket closes the fd
    const before = link(fd);
    s.close();
    expect(link(fd)).not.toBe(before);
    expectSocketError(() => bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_TYPE), 'EBADF', 'getsockopt');
  });

  it('Socket.from on a regular file is ENOTSOCK, on a closed fd EBADF, on a bad argument TypeError/RangeError', () => {
    const path = join(dir(), 'plain.txt');
    writeFileSync(path, 'not a socket');
    const fd = openSync(path, 'r');
    try {
      expectSocketError(() => Socket.from(fd), 'ENOTSOCK', 'getsockopt');
      expect(link(fd)).toBe(path); // left alone
    } finally {
      closeSync(fd);
    }
    const s = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    bs.close(s);
    expectSocketError(() => Socket.from(s), 'EBADF', 'getsockopt');
    expect(() => Socket.from('3' as unknown as number)).toThrow(TypeError);
    expect(() => Socket.from(-1)).toThrow(RangeError);
  });

  it('Socket.from on an fd another Socket owns moves ownership: the first reads as closed, the fd stays open', () => {
    const first = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    const fd = first.fd;
    const second = own(Socket.from(fd));
    expect(first.closed).toBe(true);
    expect(first.fd).toBe(-1);
    expectSocketError(() => first.bind(LOOPBACK()), 'EBADF', 'bind');
    first.close(); // a no-op: it does not own the fd any more
    expect(second.closed).toBe(false);
    expect(second.getOption(bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_STREAM);
  });

  it('Socket.pair() wraps socketpair(2)', () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM));
    expect([a.family, a.type, b.family, b.type]).toEqual([bs.AF_UNIX, bs.SOCK_STREAM, bs.AF_UNIX, bs.SOCK_STREAM]);
    expect(a.writeSync('ping')).toBe(4);
    const buf = Buffer.alloc(8);
    expect(b.readSync(buf)).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('ping');
  });
});

describe('TCP', () => {
  it('sync: bind/listen chain, connectSync, acceptSync with the peer address, send/recv, write/read, shutdown', () => {
    const l = tcpListener();
    const addr = l.localAddress as bs.sockaddr_in;
    expect(addr).toBeInstanceOf(bs.sockaddr_in);
    expect(addr.address).toBe('127.0.0.1');
    expect(addr.port).toBeGreaterThan(0);
    const c = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    expect(c.connectSync(addr)).toBe(c);
    const peer = new bs.sockaddr_in();
    const a = own(l.acceptSync(peer));
    expect(a).toBeInstanceOf(Socket);
    expect([a.family, a.type, a.protocol]).toEqual([bs.AF_INET, bs.SOCK_STREAM, bs.IPPROTO_TCP]);
    expect(peer.toString()).toBe(c.localAddress.toString());
    expect(a.remoteAddress.toString()).toBe(c.localAddress.toString());
    expect(c.remoteAddress.toString()).toBe(addr.toString());

    expect(c.sendSync('hello')).toBe(5);
    const buf = Buffer.alloc(16);
    expect(a.recvSync(buf, 5, bs.MSG_WAITALL)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    expect(a.writeSync(Buffer.from('world'))).toBe(5);
    expect(c.readSync(buf, 5)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('world');
    expect(c.shutdown(bs.SHUT_WR)).toBe(c);
    expect(a.recvSync(buf)).toBe(0);
  });

  it('sync failures are SocketErrors of the method\'s syscall', () => {
    const s = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    expectSocketError(() => s.remoteAddress, 'ENOTCONN', 'getpeername');
    expectSocketError(() => s.sendSync('x'), 'EPIPE', 'send');
    const l = tcpListener();
    const port = (l.localAddress as bs.sockaddr_in).port;
    l.close(); // nobody listens there now
    const e = expectSocketError(() => s.connectSync(new bs.sockaddr_in('127.0.0.1', port)), 'ECONNREFUSED', 'connect');
    expect([e.address, e.port]).toEqual(['127.0.0.1', port]);
  });

  it('async: accept/connect resolve with Sockets, send/recv/write/read and poll', async () => {
    const l = tcpListener();
    const c = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    const accepting = l.accept(null, undefined, T);
    const connected = await c.connect(l.localAddress, undefined, T);
    expect(connected).toBe(c);
    const a = own(await accepting);
    expect(a.remoteAddress.toString()).toBe(c.localAddress.toString());

    const buf = Buffer.alloc(64);
    const reading = a.recv(buf, undefined, 0, T); // pending before anything is sent
    await new Promise((r) => setImmediate(r));
    expect(await c.send('over the loop')).toBe(13);
    expect(await reading).toBe(13);
    expect(buf.subarray(0, 13).toString()).toBe('over the loop');

    expect(await a.write('back')).toBe(4);
    expect(await c.poll(bs.POLLIN, T)).toBe(bs.POLLIN);
    expect(await c.read(buf, 4, T)).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('back');
    expect((await c.poll(bs.POLLOUT, T)) & bs.POLLOUT).toBe(bs.POLLOUT);
  });

  it('async options: timeout rejects ETIMEDOUT, an abort rejects AbortError, the socket stays usable', async () => {
    const [c, a] = await tcpPair();
    const buf = Buffer.alloc(8);
    await rejectsWith(a.recv(buf, undefined, 0, { timeout: 20 }), 'ETIMEDOUT', 'recv');
    const ac = new AbortController();
    const p = a.recv(buf, undefined, 0, { signal: ac.signal });
    ac.abort('stop');
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(bs.AbortError);
    expect((err as Error).cause).toBe('stop');
    c.sendSync('ok');
    expect(await a.recv(buf, undefined, 0, T)).toBe(2);
    await expect(a.recv(buf, undefined, 0, { timeout: -1 })).rejects.toThrow(RangeError);
  });

  it('sync and async calls mix on one socket: the Promise API leaves the caller\'s blocking mode as it was', async () => {
    const l = tcpListener();
    const c1 = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    const [a1] = await Promise.all([l.accept(null, undefined, T), c1.connect(l.localAddress, undefined, T)]);
    own(a1);
    expect(bs.fcntl(l.fd, bs.F_GETFL) & bs.O_NONBLOCK).toBe(bs.O_NONBLOCK); // underneath
    expect(l.nonBlocking).toBe(false); // what the caller set
    const c2 = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    const connecting = c2.connect(l.localAddress, undefined, T); // connect(2) is issued at once
    const a2 = own(l.acceptSync());
    await connecting;
    expect(a2.remoteAddress.toString()).toBe(c2.localAddress.toString());
    a2.sendSync('sync');
    const buf = Buffer.alloc(8);
    expect(await c2.recv(buf, undefined, 0, T)).toBe(4);
    l.nonBlocking = true;
    expect(l.nonBlocking).toBe(true);
    expectSocketError(() => l.acceptSync(), 'EAGAIN', 'accept');
  });

  it('setOption / getOption: ints, booleans and structs', () => {
    const s = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    expect(s.setOption(bs.SOL_SOCKET, bs.SO_REUSEADDR, true)).toBe(s);
    expect(s.getOption(bs.SOL_SOCKET, bs.SO_REUSEADDR)).toBe(1);
    s.setOption(bs.IPPROTO_TCP, bs.TCP_NODELAY, 1);
    expect(s.getOption(bs.IPPROTO_TCP, bs.TCP_NODELAY)).toBe(1);
    s.setOption(bs.SOL_SOCKET, bs.SO_LINGER, new bs.linger({ l_onoff: 1, l_linger: 3 }));
    const lg = new bs.linger();
    expect(s.getOption(bs.SOL_SOCKET, bs.SO_LINGER, lg)).toBe(bs.sizeof(lg));
    expect([lg.l_onoff, lg.l_linger]).toEqual([1, 3]);
    expectSocketError(() => s.getOption(bs.SOL_SOCKET, 0x7fff), 'ENOPROTOOPT', 'getsockopt');
  });
});

describe('UDP', () => {
  it('sync sendtoSync / recvfromSync with the sender address; async sendto / recvfrom', async () => {
    const a = own(new Socket(bs.AF_INET, bs.SOCK_DGRAM).bind(LOOPBACK()));
    const b = own(new Socket(bs.AF_INET, bs.SOCK_DGRAM).bind(LOOPBACK()));
    expect(a.sendtoSync('one', undefined, 0, b.localAddress)).toBe(3);
    const buf = Buffer.alloc(32);
    const from = new bs.sockaddr_in();
    expect(b.recvfromSync(buf, buf.length, 0, from)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('one');
    expect(from.toString()).toBe(a.localAddress.toString());

    const pending = a.recvfrom(buf, buf.length, 0, from, undefined, T);
    expect(await b.sendto('two!', undefined, 0, a.localAddress, undefined, T)).toBe(4);
    expect(await pending).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('two!');
    expect(from.toString()).toBe(b.localAddress.toString());

    // connected: send / recv
    a.connectSync(b.localAddress);
    expect(await a.send(Buffer.from('three'))).toBe(5);
    expect(await b.recv(buf, undefined, 0, T)).toBe(5);
  });

  it('iteration yields one Buffer per datagram, empty ones included, and ends when the socket is closed', async () => {
    const a = own(new Socket(bs.AF_INET, bs.SOCK_DGRAM).bind(LOOPBACK()));
    const b = own(new Socket(bs.AF_INET, bs.SOCK_DGRAM).bind(LOOPBACK()));
    for (const m of ['alpha', '', 'gamma']) b.sendtoSync(m, undefined, 0, a.localAddress);
    const got: string[] = [];
    for await (const msg of a) {
      got.push(msg.toString());
      if (got.length === 3) setTimeout(() => a.close(), 10); // closing ends the loop quietly
    }
    expect(got).toEqual(['alpha', '', 'gamma']);
    expect(a.closed).toBe(true);
  });

  it('a datagram longer than chunks({ size }) is truncated to size', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_DGRAM));
    b.sendSync('0123456789');
    const it = a.chunks({ size: 4, ...T })[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value?.toString()).toBe('0123');
    await it.return?.();
  });
});

describe('Unix domain', () => {
  it('stream over a pathname: async accept/connect, iteration ends at EOF', async () => {
    const path = join(dir(), 's.sock');
    const l = own(new Socket(bs.AF_UNIX, bs.SOCK_STREAM).bind(new bs.sockaddr_un(path)).listen());
    expect((l.localAddress as bs.sockaddr_un).path).toBe(path);
    const c = own(new Socket(bs.AF_UNIX, bs.SOCK_STREAM));
    const [a] = await Promise.all([l.accept(null, undefined, T), c.connect(new bs.sockaddr_un(path), undefined, T)]);
    own(a);
    const reading = collect(a.chunks(T));
    for (const part of ['ab', 'cd', 'ef']) {
      await c.send(part);
      await new Promise((r) => setTimeout(r, 5));
    }
    c.shutdown(bs.SHUT_WR);
    const chunks = await reading;
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
    expect(chunks.every((b) => b.length > 0)).toBe(true);
    expect(a.closed).toBe(false); // the end of the stream does not close the socket
  });

  it('pollSync reports revents like poll(2): POLLOUT, then POLLIN once sent, 0 on timeout; EBADF once closed', () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM));
    expect(b.pollSync(bs.POLLIN, 0)).toBe(0);
    expect(b.pollSync(bs.POLLIN | bs.POLLOUT, 0)).toBe(bs.POLLOUT);
    a.sendSync('x');
    expect(b.pollSync(bs.POLLIN, 1000)).toBe(bs.POLLIN);
    a.close();
    expect(b.pollSync(bs.POLLOUT, 0) & bs.POLLHUP).toBe(bs.POLLHUP); // reported without being asked
    expect(() => b.pollSync(0x8000, 0)).toThrow(RangeError); // events is a C short
    expect(() => a.pollSync(bs.POLLIN, 0)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'poll' }));
  });

  it('stream: chunks({ size }) bounds each chunk; each chunk is a fresh Buffer', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM));
    a.sendSync('abcdefghij');
    a.shutdown(bs.SHUT_WR);
    const chunks = await collect(b.chunks({ size: 4 }));
    // one receive buffer is reused under the hood: earlier chunks keep their bytes (copies)
    expect(chunks.map(String)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('chunks({ pollFirst }) passes the option to each recv; a non-boolean throws TypeError before any recv', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM));
    expect(() => b.chunks({ pollFirst: 1 as unknown as boolean })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    a.sendSync('queued before');
    a.shutdown(bs.SHUT_WR);
    const chunks = await collect(b.chunks({ pollFirst: true, ...T }));
    expect(Buffer.concat(chunks).toString()).toBe('queued before');
  });

  it('recv with { pollFirst } on the Socket class waits, then receives', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_SEQPACKET));
    const buf = Buffer.alloc(16);
    const p = b.recv(buf, undefined, 0, { pollFirst: true, ...T });
    setTimeout(() => a.sendSync('later'), 5);
    expect(buf.toString('utf8', 0, await p)).toBe('later');
  });

  it('dgram: sync and async keep message boundaries', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_DGRAM));
    a.sendSync('x');
    a.sendSync('yz');
    const buf = Buffer.alloc(16);
    expect(b.recvSync(buf)).toBe(1);
    expect(await b.recv(buf, undefined, 0, T)).toBe(2);
    const pending = a.recv(buf, undefined, 0, T);
    expect(await b.send('back')).toBe(4);
    expect(await pending).toBe(4);
  });

  it('dgram over an abstract name with sendto/recvfrom giving the sender path', async () => {
    const name = `\0bsock-socket-test-${process.pid}`;
    const srv = own(new Socket(bs.AF_UNIX, bs.SOCK_DGRAM).bind(new bs.sockaddr_un(name)));
    const path = join(dir(), 'cli.sock');
    const cli = own(new Socket(bs.AF_UNIX, bs.SOCK_DGRAM).bind(new bs.sockaddr_un(path)));
    await cli.sendto('hi', undefined, 0, new bs.sockaddr_un(name));
    const from = new bs.sockaddr_un();
    const buf = Buffer.alloc(8);
    expect(await srv.recvfrom(buf, undefined, 0, from, undefined, T)).toBe(2);
    expect(from.path).toBe(path);
    expect(srv.sendtoSync('ho', undefined, 0, from)).toBe(2);
    expect(cli.recvSync(buf)).toBe(2);
  });

  it('seqpacket: listener, sync and async connect, iteration yields whole messages and ends at EOF', async () => {
    const path = join(dir(), 'sp.sock');
    const l = own(new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET).bind(new bs.sockaddr_un(path)).listen());
    const c1 = own(new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET).connectSync(new bs.sockaddr_un(path)));
    const a1 = own(l.acceptSync());
    expect(a1.type).toBe(bs.SOCK_SEQPACKET);
    c1.sendSync('one message');
    const buf = Buffer.alloc(64);
    expect(a1.recvSync(buf, 3)).toBe(3); // a short read truncates the message
    c1.sendSync('next');
    expect(a1.recvSync(buf)).toBe(4);

    const c2 = own(new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET));
    const [a2] = await Promise.all([l.accept(null, undefined, T), c2.connect(new bs.sockaddr_un(path), undefined, T)]);
    own(a2);
    for (const m of ['a', 'bb', 'ccc']) await c2.send(m);
    c2.close();
    expect((await collect(a2.chunks(T))).map(String)).toEqual(['a', 'bb', 'ccc']);
  });
});

describe('close, dispose and ownership', () => {
  it('close() is idempotent; afterwards every method throws (or rejects with) EBADF naming its syscall', async () => {
    const s = new Socket(bs.AF_INET, bs.SOCK_STREAM);
    const fd = s.fd;
    s.close();
    expect(link(fd)).toBeNull();
    s.close();
    s.close();
    expect([s.closed, s.fd]).toEqual([true, -1]);
    const buf = Buffer.alloc(4);
    const sync: [string, () => unknown][] = [
      ['bind', () => s.bind(LOOPBACK())],
      ['listen', () => s.listen()],
      ['shutdown', () => s.shutdown(bs.SHUT_RDWR)],
      ['setsockopt', () => s.setOption(bs.SOL_SOCKET, bs.SO_REUSEADDR, 1)],
      ['getsockopt', () => s.getOption(bs.SOL_SOCKET, bs.SO_TYPE)],
      ['getsockname', () => s.localAddress],
      ['getpeername', () => s.remoteAddress],
      ['fcntl', () => s.nonBlocking],
      ['fcntl', () => { s.nonBlocking = true; }],
      ['detach', () => s.detach()],
      ['accept', () => s.acceptSync()],
      ['connect', () => s.connectSync(LOOPBACK())],
      ['send', () => s.sendSync('x')],
      ['recv', () => s.recvSync(buf)],
      ['sendto', () => s.sendtoSync('x', undefined, 0, LOOPBACK())],
      ['recvfrom', () => s.recvfromSync(buf)],
      ['read', () => s.readSync(buf)],
      ['write', () => s.writeSync('x')],
    ];
    for (const [syscall, call] of sync) expectSocketError(call, 'EBADF', syscall);
    const async: [string, () => Promise<unknown>][] = [
      ['accept', () => s.accept()],
      ['connect', () => s.connect(LOOPBACK())],
      ['send', () => s.send('x')],
      ['recv', () => s.recv(buf)],
      ['sendto', () => s.sendto('x', undefined, 0, LOOPBACK())],
      ['recvfrom', () => s.recvfrom(buf)],
      ['read', () => s.read(buf)],
      ['write', () => s.write('x')],
      ['poll', () => s.poll(bs.POLLIN)],
    ];
    for (const [syscall, call] of async) {
      const p = call();
      expect(p).toBeInstanceOf(Promise); // rejects, never throws synchronously
      await rejectsWith(p, 'EBADF', syscall);
    }
    expect(await collect(s)).toEqual([]); // iterating a closed socket ends at once
  });

  it('after close, methods never touch the fd number even once the kernel reuses it', async () => {
    const s = new Socket(bs.AF_INET, bs.SOCK_DGRAM);
    const fd = s.fd;
    s.close();
    const reuse = own(new Socket(bs.AF_INET, bs.SOCK_DGRAM).bind(LOOPBACK()));
    expect(reuse.fd).toBe(fd); // lowest free number
    expectSocketError(() => s.bind(LOOPBACK()), 'EBADF', 'bind');
    expectSocketError(() => s.setOption(bs.SOL_SOCKET, bs.SO_BROADCAST, 1), 'EBADF', 'setsockopt');
    s.close();
    expect(reuse.closed).toBe(false);
    expect(reuse.getOption(bs.SOL_SOCKET, bs.SO_BROADCAST)).toBe(0);
    expect((reuse.localAddress as bs.sockaddr_in).port).toBeGreaterThan(0);
  });

  it('the functional close(sock.fd) closes the Socket too, so a reused number is safe from it', () => {
    const s = new Socket(bs.AF_INET, bs.SOCK_STREAM);
    const fd = s.fd;
    bs.close(fd);
    expect([s.closed, s.fd]).toEqual([true, -1]);
    const other = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    expect(other.fd).toBe(fd);
    s.close(); // no-op: does not close `other`
    expectSocketError(() => s.listen(), 'EBADF', 'listen');
    expect(other.closed).toBe(false);
    expect(other.getOption(bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_STREAM);
  });

  it('close() rejects pending calls with ECANCELED and ends a pending iteration quietly', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM));
    const buf = Buffer.alloc(8);
    const pending = a.recv(buf);
    const iterating = collect(b);
    await new Promise((r) => setImmediate(r));
    a.close();
    await rejectsWith(pending, 'ECANCELED', 'recv');
    b.close();
    expect(await iterating).toEqual([]);
  });

  it('[Symbol.dispose]() and [Symbol.asyncDispose]() close the socket', async () => {
    const s = new Socket(bs.AF_INET, bs.SOCK_STREAM);
    const fd = s.fd;
    s[Symbol.dispose]();
    expect(s.closed).toBe(true);
    expect(link(fd)).toBeNull();
    s[Symbol.dispose](); // idempotent too
    const t = new Socket(bs.AF_INET, bs.SOCK_DGRAM);
    const p = t[Symbol.asyncDispose]();
    expect(p).toBeInstanceOf(Promise);
    await p;
    expect(t.closed).toBe(true);
  });

  it('`using` closes the socket at the end of the block', () => {
    let fd = -1;
    let inside: Socket | undefined;
    {
      using s = new Socket(bs.AF_INET, bs.SOCK_STREAM);
      fd = s.fd;
      inside = s;
      expect(link(fd)).toMatch(/^socket:/);
    }
    expect(inside.closed).toBe(true);
    expect(link(fd)).toBeNull();
  });

  it('detach() returns the open fd, cancels pending calls, and the Socket forgets it', async () => {
    const [a, b] = own(Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM));
    const pending = a.recv(Buffer.alloc(4));
    await new Promise((r) => setImmediate(r));
    const fd = a.detach();
    fds.push(fd);
    await rejectsWith(pending, 'ECANCELED', 'recv');
    expect([a.closed, a.fd]).toEqual([true, -1]);
    expectSocketError(() => a.detach(), 'EBADF', 'detach');
    a.close(); // does not close the detached fd
    expect(link(fd)).toMatch(/^socket:/);
    b.sendSync('hi');
    expect(bs.recv(fd, Buffer.alloc(4))).toBe(2);
  });

  it('detach() puts back the blocking mode the Promise API changed', async () => {
    const l = tcpListener();
    const c = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    await c.connect(l.localAddress, undefined, T); // makes the fd O_NONBLOCK underneath
    expect(bs.fcntl(c.fd, bs.F_GETFL) & bs.O_NONBLOCK).toBe(bs.O_NONBLOCK);
    const fd = c.detach();
    fds.push(fd);
    expect(bs.fcntl(fd, bs.F_GETFL) & bs.O_NONBLOCK).toBe(0);
  });
});


// ---------------------------------------------------------------------------------------
// children: the GC scenarios and the examples

/** One temp dir for this file's scripts and socket paths, removed at the end. */
const fileTmp = tempDir();
afterAll(() => fileTmp.cleanup());

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
interface Child {
  child: ChildProcess;
  /** Settles once the child has exited and its pipes are closed. */
  result: Promise<ChildResult>;
  /** Resolves with the first match of `re` on stderr (rejects if the child exits first). */
  stderrMatch(re: RegExp): Promise<RegExpExecArray>;
}

const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
});

/** `node [nodeArgs] --import tsx script args`, killed after 15 s whatever happens. */
function runTs(script: string, args: string[] = [], nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, '--import', TSX_LOADER, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    for (const w of watchers) w();
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(kill);
      children.delete(child);
      for (const w of watchers) w();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  const stderrMatch = (re: RegExp): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
    const check = (): void => {
      const m = re.exec(err);
      if (m) {
        watchers.delete(check);
        resolve(m);
      } else if (child.exitCode !== null || child.signalCode !== null) {
        watchers.delete(check);
        reject(new Error(`child exited (${child.exitCode ?? child.signalCode}) before ${re}: ${err}`));
      }
    };
    watchers.add(check);
    check();
  });
  return { child, result, stderrMatch };
}

const GC_SCRIPT = `
import { closeSync, readlinkSync } from 'node:fs';
const bs = await import(${JSON.stringify(LIB_URL)});
const { Socket, AF_INET, AF_UNIX, SOCK_STREAM, SOCK_DGRAM } = bs;
const link = (fd) => { try { return readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };
const collect = async () => {
  for (let i = 0; i < 12; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 5)); }
};
const report = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const scenario = process.argv[2];

if (scenario === 'unclosed') {
  let fd = -1;
  (() => { fd = new Socket(AF_INET, SOCK_STREAM).fd; })();
  const before = link(fd);
  await collect();
  report({ fd, before, after: link(fd) });
} else if (scenario === 'reused') {
  let fd = -1;
  (() => { const s = new Socket(AF_INET, SOCK_STREAM); fd = s.fd; bs.close(fd); })();
  const other = bs.socket(AF_UNIX, SOCK_DGRAM, 0); // takes the same number
  const before = link(other);
  await collect();
  report({ fd, other, before, after: link(other) });
  bs.close(other);
} else if (scenario === 'behind') {
  // closed behind the library's back: only socket() handing the number out again tells
  let fd = -1;
  (() => { const s = new Socket(AF_INET, SOCK_STREAM); fd = s.fd; closeSync(fd); })();
  const other = bs.socket(AF_UNIX, SOCK_DGRAM, 0);
  const before = link(other);
  await collect();
  report({ fd, other, before, after: link(other) });
  bs.close(other);
} else if (scenario === 'closed') {
  let fd = -1;
  (() => { const s = new Socket(AF_INET, SOCK_STREAM); fd = s.fd; s.close(); })();
  const other = bs.socket(AF_INET, SOCK_DGRAM, 0);
  const before = link(other);
  await collect();
  report({ fd, other, before, after: link(other) });
  bs.close(other);
} else if (scenario === 'pending') {
  // a Socket whose recv is pending stays alive while nothing else references it
  const [x, y] = bs.socketpair(AF_UNIX, SOCK_STREAM, 0);
  let fd = -1;
  const buf = Buffer.alloc(8);
  const p = (() => { const s = Socket.from(x); fd = s.fd; return s.recv(buf); })();
  await collect();
  const openWhilePending = link(fd) !== null;
  bs.send(y, 'late');
  const n = await p;
  report({ fd, openWhilePending, n, text: buf.subarray(0, n).toString() });
  bs.close(fd);
  bs.close(y);
}
`;

describe('garbage collection (child process, --expose-gc)', () => {
  const script = join(fileTmp.dir, 'gc-child.mjs');
  writeFileSync(script, GC_SCRIPT);
  const gcRun = (scenario: string): Promise<ChildResult> => runTs(script, [scenario], ['--expose-gc']).result;
  const warnings = (stderr: string): string[] => [...stderr.matchAll(/\[BSOCK_UNCLOSED_SOCKET\] Warning: (.*)/g)].map((m) => m[1]!);

  it('an unclosed Socket that is collected is closed, with one BSOCK_UNCLOSED_SOCKET warning naming its fd', async () => {
    const r = await gcRun('unclosed');
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { fd: number; before: string; after: string | null };
    expect(o.before).toMatch(/^socket:/);
    expect(o.after).toBeNull();
    const w = warnings(r.stderr);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`Closing socket fd ${o.fd} on garbage collection`);
  });

  it.each([
    ['closed with close(fd) and reused', 'reused'],
    ['closed behind its back (fs.closeSync) and reused by socket()', 'behind'],
  ])('a Socket whose fd was %s does not close the new socket when collected', async (_what, scenario) => {
    const r = await gcRun(scenario);
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { fd: number; other: number; before: string; after: string };
    expect(o.other).toBe(o.fd);
    expect(o.before).toMatch(/^socket:/);
    expect(o.after).toBe(o.before);
    expect(warnings(r.stderr)).toEqual([]);
  });

  it('a closed Socket that is collected does nothing', async () => {
    const r = await gcRun('closed');
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { fd: number; other: number; before: string; after: string };
    expect(o.other).toBe(o.fd);
    expect(o.after).toBe(o.before);
    expect(warnings(r.stderr)).toEqual([]);
  });

  it('a Socket with a pending recv is not collected', async () => {
    const r = await gcRun('pending');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ openWhilePending: true, n: 4, text: 'late' });
    expect(warnings(r.stderr)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------

/** Destroys a net.Socket and waits for its fd to be closed ('close' may have been emitted already). */
async function destroyed(s: net.Socket): Promise<void> {
  const closing = s.closed ? Promise.resolve() : once(s, 'close');
  s.destroy();
  await closing;
}

describe('handing an fd to net.Socket', () => {
  it('a detached, connected client fd works as a net.Socket against a server of this library', async () => {
    const l = tcpListener();
    const served = (async () => {
      const conn = own(await l.accept(null, undefined, T));
      const got: Buffer[] = [];
      for await (const chunk of conn.chunks(T)) {
        got.push(chunk);
        await conn.send(Buffer.from(chunk.toString().toUpperCase()));
      }
      conn.close();
      return Buffer.concat(got).toString();
    })();
    const c = own(new Socket(bs.AF_INET, bs.SOCK_STREAM));
    await c.connect(l.localAddress, undefined, T);
    const fd = c.detach();
    const stream = new net.Socket({ fd, readable: true, writable: true });
    try {
      expect(stream.remotePort).toBe((l.localAddress as bs.sockaddr_in).port);
      let echoed = '';
      stream.setEncoding('utf8').on('data', (s: string) => { echoed += s; });
      stream.write('hello, ');
      stream.end('node streams');
      await once(stream, 'end');
      expect(echoed).toBe('HELLO, NODE STREAMS');
      expect(await served).toBe('hello, node streams');
    } finally {
      await destroyed(stream);
    }
    expect(link(fd)).toBeNull(); // the net.Socket closed it
  });

  it('an accepted Unix stream Socket, detached, serves a Node net client through pipe()', async () => {
    const path = join(dir(), 'handoff.sock');
    const l = own(new Socket(bs.AF_UNIX, bs.SOCK_STREAM).bind(new bs.sockaddr_un(path)).listen());
    const client = net.connect(path);
    try {
      const conn = await l.accept(null, undefined, T);
      const server = new net.Socket({ fd: conn.detach(), readable: true, writable: true, allowHalfOpen: true });
      server.pipe(server); // echo with Node's stream API
      let got = '';
      client.setEncoding('utf8').on('data', (s: string) => { got += s; });
      client.end('piped back');
      await once(client, 'end');
      expect(got).toBe('piped back');
      await destroyed(server);
    } finally {
      client.destroy();
    }
  });
});

// ---------------------------------------------------------------------------------------

describe('examples as child processes', () => {
  const port = async (c: Child): Promise<number> => Number((await c.stderrMatch(/^listening on (\d+)\r?\n/m))[1]);

  /**
   * Runs a TCP echo server example for 3 clients, connected all at once and answered in
   * reverse order (none waits for another), then checks what it printed and its exit.
   */
  async function threeEchoClients(example: string): Promise<{ stdout: string; port: number }> {
    const srv = runTs(file(example), ['0', '3']);
    const p = await port(srv);
    const to = new bs.sockaddr_in('127.0.0.1', p);
    const clients = own([0, 1, 2].map(() => new Socket(bs.AF_INET, bs.SOCK_STREAM)));
    await Promise.all(clients.map((c) => c.connect(to, undefined, T)));
    const texts = ['first client', 'second', 'third, with more bytes'];
    for (const i of [2, 1, 0]) {
      const c = clients[i]!;
      await c.send(texts[i]!);
      const buf = Buffer.alloc(64);
      let n = 0;
      while (n < texts[i]!.length) n += await c.recv(buf.subarray(n), undefined, 0, T);
      expect(buf.subarray(0, n).toString()).toBe(texts[i]);
    }
    for (const c of clients) c.shutdown(bs.SHUT_WR);
    for (const c of clients) expect(await collect(c.chunks(T))).toEqual([]); // server closed after EOF
    const r = await srv.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/client 3 connected from 127\.0\.0\.1:\d+ \(3 active\)/);
    expect(r.stdout).toContain('client 1: echoed 12 bytes, closing');
    expect(r.stdout).toContain('client 3: echoed 22 bytes, closing');
    expect(r.stdout).toMatch(/served 3 client\(s\), exiting\n$/);
    return { stdout: r.stdout, port: p };
  }

  it('async-echo-server.ts serves 3 clients at once, then exits 0', async () => {
    const r = await threeEchoClients('examples/async-echo-server.ts');
    expect(r.stdout).toContain(`echo server on 127.0.0.1:${r.port}, for 3 client(s)`);
  });

  it('poll-server.ts (a synchronous poll(2) loop) serves 3 clients at once, then exits 0', async () => {
    await threeEchoClients('examples/poll-server.ts');
  });

  it('udp-echo-server.ts echoes datagrams to a Node dgram socket, then exits 0', async () => {
    const srv = runTs(file('examples/udp-echo-server.ts'), ['0', '2']);
    const p = await port(srv);
    const sock = dgram.createSocket('udp4');
    try {
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
      const replies: string[] = [];
      for (const m of ['ping', 'a second datagram']) {
        sock.send(m, p, '127.0.0.1');
        const [msg, rinfo] = (await once(sock, 'message')) as [Buffer, dgram.RemoteInfo];
        expect(rinfo.port).toBe(p);
        replies.push(msg.toString());
      }
      expect(replies).toEqual(['ping', 'a second datagram']);
    } finally {
      sock.close();
    }
    const r = await srv.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/datagram 1: 4 bytes from 127\.0\.0\.1:\d+\ndatagram 2: 17 bytes/);
    expect(r.stdout).toContain('echoed 2 datagram(s), exiting');
  });

  it('seqpacket-server.ts echoes each message with its boundaries to two clients, then exits 0 and removes its path', async () => {
    const path = join(fileTmp.dir, 'seqpacket.sock');
    const srv = runTs(file('examples/seqpacket-server.ts'), [path, '2']);
    const m = await srv.stderrMatch(/^listening on (.+)\n/m);
    expect(m[1]).toBe(path);
    const to = new bs.sockaddr_un(path);
    const [c1, c2] = own([new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET), new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET)]);
    await c1.connect(to, undefined, T);
    c2.connectSync(to);
    const msgs = ['one', 'two two', 'three three three'];
    for (const s of msgs) await c1.send(s);
    await c2.send('solo');
    const buf = Buffer.alloc(128);
    const back: string[] = [];
    for (let i = 0; i < msgs.length; i++) {
      const n = await c1.recv(buf, undefined, 0, T);
      back.push(buf.subarray(0, n).toString());
    }
    expect(back).toEqual(msgs); // one recv, one message: boundaries kept
    expect(await c2.recv(buf, undefined, 0, T)).toBe(4);
    c1.close();
    c2.close();
    const r = await srv.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('client 1 message 2: 7 bytes "two two"');
    expect(r.stdout).toContain('client 1: echoed 3 message(s), closing');
    expect(r.stdout).toContain('client 2: echoed 1 message(s), closing');
    expect(existsSync(path)).toBe(false);
  });

  it('async-seed-server.ts answers concurrent clients like the lecture server, then exits 0', async () => {
    const srv = runTs(file('examples/async-seed-server.ts'), ['0', '2']);
    const p = await port(srv);
    const talk = async (text: string): Promise<string> => {
      const s = net.connect(p, '127.0.0.1');
      try {
        await once(s, 'connect');
        s.write(text);
        let got = '';
        s.setEncoding('utf8').on('data', (d: string) => { got += d; });
        await once(s, 'end');
        return got;
      } finally {
        s.destroy();
      }
    };
    // the second client is answered while the first is still connected and silent
    const first = net.connect(p, '127.0.0.1');
    try {
      await once(first, 'connect');
      expect(await talk('second\n')).toBe('I got your message');
      let got = '';
      first.setEncoding('utf8').on('data', (d: string) => { got += d; });
      first.write('first\n');
      await once(first, 'end');
      expect(got).toBe('I got your message');
    } finally {
      first.destroy();
    }
    const r = await srv.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Here is the message: second\n\nHere is the message: first\n\n');
  });

  it('net-handoff.ts round-trips through a net.Socket and exits 0', async () => {
    const r = await runTs(file('examples/net-handoff.ts')).result;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/library socket fd \d+ connected from 127\.0\.0\.1:\d+/);
    expect(r.stdout).toMatch(/net\.Socket took fd \d+: remote 127\.0\.0\.1:\d+/);
    expect(r.stdout).toContain('round trip OK');
  });
});
