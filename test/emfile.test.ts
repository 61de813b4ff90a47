// Running out of fds (reliability.md §1 item 62, §2 libuv test-emfile.c): a child with
// RLIMIT_NOFILE=64 runs an async accept loop facing more clients than it has fds.
//
// Behaviour found: accept(2) fails with EMFILE while the connection stays queued and the
// listener stays readable. The Promise API's accept() rejects with SocketError EMFILE (it
// does not retry on its own, and the registry keeps no waiter on the fd after the
// rejection, so the idle poll handle is stopped: nothing spins). The server loop here then
// waits 20 ms and calls accept() again; as soon as clients hang up and fds are freed the
// queued connections are accepted and served. CPU while stuck at the limit is measured.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const LIB = resolve(__dirname, '../lib');
const dir = mkdtempSync(join(tmpdir(), 'bsock-emfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHILD = `
import * as bs from ${JSON.stringify(`${LIB}/index.js`)};
import * as bp from ${JSON.stringify(`${LIB}/promises.js`)};
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
bs.bind(l, new bs.sockaddr_in('127.0.0.1', 0));
bs.listen(l, 512);
let accepted = 0, open = 0, emfiles = 0, measuring = false;
async function serve(fd) {
  const buf = Buffer.alloc(256);
  try {
    for (;;) {
      const n = await bp.recv(fd, buf);
      if (n === 0) break;
      let off = 0;
      while (off < n) off += await bp.send(fd, buf.subarray(off, n));
    }
  } catch (e) {
    out({ serveError: String(e) });
  } finally {
    bs.close(fd);
    open--;
  }
}
async function measure() {
  measuring = true;
  const before = emfiles;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sleep(1000);
  const d = process.cpuUsage(c0);
  out({ atLimit: true, accepted, open, cpuMs: (d.user + d.system) / 1000,
        wallMs: Number(process.hrtime.bigint() - t0) / 1e6, retries: emfiles - before });
}
(async () => {
  for (;;) {
    try {
      const fd = await bp.accept(l);
      accepted++;
      open++;
      void serve(fd);
    } catch (e) {
      if (e instanceof bs.SocketError && e.code === 'EMFILE' && e.syscall === 'accept') {
        emfiles++;
        if (!measuring) void measure();
        await sleep(20);
      } else {
        out({ acceptError: String(e), name: e?.constructor?.name });
        process.exit(3);
      }
    }
  }
})();
process.stdin.on('data', () => out({ final: true, accepted, emfiles }));
out({ port: bs.getsockname(l).port });
`;

type Msg = Record<string, unknown>;

function startChild(): { child: ChildProcess; next: (pred: (m: Msg) => boolean, ms: number) => Promise<Msg> } {
  const file = join(dir, 'emfile-child.mts');
  writeFileSync(file, CHILD);
  const child = spawn('prlimit', ['--nofile=64:64', process.execPath, '--import', 'tsx', file], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: resolve(__dirname, '..'),
  });
  const msgs: Msg[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      msgs.push(JSON.parse(line) as Msg);
    } catch {
      msgs.push({ junk: line });
    }
    for (const w of waiters.splice(0)) w();
  });
  child.on('exit', () => { for (const w of waiters.splice(0)) w(); });
  const next = async (pred: (m: Msg) => boolean, ms: number): Promise<Msg> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const bad = msgs.find((m) => 'acceptError' in m || 'serveError' in m || 'junk' in m);
      if (bad) throw new Error(`child reported ${JSON.stringify(bad)}`);
      const i = msgs.findIndex(pred);
      if (i >= 0) return msgs.splice(i, 1)[0]!;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`child exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for the child; stderr: ${stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  };
  return { child, next };
}

/** Kills the child and waits for its stdio pipes (socketpairs) to close. */
async function stopChild(child: ChildProcess): Promise<void> {
  const closed = new Promise((r) => child.once('close', r));
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const s of [child.stdin, child.stdout, child.stderr]) s?.destroy();
  await closed;
}

describe('EMFILE in an async accept loop (RLIMIT_NOFILE = 64)', () => {
  it('rejects with EMFILE, does not spin, recovers, and loses no connection', async () => {
    const N = 60; // more clients than the child has free fds (about 25 after Node's own)
    const { child, next } = startChild();
    const clients: net.Socket[] = [];
    try {
      const { port } = (await next((m) => 'port' in m, 8000)) as { port: number };
      const echoed = new Set<number>();
      const echoWaiters: (() => void)[] = [];
      for (let i = 0; i < N; i++) {
        const payload = `client ${i} `.padEnd(20, '.');
        const s = net.connect(port, '127.0.0.1');
        let got = '';
        s.setEncoding('utf8');
        s.on('data', (d: string) => {
          got += d;
          if (got.length >= payload.length) {
            expect(got).toBe(payload);
            echoed.add(i);
            for (const w of echoWaiters.splice(0)) w();
          }
        });
        s.on('error', () => {});
        s.write(payload);
        clients.push(s);
      }

      // At the limit: accept rejected with EMFILE; measure the child's CPU over 1 s.
      const at = await next((m) => 'atLimit' in m, 8000) as { accepted: number; open: number; cpuMs: number; wallMs: number; retries: number };
      if (process.env.BSOCK_VERBOSE) console.log(at);
      expect(at.accepted).toBeGreaterThan(0);
      expect(at.accepted).toBeLessThan(N);
      expect(at.wallMs).toBeGreaterThanOrEqual(950);
      // The 20 ms back-off retries about 50 times a second; a spinning loop would burn ~1000 ms.
      expect(at.cpuMs).toBeLessThan(250);
      expect(at.retries).toBeGreaterThan(10);
      expect(at.retries).toBeLessThan(200);

      // Every connection accepted so far is served (nothing accepted is lost).
      const waitEcho = async (count: number, ms: number): Promise<void> => {
        const deadline = Date.now() + ms;
        while (echoed.size < count) {
          if (Date.now() > deadline) throw new Error(`only ${echoed.size}/${count} clients echoed`);
          await new Promise<void>((r) => { const t = setTimeout(r, 100); echoWaiters.push(() => { clearTimeout(t); r(); }); });
        }
      };
      await waitEcho(at.accepted, 5000);
      expect(echoed.size).toBe(at.accepted);

      // Recovery: hang up the served clients; their fds are freed and the queued ones get in.
      const hangUp = () => { for (const i of echoed) clients[i]!.end(); };
      hangUp();
      const deadline = Date.now() + 8000;
      while (echoed.size < N) {
        if (Date.now() > deadline) throw new Error(`only ${echoed.size}/${N} clients echoed after recovery`);
        await new Promise((r) => setTimeout(r, 50));
        hangUp();
      }
      child.stdin!.write('report\n');
      const fin = await next((m) => 'final' in m, 5000) as { accepted: number; emfiles: number };
      expect(fin.accepted).toBe(N);
      expect(fin.emfiles).toBeGreaterThan(0);
    } finally {
      for (const s of clients) s.destroy();
      await stopChild(child);
    }
  }, 30_000);
});
