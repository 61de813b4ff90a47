// udp-mmsg: how many 64-byte UDP datagrams per second a receiver takes off a loopback socket
// under the same offered load: ours (berkeley-sockets' synchronous recvmmsg() into a
// preallocated MsgBatch, bench/mmsg-receiver.ts) against plain C with one recvfrom() per
// datagram (bench/c/udp_recvfrom.c). Ratio = ours / C.
//
// One sender process (bench/c/udp_sendmmsg.c: sendmmsg() of 64-byte datagrams as fast as the
// kernel takes them) lives for the whole benchmark and serves every receiver in turn: the
// parent starts a receiver, points the sender at its port, and pauses the sender once the
// receiver has reported. The C programs are compiled here with `cc -O2` into a temp dir.
// Both receivers get the same SO_RCVBUF(FORCE), warm-up and window, and start their clock at
// their first datagram; each counts the datagrams its receive calls return inside the window.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measurement, Settings } from './common.js';

/** Messages per recvmmsg() call on our side. */
export const MMSG_BATCH = Number(process.env.BENCH_MMSG_BATCH ?? 64);
/** SO_RCVBUF asked for by both receivers (SO_RCVBUFFORCE when allowed: root). */
export const RCVBUF = 4 << 20;

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const RECEIVER_TS = here('./mmsg-receiver.ts');

interface ReceiverReport {
  received: number;
  /** recvmmsg() calls inside the window (ours only). */
  calls?: number;
  seconds: number;
  cpuUs: number;
  rcvbuf: number;
}

let dir: string | null = null;
let sender: ChildProcess | null = null;
let senderLines: string[] = [];
let senderWaiter: ((line: string) => void) | null = null;
const log: string[] = [];

function compile(): string {
  if (dir !== null) return dir;
  dir = mkdtempSync(path.join(os.tmpdir(), 'bsock-bench-c-'));
  for (const name of ['udp_recvfrom', 'udp_sendmmsg']) {
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', path.join(dir, name), here(`./c/${name}.c`)], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return dir;
}

function startSender(bin: string): ChildProcess {
  if (sender !== null) return sender;
  // Bounded: the sender exits by itself after 15 minutes, and at EOF on its stdin.
  const child = spawn(path.join(bin, 'udp_sendmmsg'), ['900', '64', '64'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout!.setEncoding('utf8');
  let buf = '';
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (senderWaiter) {
        const w = senderWaiter;
        senderWaiter = null;
        w(line);
      } else senderLines.push(line);
    }
  });
  child.on('exit', () => {
    if (sender === child) sender = null;
  });
  sender = child;
  return child;
}

function senderLine(ms: number): Promise<string> {
  const l = senderLines.shift();
  if (l !== undefined) return Promise.resolve(l);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      senderWaiter = null;
      reject(new Error('udp-mmsg: the sender did not answer'));
    }, ms);
    senderWaiter = (line) => {
      clearTimeout(t);
      resolve(line);
    };
  });
}

/** Ends the sender and removes the compiled programs (run.ts calls it after the benchmark). */
export async function stopMmsg(): Promise<void> {
  const s = sender;
  if (s !== null && s.exitCode === null && s.signalCode === null) {
    const exited = new Promise<void>((resolve) => s.once('exit', () => resolve()));
    s.stdin!.end(); // EOF: the sender exits
    const killer = setTimeout(() => s.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(killer);
  }
  sender = null;
  senderLines = [];
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
}
// Whatever happens, no child outlives the run.
process.once('exit', () => {
  sender?.kill('SIGKILL');
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
});

/** Runs one receiver (argv) against the shared sender; resolves with its report. */
async function runReceiver(cmd: string, args: string[], s: Settings, what: string): Promise<Measurement> {
  const bin = compile();
  const snd = startSender(bin);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), s.warmup + s.duration + 20_000);
  let out = '';
  let pointed = false;
  child.stdout!.setEncoding('utf8');
  const report = await new Promise<ReceiverReport>((resolve, reject) => {
    child.stdout!.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (!pointed && nl >= 0) {
        pointed = true;
        const { port } = JSON.parse(out.slice(0, nl)) as { port: number };
        snd.stdin!.write(`${port}\n`); // start the blast at this receiver
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`${what} receiver exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ReceiverReport);
      } catch (e) {
        reject(e);
      }
    });
  }).finally(() => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  if (pointed) {
    snd.stdin!.write('0\n'); // pause; the sender reports what it sent
    const { sent } = JSON.parse(await senderLine(5000)) as { sent: number };
    log.push(`${what}: ${report.received} received in the window${report.calls ? ` (${(report.received / report.calls).toFixed(1)} per call)` : ''}, rcvbuf ${report.rcvbuf}, sender sent ${sent} in the whole run`);
  }
  if (process.env.BENCH_VERBOSE) process.stderr.write(`    ${log.at(-1)}\n`);
  return { rate: report.received / report.seconds, cpuUs: report.cpuUs };
}

/** Our receiver: sync recvmmsg() into a MsgBatch of MMSG_BATCH × 64 bytes. */
export function oursMmsg(s: Settings): Promise<Measurement> {
  // process.execArgv carries tsx's loader; the child loads the same library copy (BENCH_LIB).
  return runReceiver(process.execPath, [...process.execArgv, RECEIVER_TS, '0', String(s.warmup), String(s.duration), String(RCVBUF), String(MMSG_BATCH)], s, 'ours');
}

/** The C reference: one recvfrom() per datagram. */
export function cRecvfrom(s: Settings): Promise<Measurement> {
  return runReceiver(path.join(compile(), 'udp_recvfrom'), ['0', String(s.warmup), String(s.duration), String(RCVBUF)], s, 'C');
}
