// C struct layouts and address conversions: sizes and field offsets as the compiler lays
// them out, fields in C byte order, C-range checks on every setter, host-value constructors,
// text forms, sockaddrFrom, shared-memory views, and the byte-order / inet_* functions.
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';

const LE = endianness() === 'LE';

/** Runs fn and returns what it threw (fails if nothing was thrown). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

function expectRange(fn: () => unknown): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(RangeError);
  expect(e.code).toBe('ERR_OUT_OF_RANGE');
}

function expectType(fn: () => unknown): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(TypeError);
  expect(e.code).toBe('ERR_INVALID_ARG_TYPE');
}

function expectInvalidAddress(fn: () => unknown): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(TypeError);
  expect(e.code).toBe('ERR_INVALID_ADDRESS');
}

describe('struct sizes (Linux x86_64 / aarch64 ABI facts)', () => {
  it.each([
    ['sockaddr', bs.sockaddr, 16],
    ['sockaddr_in', bs.sockaddr_in, 16],
    ['sockaddr_in6', bs.sockaddr_in6, 28],
    ['sockaddr_un', bs.sockaddr_un, 110],
    ['sockaddr_storage', bs.sockaddr_storage, 128],
    ['in_addr', bs.in_addr, 4],
    ['in6_addr', bs.in6_addr, 16],
    ['linger', bs.linger, 8],
    ['timeval', bs.timeval, 16],
    ['ucred', bs.ucred, 12],
    ['ip_mreq', bs.ip_mreq, 8],
    ['ipv6_mreq', bs.ipv6_mreq, 20],
  ] as const)('sizeof(%s) === %i', (_name, cls, size) => {
    expect(bs.sizeof(cls)).toBe(size);
    expect(cls.size).toBe(size);
    const inst = new (cls as unknown as new () => bs.CStruct)();
    expect(bs.sizeof(inst)).toBe(size);
    expect(inst.bytes.length).toBe(size);
  });

  it('sockaddr_ll is 20 bytes', () => {
    expect(bs.sizeof(bs.sockaddr_ll)).toBe(20);
  });

  it('sizeof of a buffer is its byte length; anything else is a TypeError', () => {
    expect(bs.sizeof(new Uint16Array(3))).toBe(6);
    expect(bs.sizeof(new DataView(new ArrayBuffer(10), 2))).toBe(8);
    expectType(() => bs.sizeof({} as unknown as bs.Sized));
    expectType(() => bs.sizeof(12 as unknown as bs.Sized));
  });

  it('a new struct is zeroed apart from its family field, and addrlen defaults to sizeof', () => {
    const a = new bs.sockaddr_in();
    expect(a.addrlen).toBe(16);
    expect(a.sin_family).toBe(bs.AF_INET);
    expect([...a.bytes.subarray(2)].every((x) => x === 0)).toBe(true);
    const b = new bs.sockaddr_in6();
    expect(b.addrlen).toBe(28);
    expect(b.sin6_family).toBe(bs.AF_INET6);
    expect([...b.bytes.subarray(2)].every((x) => x === 0)).toBe(true);
    const u = new bs.sockaddr_un();
    expect(u.sun_family).toBe(bs.AF_UNIX);
    expect(u.addrlen).toBe(110);
    const st = new bs.sockaddr_storage();
    expect(st.ss_family).toBe(0);
    expect(st.addrlen).toBe(128);
  });
});

describe('sockaddr_in', () => {
  it('fields sit at their C offsets: family at 0 (host order), port at 2 and address at 4 (network order)', () => {
    const a = new bs.sockaddr_in();
    a.sin_port = bs.htons(8080);
    expect(a.bytes[2]).toBe(0x1f);
    expect(a.bytes[3]).toBe(0x90);
    expect(a.port).toBe(8080);
    expect(bs.ntohs(a.sin_port)).toBe(8080);
    a.sin_addr.s_addr = bs.htonl(bs.INADDR_LOOPBACK);
    expect([...a.bytes.subarray(4, 8)]).toEqual([127, 0, 0, 1]);
    expect(a.address).toBe('127.0.0.1');
    expect(a.sin_addr.toString()).toBe('127.0.0.1');
    expect(bs.INADDR_LOOPBACK).toBe(0x7f000001);
    expect(a.bytes.readUInt16LE(0)).toBe(LE ? bs.AF_INET : bs.htons(bs.AF_INET));
    expect(a.toString()).toBe('127.0.0.1:8080');
  });

  it('the port setter writes network order; sin_port is the raw stored value', () => {
    const a = new bs.sockaddr_in();
    a.port = 0x1234;
    expect([...a.bytes.subarray(2, 4)]).toEqual([0x12, 0x34]);
    expect(a.sin_port).toBe(LE ? 0x3412 : 0x1234);
    a.port = 65535;
    expect(a.port).toBe(65535);
    a.port = 0;
    expect(a.port).toBe(0);
  });

  it('setters check C ranges and types: sin_port 70000 / -1 / 1.5 are RangeErrors, \'80\' a TypeError', () => {
    const a = new bs.sockaddr_in();
    expectRange(() => { a.sin_port = 70000; });
    expectRange(() => { a.sin_port = 65536; });
    expectRange(() => { a.sin_port = -1; });
    expectRange(() => { a.sin_port = 1.5; });
    expectRange(() => { a.sin_port = Number.NaN; });
    expectRange(() => { a.sin_port = Infinity; });
    expectType(() => { a.sin_port = '80' as unknown as number; });
    expectType(() => { a.sin_port = null as unknown as number; });
    expectType(() => { a.sin_port = { valueOf: () => 80 } as unknown as number; });
    expectRange(() => { a.port = 70000; });
    expectRange(() => { a.port = -1; });
    expectRange(() => { a.port = 1.5; });
    expectType(() => { a.port = '80' as unknown as number; });
    expectRange(() => { a.sin_family = 65536; });
    expectRange(() => { a.sin_addr.s_addr = 2 ** 32; });
    expectRange(() => { a.sin_addr.s_addr = -1; });
    expect(a.port).toBe(0); // nothing was written by the failed sets
    expect(a.sin_family).toBe(bs.AF_INET);
    a.sin_addr.s_addr = 0xffffffff;
    expect(a.address).toBe('255.255.255.255');
  });

  it('constructs from host values and checks them', () => {
    const a = new bs.sockaddr_in('192.0.2.1', 443);
    expect(a.sin_family).toBe(bs.AF_INET);
    expect(a.address).toBe('192.0.2.1');
    expect(a.port).toBe(443);
    expect(a.addrlen).toBe(16);
    expect(new bs.sockaddr_in('127.0.0.1').port).toBe(0);
    expectRange(() => new bs.sockaddr_in('127.0.0.1', 65536));
    expectType(() => new bs.sockaddr_in('127.0.0.1', '80' as unknown as number));
    expectInvalidAddress(() => new bs.sockaddr_in('localhost', 80));
  });

  it('sin_zero is an 8-byte array field that rejects longer input', () => {
    const a = new bs.sockaddr_in();
    expect(a.sin_zero.length).toBe(8);
    a.sin_zero = [1, 2, 3];
    expect([...a.bytes.subarray(8, 16)]).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    expectRange(() => { a.sin_zero = new Uint8Array(9); });
  });

  it('sin_addr assignment copies an in_addr into the struct', () => {
    const a = new bs.sockaddr_in();
    a.sin_addr = new bs.in_addr('10.1.2.3');
    expect(a.address).toBe('10.1.2.3');
    expectType(() => { a.sin_addr = '10.1.2.3' as unknown as bs.in_addr; });
  });
});

describe('sockaddr_in6', () => {
  it('fields sit at their C offsets: port 2, flowinfo 4 (network order), address 8, scope id 24 (host order)', () => {
    const a = new bs.sockaddr_in6('::1', 8080, 0x12345, 7);
    expect(a.sin6_family).toBe(bs.AF_INET6);
    expect([...a.bytes.subarray(2, 4)]).toEqual([0x1f, 0x90]);
    expect([...a.bytes.subarray(4, 8)]).toEqual([0x00, 0x01, 0x23, 0x45]);
    expect([...a.bytes.subarray(8, 24)]).toEqual([...Array(15).fill(0), 1]);
    expect(LE ? a.bytes.readUInt32LE(24) : a.bytes.readUInt32BE(24)).toBe(7);
    expect(a.port).toBe(8080);
    expect(a.flowinfo).toBe(0x12345);
    expect(a.sin6_flowinfo).toBe(bs.htonl(0x12345));
    expect(a.sin6_scope_id).toBe(7);
    expect(a.sin6_addr.s6_addr.length).toBe(16);
  });

  it('flowinfo and scope_id round trip through the bytes (sockaddrFrom keeps them)', () => {
    const a = new bs.sockaddr_in6('2001:db8::5', 1, 0xfffff, 0xffffffff);
    const back = bs.sockaddrFrom(a.bytes, a.addrlen) as bs.sockaddr_in6;
    expect(back).toBeInstanceOf(bs.sockaddr_in6);
    expect(back.flowinfo).toBe(0xfffff);
    expect(back.sin6_scope_id).toBe(0xffffffff);
    expect(back.address).toBe('2001:db8::5');
    a.flowinfo = 0xffffffff;
    expect([...a.bytes.subarray(4, 8)]).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  it('flowinfo and scope id ranges are checked', () => {
    const a = new bs.sockaddr_in6();
    expectRange(() => { a.flowinfo = 2 ** 32; });
    expectRange(() => { a.flowinfo = -1; });
    expectType(() => { a.flowinfo = '1' as unknown as number; });
    expectRange(() => { a.sin6_scope_id = -1; });
    expectRange(() => { a.sin6_scope_id = 2 ** 32; });
    expectRange(() => new bs.sockaddr_in6('::1', 0, 2 ** 32));
    expectRange(() => new bs.sockaddr_in6('::1', 0, 0, -1));
  });

  it('toString: [address]:port, with a numeric %zone when the scope id is set', () => {
    expect(new bs.sockaddr_in6('::1', 8080).toString()).toBe('[::1]:8080');
    expect(new bs.sockaddr_in6('fe80::1%1', 80).toString()).toBe('[fe80::1%1]:80');
    expect(new bs.sockaddr_in6('::', 0).toString()).toBe('[::]:0');
    expect(new bs.sockaddr_in6('2001:DB8:0:0:0:0:0:1', 1).toString()).toBe('[2001:db8::1]:1'); // canonical text
  });

  it('a %zone by interface name resolves with if_nametoindex; numeric zones are taken as is', () => {
    const lo = bs.if_nametoindex('lo');
    expect(lo).toBeGreaterThan(0);
    const a = new bs.sockaddr_in6('fe80::1%lo', 80);
    expect(a.sin6_scope_id).toBe(lo);
    expect(a.address).toBe('fe80::1'); // the zone is not part of the address
    expect(a.toString()).toBe(`[fe80::1%${lo}]:80`);
    expect(new bs.sockaddr_in6('fe80::1%42', 80).sin6_scope_id).toBe(42);
    expectInvalidAddress(() => new bs.sockaddr_in6('fe80::1%no-such-if0', 80));
    expectInvalidAddress(() => new bs.sockaddr_in6('fe80::1%', 80));
    expectInvalidAddress(() => new bs.sockaddr_in6('fe80::1%lo\0x', 80));
  });

  it('the longest valid IPv4-mapped text parses without truncation, with and without a zone', () => {
    const longest = '0000:0000:0000:0000:0000:ffff:255.255.255.255'; // INET6_ADDRSTRLEN - 1 == 45 chars
    expect(longest.length).toBe(45);
    const a = new bs.sockaddr_in6(longest, 1);
    expect(a.address).toBe('::ffff:255.255.255.255');
    expect([...a.sin6_addr.s6_addr]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const z = new bs.sockaddr_in6(`${longest}%lo`, 1);
    expect(z.sin6_scope_id).toBe(bs.if_nametoindex('lo'));
    expect(z.address).toBe('::ffff:255.255.255.255');
    const allF = new bs.in6_addr('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255');
    expect([...allF.s6_addr].every((x) => x === 0xff)).toBe(true);
  });
});

describe('invalid address text', () => {
  const badV4 = ['300.0.0.0', '1.2.3.4.5', '0.0.0.', 'a.0.0.0', '::1', '127.1', '', ' 127.0.0.1', '127.0.0.1 ', '1.2.3.04x', '256.256.256.256', '1..2.3', '127.0.0.1\0'];
  const badV6 = [':::', '::0::', '1::abc::', '1:2:3:4:5:6:7:8:0', '1::260.2.3.0', '::1.2.3.4:0', '', '12345::', '1:2:3:4:5:6:7', 'g::1', '::ffff:1.2.3', '[::1]', '::1\0'];

  it.each(badV4)('IPv4 %j → TypeError ERR_INVALID_ADDRESS', (text) => {
    expectInvalidAddress(() => new bs.sockaddr_in(text, 80));
    expectInvalidAddress(() => new bs.in_addr(text));
    expect(bs.inet_pton(bs.AF_INET, text, new bs.in_addr())).toBe(0);
  });

  it.each(badV6)('IPv6 %j → TypeError ERR_INVALID_ADDRESS', (text) => {
    expectInvalidAddress(() => new bs.sockaddr_in6(text, 80));
    expectInvalidAddress(() => new bs.in6_addr(text));
    expect(bs.inet_pton(bs.AF_INET6, text, new bs.in6_addr())).toBe(0);
  });

  it('a failed parse leaves the previous address in place', () => {
    const a = new bs.sockaddr_in('10.0.0.1', 5);
    expectInvalidAddress(() => { a.address = '10.0.0.256'; });
    expect(a.toString()).toBe('10.0.0.1:5');
    const b = new bs.sockaddr_in6('::1', 80);
    const before = Buffer.from(b.bytes);
    for (const text of ['fe80::2%4294967296', 'fe80::2%99999999999999999999', 'fe80::2%no-such-if0', 'fe80::zz%1']) {
      expectInvalidAddress(() => { b.address = text; });
      expect(b.bytes.equals(before)).toBe(true);
    }
    expect(new bs.sockaddr_in6('fe80::2%4294967295', 1).sin6_scope_id).toBe(4294967295);
  });

  it('if_nametoindex / if_indextoname: lo both ways, unknown names and indexes are SocketErrors', () => {
    const lo = bs.if_nametoindex('lo');
    expect(bs.if_indextoname(lo)).toBe('lo');
    const e = thrown(() => bs.if_nametoindex('no-such-if0')) as bs.SocketError;
    expect(e).toBeInstanceOf(bs.SocketError);
    expect(e.code).toBe('ENODEV');
    expect(e.errno).toBe(bs.ENODEV);
    expect(e.syscall).toBe('if_nametoindex');
    const e2 = thrown(() => bs.if_indextoname(0x7ffffff0)) as bs.SocketError;
    expect(e2.code).toBe('ENXIO');
    expect(e2.errno).toBe(bs.ENXIO);
    expect(e2.syscall).toBe('if_indextoname');
    expectType(() => bs.if_nametoindex('lo\0x'));
  });
});

describe('sockaddr_un', () => {
  it('sun_path is at offset 2 and holds 108 bytes', () => {
    const u = new bs.sockaddr_un('/tmp/x');
    expect(u.sun_path.length).toBe(108);
    expect(u.bytes.subarray(2, 8).toString('latin1')).toBe('/tmp/x');
    expect(u.bytes[8]).toBe(0);
    expect(u.addrlen).toBe(2 + 6 + 1);
  });

  it('toString: the path; \'@name\' for abstract names (NULs as \'@\'); \'(unnamed)\'', () => {
    expect(new bs.sockaddr_un('/run/app.sock').toString()).toBe('/run/app.sock');
    expect(new bs.sockaddr_un('\0name').toString()).toBe('@name');
    expect(new bs.sockaddr_un('\0a\0b').toString()).toBe('@a@b');
    expect(new bs.sockaddr_un('').toString()).toBe('(unnamed)');
  });

  it('path and addrlen for each kind of name', () => {
    const abs = new bs.sockaddr_un(Buffer.from('\0ab\0', 'latin1'));
    expect(abs.addrlen).toBe(2 + 4);
    expect(abs.abstract).toBe(true);
    expect(abs.path).toBe('\0ab\0');
    const un = new bs.sockaddr_un('');
    expect(un.addrlen).toBe(2);
    expect(un.path).toBe('');
    expect(un.abstract).toBe(false);
  });

  it('over existing bytes, the addrlen decides what counts (never strlen)', () => {
    const raw = Buffer.alloc(110, 0x41); // no NUL anywhere: a 108-byte pathname filling sun_path
    raw.writeUInt16LE(bs.AF_UNIX, 0);
    const full = new bs.sockaddr_un(raw, 110);
    expect(full.path).toBe('A'.repeat(108));
    const part = new bs.sockaddr_un(raw, 7);
    expect(part.path).toBe('AAAAA');
    const none = new bs.sockaddr_un(raw, 2);
    expect(none.path).toBe('');
    expect(full.bytes.buffer).toBe(raw.buffer); // a view, not a copy
  });

  it('rejects path values that are not strings or bytes', () => {
    expectType(() => new bs.sockaddr_un(42 as unknown as string));
    const u = new bs.sockaddr_un();
    expectType(() => { u.path = null as unknown as string; });
  });
});

describe('sockaddrFrom', () => {
  it('decodes each family into its struct class', () => {
    const four = new bs.sockaddr_in('127.0.0.1', 1);
    expect(bs.sockaddrFrom(four.bytes, 16)).toBeInstanceOf(bs.sockaddr_in);
    const six = new bs.sockaddr_in6('::1', 1);
    expect(bs.sockaddrFrom(six.bytes, 28)).toBeInstanceOf(bs.sockaddr_in6);
    const un = new bs.sockaddr_un('/x');
    const u = bs.sockaddrFrom(un.bytes, un.addrlen);
    expect(u).toBeInstanceOf(bs.sockaddr_un);
    expect(u.addrlen).toBe(un.addrlen);
    expect((u as bs.sockaddr_un).path).toBe('/x');
  });

  it('an unknown family comes back as sockaddr_storage with its addrlen kept', () => {
    const raw = Buffer.alloc(40);
    raw.writeUInt16LE(0xfffe, 0);
    raw.fill(0x5a, 2, 20);
    const s = bs.sockaddrFrom(raw, 20);
    expect(s).toBeInstanceOf(bs.sockaddr_storage);
    expect(s.addrlen).toBe(20);
    expect(s.family).toBe(LE ? 0xfffe : 0xfeff);
    expect([...s.bytes.subarray(2, 20)].every((x) => x === 0x5a)).toBe(true);
    expect([...s.bytes.subarray(20)].every((x) => x === 0)).toBe(true); // bytes past addrlen are not copied
    expect(s.bytes.length).toBe(128);
  });

  it('a known family with a short addrlen is not decoded as that family', () => {
    const four = new bs.sockaddr_in('127.0.0.1', 1);
    const s = bs.sockaddrFrom(four.bytes, 8);
    expect(s).toBeInstanceOf(bs.sockaddr_storage);
    expect(s.addrlen).toBe(8);
    expect(s.family).toBe(bs.AF_INET);
    const empty = bs.sockaddrFrom(Buffer.alloc(0), 0);
    expect(empty).toBeInstanceOf(bs.sockaddr_storage);
    expect(empty.addrlen).toBe(0);
  });

  it('returns a copy: later changes to the source bytes do not show through', () => {
    const src = new bs.sockaddr_in('127.0.0.1', 80);
    const d = bs.sockaddrFrom(src.bytes, 16) as bs.sockaddr_in;
    src.port = 81;
    expect(d.port).toBe(80);
  });
});

describe('views over existing memory', () => {
  it('a struct made over bytes shares them, at the given offset', () => {
    const buf = Buffer.alloc(64);
    const a = new bs.sockaddr_in(buf.subarray(8));
    expect(a.bytes.buffer).toBe(buf.buffer);
    expect(a.bytes.byteOffset).toBe(buf.byteOffset + 8);
    expect(a.bytes.length).toBe(16); // exactly sizeof, not the rest of the buffer
    a.sin_family = bs.AF_INET;
    a.port = 80;
    a.address = '10.0.0.2';
    expect([...buf.subarray(10, 16)]).toEqual([0, 80, 10, 0, 0, 2]);
    buf[15] = 9;
    expect(a.address).toBe('10.0.0.9');
  });

  it('a view does not reset the family: the bytes are taken as they are', () => {
    const buf = Buffer.alloc(16, 0xff);
    const a = new bs.sockaddr_in(buf);
    expect(a.sin_family).toBe(0xffff);
    expect(a.address).toBe('255.255.255.255');
  });

  it('nested structs (sin_addr, sin6_addr) are views into their parent', () => {
    const a = new bs.sockaddr_in();
    const inner = a.sin_addr;
    inner.address = '1.2.3.4';
    expect([...a.bytes.subarray(4, 8)]).toEqual([1, 2, 3, 4]);
    expect(a.sin_addr).toBe(inner); // the same view object each time
    const b = new bs.sockaddr_in6();
    b.sin6_addr.s6_addr = [0xfe, 0x80];
    expect(b.address).toBe('fe80::');
    expect(b.bytes[8]).toBe(0xfe);
  });

  it('bytes shorter than the struct are a RangeError; a non-Uint8Array is a TypeError', () => {
    expectRange(() => new bs.sockaddr_in(new Uint8Array(15)));
    expectRange(() => new bs.sockaddr_in6(new Uint8Array(27)));
    expectRange(() => new bs.in_addr(new Uint8Array(3)));
    expectRange(() => new bs.sockaddr_storage(new Uint8Array(127)));
  });
});

describe('byte order', () => {
  it('htons/ntohs swap 16 bits on this host and are inverses', () => {
    expect(bs.htons(0x1234)).toBe(LE ? 0x3412 : 0x1234);
    expect(bs.ntohs(bs.htons(8080))).toBe(8080);
    expect(bs.htons(0)).toBe(0);
    expect(bs.htons(0xffff)).toBe(0xffff);
  });

  it('htonl/ntohl swap 32 bits and return unsigned values', () => {
    expect(bs.htonl(0x7f000001)).toBe(LE ? 0x0100007f : 0x7f000001);
    expect(bs.htonl(0x80)).toBe(LE ? 0x80000000 : 0x80); // not negative
    expect(bs.ntohl(bs.htonl(0xdeadbeef))).toBe(0xdeadbeef);
    expect(bs.htonl(0xffffffff)).toBe(0xffffffff);
  });

  it('arguments outside the C type are RangeErrors, non-numbers TypeErrors', () => {
    for (const f of [bs.htons, bs.ntohs]) {
      expectRange(() => f(0x10000));
      expectRange(() => f(-1));
      expectRange(() => f(1.5));
      expectRange(() => f(Number.NaN));
      expectType(() => f('1' as unknown as number));
    }
    for (const f of [bs.htonl, bs.ntohl]) {
      expectRange(() => f(2 ** 32));
      expectRange(() => f(-1));
      expectRange(() => f(0.5));
      expectType(() => f(1n as unknown as number));
    }
  });
});

describe('inet_pton / inet_ntop', () => {
  it('inet_pton returns 1 and fills the destination for valid text', () => {
    const a = new bs.in_addr();
    expect(bs.inet_pton(bs.AF_INET, '192.0.2.33', a)).toBe(1);
    expect([...a.bytes]).toEqual([192, 0, 2, 33]);
    const b = Buffer.alloc(16);
    expect(bs.inet_pton(bs.AF_INET6, '2001:db8::ff', b)).toBe(1);
    expect(b.toString('hex')).toBe('20010db80000000000000000000000ff');
  });

  it('inet_pton returns 0 for text that is not an address, leaving the destination alone', () => {
    const a = Buffer.alloc(4, 0xee);
    expect(bs.inet_pton(bs.AF_INET, '1.2.3', a)).toBe(0);
    expect(bs.inet_pton(bs.AF_INET, '127.1', a)).toBe(0); // inet_pton is strict, unlike inet_aton
    expect([...a]).toEqual([0xee, 0xee, 0xee, 0xee]);
  });

  it('inet_pton returns -1 with errno EAFNOSUPPORT for an unsupported family', () => {
    bs.setErrno(0);
    expect(bs.inet_pton(bs.AF_UNIX, '1.2.3.4', Buffer.alloc(16))).toBe(-1);
    expect(bs.errno).toBe(bs.EAFNOSUPPORT);
    bs.setErrno(0);
    expect(bs.inet_pton(12345, '::1', Buffer.alloc(16))).toBe(-1);
    expect(bs.errno).toBe(bs.EAFNOSUPPORT);
  });

  it('inet_pton checks the destination size and the text type before the call', () => {
    expectRange(() => bs.inet_pton(bs.AF_INET6, '::1', new bs.in_addr()));
    expectRange(() => bs.inet_pton(bs.AF_INET, '1.2.3.4', Buffer.alloc(3)));
    expectType(() => bs.inet_pton(bs.AF_INET, 1234 as unknown as string, Buffer.alloc(4)));
    expectType(() => bs.inet_pton(bs.AF_INET, '1.2.3.4', [0, 0, 0, 0] as unknown as Buffer));
  });

  it('inet_ntop formats in_addr / in6_addr / raw bytes', () => {
    expect(bs.inet_ntop(bs.AF_INET, new bs.in_addr('10.20.30.40'))).toBe('10.20.30.40');
    expect(bs.inet_ntop(bs.AF_INET, Uint8Array.of(127, 0, 0, 1))).toBe('127.0.0.1');
    expect(bs.inet_ntop(bs.AF_INET6, new bs.in6_addr('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(bs.inet_ntop(bs.AF_INET6, new bs.sockaddr_in6('::ffff:10.0.0.1').sin6_addr)).toBe('::ffff:10.0.0.1');
    expect(bs.inet_ntop(bs.AF_INET6, Buffer.alloc(16))).toBe('::');
  });

  it('inet_ntop with an unsupported family throws SocketError EAFNOSUPPORT; short input is a RangeError', () => {
    const e = thrown(() => bs.inet_ntop(bs.AF_UNIX, Buffer.alloc(16))) as bs.SocketError;
    expect(e).toBeInstanceOf(bs.SocketError);
    expect(e.code).toBe('EAFNOSUPPORT');
    expect(e.errno).toBe(bs.EAFNOSUPPORT);
    expect(e.syscall).toBe('inet_ntop');
    expectRange(() => bs.inet_ntop(bs.AF_INET6, Buffer.alloc(15)));
    expectRange(() => bs.inet_ntop(bs.AF_INET, Buffer.alloc(3)));
  });
});

describe('inet_addr / inet_aton / inet_ntoa', () => {
  it('inet_addr returns the address in network byte order', () => {
    expect(bs.inet_addr('127.0.0.1')).toBe(bs.htonl(bs.INADDR_LOOPBACK));
    expect(bs.inet_addr('1.2.3.4')).toBe(bs.htonl(0x01020304));
  });

  it('inet_addr accepts the classic short and radix forms (\'127.1\', hex, octal)', () => {
    expect(bs.inet_addr('127.1')).toBe(bs.htonl(0x7f000001));
    expect(bs.inet_addr('0x7f.1')).toBe(bs.htonl(0x7f000001));
    expect(bs.inet_addr('10.1.0400')).toBe(bs.htonl(0x0a010100)); // 0400 octal = 256
    expect(bs.inet_addr('2130706433')).toBe(bs.htonl(0x7f000001));
  });

  it('inet_addr returns INADDR_NONE (0xffffffff) for bad text, which is also 255.255.255.255', () => {
    expect(bs.INADDR_NONE).toBe(0xffffffff);
    for (const bad of ['', 'localhost', '1.2.3.4.5', '256.0.0.1', '1.2.3.4x']) expect(bs.inet_addr(bad)).toBe(bs.INADDR_NONE);
    expect(bs.inet_addr('255.255.255.255')).toBe(bs.INADDR_NONE); // the classic ambiguity
    expectType(() => bs.inet_addr(1 as unknown as string));
  });

  it('inet_aton returns 1 and fills an in_addr, 0 for bad text', () => {
    const a = new bs.in_addr();
    expect(bs.inet_aton('127.1', a)).toBe(1);
    expect(a.address).toBe('127.0.0.1');
    expect(a.s_addr).toBe(bs.htonl(bs.INADDR_LOOPBACK));
    expect(bs.inet_aton('255.255.255.255', a)).toBe(1); // unambiguous, unlike inet_addr
    expect(a.address).toBe('255.255.255.255');
    const b = new bs.in_addr('1.1.1.1');
    expect(bs.inet_aton('nope', b)).toBe(0);
    expect(bs.inet_aton('1.2.3.256', b)).toBe(0);
    const raw = Buffer.alloc(4);
    expect(bs.inet_aton('10.0.0.1', raw)).toBe(1);
    expect([...raw]).toEqual([10, 0, 0, 1]);
    expectRange(() => bs.inet_aton('1.2.3.4', Buffer.alloc(3)));
  });

  it('inet_ntoa gives the dotted quad', () => {
    expect(bs.inet_ntoa(new bs.in_addr('192.168.100.7'))).toBe('192.168.100.7');
    const a = new bs.in_addr();
    a.s_addr = bs.htonl(0x0a000001);
    expect(bs.inet_ntoa(a)).toBe('10.0.0.1');
  });
});
