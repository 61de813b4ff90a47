// The client role: its own process (so its fds and CPU are not the server's), driving the
// server's listeners with the functional Promise API. Every byte it gets back is checked
// against what it sent; every scenario reports its fd count before and after.
import * as P from '../../lib/promises.js';
import { AF_INET, SHUT_WR, SOCK_STREAM, SOL_SOCKET, SO_LINGER, SO_TYPE, close, getsockopt, linger, setsockopt, shutdown, socket, sockaddr_in } from '../../lib/index.js';
import { checkBudget, describe, fdCount, isSocketError, opts, pattern, pool, recvExactly, recvToEof, sendAll, serve, type Msg } from './common.js';
import { greeting, payload } from './server.js';

/** Bytes client `id` sends in the connections scenario: 2 to 5.75 KiB, different per id. */
const echoSize = (id: number): number => 2048 + (id % 16) * 256;

class Tally {
  ok = 0;
  bad = 0;
  bytes = 0;
  failures: string[] = [];
  fail(id: number, e: unknown): void {
    this.bad++;
    if (this.failures.length < 5) this.failures.push(`#${id}: ${describe(e)}`);
  }
  /** Runs `job`, closing `fd` after it whatever happens; counts the outcome. */
  async run(id: number, job: (fd: number) => Promise<number>): Promise<void> {
    const fd = socket(AF_INET, SOCK_STREAM, 0);
    try {
      this.bytes += await job(fd);
      this.ok++;
    } catch (e) {
      this.fail(id, e);
    } finally {
      close(fd);
    }
  }
  report(t0: number, fds0: number): Msg {
    return { ok: this.ok, bad: this.bad, bytes: this.bytes, failures: this.failures, ms: performance.now() - t0, fdsBefore: fds0, fdsAfter: fdCount() };
  }
}

/**
 * `count` connections, `concurrency` at a time, each on a fresh socket that `job` uses and
 * that is closed after it: the outcome tallied, timed, with the fd count before and after.
 */
async function perConnection(count: number, concurrency: number, job: (id: number, fd: number) => Promise<number>): Promise<Msg> {
  const t0 = performance.now();
  const fds0 = fdCount();
  const t = new Tally();
  await pool(count, concurrency, (id) => t.run(id, (fd) => job(id, fd)));
  return t.report(t0, fds0);
}

const expectEqual = (got: Buffer, want: Buffer, what: string): void => {
  if (!got.equals(want)) throw new Error(`${what}: ${got.length} bytes back, ${want.length} sent, contents differ`);
};

/** The connections scenario's fds, open between 'open' and 'echo'. */
let held: number[] = [];

const scenarios: Record<string, (addr: sockaddr_in, m: Msg) => Promise<Msg>> = {
  /** Opens `n` connections (at most 512 connects in flight) and keeps them open. */
  async open(addr, m) {
    const n = m.n as number;
    checkBudget(fdCount() + n + 100, `${n} client connections`);
    const t0 = performance.now();
    const fds0 = fdCount();
    held = [];
    const t = new Tally();
    await pool(n, 512, async (i) => {
      const fd = socket(AF_INET, SOCK_STREAM, 0);
      held.push(fd);
      try {
        await P.connect(fd, addr, undefined, opts);
        t.ok++;
      } catch (e) {
        t.fail(i, e);
      }
    });
    // Each held fd checked to be an open stream socket, rather than the process's fd count
    // compared: the runtime opens and closes fds of its own meanwhile (CI once saw the
    // count before the scenario include one that was gone after it).
    const type = new Int32Array(1);
    let open = 0;
    for (const fd of held) {
      try {
        getsockopt(fd, SOL_SOCKET, SO_TYPE, type);
        if (type[0] === SOCK_STREAM) open++;
      } catch {
        // not open, or not a socket: not counted
      }
    }
    return { ...t.report(t0, fds0), heldOpen: open };
  },
  /** Every held connection at once: send its pattern while reading the echo, check it, end, close. */
  async echo() {
    const t0 = performance.now();
    const t = new Tally();
    const fds = held;
    held = [];
    await Promise.all(fds.map(async (fd, id) => {
      try {
        const data = pattern(id, echoSize(id));
        const [, got] = await Promise.all([sendAll(fd, data), recvExactly(fd, data.length)]);
        expectEqual(got, data, 'echo');
        shutdown(fd, SHUT_WR);
        if ((await recvToEof(fd, 0)).length !== 0) throw new Error('bytes after the echo');
        t.bytes += data.length;
        t.ok++;
      } catch (e) {
        t.fail(id, e);
      } finally {
        close(fd);
      }
    }));
    return t.report(t0, NaN);
  },
  /** `total` connect → 16 bytes each way → server closes → close, `concurrency` at a time. */
  async storm(addr, m) {
    return perConnection(m.total as number, m.concurrency as number, async (id, fd) => {
      await P.connect(fd, addr, undefined, opts);
      const data = pattern(id, 16);
      await sendAll(fd, data);
      expectEqual(await recvToEof(fd, 16), data, 'storm');
      return 16;
    });
  },
  /**
   * `n` connections that stream to the echo listener while reading the echo back (checked)
   * and, once `after` bytes are back, stop sending and close with SO_LINGER {1, 0}: an RST
   * while the server is mid-transfer.
   */
  async reset(addr, m) {
    const after = m.after as number;
    const rst = new linger({ l_onoff: 1, l_linger: 0 });
    return perConnection(m.n as number, m.concurrency as number, async (id, fd) => {
      await P.connect(fd, addr, undefined, opts);
      const data = pattern(id, 4 * after);
      const back = Buffer.allocUnsafe(data.length);
      let got = 0;
      let sent = 0;
      let stop = false;
      let senderDone = false;
      const sender = (async () => {
        while (!stop && sent < data.length) sent += await P.send(fd, data.subarray(sent, Math.min(sent + 8192, data.length)), undefined, 0, opts);
      })();
      // Its failure is thrown by the `await sender` below (or lost to an earlier one of ours).
      void sender.catch(() => undefined).then(() => { senderDone = true; });
      // Reads until `after` bytes are back and the sender has stopped (its last send done).
      while (got < after || !senderDone) {
        if (got >= after) stop = true;
        if (got === data.length) break;
        const n = await P.recv(fd, back.subarray(got), data.length - got, 0, { timeout: stop ? 50 : opts.timeout }).catch((e: unknown) => {
          if (stop && isSocketError(e, 'ETIMEDOUT')) return -1;
          throw e;
        });
        if (n === 0) throw new Error(`reset: end of stream after ${got} bytes`);
        if (n > 0) got += n;
      }
      await sender;
      expectEqual(back.subarray(0, got), data.subarray(0, got), 'reset prefix');
      setsockopt(fd, SOL_SOCKET, SO_LINGER, rst);
      return got; // closed by run(): RST, with the server busy echoing
    });
  },
  /** Half-close from the client: payload, SHUT_WR (a send after it is EPIPE), the echo comes after. */
  async halfClient(addr, m) {
    return perConnection(m.n as number, m.concurrency as number, async (id, fd) => {
      await P.connect(fd, addr, undefined, opts);
      const data = payload(id, 1024 + (id % 32) * 512);
      await sendAll(fd, data);
      shutdown(fd, SHUT_WR);
      try {
        await P.send(fd, Buffer.from('x'), 1, 0, opts);
        throw new Error('send after shutdown(SHUT_WR) succeeded');
      } catch (e) {
        if (!isSocketError(e, 'EPIPE')) throw e;
      }
      expectEqual(await recvToEof(fd, data.length), data, 'half-close echo');
      return data.length;
    });
  },
  /** Half-close from the server: its greeting ends in EOF, and then we still send our payload. */
  async halfServer(addr, m) {
    return perConnection(m.n as number, m.concurrency as number, async (id, fd) => {
      await P.connect(fd, addr, undefined, opts);
      const g = await recvToEof(fd, 1 << 16);
      if (g.length < 4) throw new Error(`greeting of ${g.length} bytes`);
      expectEqual(g, greeting(g.readUInt32LE(0)), 'greeting');
      const data = payload(id, 1024 + (id % 32) * 512);
      await sendAll(fd, data);
      shutdown(fd, SHUT_WR);
      if ((await recvToEof(fd, 0)).length !== 0) throw new Error('bytes after the greeting');
      return g.length + data.length;
    });
  },
};

export function clientMain(): void {
  serve(async (cmd, m) => {
    const s = scenarios[cmd];
    if (!s) throw new Error(`unknown command ${cmd}`);
    return s(new sockaddr_in('127.0.0.1', (m.port as number | undefined) ?? 0), m);
  }, { fds: fdCount() });
}
