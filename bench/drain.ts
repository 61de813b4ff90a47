// udp-drain: how fast a receiver takes datagrams off a UDP socket when receiving is the only
// work, with no sender running. For each contender this process makes a fresh socket on
// 127.0.0.1 (SO_RCVBUFFORCE, root: the queue must hold everything), queues DRAIN_WARM +
// DRAIN_COUNT datagrams of 64 bytes on it with sendmmsg(), stops sending, and hands the socket
// to the contender's own process as its fd 3: ours (bench/peer.ts `drain`) or C
// (bench/c/ref.c `drain`). Each receives the DRAIN_WARM first, untimed (our JIT's warm-up),
// then times only its receive loop over the next DRAIN_COUNT, to the last datagram. Every
// datagram is received with its sender's address and its length added up on every side; a
// queue that held fewer (a drop) or more fails the run. The fill, the process start-up and
// the hand-over are the same for all and in no figure.
//
// Unlike udp-mmsg and udp-2p, where one sender's offered load bounds every receiver on this
// 2-core machine, this measures the receive path itself.
//
// Two more contenders use segmentation offload, the kernel's own batching. The queue is
// filled with UDP_SEGMENT (GSO) sends of 64 datagrams each, which on loopback reach the
// receiving socket as one skb per send. A socket with UDP_GRO on keeps each such skb whole,
// so ours (`ours-gro`) receives 64 datagrams per recvmsg(), with their size in a UDP_GRO
// control message. Without UDP_GRO the kernel splits the skb as it queues it: C's
// recvfrom() on the same kind of fill shows that the fill alone changes little.
import { peerCommand, refBinary, runToEnd } from './c-ref.js';
import type { Measurement, Settings } from './common.js';
import { sockets } from './lib.js';

const {
  AF_INET, MsgBatch, SOCK_DGRAM, SOL_SOCKET, SOL_UDP, SO_RCVBUF, SO_RCVBUFFORCE, UDP_GRO, UDP_SEGMENT, bind, close, connect, getsockname, send,
  sendmmsg, setsockopt, sockaddr_in, socket,
} = sockets;

const BATCH = 64;
/** Datagrams received in each timed drain; both counts are multiples of BATCH, so no recvmmsg() takes more than its share. */
export const DRAIN_COUNT = Math.ceil(Number(process.env.BENCH_DRAIN_COUNT ?? 102_400) / BATCH) * BATCH;
/** Datagrams received, untimed, before it. */
const DRAIN_WARM = 10_240;
const MSG = 64;
/** Asked for with SO_RCVBUFFORCE (the kernel doubles it): 128 MiB, room for 130,000 skbs of 1 KiB. */
const RCVBUF = 64 << 20;

/**
 * Runs one contender's process on a freshly filled socket; resolves with what it measured.
 * `gso`: fill with UDP_SEGMENT sends of BATCH datagrams; `gro`: UDP_GRO on the receiver.
 */
async function drain(cmd: string, args: (string | number)[], s: Settings, gso = false, gro = false): Promise<Measurement> {
  const rx = socket(AF_INET, SOCK_DGRAM, 0);
  const tx = socket(AF_INET, SOCK_DGRAM, 0);
  try {
    try {
      setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF);
    } catch {
      setsockopt(rx, SOL_SOCKET, SO_RCVBUF, RCVBUF); // capped by rmem_max: the drain will find the queue short
    }
    if (gro) setsockopt(rx, SOL_UDP, UDP_GRO, 1);
    bind(rx, new sockaddr_in('127.0.0.1', 0));
    const addr = new sockaddr_in();
    getsockname(rx, addr);
    connect(tx, addr);
    const out = new MsgBatch(BATCH, MSG);
    for (let i = 0; i < BATCH; i++) {
      out.buffer(i).fill(0x64);
      out.setLength(i, MSG);
    }
    // On loopback each datagram is in rx's queue (or dropped) when sendmmsg() returns.
    const n = DRAIN_WARM + DRAIN_COUNT;
    if (gso) {
      setsockopt(tx, SOL_UDP, UDP_SEGMENT, MSG);
      const big = Buffer.alloc(BATCH * MSG, 0x64);
      for (let sent = 0; sent < n; sent += BATCH) send(tx, big, BATCH * MSG, 0); // both counts are multiples of BATCH
    } else {
      for (let sent = 0; sent < n;) sent += sendmmsg(tx, out, Math.min(BATCH, n - sent), 0);
    }
    return await runToEnd<Measurement>(cmd, args, s.warmup + s.duration + 30_000, false, [rx]);
  } finally {
    close(rx);
    close(tx);
  }
}

/** Ours: sync recvmmsg() of 64 into one MsgBatch (mmsg), or one recvfrom() per datagram. */
export const oursDrain = (kind: 'mmsg' | 'recvfrom') => (s: Settings): Promise<Measurement> =>
  drain(...peerCommand(['drain', kind === 'mmsg' ? 'ours-mmsg' : 'ours', DRAIN_WARM, DRAIN_COUNT]), s);

/** C: one recvfrom() per datagram, or recvmmsg() of 64; `gso`: on a queue filled with GSO sends. */
export const cDrain = (kind: 'mmsg' | 'recvfrom', gso = false) => (s: Settings): Promise<Measurement> =>
  drain(refBinary(), ['drain', DRAIN_WARM, DRAIN_COUNT, kind === 'mmsg' ? 1 : 0], s, gso);

/** Ours with UDP_GRO on a queue filled with GSO sends: recvmsg(), 64 datagrams per call. */
export const oursDrainGro = (s: Settings): Promise<Measurement> =>
  drain(...peerCommand(['drain', 'ours-gro', DRAIN_WARM, DRAIN_COUNT]), s, true, true);
