// A small, representative workload for tools/valgrind.sh: sync sockets (TCP, UDP, Unix),
// Promise-based I/O on the addon's poller, sendmsg/recvmsg with SCM_RIGHTS, sendmmsg/recvmmsg,
// getaddrinfo (sync and async), socket options and errors. Runs against dist/ (npm install
// builds it). Every fd is closed, so what valgrind calls "definitely lost" is a real leak.
import * as bs from '../dist/index.js';
import * as P from '../dist/promises.js';

const ROUNDS = Number(process.argv[2] ?? 50);
const lo = (port = 0) => new bs.sockaddr_in('127.0.0.1', port);
const portOf = (fd) => bs.getsockname(fd).port;

function tcpSync() {
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.setOption(l, 'SO_REUSEADDR', true);
  bs.bind(l, lo());
  bs.listen(l, 8);
  const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.connect(c, lo(portOf(l)));
  const peer = new bs.sockaddr_in();
  const s = bs.accept(l, peer);
  bs.send(c, Buffer.from('ping'));
  const buf = Buffer.alloc(64);
  bs.recv(s, buf, buf.length, 0);
  bs.getsockopt(s, bs.SOL_SOCKET, bs.SO_RCVBUF);
  bs.getpeername(s);
  for (const fd of [s, c, l]) bs.close(fd);
}

async function tcpPromises() {
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM | bs.SOCK_NONBLOCK, 0);
  bs.bind(l, lo());
  bs.listen(l, 8);
  const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM | bs.SOCK_NONBLOCK, 0);
  const [s] = await Promise.all([P.accept(l), P.connect(c, lo(portOf(l)))]);
  const buf = Buffer.alloc(64);
  const got = P.recv(s, buf, buf.length);
  await P.send(c, Buffer.from('hello'));
  await got;
  // an operation cancelled by an AbortSignal, and one that times out
  const ac = new AbortController();
  const pending = P.recv(s, buf, buf.length, 0, { signal: ac.signal }).catch(() => {});
  ac.abort();
  await pending;
  await P.recv(s, buf, buf.length, 0, { timeout: 5 }).catch(() => {});
  for (const fd of [s, c, l]) bs.close(fd);
}

function udpAndBatches() {
  const rx = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
  bs.bind(rx, lo());
  const tx = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
  bs.connect(tx, lo(portOf(rx)));
  const out = new bs.MsgBatch(8, 256);
  for (let i = 0; i < 8; i++) out.data(i).write(`dgram ${i}`);
  bs.sendmmsg(tx, out, 8);
  const inb = new bs.MsgBatch(8, 256, { withAddresses: true });
  bs.recvmmsg(rx, inb);
  bs.sendto(tx, Buffer.from('x'), 1, 0, null);
  const from = new bs.sockaddr_in();
  bs.recvfrom(rx, Buffer.alloc(16), 16, 0, from);
  bs.close(tx);
  bs.close(rx);
}

async function unixMessages() {
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM);
  const extra = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
  bs.sendmsg(a, { msg_iov: [Buffer.from('fd:'), Buffer.from('!')], msg_control: [bs.scmRights([extra])] });
  const r = bs.recvmsg(b, { msg_iov: [Buffer.alloc(16)], msg_controllen: bs.CMSG_SPACE(4) });
  for (const fd of r.cmsgs[0].value) bs.close(fd);
  await P.sendmsg(a, { msg_iov: [Buffer.from('async')], msg_control: [bs.scmRights([extra])] });
  const r2 = await P.recvmsg(b, { msg_iov: [Buffer.alloc(16)], msg_controllen: bs.CMSG_SPACE(4) });
  for (const fd of r2.cmsgs[0].value) bs.close(fd);
  for (const fd of [extra, a, b]) bs.close(fd);
}

async function netdbAndErrors() {
  bs.getaddrinfo('localhost', '80', null);
  await P.getaddrinfo('127.0.0.1', 'http', null);
  bs.getnameinfo(lo(80), 0);
  const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  try { bs.connect(fd, lo(1)); } catch { /* ECONNREFUSED: a SocketError built from errno */ }
  bs.close(fd);
  try { bs.bind(-1, lo()); } catch { /* EBADF */ }
}

for (let i = 0; i < ROUNDS; i++) {
  tcpSync();
  await tcpPromises();
  udpAndBatches();
  await unixMessages();
  await netdbAndErrors();
}
console.log(`valgrind workload: ${ROUNDS} rounds done`);
