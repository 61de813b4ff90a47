// AF_UNIX addresses and behaviour: pathnames (and their length limit), Linux abstract names
// with arbitrary bytes, unnamed and autobound sockets, SOCK_SEQPACKET, SO_PEERCRED and
// datagram sender addresses. sockaddr_un is decoded from addrlen, never by strlen.
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, expectSocketError, scope as helperScope, type Opener } from './helpers.js';

const GUARD = new bs.timeval({ tv_sec: 5, tv_usec: 0 });
/** offsetof(struct sockaddr_un, sun_path) == sizeof(sa_family_t) on Linux. */
const PATH_OFFSET = 2;
const SUN_PATH = 108;

/** helpers.scope with a receive timeout on every fd. */
function scope(fn: (open: Opener, dir: string) => void): void {
  helperScope(fn, GUARD);
}

let seq = 0;
/** A unique abstract name as bytes, leading NUL included. */
function abstractName(extra: Uint8Array = new Uint8Array(0)): Buffer {
  return Buffer.concat([Buffer.from(`\0bsock-unix-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`), extra]);
}

/** A pathname exactly `len` bytes long inside `dir`. */
function pathOfLength(dir: string, len: number): string {
  const p = `${dir}/${'p'.repeat(len - dir.length - 1)}`;
  expect(Buffer.byteLength(p)).toBe(len);
  return p;
}

describe('pathname sockets', () => {
  it('bind creates the socket file and getsockname gives the path back', () => {
    scope((open, dir) => {
      const path = `${dir}/server.sock`;
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      const addr = new bs.sockaddr_un(path);
      expect(addr.addrlen).toBe(PATH_OFFSET + Buffer.byteLength(path) + 1);
      expect(bs.bind(s, addr)).toBe(0);
      expect(statSync(path).isSocket()).toBe(true);
      const name = bs.getsockname(s) as bs.sockaddr_un;
      expect(name).toBeInstanceOf(bs.sockaddr_un);
      expect(name.sun_family).toBe(bs.AF_UNIX);
      expect(name.path).toBe(path);
      expect(name.abstract).toBe(false);
      expect(name.addrlen).toBe(PATH_OFFSET + Buffer.byteLength(path) + 1);
      expect(name.toString()).toBe(path);
      // closing does not unlink the file (C semantics); binding the path again fails
      open.close(s);
      expect(existsSync(path)).toBe(true);
      const again = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.bind(again, new bs.sockaddr_un(path)), 'EADDRINUSE', 'bind');
      expect(e.path).toBe(path);
    });
  });

  it('a 107-byte path (the maximum) binds, connects and round-trips exactly', () => {
    scope((open, dir) => {
      const path = pathOfLength(dir, SUN_PATH - 1);
      expect(bs.sockaddr_un.maxPathLength).toBe(107);
      const addr = new bs.sockaddr_un(path);
      expect(addr.addrlen).toBe(bs.sizeof(bs.sockaddr_un)); // 2 + 107 + NUL == 110
      const l = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.bind(l, addr);
      bs.listen(l);
      expect(statSync(path).isSocket()).toBe(true);
      const name = bs.getsockname(l) as bs.sockaddr_un;
      expect(name.path).toBe(path);
      expect(name.addrlen).toBe(110);
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.connect(c, new bs.sockaddr_un(path));
      open(bs.accept(l));
      expect((bs.getpeername(c) as bs.sockaddr_un).path).toBe(path);
    });
  });

  it('a 108-byte path is a RangeError from the sockaddr_un constructor, before any syscall', () => {
    scope((_open, dir) => {
      const path = pathOfLength(dir, SUN_PATH);
      let err: unknown;
      try {
        new bs.sockaddr_un(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RangeError);
      expect((err as { code?: string }).code).toBe('ERR_OUT_OF_RANGE');
      expect(existsSync(path)).toBe(false);
      // the same limit applies to the path setter and to multi-byte UTF-8 counted in bytes
      const a = new bs.sockaddr_un();
      expect(() => { a.path = path; }).toThrow(RangeError);
      expect(() => new bs.sockaddr_un(`/${'é'.repeat(54)}`)).toThrow(RangeError); // 109 bytes, 55 characters
      expect(new bs.sockaddr_un(`/${'é'.repeat(53)}`).addrlen).toBe(PATH_OFFSET + 107 + 1);
    });
  });

  it('an embedded NUL in a pathname is a TypeError', () => {
    expect(() => new bs.sockaddr_un('/tmp/a\0b')).toThrow(TypeError);
    expect(() => new bs.sockaddr_un(Buffer.from('/tmp/a\0b'))).toThrow(TypeError);
    try {
      new bs.sockaddr_un('/tmp/a\0b');
    } catch (e) {
      expect((e as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    }
  });

  it('connect to a missing path: ENOENT with the path on the error', () => {
    scope((open, dir) => {
      const path = `${dir}/missing.sock`;
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.connect(c, new bs.sockaddr_un(path)), 'ENOENT', 'connect');
      expect(e.errno).toBe(bs.ENOENT);
      expect(e.path).toBe(path);
      expect(e.address).toBeUndefined();
      expect(e.port).toBeUndefined();
    });
  });

  it('connect to a bound socket that is not listening: ECONNREFUSED; to a regular file: ECONNREFUSED', () => {
    scope((open, dir) => {
      const path = `${dir}/bound.sock`;
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.bind(s, new bs.sockaddr_un(path));
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      expect(expectSocketError(() => bs.connect(c, new bs.sockaddr_un(path)), 'ECONNREFUSED', 'connect').path).toBe(path);
      const c2 = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      expectSocketError(() => bs.connect(c2, new bs.sockaddr_un(dir)), 'ECONNREFUSED', 'connect');
    });
  });

  it('recv on an unconnected unix stream socket: EINVAL (not ENOTCONN as for TCP); send: ENOTCONN', () => {
    scope((open) => {
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      expectSocketError(() => bs.recv(s, Buffer.alloc(1)), 'EINVAL', 'recv');
      expectSocketError(() => bs.send(s, 'x'), 'ENOTCONN', 'send');
      expectSocketError(() => bs.getpeername(s), 'ENOTCONN', 'getpeername');
    });
  });
});

describe('abstract names', () => {
  it('a name with embedded NULs round-trips through getsockname byte for byte, addrlen = offset + length', () => {
    scope((open) => {
      const name = abstractName(Uint8Array.of(0, 0x41, 0, 0xff, 0));
      const addr = new bs.sockaddr_un(name);
      expect(addr.addrlen).toBe(PATH_OFFSET + name.length); // no terminating NUL, no padding
      expect(addr.abstract).toBe(true);
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.bind(s, addr);
      const got = bs.getsockname(s) as bs.sockaddr_un;
      expect(got.addrlen).toBe(PATH_OFFSET + name.length);
      expect(got.pathBytes.equals(name)).toBe(true);
      expect(got.abstract).toBe(true);
      expect(got.path.startsWith('\0bsock-unix-')).toBe(true);
      expect(got.toString().startsWith('@bsock-unix-')).toBe(true);
      expect(got.toString().endsWith('@A@\ufffd@')).toBe(true); // NULs print as '@'
    });
  });

  it('the name is exactly its bytes: a trailing NUL makes a different address', () => {
    scope((open) => {
      const name = abstractName();
      const l = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.bind(l, new bs.sockaddr_un(name));
      bs.listen(l);
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      const withNul = Buffer.concat([name, Buffer.from([0])]);
      const e = expectSocketError(() => bs.connect(c, new bs.sockaddr_un(withNul)), 'ECONNREFUSED', 'connect');
      expect(e.path).toBe(withNul.toString('utf8'));
      expect(bs.connect(c, new bs.sockaddr_un(name.toString('latin1')))).toBe(0);
      const a = open(bs.accept(l));
      expect((bs.getsockname(a) as bs.sockaddr_un).pathBytes.equals(name)).toBe(true);
      expect((bs.getpeername(c) as bs.sockaddr_un).pathBytes.equals(name)).toBe(true);
    });
  });

  it('a 108-byte abstract name (all of sun_path) works; 109 is a RangeError', () => {
    scope((open) => {
      const base = abstractName();
      const name = Buffer.alloc(SUN_PATH, 0x7a);
      base.copy(name);
      name[SUN_PATH - 1] = 0; // a NUL in the last byte counts too
      const addr = new bs.sockaddr_un(name);
      expect(addr.addrlen).toBe(PATH_OFFSET + SUN_PATH);
      const l = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.bind(l, addr);
      bs.listen(l);
      const got = bs.getsockname(l) as bs.sockaddr_un;
      expect(got.addrlen).toBe(bs.sizeof(bs.sockaddr_un));
      expect(got.pathBytes.equals(name)).toBe(true);
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.connect(c, new bs.sockaddr_un(name));
      open(bs.accept(l));
      expect((bs.getpeername(c) as bs.sockaddr_un).pathBytes.equals(name)).toBe(true);

      expect(() => new bs.sockaddr_un(Buffer.concat([name, Buffer.from('!')]))).toThrow(RangeError);
    });
  });

  it('connect to a missing abstract name: ECONNREFUSED (not ENOENT) with the name as path', () => {
    scope((open) => {
      const name = abstractName();
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      const e = expectSocketError(() => bs.connect(c, new bs.sockaddr_un(name)), 'ECONNREFUSED', 'connect');
      expect(e.path).toBe(name.toString('utf8'));
    });
  });

  it('an abstract name creates no file and is gone once the socket closes', () => {
    scope((open) => {
      const name = abstractName();
      const s = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM);
      try {
        bs.bind(s, new bs.sockaddr_un(name));
      } finally {
        bs.close(s);
      }
      const again = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      expect(bs.bind(again, new bs.sockaddr_un(name))).toBe(0);
      const taken = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      expectSocketError(() => bs.bind(taken, new bs.sockaddr_un(name)), 'EADDRINUSE', 'bind');
    });
  });
});

describe('unnamed and autobound sockets', () => {
  it('getsockname of an unbound socket: the unnamed address, path \'\' and addrlen 2', () => {
    scope((open) => {
      for (const type of [bs.SOCK_STREAM, bs.SOCK_DGRAM, bs.SOCK_SEQPACKET]) {
        const s = open(bs.socket(bs.AF_UNIX, type));
        const name = bs.getsockname(s) as bs.sockaddr_un;
        expect(name).toBeInstanceOf(bs.sockaddr_un);
        expect(name.addrlen).toBe(PATH_OFFSET);
        expect(name.sun_family).toBe(bs.AF_UNIX);
        expect(name.path).toBe('');
        expect(name.pathBytes.length).toBe(0);
        expect(name.abstract).toBe(false);
        expect(name.toString()).toBe('(unnamed)');
      }
    });
  });

  it('bind with addrlen = sizeof(sa_family_t) autobinds a 5-character abstract name', () => {
    scope((open) => {
      const explicit = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      expect(bs.bind(explicit, new bs.sockaddr_un(), PATH_OFFSET)).toBe(0);
      const viaEmpty = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      const empty = new bs.sockaddr_un('');
      expect(empty.addrlen).toBe(PATH_OFFSET); // '' means "no name": the autobind length
      expect(bs.bind(viaEmpty, empty)).toBe(0);
      const names = [explicit, viaEmpty].map((fd) => bs.getsockname(fd) as bs.sockaddr_un);
      for (const n of names) {
        expect(n.abstract).toBe(true);
        expect(n.addrlen).toBe(PATH_OFFSET + 6); // NUL + five hex digits
        expect(n.path).toMatch(/^\0[0-9a-f]{5}$/);
        expect(n.toString()).toMatch(/^@[0-9a-f]{5}$/);
      }
      expect(names[0]!.path).not.toBe(names[1]!.path);
      // the autobound name is a real address: a datagram sent to it arrives
      const sender = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      expect(bs.sendto(sender, 'to autobind', undefined, 0, names[0]!)).toBe(11);
      expect(bs.recv(explicit, Buffer.alloc(16))).toBe(11);
    });
  });

  it('a default-constructed sockaddr_un has addrlen sizeof: binding it names the socket with 108 NULs, as in C', () => {
    scope((open) => {
      const a = new bs.sockaddr_un();
      expect(a.addrlen).toBe(bs.sizeof(bs.sockaddr_un));
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      try {
        bs.bind(s, a);
      } catch (e) {
        expectSocketError(() => { throw e; }, 'EADDRINUSE', 'bind'); // another process holds that name
        return;
      }
      const n = bs.getsockname(s) as bs.sockaddr_un;
      expect(n.addrlen).toBe(110);
      expect(n.pathBytes.equals(Buffer.alloc(SUN_PATH))).toBe(true);
      expect(n.abstract).toBe(true);
    });
  });
});

describe('SOCK_SEQPACKET', () => {
  it('keeps message boundaries over a listening pathname socket', () => {
    scope((open, dir) => {
      const path = `${dir}/seq.sock`;
      const l = open(bs.socket(bs.AF_UNIX, bs.SOCK_SEQPACKET));
      bs.bind(l, new bs.sockaddr_un(path));
      bs.listen(l);
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_SEQPACKET));
      bs.connect(c, new bs.sockaddr_un(path));
      const peer = new bs.sockaddr_un();
      const a = open(bs.accept(l, peer));
      expect(peer.addrlen).toBe(PATH_OFFSET); // the client is unnamed
      expect(peer.path).toBe('');
      const msgs = ['one', 'two!', '', 'three..'];
      for (const m of msgs) expect(bs.send(c, m)).toBe(Buffer.byteLength(m));
      const b = Buffer.alloc(32);
      for (const m of msgs) {
        const n = bs.recv(a, b);
        expect(n).toBe(m.length);
        expect(b.toString('latin1', 0, n)).toBe(m);
      }
      bs.send(c, 'truncate me');
      expect(bs.recv(a, b, 4, bs.MSG_TRUNC)).toBe(11);
      bs.send(c, 'after');
      expect(bs.recv(a, b)).toBe(5); // the rest of the truncated message was discarded
      expect(b.toString('latin1', 0, 5)).toBe('after');
      open.close(c);
      expect(bs.recv(a, b)).toBe(0);
    });
  });

  it('sendto on an unconnected seqpacket socket: ENOTCONN', () => {
    scope((open, dir) => {
      const path = `${dir}/seq2.sock`;
      const l = open(bs.socket(bs.AF_UNIX, bs.SOCK_SEQPACKET));
      bs.bind(l, new bs.sockaddr_un(path));
      bs.listen(l);
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_SEQPACKET));
      expectSocketError(() => bs.sendto(c, 'x', undefined, 0, new bs.sockaddr_un(path)), 'ENOTCONN', 'sendto');
    });
  });
});

describe('SO_PEERCRED', () => {
  it('getsockopt into a ucred gives our pid, uid and gid (socketpair)', () => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM);
    try {
      for (const fd of [a, b]) {
        const cred = new bs.ucred();
        expect(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_PEERCRED, cred)).toBe(bs.sizeof(bs.ucred));
        expect(bs.sizeof(bs.ucred)).toBe(12);
        expect(cred.pid).toBe(process.pid);
        expect(cred.uid).toBe(process.getuid!());
        expect(cred.gid).toBe(process.getgid!());
      }
    } finally {
      closeAll(a, b);
    }
  });

  it('works on connected pathname sockets, both ways', () => {
    scope((open, dir) => {
      const path = `${dir}/cred.sock`;
      const l = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.bind(l, new bs.sockaddr_un(path));
      bs.listen(l);
      const c = open(bs.socket(bs.AF_UNIX, bs.SOCK_STREAM));
      bs.connect(c, new bs.sockaddr_un(path));
      const a = open(bs.accept(l));
      for (const fd of [a, c]) {
        const cred = new bs.ucred();
        bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_PEERCRED, cred);
        expect(cred.pid).toBe(process.pid);
      }
      // on a raw buffer too: the option length is what the kernel reported
      const raw = Buffer.alloc(32, 0xff);
      expect(bs.getsockopt(a, bs.SOL_SOCKET, bs.SO_PEERCRED, raw)).toBe(12);
      expect(raw.readInt32LE(0)).toBe(process.pid);
      expect(raw[12]).toBe(0xff); // nothing past the 12 bytes was written
    });
  });
});

describe('unix datagrams', () => {
  it('sendto/recvfrom with a bound sender: the sender\'s path is filled in', () => {
    scope((open, dir) => {
      const rpath = `${dir}/r.sock`;
      const spath = `${dir}/s.sock`;
      const r = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      bs.bind(r, new bs.sockaddr_un(rpath));
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      bs.bind(s, new bs.sockaddr_un(spath));
      expect(bs.sendto(s, 'hello', undefined, 0, new bs.sockaddr_un(rpath))).toBe(5);
      const from = new bs.sockaddr_un();
      const buf = Buffer.alloc(16);
      expect(bs.recvfrom(r, buf, undefined, 0, from)).toBe(5);
      expect(buf.toString('latin1', 0, 5)).toBe('hello');
      expect(from.path).toBe(spath);
      expect(from.addrlen).toBe(PATH_OFFSET + Buffer.byteLength(spath) + 1);
      // reply to the filled address
      expect(bs.sendto(r, 'back', undefined, 0, from)).toBe(4);
      expect(bs.recv(s, buf)).toBe(4);
    });
  });

  it('sendto/recvfrom with an abstract sender keeps every byte of its name', () => {
    scope((open) => {
      const rname = abstractName();
      const sname = abstractName(Uint8Array.of(0, 1, 0));
      const r = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      bs.bind(r, new bs.sockaddr_un(rname));
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      bs.bind(s, new bs.sockaddr_un(sname));
      bs.sendto(s, 'abs', undefined, 0, new bs.sockaddr_un(rname));
      const st = new bs.sockaddr_storage();
      expect(bs.recvfrom(r, Buffer.alloc(8), undefined, 0, st)).toBe(3);
      expect(st.addrlen).toBe(PATH_OFFSET + sname.length);
      const decoded = bs.sockaddrFrom(st.bytes, st.addrlen) as bs.sockaddr_un;
      expect(decoded).toBeInstanceOf(bs.sockaddr_un);
      expect(decoded.pathBytes.equals(sname)).toBe(true);
    });
  });

  it('an unbound sender arrives with addrlen 0 (no address at all, unlike getsockname\'s 2)', () => {
    scope((open, dir) => {
      const rpath = `${dir}/r.sock`;
      const r = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      bs.bind(r, new bs.sockaddr_un(rpath));
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      bs.sendto(s, 'anon', undefined, 0, new bs.sockaddr_un(rpath));
      const from = new bs.sockaddr_un('/stale/value');
      expect(bs.recvfrom(r, Buffer.alloc(8), undefined, 0, from)).toBe(4);
      expect(from.addrlen).toBe(0);
      expect(from.path).toBe(''); // decoded from addrlen, not from the stale bytes
      expect(from.toString()).toBe('(unnamed)');
      expect((bs.getsockname(s) as bs.sockaddr_un).addrlen).toBe(PATH_OFFSET);
    });
  });

  it('sendto a missing path: ENOENT with the path; send unconnected: ENOTCONN', () => {
    scope((open, dir) => {
      const s = open(bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM));
      const path = `${dir}/nobody.sock`;
      const e = expectSocketError(() => bs.sendto(s, 'x', undefined, 0, new bs.sockaddr_un(path)), 'ENOENT', 'sendto');
      expect(e.path).toBe(path);
      expectSocketError(() => bs.send(s, 'x'), 'ENOTCONN', 'send');
    });
  });
});
