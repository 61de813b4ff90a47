// The server role: one process, one event loop, one listener per protocol, written with the
// Socket class and its Promise methods. Every connection's outcome is counted; a peer reset
// must surface as a SocketError ECONNRESET or EPIPE on the connection it hit and nowhere else.
//   echo   echoes until end of stream, then closes (connections, reset)
//   once   reads 16 bytes, echoes them, closes first (storm: TIME_WAIT stays on this side)
//   drain  reads to end of stream (the client's SHUT_WR), then sends it all back: half-close
//          seen from the server
//   greet  sends a greeting, shutdown(SHUT_WR), then reads the client's payload to end of
//          stream and checks it: half-close from the server
import { AF_INET, SHUT_WR, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, Socket, sockaddr_in } from '../../lib/index.js';
import { checkBudget, describe, fdCount, isSocketError, memNow, opts, pattern, serve, type Msg } from './common.js';

export const PROTOCOLS = ['echo', 'once', 'drain', 'greet'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The greeting of connection `n` on `greet`: its number, then pattern(n). */
export const greeting = (n: number): Buffer => Buffer.concat([Buffer.from(Uint32Array.of(n).buffer), pattern(n, 1024 + (n % 16) * 256)]);
/** What a client sends with id `id` on `drain` and `greet`: the id, then pattern(id). */
export const payload = (id: number, size: number): Buffer => Buffer.concat([Buffer.from(Uint32Array.of(id).buffer), pattern(id, size)]);

export interface Stats {
  accepted: number;
  closed: number;
  bytesIn: number;
  bytesOut: number;
  /** recv() returned 0. */
  eof: number;
  /** SocketError codes of the connections that failed (a reset: ECONNRESET or EPIPE). */
  errors: Record<string, number>;
  /** greet: payloads checked good / bad; send after own SHUT_WR that failed with EPIPE. */
  verified: number;
  bad: number;
  epipeAfterShutdown: number;
  /** Anything else: an error that is not a well-formed SocketError, a wrong byte… (first 5). */
  unexpected: string[];
}

const newStats = (): Stats => ({ accepted: 0, closed: 0, bytesIn: 0, bytesOut: 0, eof: 0, errors: {}, verified: 0, bad: 0, epipeAfterShutdown: 0, unexpected: [] });
const MAX_PAYLOAD = 1 << 20;

function unexpected(s: Stats, what: string): void {
  if (s.unexpected.length < 5) s.unexpected.push(what);
  else s.unexpected[4] = `${what} (and more)`;
}

async function sendAll(c: Socket, data: Uint8Array, s: Stats): Promise<void> {
  for (let off = 0; off < data.length;) {
    const n = await c.send(off === 0 ? data : data.subarray(off), data.length - off, 0, opts);
    off += n;
    s.bytesOut += n;
  }
}

/** recv() until end of stream, into a growing buffer of at most MAX_PAYLOAD bytes. */
async function readAll(c: Socket, buf: Buffer, s: Stats): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const n = await c.recv(buf, buf.length, 0, opts);
    if (n === 0) {
      s.eof++;
      return Buffer.concat(parts, total);
    }
    s.bytesIn += n;
    total += n;
    if (total > MAX_PAYLOAD) throw new Error(`more than ${MAX_PAYLOAD} bytes`);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

const handlers: Record<Protocol, (c: Socket, s: Stats, n: number) => Promise<void>> = {
  async echo(c, s) {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = await c.recv(buf, buf.length, 0, opts);
      if (n === 0) {
        s.eof++;
        return;
      }
      s.bytesIn += n;
      await sendAll(c, buf.subarray(0, n), s);
    }
  },
  async once(c, s) {
    const buf = Buffer.allocUnsafe(16);
    for (let off = 0; off < 16;) {
      const n = await c.recv(buf.subarray(off), 16 - off, 0, opts);
      if (n === 0) throw new Error('once: end of stream before 16 bytes');
      off += n;
      s.bytesIn += n;
    }
    await sendAll(c, buf, s);
  },
  async drain(c, s) {
    const got = await readAll(c, Buffer.allocUnsafe(64 * 1024), s);
    await sendAll(c, got, s); // after the peer's SHUT_WR: our direction still works
  },
  async greet(c, s, n) {
    await sendAll(c, greeting(n), s);
    c.shutdown(SHUT_WR);
    try {
      await c.send(Buffer.from('x'), 1, 0, opts);
      unexpected(s, 'greet: send after shutdown(SHUT_WR) succeeded');
    } catch (e) {
      if (isSocketError(e, 'EPIPE')) s.epipeAfterShutdown++;
      else unexpected(s, `greet: send after SHUT_WR: ${describe(e)}`);
    }
    const got = await readAll(c, Buffer.allocUnsafe(64 * 1024), s); // our SHUT_WR left the other direction open
    const id = got.length >= 4 ? got.readUInt32LE(0) : -1;
    if (id >= 0 && got.equals(payload(id, got.length - 4))) s.verified++;
    else {
      s.bad++;
      unexpected(s, `greet: connection ${n}: payload of ${got.length} bytes differs`);
    }
  },
};

class Listener {
  readonly sock: Socket;
  readonly stats = newStats();
  readonly port: number;
  #live = 0;
  constructor(readonly proto: Protocol) {
    this.sock = new Socket(AF_INET, SOCK_STREAM);
    this.sock.setOption(SOL_SOCKET, SO_REUSEADDR, 1).bind(new sockaddr_in('127.0.0.1', 0)).listen(4096);
    this.port = (this.sock.localAddress as sockaddr_in).port;
    void this.#acceptLoop();
  }
  get live(): number {
    return this.#live;
  }
  async #acceptLoop(): Promise<void> {
    while (!this.sock.closed) {
      let c: Socket;
      try {
        c = await this.sock.accept();
      } catch (e) {
        if (this.sock.closed) return; // ECANCELED from our own close
        unexpected(this.stats, `${this.proto} accept: ${describe(e)}`);
        await new Promise((r) => setTimeout(r, 10)); // EMFILE and friends: no spin
        continue;
      }
      void this.#session(c, this.stats.accepted++);
    }
  }
  async #session(c: Socket, n: number): Promise<void> {
    this.#live++;
    const s = this.stats;
    try {
      await handlers[this.proto](c, s, n);
    } catch (e) {
      if (isSocketError(e)) s.errors[e.code] = (s.errors[e.code] ?? 0) + 1;
      else unexpected(s, `${this.proto}: ${describe(e)}`);
    } finally {
      c.close();
      this.#live--;
      s.closed++;
    }
  }
}

export async function serverMain(): Promise<void> {
  checkBudget(fdCount() + 10_000 + 200, 'the server');
  const listeners = new Map(PROTOCOLS.map((p) => [p, new Listener(p)]));
  const snapshot = (): Msg => ({
    fds: fdCount(),
    mem: memNow(),
    stats: Object.fromEntries([...listeners].map(([p, l]) => [p, { ...l.stats, live: l.live }])),
  });
  /** Resolves once `cond` holds, checked every 5 ms, or throws after `ms`. */
  const until = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
    for (const t0 = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() - t0 > ms) throw new Error(`server: ${what} not reached within ${ms} ms`);
    }
  };
  serve(async (cmd, m) => {
    const l = listeners.get(m.proto as Protocol);
    switch (cmd) {
      case 'snapshot': return snapshot();
      // Waits until `proto` has accepted at least `accepted` connections and has `live` open.
      case 'until':
        await until(() => l!.stats.accepted >= (m.accepted as number) && (m.live === undefined || l!.live === m.live), m.ms as number,
          `${String(m.proto)} accepted >= ${String(m.accepted)}, live ${String(m.live)}`);
        return snapshot();
      default: throw new Error(`unknown command ${cmd}`);
    }
  }, { ports: Object.fromEntries([...listeners].map(([p, l]) => [p, l.port])), fds: fdCount() });
}
