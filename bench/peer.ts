// Child-process roles of the cross-process benchmarks (bench/compare.ts), for our side (the
// synchronous API: a process of its own needs no event loop) and for Node's dgram. The C
// equivalents are modes of bench/c/ref.c, with the same arguments and output.
//
//   peer.ts udprecv ours|ours-mmsg|node WARMUP_MS DURATION_MS   prints {"port"}, then the result
//   peer.ts udpsend ours|ours-mmsg|node PORT MAX_S               blasts 64 B datagrams until stdin EOF
//   peer.ts echo    ours|node MAX_S                              UDP echo until a 'q' datagram or 2 s idle
//   peer.ts ping    ours|node PORT WARMUP_MS DURATION_MS         UDP ping-pong: rate, mean and p99 RTT
//   peer.ts drain   ours|ours-mmsg|ours-gro WARM COUNT           receive WARM, then COUNT timed, queued on fd 3 (bench/drain.ts)
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { Window, type Settings } from './common.js';
import { Latencies } from './syncpair.js';
import { sockets } from './lib.js';

const {
  AF_INET, EAGAIN, MSG_DONTWAIT, MSG_WAITFORONE, MsgBatch, SOCK_DGRAM, SOL_SOCKET, SOL_UDP, SO_RCVBUF, SO_RCVBUFFORCE, SO_RCVTIMEO, UDP_GRO,
  bind, close, connect, getsockname, recv, recvfrom, recvmmsg, recvmsg, send, sendmmsg, sendto, setsockopt, sockaddr_in, socket, timeval,
} = sockets;

const MSG = 64;
const [role = '', impl = '', ...rest] = process.argv.slice(2);
const nums = rest.map(Number);
const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const settings = (warmup: number, duration: number): Settings => ({ warmup, duration, pairs: 1, acceptConcurrency: 1, clientThreads: 1 });

function udpSocket(port = 0): { fd: number; port: number } {
  const fd = socket(AF_INET, SOCK_DGRAM, 0);
  bind(fd, new sockaddr_in('127.0.0.1', port));
  const a = new sockaddr_in();
  getsockname(fd, a);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new timeval({ tv_sec: 2, tv_usec: 0 }));
  return { fd, port: a.port };
}

let stdinEnded = false;
process.stdin.on('end', () => (stdinEnded = true));
process.stdin.on('data', () => {});

async function main(): Promise<void> {
  if (role === 'udprecv') {
    const [warmup = 0, duration = 0] = nums;
    if (impl === 'node') {
      const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      out({ port: s.address().port });
      let w: Window | null = null;
      await new Promise<void>((resolve) => {
        s.on('message', () => {
          w ??= new Window(settings(warmup, duration));
          if (!w.tick()) resolve();
        });
      });
      s.close();
      out(w!.measurement());
      process.exit(0);
    }
    const { fd, port } = udpSocket();
    try {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20);
    } catch {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
    }
    out({ port });
    const buf = Buffer.allocUnsafe(2048);
    const batch = new MsgBatch(64, 2048);
    const mmsg = impl === 'ours-mmsg';
    let n = mmsg ? recvmmsg(fd, batch, MSG_WAITFORONE) : recv(fd, buf, 2048, 0) > 0 ? 1 : 0;
    const w = new Window(settings(warmup, duration));
    while (w.tick(n)) n = mmsg ? recvmmsg(fd, batch, MSG_WAITFORONE) : recv(fd, buf, 2048, 0) > 0 ? 1 : 0;
    close(fd);
    out(w.measurement());
  } else if (role === 'udpsend') {
    const [port = 0, maxS = 0] = nums;
    const deadline = performance.now() + maxS * 1000;
    const msg = Buffer.alloc(MSG, 0x73);
    if (impl === 'node') {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.connect(port, '127.0.0.1', () => r()));
      s.on('error', () => {});
      const pump = (): void => {
        if (stdinEnded || performance.now() > deadline) {
          s.close();
          return;
        }
        for (let i = 0; i < 64 && s.getSendQueueCount() < 256; i++) s.send(msg);
        setImmediate(pump);
      };
      pump();
      return;
    }
    const { fd } = udpSocket();
    connect(fd, new sockaddr_in('127.0.0.1', port));
    const batch = new MsgBatch(64, MSG);
    for (let i = 0; i < 64; i++) {
      batch.buffer(i).fill(0x73);
      batch.setLength(i, MSG);
    }
    const mmsg = impl === 'ours-mmsg';
    const burst = (): void => {
      // about a millisecond of sending, then back to the event loop to see stdin's EOF
      const until = performance.now() + 1;
      while (performance.now() < until) {
        try {
          if (mmsg) sendmmsg(fd, batch, 64, 0);
          else for (let i = 0; i < 64; i++) send(fd, msg, MSG, 0);
        } catch (e) {
          const errno = (e as { errno?: number }).errno;
          if (errno !== sockets.ENOBUFS && errno !== sockets.EAGAIN && errno !== sockets.ECONNREFUSED) throw e;
        }
      }
      if (stdinEnded || performance.now() > deadline) {
        close(fd);
        return;
      }
      setImmediate(burst);
    };
    burst();
  } else if (role === 'echo') {
    const [maxS = 0] = nums;
    if (impl === 'node') {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      out({ port: s.address().port });
      const limit = setTimeout(() => s.close(), maxS * 1000);
      s.on('message', (m, r) => {
        if (m.length === 1) {
          clearTimeout(limit);
          s.close();
        } else s.send(m, r.port, r.address);
      });
      return;
    }
    const { fd, port } = udpSocket();
    out({ port });
    const buf = Buffer.allocUnsafe(2048);
    const from = new sockaddr_in();
    const deadline = performance.now() + maxS * 1000;
    for (;;) {
      let n: number;
      try {
        n = recvfrom(fd, buf, 2048, 0, from);
      } catch {
        break; // 2 s without a datagram
      }
      if (n === 1) break;
      sendto(fd, buf, n, 0, from);
      if (performance.now() > deadline) break;
    }
    close(fd);
  } else if (role === 'ping') {
    const [port = 0, warmup = 0, duration = 0] = nums;
    const w = new Window(settings(warmup, duration));
    const lat = new Latencies(w);
    const msg = Buffer.alloc(MSG, 0x78);
    if (impl === 'node') {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.connect(port, '127.0.0.1', () => r()));
      let t0 = performance.now();
      await new Promise<void>((resolve) => {
        s.on('message', () => {
          const t = lat.add(t0);
          if (!w.tick()) return resolve();
          t0 = t;
          s.send(msg);
        });
        s.send(msg);
      });
      s.send(Buffer.from('q'), () => s.close());
      out({ ...w.measurement(), ...lat.summary() });
      return;
    }
    const { fd } = udpSocket();
    connect(fd, new sockaddr_in('127.0.0.1', port));
    const buf = Buffer.allocUnsafe(2048);
    do {
      const t0 = performance.now();
      send(fd, msg, MSG, 0);
      recv(fd, buf, 2048, 0);
      lat.add(t0);
    } while (w.tick());
    send(fd, Buffer.from('q'), 1, 0);
    close(fd);
    out({ ...w.measurement(), ...lat.summary() });
  } else if (role === 'drain') {
    // fd 3: the UDP socket bench/drain.ts filled (no sender running). Every datagram is
    // received with its sender's address and its length added up, as ref.c's drain does.
    const [warm = 0, count = 0] = nums;
    const fd = 3;
    let drain: (n: number) => number;
    if (impl === 'ours-mmsg') {
      const batch = new MsgBatch(64, 2048, { withAddresses: true });
      drain = (n) => {
        let got = 0;
        let bytes = 0;
        while (got < n) {
          const k = recvmmsg(fd, batch, MSG_DONTWAIT);
          for (let i = 0; i < k; i++) bytes += batch.length(i);
          got += k;
        }
        return bytes;
      };
    } else if (impl === 'ours-gro') {
      // UDP_GRO is on (bench/drain.ts): each recvmsg() returns the datagrams of one GSO
      // send together, and the UDP_GRO control message gives their size (the last may be
      // shorter), so a receiver can split them.
      const buf = Buffer.alloc(65536);
      const from = new sockaddr_in();
      const msg = { msg_iov: buf, msg_name: from, msg_controllen: 64 };
      drain = (n) => {
        let got = 0;
        let bytes = 0;
        while (got < n) {
          const r = recvmsg(fd, msg, MSG_DONTWAIT);
          const gro = r.cmsgs.find((c) => c.cmsg_level === SOL_UDP && c.cmsg_type === UDP_GRO);
          const size = gro === undefined ? r.bytes : (gro.value as number);
          got += Math.ceil(r.bytes / size);
          bytes += r.bytes;
        }
        return bytes;
      };
    } else {
      const buf = Buffer.alloc(2048);
      const from = new sockaddr_in();
      drain = (n) => {
        let bytes = 0;
        for (let i = 0; i < n; i++) bytes += recvfrom(fd, buf, 2048, MSG_DONTWAIT, from);
        return bytes;
      };
    }
    if (drain(warm) !== warm * MSG) throw new Error('drain: warm-up lengths');
    const cpu = (): number => {
      const c = process.cpuUsage();
      return c.user + c.system;
    };
    const c0 = cpu();
    const t0 = performance.now();
    const bytes = drain(count);
    const t1 = performance.now();
    const c1 = cpu();
    if (bytes !== count * MSG) throw new Error(`drain: ${bytes} bytes in ${count} datagrams`);
    try {
      recv(fd, Buffer.alloc(MSG), MSG, MSG_DONTWAIT);
      throw new Error('drain: the queue held more than WARM + COUNT');
    } catch (e) {
      if ((e as { errno?: number }).errno !== EAGAIN) throw e;
    }
    out({ rate: count / ((t1 - t0) / 1000), cpuUs: (c1 - c0) / count });
  } else {
    process.stderr.write('usage: see the comment at the top of bench/peer.ts\n');
    process.exit(2);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`peer ${role} ${impl}: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
