// Property-based fuzzing of every argument position (issue 7, reliability.md §1 A, items
// 1-2, 12-16, 36): wrong types, NaN, ±Infinity, -0, fractions, 2**31/2**32/2**53,
// negatives, coercion traps, fake Buffers, detached and resizable ArrayBuffers, every
// TypedArray kind with offsets, strings with NULs and lone surrogates. Every call must end
// in the C result, SocketError, TypeError or RangeError (a rejection with one of them for
// the Promise API): never a crash, a hang, another error type, an "internal:" guard of the
// native layer, a coercion (valueOf/toPrimitive/toString called), or a silent truncation
// of an integer. The calls are real syscalls on a fresh non-blocking socketpair per run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as bp from '../lib/promises.js';

const SEED = Number(process.env.FC_SEED ?? 0x5eed_b5d);
const RUNS = Number(process.env.FC_RUNS ?? 150);
const fcOpts = { seed: SEED, numRuns: RUNS, endOnFailure: true };

// ---------------------------------------------------------------------------------------
// coercion traps

let coerced = 0;
function trap(): object {
  return {
    valueOf() { coerced++; return 3; },
    toString() { coerced++; return '3'; },
    [Symbol.toPrimitive]() { coerced++; return coerced % 2 ? 0 : -1; },
  };
}

// ---------------------------------------------------------------------------------------
// weird values: recipes (reproducible, printable) materialized fresh for each run, so a
// detached or resized buffer is made anew every time.

// Resizable ArrayBuffers (ES2024, in Node 20) are beyond this project's TypeScript lib.
type Resizable = ArrayBuffer & { resize(n: number): void };
const RAB = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => Resizable;

const NAMED: Record<string, () => unknown> = {
  undefined: () => undefined,
  null: () => null,
  true: () => true,
  false: () => false,
  NaN: () => NaN,
  Infinity: () => Infinity,
  '-Infinity': () => -Infinity,
  '-0': () => -0,
  '0.5': () => 0.5,
  '1.5': () => 1.5,
  '-1': () => -1,
  '-1.5': () => -1.5,
  '2**31': () => 2 ** 31,
  '2**31-1': () => 2 ** 31 - 1,
  '-(2**31)': () => -(2 ** 31),
  '-(2**31)-1': () => -(2 ** 31) - 1,
  '2**32': () => 2 ** 32,
  '2**32+1': () => 2 ** 32 + 1,
  '2**32+3': () => 2 ** 32 + 3,
  '2**53': () => 2 ** 53,
  '2**53+2': () => 2 ** 53 + 2,
  '-(2**53)': () => -(2 ** 53),
  MAX_VALUE: () => Number.MAX_VALUE,
  MIN_VALUE: () => Number.MIN_VALUE,
  '65536': () => 65536,
  '70000': () => 70000,
  '3n': () => 3n,
  '2n**64n': () => 2n ** 64n,
  symbol: () => Symbol('s'),
  function: () => () => 3,
  '[]': () => [],
  '[3]': () => [3],
  '{}': () => ({}),
  trap: trap,
  'fake Buffer': () => Object.create(Buffer.prototype),
  'fake Uint8Array': () => Object.create(Uint8Array.prototype),
  'array-like': () => ({ length: 4, 0: 1, byteLength: 4, buffer: new ArrayBuffer(4) }),
  ArrayBuffer: () => new ArrayBuffer(8),
  SharedArrayBuffer: () => new SharedArrayBuffer(8),
  'detached Buffer': () => {
    const b = Buffer.alloc(16, 1);
    structuredClone(b.buffer, { transfer: [b.buffer] });
    return b;
  },
  'detached Float64Array@8': () => {
    const ab = new ArrayBuffer(32);
    const v = new Float64Array(ab, 8, 2);
    structuredClone(ab, { transfer: [ab] });
    return v;
  },
  'detached DataView': () => {
    const ab = new ArrayBuffer(16);
    const v = new DataView(ab, 4);
    structuredClone(ab, { transfer: [ab] });
    return v;
  },
  'resizable tracking Uint8Array': () => new Uint8Array(new RAB(8, { maxByteLength: 16 })),
  'resizable grown Uint16Array': () => {
    const ab = new RAB(8, { maxByteLength: 16 });
    const v = new Uint16Array(ab, 2);
    ab.resize(16);
    return v;
  },
  'resizable shrunk tracking Buffer': () => {
    const ab = new RAB(16, { maxByteLength: 32 });
    const v = Buffer.from(ab);
    ab.resize(2);
    return v;
  },
  'resizable out-of-bounds fixed view': () => {
    const ab = new RAB(16, { maxByteLength: 32 });
    const v = new Uint32Array(ab, 8, 2);
    ab.resize(4);
    return v;
  },
  'resizable out-of-bounds DataView': () => {
    const ab = new RAB(16, { maxByteLength: 32 });
    const v = new DataView(ab, 8, 8);
    ab.resize(4);
    return v;
  },
  'SharedArrayBuffer view': () => new Uint8Array(new SharedArrayBuffer(16), 4),
  'empty Buffer': () => Buffer.alloc(0),
  'Buffer 64': () => Buffer.alloc(64, 0x41),
  'sockaddr_in': () => new bs.sockaddr_in('127.0.0.1', 9),
  'sockaddr_in6': () => new bs.sockaddr_in6('::1', 9),
  'sockaddr_un': () => new bs.sockaddr_un(`\0bs-prop-${process.pid}`),
  'sockaddr_storage': () => new bs.sockaddr_storage(),
  'sockaddr_in addrlen NaN': () => Object.assign(new bs.sockaddr_in('127.0.0.1', 9), { addrlen: NaN }),
  'sockaddr_in addrlen 1.5': () => Object.assign(new bs.sockaddr_in('127.0.0.1', 9), { addrlen: 1.5 }),
  'sockaddr_in addrlen -1': () => Object.assign(new bs.sockaddr_in('127.0.0.1', 9), { addrlen: -1 }),
  'sockaddr_in addrlen 2**32': () => Object.assign(new bs.sockaddr_in('127.0.0.1', 9), { addrlen: 2 ** 32 }),
  'sockaddr_in addrlen "8"': () => Object.assign(new bs.sockaddr_in('127.0.0.1', 9), { addrlen: '8' }),
  linger: () => new bs.linger(),
  timeval: () => new bs.timeval({ tv_sec: 0, tv_usec: 1000 }),
  '"3"': () => '3',
  '""': () => '',
  '"0x10"': () => '0x10',
  '"a\\0b"': () => 'a\0b',
  '"\\0abstract"': () => '\0abstract',
  '"\\ud800"': () => '\ud800',
  '"x\\udfffy"': () => 'x\udfffy',
  '"127.0.0.1"': () => '127.0.0.1',
  '"::1"': () => '::1',
  '"::ffff:1.2.3.4%lo"': () => '::ffff:1.2.3.4%lo',
  '"SO_REUSEADDR"': () => 'SO_REUSEADDR',
  'options {timeout:-1}': () => ({ timeout: -1 }),
  'options {timeout:NaN}': () => ({ timeout: NaN }),
  'options {timeout:trap}': () => ({ timeout: trap() }),
  'options {signal:{}}': () => ({ signal: {} }),
  'msghdr empty': () => ({}),
  'msghdr iov trap': () => ({ msg_iov: [trap()] }),
  'msghdr iovlen 2**32': () => ({ msg_iov: [Buffer.alloc(4)], msg_iovlen: 2 ** 32 }),
  'msghdr iovlen 0.5': () => ({ msg_iov: [Buffer.alloc(4)], msg_iovlen: 0.5 }),
  'msghdr controllen -1': () => ({ msg_iov: [Buffer.alloc(4)], msg_control: Buffer.alloc(8), msg_controllen: -1 }),
  'msghdr namelen 2**32': () => ({ msg_iov: [Buffer.alloc(4)], msg_name: new bs.sockaddr_in('127.0.0.1', 9), msg_namelen: 2 ** 32 }),
  'msghdr detached iov': () => ({ msg_iov: [NAMED['detached Buffer']!()] }),
  'msghdr oob iov': () => ({ msg_iov: [NAMED['resizable out-of-bounds fixed view']!()] }),
  'msghdr control detached': () => ({ msg_iov: [Buffer.alloc(4)], msg_control: NAMED['detached Buffer']!() }),
  'msghdr cmsg garbage': () => ({ msg_iov: ['x'], msg_control: [{ cmsg_level: NaN, cmsg_type: 1, data: 3 }] }),
  'msghdr name fake': () => ({ msg_iov: ['x'], msg_name: Object.create(Buffer.prototype) }),
};

const TYPED = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
] as const;

type Recipe =
  | { k: 'named'; name: string }
  | { k: 'int'; n: number }
  | { k: 'double'; n: number }
  | { k: 'string'; s: string }
  | { k: 'typed'; t: number; off: number; len: number; shared: boolean }
  | { k: 'dataview'; off: number; len: number };

function make(r: Recipe): unknown {
  switch (r.k) {
    case 'named': return NAMED[r.name]!();
    case 'int': case 'double': return r.n;
    case 'string': return r.s;
    case 'typed': {
      const T = TYPED[r.t]!;
      const ab = r.shared ? new SharedArrayBuffer(r.off * 8 + r.len * 8 + 8) : new ArrayBuffer(r.off * 8 + r.len * 8 + 8);
      return new T(ab as ArrayBuffer, r.off * 8, r.len);
    }
    case 'dataview': return new DataView(new ArrayBuffer(r.off + r.len + 3), r.off, r.len);
  }
}
function show(r: Recipe): string {
  switch (r.k) {
    case 'named': return r.name;
    case 'int': case 'double': return Object.is(r.n, -0) ? '-0' : String(r.n);
    case 'string': return JSON.stringify(r.s);
    case 'typed': return `${TYPED[r.t]!.name}(${r.shared ? 'shared, ' : ''}off ${r.off * 8}, len ${r.len})`;
    case 'dataview': return `DataView(off ${r.off}, len ${r.len})`;
  }
}

const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const recipe: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(NAMED)).map((name): Recipe => ({ k: 'named', name })) },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -70000, max: 70000 }), fc.integer(), fc.maxSafeInteger(),
    fc.integer({ min: -(2 ** 33), max: 2 ** 33 })).map((n): Recipe => ({ k: 'int', n })) },
  { weight: 1, arbitrary: fc.double().map((n): Recipe => ({ k: 'double', n })) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(fc.constantFrom('\0', 'a', '.', ':', '/', 'é', '%'), lone, fc.nat(0x10ffff).map((c) => String.fromCodePoint(c))), maxLength: 24 })
    .map((s): Recipe => ({ k: 'string', s })) },
  { weight: 2, arbitrary: fc.record({ t: fc.nat(TYPED.length - 1), off: fc.nat(3), len: fc.nat(6), shared: fc.boolean() })
    .map((x): Recipe => ({ k: 'typed', ...x })) },
  { weight: 1, arbitrary: fc.record({ off: fc.nat(5), len: fc.nat(20) }).map((x): Recipe => ({ k: 'dataview', ...x })) },
);

// ---------------------------------------------------------------------------------------
// argument specs

/** Integer domains: a number outside them (or not an integer) must be a RangeError. */
type Kind =
  | { int: [number, number]; optional?: boolean; nullable?: boolean; safe?: (v: number) => unknown }
  | { other: true };
const I32: [number, number] = [-(2 ** 31), 2 ** 31 - 1];
const FLAGS: [number, number] = [-(2 ** 31), 2 ** 32 - 1];
const FD = { int: [0, 2 ** 31 - 1] as [number, number], safe: () => 2 ** 31 - 1 };
const OTHER = { other: true } as const;
const int32 = (optional = false, safe?: (v: number) => unknown): Kind => ({ int: I32, optional, safe });
const flags = (safe?: (v: number) => unknown): Kind => ({ int: FLAGS, optional: true, safe });
// getaddrinfo hints fields: absent (undefined or null, as in a zeroed struct) means 0.
const HINT: Kind = { int: I32, optional: true, nullable: true };
const len = (n: number): Kind => ({ int: [0, n], optional: true });

interface Ctx { a: number; b: number; closed: Set<number> }
interface Api {
  name: string;
  args: (c: Ctx) => unknown[];
  kinds: Kind[];
  call: (...a: unknown[]) => unknown;
  /** The call's result holds fds to close (socket, socketpair, accept). */
  fds?: (r: unknown) => number[];
  async?: boolean;
}

const dontwait = (v: number) => (v | bs.MSG_DONTWAIT) & ~bs.MSG_WAITALL;
const numeric = (v: number) => v | bs.AI_NUMERICHOST;
const niNumeric = (v: number) => v | bs.NI_NUMERICHOST | bs.NI_NUMERICSERV;
const any = bs as unknown as Record<string, (...a: unknown[]) => unknown>;
const anyP = bp as unknown as Record<string, (...a: unknown[]) => unknown>;
const one = (r: unknown) => (typeof r === 'number' && r >= 0 ? [r] : []);
const sin = () => new bs.sockaddr_in('127.0.0.1', 9);
const buf = () => Buffer.alloc(16);

const SYNC: Api[] = [
  { name: 'socket', args: () => [bs.AF_UNIX, bs.SOCK_DGRAM, 0], kinds: [int32(), int32(), int32(true)], call: any.socket!, fds: one },
  { name: 'socketpair', args: () => [bs.AF_UNIX, bs.SOCK_DGRAM, 0], kinds: [int32(), int32(), int32(true)], call: any.socketpair!, fds: (r) => (Array.isArray(r) ? r : []) },
  { name: 'bind', args: (c) => [c.a, sin(), undefined], kinds: [FD, OTHER, len(16)], call: any.bind! },
  { name: 'listen', args: (c) => [c.a, 1], kinds: [FD, int32(true)], call: any.listen! },
  { name: 'accept', args: (c) => [c.a, new bs.sockaddr_storage(), undefined], kinds: [FD, OTHER, len(128)], call: any.accept!, fds: one },
  { name: 'accept4', args: (c) => [c.a, new bs.sockaddr_storage(), undefined, 0], kinds: [FD, OTHER, len(128), flags()], call: any.accept4!, fds: one },
  { name: 'connect', args: (c) => [c.a, sin(), undefined], kinds: [FD, OTHER, len(16)], call: any.connect! },
  { name: 'shutdown', args: (c) => [c.a, bs.SHUT_RDWR], kinds: [FD, int32()], call: any.shutdown! },
  { name: 'close', args: (c) => [c.a], kinds: [FD], call: any.close! },
  { name: 'send', args: (c) => [c.a, buf(), undefined, bs.MSG_DONTWAIT], kinds: [FD, OTHER, len(16), flags()], call: any.send! },
  { name: 'recv', args: (c) => [c.b, buf(), undefined, bs.MSG_DONTWAIT], kinds: [FD, OTHER, len(16), flags(dontwait)], call: any.recv! },
  { name: 'sendto', args: (c) => [c.a, buf(), undefined, bs.MSG_DONTWAIT, sin(), undefined], kinds: [FD, OTHER, len(16), flags(), OTHER, len(16)], call: any.sendto! },
  { name: 'recvfrom', args: (c) => [c.b, buf(), undefined, bs.MSG_DONTWAIT, new bs.sockaddr_storage(), undefined], kinds: [FD, OTHER, len(16), flags(dontwait), OTHER, len(128)], call: any.recvfrom! },
  { name: 'read', args: (c) => [c.b, buf(), undefined], kinds: [FD, OTHER, len(16)], call: any.read! },
  { name: 'write', args: (c) => [c.a, buf(), undefined], kinds: [FD, OTHER, len(16)], call: any.write! },
  { name: 'getsockname', args: (c) => [c.a, undefined, undefined], kinds: [FD, OTHER, OTHER], call: any.getsockname! },
  { name: 'getpeername', args: (c) => [c.a, new bs.sockaddr_un(), undefined], kinds: [FD, OTHER, len(110)], call: any.getpeername! },
  { name: 'setsockopt', args: (c) => [c.a, bs.SOL_SOCKET, bs.SO_RCVBUF, 4096, undefined], kinds: [FD, int32(), int32(), OTHER, OTHER], call: any.setsockopt! },
  { name: 'getsockopt', args: (c) => [c.a, bs.SOL_SOCKET, bs.SO_TYPE, Buffer.alloc(4), undefined], kinds: [FD, int32(), int32(), OTHER, len(4)], call: any.getsockopt! },
  // fcntl: only F_GETFL / F_GETFD-like commands really run (no F_DUPFD leak, no F_SETLKW).
  { name: 'fcntl', args: (c) => [c.a, bs.F_GETFL, 0], kinds: [FD, int32(false, () => bs.F_GETFD), int32(true)], call: any.fcntl! },
  // a valid timeout becomes 0: the fd has nothing queued, so any other would wait it out
  { name: 'poll', args: (c) => [[new bs.pollfd({ fd: c.a, events: bs.POLLIN }), new bs.pollfd({ fd: c.b, events: bs.POLLOUT })], 2, 0],
    kinds: [OTHER, { int: [0, 2], optional: true }, int32(true, () => 0)], call: any.poll! },
  { name: 'getNonBlocking', args: (c) => [c.a], kinds: [FD], call: any.getNonBlocking! },
  { name: 'setNonBlocking', args: (c) => [c.a, true], kinds: [FD, OTHER], call: any.setNonBlocking! },
  { name: 'getCloseOnExec', args: (c) => [c.a], kinds: [FD], call: any.getCloseOnExec! },
  { name: 'setCloseOnExec', args: (c) => [c.a, true], kinds: [FD, OTHER], call: any.setCloseOnExec! },
  { name: 'inet_pton', args: () => [bs.AF_INET6, '::1', Buffer.alloc(16)], kinds: [int32(), OTHER, OTHER], call: any.inet_pton! },
  { name: 'inet_ntop', args: () => [bs.AF_INET6, Buffer.alloc(16)], kinds: [int32(), OTHER], call: any.inet_ntop! },
  { name: 'inet_addr', args: () => ['1.2.3.4'], kinds: [OTHER], call: any.inet_addr! },
  { name: 'inet_aton', args: () => ['127.1', new bs.in_addr()], kinds: [OTHER, OTHER], call: any.inet_aton! },
  { name: 'htons', args: () => [80], kinds: [{ int: [0, 0xffff] }], call: any.htons! },
  { name: 'ntohs', args: () => [80], kinds: [{ int: [0, 0xffff] }], call: any.ntohs! },
  { name: 'htonl', args: () => [80], kinds: [{ int: [0, 2 ** 32 - 1] }], call: any.htonl! },
  { name: 'ntohl', args: () => [80], kinds: [{ int: [0, 2 ** 32 - 1] }], call: any.ntohl! },
  { name: 'getaddrinfo', args: () => ['127.0.0.1', '80', { ai_flags: bs.AI_NUMERICHOST, ai_family: 0, ai_socktype: bs.SOCK_STREAM, ai_protocol: 0 }], kinds: [OTHER, OTHER, OTHER], call: (n, s, h) => any.getaddrinfo!(n, s, h === null || typeof h !== 'object' ? h : { ...(h as object), ai_flags: (h as { ai_flags?: unknown }).ai_flags ?? bs.AI_NUMERICHOST }) },
  { name: 'getaddrinfo hints', args: () => ['::1', null, bs.AI_NUMERICHOST, 0, 0, 0], kinds: [OTHER, OTHER, flags(numeric), HINT, HINT, HINT],
    call: (n, s, f, fam, st, p) => any.getaddrinfo!(n, s, { ai_flags: f, ai_family: fam, ai_socktype: st, ai_protocol: p }) },
  { name: 'getnameinfo', args: () => [new bs.sockaddr_in('127.0.0.1', 80), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV], kinds: [OTHER, flags(niNumeric)], call: any.getnameinfo! },
  { name: 'sendmsg', args: (c) => [c.a, { msg_iov: [buf(), 'x'] }, bs.MSG_DONTWAIT], kinds: [FD, OTHER, flags()], call: any.sendmsg! },
  { name: 'recvmsg', args: (c) => [c.b, { msg_iov: [buf()], msg_controllen: 64 }, bs.MSG_DONTWAIT], kinds: [FD, OTHER, flags(dontwait)], call: any.recvmsg! },
  { name: 'msghdr fields', args: (c) => [c.a, buf(), undefined, null, undefined, Buffer.alloc(0), undefined], kinds: [FD, OTHER, len(1), OTHER, OTHER, OTHER, OTHER],
    call: (fd, iov, iovlen, name, namelen, control, controllen) => any.sendmsg!(fd, { msg_iov: [iov], msg_iovlen: iovlen, msg_name: name, msg_namelen: namelen, msg_control: control, msg_controllen: controllen }, bs.MSG_DONTWAIT) },
  { name: 'setOption', args: (c) => [c.a, 'SO_RCVBUF', 4096], kinds: [FD, OTHER, OTHER], call: any.setOption! },
  { name: 'getOption', args: (c) => [c.a, 'SO_TYPE', undefined], kinds: [FD, OTHER, OTHER], call: any.getOption! },
  { name: 'in_cksum', args: () => [Buffer.alloc(20, 0x11), undefined], kinds: [OTHER, len(20)], call: any.in_cksum! },
  { name: 'new sockaddr_in', args: () => ['127.0.0.1', 80], kinds: [OTHER, { int: [0, 0xffff], optional: true }], call: (a, p) => new bs.sockaddr_in(a as string, p as number) },
  { name: 'new sockaddr_in6', args: () => ['::1', 80, 0, 0], kinds: [OTHER, { int: [0, 0xffff], optional: true }, { int: [0, 2 ** 32 - 1], optional: true }, { int: [0, 2 ** 32 - 1], optional: true }],
    call: (a, p, f, s) => new bs.sockaddr_in6(a as string, p as number, f as number, s as number) },
  { name: 'new sockaddr_un', args: () => ['/tmp/x', undefined], kinds: [OTHER, OTHER], call: (p, l) => new bs.sockaddr_un(p as string, l as number) },
];

const PROMISES: Api[] = ([
  { name: 'accept', args: (c) => [c.a, new bs.sockaddr_storage(), undefined, undefined], kinds: [FD, OTHER, len(128), OTHER], call: anyP.accept!, fds: one },
  { name: 'accept4', args: (c) => [c.a, new bs.sockaddr_storage(), undefined, 0, undefined], kinds: [FD, OTHER, len(128), flags(), OTHER], call: anyP.accept4!, fds: one },
  { name: 'connect', args: (c) => [c.a, sin(), undefined, undefined], kinds: [FD, OTHER, len(16), OTHER], call: anyP.connect! },
  { name: 'send', args: (c) => [c.a, buf(), undefined, 0, undefined], kinds: [FD, OTHER, len(16), flags(), OTHER], call: anyP.send! },
  { name: 'recv', args: (c) => [c.b, buf(), undefined, 0, undefined], kinds: [FD, OTHER, len(16), flags(), OTHER], call: anyP.recv! },
  { name: 'sendto', args: (c) => [c.a, buf(), undefined, 0, sin(), undefined, undefined], kinds: [FD, OTHER, len(16), flags(), OTHER, len(16), OTHER], call: anyP.sendto! },
  { name: 'recvfrom', args: (c) => [c.b, buf(), undefined, 0, new bs.sockaddr_storage(), undefined, undefined], kinds: [FD, OTHER, len(16), flags(), OTHER, len(128), OTHER], call: anyP.recvfrom! },
  { name: 'read', args: (c) => [c.b, buf(), undefined, undefined], kinds: [FD, OTHER, len(16), OTHER], call: anyP.read! },
  { name: 'write', args: (c) => [c.a, buf(), undefined, undefined], kinds: [FD, OTHER, len(16), OTHER], call: anyP.write! },
  { name: 'poll', args: (c) => [c.b, bs.POLLIN, undefined], kinds: [FD, { int: [1, 0xffff] }, OTHER], call: anyP.poll! },
  { name: 'sendmsg', args: (c) => [c.a, { msg_iov: [buf()] }, 0, undefined], kinds: [FD, OTHER, flags(), OTHER], call: anyP.sendmsg! },
  { name: 'recvmsg', args: (c) => [c.b, { msg_iov: [buf()] }, 0, undefined], kinds: [FD, OTHER, flags(), OTHER], call: anyP.recvmsg! },
  { name: 'getaddrinfo', args: () => ['127.0.0.1', '80', { ai_flags: bs.AI_NUMERICHOST }, undefined], kinds: [OTHER, OTHER, OTHER, OTHER],
    call: (n, s, h, o) => anyP.getaddrinfo!(n, s, h === null || typeof h !== 'object' ? h : { ...(h as object), ai_flags: bs.AI_NUMERICHOST }, o) },
  { name: 'getnameinfo', args: () => [new bs.sockaddr_in('127.0.0.1', 80), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV, undefined], kinds: [OTHER, flags(niNumeric), OTHER], call: anyP.getnameinfo! },
] as Api[]).map((a) => ({ ...a, async: true }));

// ---------------------------------------------------------------------------------------
// the checks

function allowed(e: unknown): boolean {
  return e instanceof bs.SocketError || e instanceof TypeError || e instanceof RangeError || e instanceof bs.AddrInfoError;
}

/** Describes what went wrong with an outcome, or '' when it is acceptable. */
function judge(kind: Kind, value: unknown, err: unknown, threw: boolean): string {
  if (threw) {
    if (!allowed(err)) return `threw a non-allowed ${(err as Error)?.constructor?.name}: ${String((err as Error)?.message ?? err)}`;
    const msg = String((err as Error).message);
    if (msg.startsWith('internal:')) return `reached the native guard: ${msg}`;
  }
  if ('int' in kind) {
    const [min, max] = kind.int;
    if (kind.optional && (value === undefined || (value === null && kind.nullable))) return '';
    if (typeof value === 'number') {
      const bad = !Number.isInteger(value) || value < min || value > max;
      if (bad && !(threw && err instanceof RangeError)) return `integer ${String(value)} outside [${min}, ${max}] was not a RangeError (${threw ? (err as Error).constructor.name : 'accepted'})`;
    } else if (!(threw && err instanceof TypeError)) {
      return `non-number ${typeof value} was not a TypeError (${threw ? (err as Error).constructor.name : 'accepted'})`;
    }
  }
  return '';
}

function freshPair(): Ctx {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM | bs.SOCK_NONBLOCK, 0);
  return { a, b, closed: new Set() };
}
function closePair(c: Ctx): void {
  for (const fd of [c.a, c.b]) {
    if (c.closed.has(fd)) continue;
    try {
      bs.close(fd);
    } catch {
      // closed by the call under test (close, or a fuzzed fd that happened to be ours)
    }
  }
}
function closeFds(api: Api, r: unknown): void {
  for (const fd of api.fds?.(r) ?? []) bs.close(fd);
}

/** Substitutes one fuzzed argument, keeping dangerous-but-valid values safe. */
function substitute(api: Api, c: Ctx, pos: number, v: unknown): unknown[] {
  const args = api.args(c);
  const kind = api.kinds[pos]!;
  let value = v;
  if ('int' in kind && kind.safe && typeof v === 'number' && Number.isInteger(v) && v >= kind.int[0] && v <= kind.int[1]) value = kind.safe(v);
  args[pos] = value;
  return args;
}

const fuzzArb = (api: Api) => fc.tuple(fc.nat(api.kinds.length - 1), recipe);

describe('sync API: every argument position', () => {
  it.each(SYNC.map((a) => [a.name, a] as const))('%s', (_n, api) => {
    fc.assert(
      fc.property(fuzzArb(api), ([pos, r]) => {
        const c = freshPair();
        try {
          const args = substitute(api, c, pos, make(r));
          coerced = 0;
          let threw = false;
          let err: unknown;
          let res: unknown;
          try {
            res = api.call(...args);
          } catch (e) {
            threw = true;
            err = e;
          }
          if (!threw) closeFds(api, res);
          if (api.name === 'close' && !threw) c.closed.add(args[0] as number);
          const why = judge(api.kinds[pos]!, args[pos], err, threw);
          if (why) throw new Error(`${api.name} arg ${pos} = ${show(r)}: ${why}`);
          if (coerced !== 0) throw new Error(`${api.name} arg ${pos} = ${show(r)}: coerced ${coerced} times`);
        } finally {
          closePair(c);
        }
      }),
      fcOpts,
    );
  });
});

const tick = () => new Promise((r) => setImmediate(r));

describe('Promise API: every argument position', () => {
  it.each(PROMISES.map((a) => [a.name, a] as const))('%s', async (_n, api) => {
    await fc.assert(
      fc.asyncProperty(fuzzArb(api), async ([pos, r]) => {
        const c = freshPair();
        try {
          const args = substitute(api, c, pos, make(r));
          coerced = 0;
          let p: unknown;
          try {
            p = api.call(...args);
          } catch (e) {
            throw new Error(`${api.name} arg ${pos} = ${show(r)}: threw synchronously (${String(e)}) instead of rejecting`);
          }
          if (!(p instanceof Promise)) throw new Error(`${api.name}: did not return a Promise`);
          let settled = false;
          let threw = false;
          let err: unknown;
          let res: unknown;
          const done = p.then((v) => { res = v; }, (e) => { threw = true; err = e; }).finally(() => { settled = true; });
          await tick();
          // A call that is still waiting (recv on the empty pair…) is cancelled by close():
          // it must then reject with ECANCELED, promptly.
          closePair(c);
          c.closed.add(c.a).add(c.b);
          await Promise.race([done, new Promise((r2) => setTimeout(r2, 2000))]);
          if (!settled) throw new Error(`${api.name} arg ${pos} = ${show(r)}: still pending 2 s after close()`);
          if (!threw) closeFds(api, res);
          const why = judge(api.kinds[pos]!, args[pos], err, threw);
          if (why) throw new Error(`${api.name} arg ${pos} = ${show(r)}: ${why}`);
          if (coerced !== 0) throw new Error(`${api.name} arg ${pos} = ${show(r)}: coerced ${coerced} times`);
        } finally {
          closePair(c);
        }
      }),
      { ...fcOpts, numRuns: Math.max(10, Math.floor(RUNS / 2)) },
    );
  });
});

// ---------------------------------------------------------------------------------------
// struct setters: every numeric field of every exported struct

function structClasses(): [string, new () => bs.CStruct][] {
  const out: [string, new () => bs.CStruct][] = [];
  for (const [name, val] of Object.entries(bs)) {
    if (typeof val !== 'function' || !(val.prototype instanceof bs.CStruct)) continue;
    try {
      new (val as new () => bs.CStruct)();
      if (setters(val as new () => bs.CStruct).length > 0) out.push([name, val as new () => bs.CStruct]);
    } catch {
      // needs constructor arguments
    }
  }
  return out;
}

function setters(C: new () => bs.CStruct): string[] {
  const names = new Set<string>();
  for (let p = C.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) if (d.set && d.get) names.add(k);
  }
  return [...names];
}

const STRUCTS = structClasses();

describe('struct setters', () => {
  it('finds the structs (sockaddr_in/in6/un, iphdr, tcphdr, linger, timeval…)', () => {
    const names = STRUCTS.map(([n]) => n);
    for (const n of ['sockaddr_in', 'sockaddr_in6', 'sockaddr_un', 'iphdr', 'tcphdr', 'udphdr', 'linger', 'timeval']) expect(names).toContain(n);
  });

  it.each(STRUCTS.map(([n, C]) => [n, C] as const))('%s', (_n, C) => {
    const fields = setters(C);
    fc.assert(
      fc.property(fc.constantFrom(...fields), recipe, (field, r) => {
        const s = new C() as bs.CStruct & Record<string, unknown>;
        const before = Buffer.from(s.bytes);
        const old = s[field];
        const value = make(r);
        coerced = 0;
        let err: unknown;
        try {
          s[field] = value;
        } catch (e) {
          err = e;
        }
        const where = `${C.name}.${field} = ${show(r)}`;
        if (coerced !== 0) throw new Error(`${where}: coerced ${coerced} times`);
        if (err !== undefined) {
          if (!(err instanceof TypeError || err instanceof RangeError)) throw new Error(`${where}: threw ${String(err)}`);
          if (!s.bytes.equals(before)) throw new Error(`${where}: rejected, but the struct changed`);
          return;
        }
        // Accepted: a number field reads back exactly what was written (no truncation).
        if (typeof old === 'number') {
          if (typeof value !== 'number') throw new Error(`${where}: accepted a ${typeof value} for a number field`);
          if (s[field] !== value) throw new Error(`${where}: reads back ${String(s[field])} (silently truncated)`);
        }
      }),
      fcOpts,
    );
  });
});
