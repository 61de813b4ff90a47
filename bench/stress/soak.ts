// The soak role: one process runs LANES loops over tasks that between them make every call
// of the library, sync and Promise forms, on TCP (IPv4 and IPv6), UDP, and Unix stream,
// datagram and seqpacket sockets, for a fixed time. Every task checks the bytes, addresses,
// message boundaries and errors it gets. At each sample the lanes stop between tasks
// (nothing is open then but the process's own fds), a full GC runs, and the fd count, RSS,
// V8 heap and external memory are recorded: the fd count must equal the first sample's
// exactly, and memory must stay flat after the first sample interval (warm-up).
import * as P from '../../lib/promises.js';
import * as bs from '../../lib/index.js';
import { Socket } from '../../lib/index.js';
import { MiB, describe, fdCount, isSocketError, memNow, opts, pattern, serve, type Mem, type Msg } from './common.js';

const LANES = 4;
/**
 * Flat: the V8 heap and external memory (after a full GC) may grow this much from the end
 * of the first interval (warm-up) to the last sample; RSS, which also holds the allocator's
 * and the JIT's warm-up, this much over the second half of the run. A leak of a few hundred
 * bytes per task would exceed either within minutes (tens of thousands of tasks a minute).
 */
export const FLAT = { heapUsed: 4 * 1048576, external: 4 * 1048576, rss: 16 * 1048576 };

const loop4 = (port = 0): bs.sockaddr_in => new bs.sockaddr_in('127.0.0.1', port);
const loop6 = (port = 0): bs.sockaddr_in6 => new bs.sockaddr_in6('::1', port);
let seq = 0;
/** An abstract Unix name unique in this run. */
const abstract = (tag: string): bs.sockaddr_un => new bs.sockaddr_un(`\0bsock-soak-${process.pid}-${tag}-${seq++}`);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

async function expectError(p: Promise<unknown> | (() => unknown), code: string, syscall?: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    const good = code === 'ABORT_ERR' ? e instanceof bs.AbortError : code.startsWith('EAI_')
      ? e instanceof bs.AddrInfoError && e.code === code : isSocketError(e, code) && (syscall === undefined || e.syscall === syscall);
    if (good) return;
    throw new Error(`expected ${code}${syscall ? ` from ${syscall}` : ''}, got ${describe(e)}`);
  }
  throw new Error(`expected ${code}, the call succeeded`);
}

/** Closes every fd given that is still open (for finally blocks). */
function closeAll(fds: (number | Socket)[]): void {
  for (const f of fds) {
    if (f instanceof Socket) f.close();
    else if (f >= 0) bs.close(f);
  }
}

/** Runs `job` with `own`, which records fds and Sockets: all of them are closed after, whatever happens. */
async function scoped<T>(job: (own: (fd: number | Socket) => void) => Promise<T>): Promise<T> {
  const fds: (number | Socket)[] = [];
  try {
    return await job((fd) => { fds.push(fd); });
  } finally {
    closeAll(fds);
  }
}

export const tasks: Record<string, (k: number) => Promise<void>> = {
  /** Socket class, Promise forms: accept/connect, options, poll, send/recv, half-close both ways. */
  tcp4Promise: (k) => scoped(async (own) => {
    const l = new Socket(bs.AF_INET, bs.SOCK_STREAM);
    own(l);
    l.setOption('SO_REUSEADDR', true).bind(loop4()).listen(8);
    const c = new Socket(bs.AF_INET, bs.SOCK_STREAM);
    own(c);
    const [s] = await Promise.all([l.accept(null, undefined, opts), c.connect(l.localAddress, undefined, opts)]);
    own(s);
    c.setOption(bs.IPPROTO_TCP, bs.TCP_NODELAY, 1);
    check(c.getOption(bs.IPPROTO_TCP, bs.TCP_NODELAY) !== 0, 'TCP_NODELAY reads back');
    check(((await c.poll(bs.POLLOUT, opts)) & bs.POLLOUT) !== 0, 'poll POLLOUT');
    const data = pattern(k, 16384 + (k % 7) * 1000);
    const got = Buffer.alloc(data.length);
    const recvAll = async (): Promise<void> => {
      for (let off = 0; off < got.length;) off += await s.recv(got.subarray(off), got.length - off, 0, opts);
    };
    await Promise.all([(async () => { for (let off = 0; off < data.length;) off += await c.send(data.subarray(off), undefined, 0, opts); })(), recvAll()]);
    check(got.equals(data), 'tcp4 bytes');
    c.shutdown(bs.SHUT_WR);
    check((await s.recv(got, 1, 0, opts)) === 0, 'EOF after SHUT_WR');
    check((await s.send(data.subarray(0, 100), undefined, 0, opts)) === 100, 'send after peer SHUT_WR');
    s.shutdown(bs.SHUT_WR);
    check(((await c.poll(bs.POLLIN, opts)) & bs.POLLIN) !== 0, 'poll POLLIN');
    check((await c.recv(got, got.length, 0, opts)) === 100 && (await c.recv(got, 1, 0, opts)) === 0, 'data then EOF');
  }),
  /** Functional sync forms on IPv6: socket/bind/listen/connect/accept/send/recv/getpeername. */
  tcp6Sync: (k) => scoped(async (own) => {
    const l = bs.socket(bs.AF_INET6, bs.SOCK_STREAM, 0);
    own(l);
    bs.bind(l, loop6());
    bs.listen(l, 8);
    const addr = bs.getsockname(l) as bs.sockaddr_in6;
    const c = bs.socket(bs.AF_INET6, bs.SOCK_STREAM, 0);
    own(c);
    bs.connect(c, addr); // the loopback handshake completes in the kernel, before accept()
    const peer = new bs.sockaddr_in6();
    const s = bs.accept(l, peer);
    own(s);
    check(peer.port === (bs.getsockname(c) as bs.sockaddr_in6).port, 'accept fills the peer address');
    check((bs.getpeername(c) as bs.sockaddr_in6).port === addr.port, 'getpeername');
    check(bs.getsockopt(s, bs.SOL_SOCKET, bs.SO_TYPE) === bs.SOCK_STREAM, 'SO_TYPE');
    const data = pattern(k, 8192);
    check(bs.send(c, data, data.length, 0) === data.length, 'sync send');
    const got = Buffer.alloc(data.length);
    for (let off = 0; off < got.length;) off += bs.recv(s, got.subarray(off), got.length - off, 0);
    check(got.equals(data), 'tcp6 bytes');
  }),
  /** UDP, Promise sendto/recvfrom over IPv4 and sync over IPv6, sender address checked. */
  udp: (k) => scoped(async (own) => {
    for (const [family, at, async] of [[bs.AF_INET, loop4, true], [bs.AF_INET6, loop6, false]] as const) {
      const a = bs.socket(family, bs.SOCK_DGRAM, 0);
      own(a);
      const b = bs.socket(family, bs.SOCK_DGRAM, 0);
      own(b);
      bs.bind(a, at());
      bs.bind(b, at());
      const to = bs.getsockname(b);
      const from = family === bs.AF_INET ? new bs.sockaddr_in() : new bs.sockaddr_in6();
      const got = Buffer.alloc(2048);
      for (let i = 0; i < 16; i++) {
        const d = pattern(k * 16 + i, 64 + i * 61);
        const sent = async ? await P.sendto(a, d, d.length, 0, to, undefined, opts) : bs.sendto(a, d, d.length, 0, to);
        check(sent === d.length, 'sendto');
        const n = async ? await P.recvfrom(b, got, got.length, 0, from, undefined, opts) : bs.recvfrom(b, got, got.length, 0, from);
        check(n === d.length && got.subarray(0, n).equals(d), 'udp datagram');
        check(from.port === (bs.getsockname(a) as bs.sockaddr_in).port, 'recvfrom sender');
      }
    }
  }),
  /** sendmmsg/recvmmsg, both forms each way, addresses on the receiving side. */
  mmsg: (k) => scoped(async (own) => {
    const a = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    own(a);
    const b = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    own(b);
    bs.bind(a, loop4());
    bs.bind(b, loop4());
    bs.connect(a, bs.getsockname(b));
    const out = new bs.MsgBatch(16, 512);
    const inb = new bs.MsgBatch(16, 512, { withAddresses: true });
    for (const round of [0, 1]) {
      for (let i = 0; i < 16; i++) {
        const d = pattern(k * 32 + round * 16 + i, 100 + i * 20);
        d.copy(out.buffer(i));
        out.setLength(i, d.length);
      }
      const sent = round === 0 ? bs.sendmmsg(a, out, 16, 0) : await P.sendmmsg(a, out, 16, 0, opts);
      check(sent === 16, 'sendmmsg count');
      let n = 0;
      if (round === 0) {
        while (n < 16) {
          const r = await P.recvmmsg(b, inb, 0, opts);
          for (let i = 0; i < r; i++) check(inb.data(i).equals(out.data(n + i).subarray(0, out.length(n + i))), 'recvmmsg data');
          n += r;
        }
      } else {
        n = bs.recvmmsg(b, inb, 0); // blocking: waits for all 16, as in C (they are queued already)
        for (let i = 0; i < n; i++) check(inb.data(i).equals(out.buffer(i).subarray(0, out.length(i))), 'recvmmsg data');
      }
      check(n === 16 && (inb.address(0) as bs.sockaddr_in).port === (bs.getsockname(a) as bs.sockaddr_in).port, 'recvmmsg count, sender');
    }
  }),
  /** SCM_RIGHTS over a Unix socketpair: the passed socket works, nothing leaks. */
  rights: (k) => scoped(async (own) => {
    const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
    own(a);
    own(b);
    const [x, y] = bs.socketpair(bs.AF_UNIX, bs.SOCK_DGRAM, 0);
    own(x);
    own(y);
    const msg = { msg_iov: [Buffer.from('fd'), pattern(k, 30)], msg_control: [bs.scmRights([x])] };
    check((k % 2 === 0 ? bs.sendmsg(a, msg, 0) : await P.sendmsg(a, msg, 0, opts)) === 32, 'sendmsg');
    const iov = Buffer.alloc(64);
    const rmsg: bs.Msghdr = { msg_iov: [iov], msg_controllen: bs.CMSG_SPACE(4) };
    const r = k % 2 === 0 ? await P.recvmsg(b, rmsg, 0, opts) : bs.recvmsg(b, rmsg, 0);
    check(r.bytes === 32 && iov.subarray(2, 32).equals(pattern(k, 30)), 'recvmsg bytes');
    const fds = r.cmsgs.find((c) => c.cmsg_type === bs.SCM_RIGHTS)?.value as number[] | undefined;
    check(fds?.length === 1, 'one fd received');
    const passed = fds![0]!;
    own(passed);
    check(bs.getCloseOnExec(passed), 'received fd is close-on-exec');
    check(bs.send(passed, 'via passed fd') === 13, 'send on the received fd');
    check(bs.recv(y, iov, 64, 0) === 13 && iov.toString('latin1', 0, 13) === 'via passed fd', 'through the passed fd');
  }),
  /** Unix datagrams between abstract names: Promise one way, sync the other, sender path checked. */
  unixDgram: (k) => scoped(async (own) => {
    const a = bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM, 0);
    own(a);
    const b = bs.socket(bs.AF_UNIX, bs.SOCK_DGRAM, 0);
    own(b);
    const an = abstract('a');
    const bn = abstract('b');
    bs.bind(a, an);
    bs.bind(b, bn);
    const from = new bs.sockaddr_un();
    const got = Buffer.alloc(4096);
    const d = pattern(k, 3000);
    check((await P.sendto(a, d, d.length, 0, bn, undefined, opts)) === d.length, 'unix sendto');
    check(bs.recvfrom(b, got, got.length, 0, from) === d.length && got.subarray(0, d.length).equals(d), 'unix dgram');
    check(from.path === an.path, 'unix sender name');
    check(bs.sendto(b, d, 100, 0, an) === 100, 'unix sendto back');
    check((await P.recvfrom(a, got, got.length, 0, from, undefined, opts)) === 100 && from.path === bn.path, 'unix dgram back');
  }),
  /** SOCK_SEQPACKET: Promise accept/connect, record boundaries kept, EOF at close. */
  seqpacket: (k) => scoped(async (own) => {
    const l = new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET);
    own(l);
    const name = abstract('sp');
    l.bind(name).listen(4);
    const c = new Socket(bs.AF_UNIX, bs.SOCK_SEQPACKET);
    own(c);
    const [s] = await Promise.all([l.accept(null, undefined, opts), c.connect(name, undefined, opts)]);
    own(s);
    const sizes = [1, 700, 4000];
    for (const [i, n] of sizes.entries()) check(c.sendSync(pattern(k + i, n)) === n, 'seqpacket send');
    const got = Buffer.alloc(8192);
    for (const [i, n] of sizes.entries()) check((await s.recv(got, got.length, 0, opts)) === n && got.subarray(0, n).equals(pattern(k + i, n)), 'seqpacket record');
    c.close();
    check(s.recvSync(got, got.length, 0) === 0, 'seqpacket EOF');
  }),
  /** getaddrinfo and getnameinfo, sync and Promise, numeric only (no resolver traffic), and a failure. */
  gai: async () => {
    const hints = { ai_flags: bs.AI_NUMERICHOST | bs.AI_NUMERICSERV, ai_socktype: bs.SOCK_STREAM };
    const v4 = bs.getaddrinfo('127.0.0.1', '8080', hints);
    check(v4.length === 1 && v4[0]!.ai_family === bs.AF_INET && (v4[0]!.ai_addr as bs.sockaddr_in).port === 8080, 'getaddrinfo v4');
    const v6 = await P.getaddrinfo('::1', '443', hints, opts);
    check(v6.length === 1 && v6[0]!.ai_family === bs.AF_INET6 && (v6[0]!.ai_addr as bs.sockaddr_in6).port === 443, 'getaddrinfo v6');
    await expectError(P.getaddrinfo('not-numeric', null, hints, opts), 'EAI_NONAME');
    const ni = await P.getnameinfo(v6[0]!.ai_addr, bs.NI_NUMERICHOST | bs.NI_NUMERICSERV, opts);
    check(ni.host === '::1' && ni.serv === '443' && bs.getnameinfo(v4[0]!.ai_addr, bs.NI_NUMERICHOST | bs.NI_NUMERICSERV).serv === '8080', 'getnameinfo');
  },
  /** Options by number and by name, read back. */
  sockopts: (k) => scoped(async (own) => {
    const fd = bs.socket(k % 2 ? bs.AF_INET6 : bs.AF_INET, bs.SOCK_STREAM, 0);
    own(fd);
    bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF, 65536);
    check(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVBUF) === 131072, 'SO_RCVBUF doubled');
    bs.setOption(fd, 'SO_KEEPALIVE', true);
    check(bs.getOption(fd, 'SO_KEEPALIVE') === true, 'SO_KEEPALIVE by name');
    bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER, new bs.linger({ l_onoff: 1, l_linger: 3 }));
    const lg = new bs.linger();
    bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_LINGER, lg);
    check(lg.l_onoff === 1 && lg.l_linger === 3, 'SO_LINGER struct');
    check(bs.getsockopt(fd, bs.SOL_SOCKET, bs.SO_ERROR) === 0, 'SO_ERROR');
    await expectError(() => bs.getsockopt(fd, bs.SOL_SOCKET, 0x7fff), 'ENOPROTOOPT', 'getsockopt');
  }),
  /** The error paths: refused connects, EBADF after close, timeout, abort, close while pending. */
  errors: (k) => scoped(async (own) => {
    const idle = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0); // bound, never listening: connects to it are refused
    own(idle);
    bs.bind(idle, loop4());
    const refused = bs.getsockname(idle);
    const c1 = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    own(c1);
    await expectError(P.connect(c1, refused, undefined, opts), 'ECONNREFUSED', 'connect');
    const c2 = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    own(c2);
    await expectError(() => bs.connect(c2, refused), 'ECONNREFUSED', 'connect');
    const [a, b] = Socket.pair(bs.AF_UNIX, bs.SOCK_STREAM);
    own(a);
    own(b);
    const buf = Buffer.alloc(16);
    await expectError(a.recv(buf, 16, 0, { timeout: 1 + (k % 3) }), 'ETIMEDOUT', 'recv');
    const ac = new AbortController();
    const pending = a.recv(buf, 16, 0, { signal: ac.signal });
    ac.abort();
    await expectError(pending, 'ABORT_ERR');
    const cancelled = b.recv(buf, 16, 0, opts);
    b.close();
    await expectError(cancelled, 'ECANCELED');
    await expectError(b.send('x'), 'EBADF', 'send');
    const dead = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    bs.close(dead);
    await expectError(P.sendto(dead, 'x', 1, 0, refused), 'EBADF', 'sendto');
  }),
};

export const TASKS = Object.keys(tasks);

export interface Sample extends Mem {
  at: number;
  fds: number;
  tasks: number;
}

export function soakMain(): void {
  serve(async (cmd, m) => {
    if (cmd !== 'run') throw new Error(`unknown command ${cmd}`);
    return runSoak(m.ms as number, m.sampleMs as number);
  });
}

async function runSoak(ms: number, sampleMs: number): Promise<Msg> {
  const runs: Record<string, number> = Object.fromEntries(TASKS.map((t) => [t, 0]));
  const failures: string[] = [];
  let failed = 0;
  let total = 0;
  const once = async (name: string, k: number): Promise<void> => {
    try {
      await tasks[name]!(k);
      runs[name]!++;
      total++;
    } catch (e) {
      failed++;
      if (failures.length < 10) failures.push(`${name} #${k}: ${describe(e)}`);
    }
  };
  // Warm-up: every task once, then the first sample: the fd count every later one must match.
  for (const name of TASKS) await once(name, 0);
  const t0 = performance.now();
  const samples: Sample[] = [];
  const sample = (): void => {
    const s: Sample = { at: Math.round((performance.now() - t0) / 1000), fds: fdCount(), tasks: total, ...memNow() };
    samples.push(s);
    process.stderr.write(`  soak ${String(s.at).padStart(5)} s: ${s.fds} fds, RSS ${MiB(s.rss)} MiB, heap ${MiB(s.heapUsed)} MiB, ` +
      `external ${MiB(s.external)} MiB, ${s.tasks} tasks, ${failed} failed\n`);
  };
  sample();
  const end = t0 + ms;
  let k = 1;
  for (let next = t0 + sampleMs; ; next += sampleMs) {
    const stop = Math.min(next, end);
    // LANES loops, each over every task in turn (from different starting points), until the
    // sample time; then all of them have stopped between tasks and nothing is open.
    await Promise.all(Array.from({ length: LANES }, async (_, lane) => {
      for (let i = lane; performance.now() < stop; i++) await once(TASKS[i % TASKS.length]!, k++);
    }));
    sample();
    if (stop >= end) break;
  }
  return { samples, runs, total, failed, failures, seconds: (performance.now() - t0) / 1000 };
}

/** The samples the memory verdict compares: end of the first interval, half-time, last. */
export function marks(samples: Sample[]): { first: Sample; half: Sample; last: Sample } {
  const last = samples[samples.length - 1]!;
  return { first: samples[Math.min(1, samples.length - 1)]!, half: samples[Math.floor((samples.length - 1) / 2)]!, last };
}

/** The verdict on a soak's samples: every fd count equal to the first, memory flat (see FLAT). */
export function soakVerdict(samples: Sample[]): { pass: boolean; why: string[] } {
  const why: string[] = [];
  const fds0 = samples[0]!.fds;
  const off = samples.filter((s) => s.fds !== fds0);
  if (off.length > 0) why.push(`fd count moved from ${fds0}: ${off.map((s) => `${s.fds} at ${s.at} s`).join(', ')}`);
  const { first, half, last } = marks(samples);
  const grew = (from: Sample, key: keyof typeof FLAT): void => {
    const d = last[key] - from[key];
    if (d > FLAT[key]) why.push(`${key} grew ${MiB(d)} MiB from ${from.at} s to ${last.at} s (allowed ${MiB(FLAT[key])})`);
  };
  grew(first, 'heapUsed');
  grew(first, 'external');
  grew(half, 'rss');
  return { pass: why.length === 0, why };
}
