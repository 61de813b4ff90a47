// Workload 1 of `npm run bench`: one UDP sendto() + one recvfrom() on a pair of UDP sockets
// bound on 127.0.0.1, in lockstep in this one thread: socket A sends 64 bytes to B, B
// receives them. Unit: ns per pair of calls (lower is better). The clock is read once per
// 64 pairs, as bench/c/ref.c `pair` does. Ours: the synchronous functional API, and the
// Socket class's sendtoSync()/recvfromSync(); and, as the floor under both, the addon's own
// two functions called with no JavaScript layer (no validation, no errors: what Node-API
// itself costs per pair).
//
// Also here: Latencies, the per-operation latency record (mean, p99) of the RR and ping rows.
import { performance } from 'node:perf_hooks';
import { Window, type Measurement, type Settings } from './common.js';
import { native, sockets } from './lib.js';

const { AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_RCVTIMEO, Socket, bind, close, getsockname, recvfrom, sendto, setsockopt, sockaddr_in, socket, timeval } = sockets;

const MSG = 64;
const GIVE_UP = new timeval({ tv_sec: 2, tv_usec: 0 });

/** Round-trip times of the operations completed inside a Window (at most 2M kept). */
export class Latencies {
  readonly #w: Window;
  readonly #xs = new Float64Array(1 << 21);
  #n = 0;
  constructor(w: Window) {
    this.#w = w;
  }
  /** Records now − t0 (ms) if now is inside the window; returns now. */
  add(t0: number): number {
    const t = performance.now();
    if (t >= this.#w.start && t < this.#w.end && this.#n < this.#xs.length) this.#xs[this.#n++] = t - t0;
    return t;
  }
  summary(): { meanUs?: number; p99Us?: number } {
    if (this.#n === 0) return {};
    const xs = this.#xs.subarray(0, this.#n).sort();
    let sum = 0;
    for (const x of xs) sum += x;
    return { meanUs: (sum / this.#n) * 1000, p99Us: xs[Math.floor(0.99 * (this.#n - 1))]! * 1000 };
  }
}

function pairSockets(): { a: number; b: number; addrB: InstanceType<typeof sockaddr_in> } {
  const a = socket(AF_INET, SOCK_DGRAM, 0);
  const b = socket(AF_INET, SOCK_DGRAM, 0);
  bind(a, new sockaddr_in('127.0.0.1', 0));
  bind(b, new sockaddr_in('127.0.0.1', 0));
  const addrB = new sockaddr_in();
  getsockname(b, addrB);
  setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, GIVE_UP);
  return { a, b, addrB };
}

/** Converts a Window's pairs/s into ns per pair. */
const perPair = (m: Measurement): Measurement => ({ rate: 1e9 / m.rate, cpuUs: m.cpuUs === undefined ? undefined : m.cpuUs * 1000 });

/** Functional sync API: sendto(a → b) + recvfrom(b). */
export function oursPair(s: Settings): Measurement {
  const { a, b, addrB } = pairSockets();
  try {
    const msg = Buffer.alloc(MSG, 0x70);
    const buf = Buffer.allocUnsafe(2048);
    const from = new sockaddr_in();
    const w = new Window(s);
    do {
      for (let i = 0; i < 64; i++) {
        sendto(a, msg, MSG, 0, addrB);
        recvfrom(b, buf, 2048, 0, from);
      }
    } while (w.tick(64));
    return perPair(w.measurement());
  } finally {
    close(a);
    close(b);
  }
}

/**
 * The floor: the addon's sendto/recvfrom with their ioArgs cells written here (as
 * lib/io.ts does) and nothing else. Not an API: a measure of the Node-API calls alone.
 */
export function addonPair(s: Settings): Measurement {
  const { a, b, addrB } = pairSockets();
  try {
    const msg = Buffer.alloc(MSG, 0x70);
    const buf = Buffer.allocUnsafe(2048);
    const from = new sockaddr_in();
    const to = addrB.bytes;
    const fromBytes = from.bytes;
    const A = native.ioArgs;
    const w = new Window(s);
    do {
      for (let i = 0; i < 64; i++) {
        A[0] = a;
        A[1] = MSG;
        A[2] = 0;
        A[3] = to.length;
        native.sendto(msg, to);
        if (A[5] !== MSG) throw new Error(`addon sendto: ${A[5]}`);
        A[0] = b;
        A[1] = 2048;
        A[2] = 0;
        A[3] = fromBytes.length;
        native.recvfrom(buf, fromBytes);
        if (A[5] !== MSG) throw new Error(`addon recvfrom: ${A[5]}`);
      }
    } while (w.tick(64));
    return perPair(w.measurement());
  } finally {
    close(a);
    close(b);
  }
}

/** The Socket class: a.sendtoSync(b's address) + b.recvfromSync(). */
export function socketPair(s: Settings): Measurement {
  const { a, b, addrB } = pairSockets();
  const sa = Socket.from(a);
  const sb = Socket.from(b);
  try {
    const msg = Buffer.alloc(MSG, 0x70);
    const buf = Buffer.allocUnsafe(2048);
    const from = new sockaddr_in();
    const w = new Window(s);
    do {
      for (let i = 0; i < 64; i++) {
        sa.sendtoSync(msg, MSG, 0, addrB);
        sb.recvfromSync(buf, 2048, 0, from);
      }
    } while (w.tick(64));
    return perPair(w.measurement());
  } finally {
    sa.close();
    sb.close();
  }
}
