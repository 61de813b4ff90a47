// Pieces shared by the stress roles: per-connection byte patterns, fd and memory figures,
// exact-length send/recv helpers on the Promise API, and the parent <-> child request
// channel (one child process per role, started with the fd limit its budget needs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as P from '../../lib/promises.js';
import { SocketError } from '../../lib/index.js';

/** Every wait in the stress roles: nothing can hang longer than this. */
export const OP_TIMEOUT = 60_000;
export const opts = { timeout: OP_TIMEOUT } as const;

/** `size` bytes that differ for every id (xorshift32 seeded by the id), built 4 bytes at a time. */
export function pattern(id: number, size: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (Math.imul(id + 1, 2654435761) ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, size);
}

/** Open fds of this process (/proc/self/fd, minus the one readdir itself holds). */
export function fdCount(): number {
  return readdirSync('/proc/self/fd').length - 1;
}

/** The soft RLIMIT_NOFILE of this process. */
export function fdLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').split(/\s+/).slice(3, 5).map((s) => (s === 'unlimited' ? Infinity : Number(s)));
  return { soft: soft ?? 0, hard: hard ?? 0 };
}

export interface Mem { rss: number; heapUsed: number; external: number; arrayBuffers: number }

/** Memory after a full GC when the process runs with --expose-gc. */
export function memNow(): Mem {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

export const MiB = (n: number): string => (n / 1048576).toFixed(1);

/** Sends all of `data` (partial sends continue where they stopped). */
export async function sendAll(fd: number, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await P.send(fd, off === 0 ? data : data.subarray(off), data.length - off, 0, opts);
}

/** Receives exactly `n` bytes; end of stream before that is an error. */
export async function recvExactly(fd: number, n: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(n);
  for (let off = 0; off < n;) {
    const r = await P.recv(fd, out.subarray(off), n - off, 0, opts);
    if (r === 0) throw new Error(`end of stream after ${off} of ${n} bytes`);
    off += r;
  }
  return out;
}

/** Receives until end of stream, at most `max` bytes (more is an error). */
export async function recvToEof(fd: number, max: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(max + 1);
  let off = 0;
  for (;;) {
    const r = await P.recv(fd, out.subarray(off), max + 1 - off, 0, opts);
    if (r === 0) return out.subarray(0, off);
    off += r;
    if (off > max) throw new Error(`more than the ${max} bytes expected`);
  }
}

/** Whether `e` is a well-formed SocketError (errno, code and syscall all set) with one of `codes`. */
export function isSocketError(e: unknown, ...codes: string[]): e is SocketError {
  return e instanceof SocketError && Number.isInteger(e.errno) && e.errno > 0 && typeof e.syscall === 'string' &&
    e.syscall.length > 0 && (codes.length === 0 || codes.includes(e.code));
}

export const describe = (e: unknown): string => (e instanceof SocketError ? `${e.code} (${e.syscall})` : e instanceof Error ? e.message : String(e));

/** Runs `job(i)` for i in [0, total) with at most `concurrency` at once. */
export async function pool(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
}

// ---------------------------------------------------------------------------------------
// parent <-> child requests

export type Msg = Record<string, unknown>;
const ENTRY = fileURLToPath(new URL('../stress.ts', import.meta.url));
/** util-linux prlimit(1), when installed: raises a child's soft RLIMIT_NOFILE. */
const PRLIMIT = (process.env.PATH ?? '').split(':').map((d) => `${d}/prlimit`).find((f) => existsSync(f));

/**
 * A role child: `node <tsx loader> bench/stress.ts --role=ROLE`, under prlimit when its soft
 * RLIMIT_NOFILE must be raised to cover `fds` (capped by the hard limit, which only
 * CAP_SYS_RESOURCE can raise; the child checks its budget itself and fails early). Requests carry an id; the reply echoes it.
 */
export class Child {
  readonly proc: ChildProcess;
  readonly ready: Promise<Msg>;
  #next = 1;
  #waiting = new Map<number, { resolve: (m: Msg) => void; reject: (e: Error) => void }>();
  #exited: Promise<void>;
  constructor(readonly role: string, fds: number, args: string[] = []) {
    const soft = Math.min(fds, fdLimit().hard);
    const node = [process.execPath, ...process.execArgv, '--expose-gc', ENTRY, `--role=${role}`, ...args];
    const [cmd, ...argv] = soft > fdLimit().soft && PRLIMIT ? [PRLIMIT, `--nofile=${soft}:`, ...node] : node;
    this.proc = spawn(cmd!, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let ready!: (m: Msg) => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<Msg>((res, rej) => { ready = res; failed = rej; });
    this.proc.on('message', (m: Msg) => {
      if (m.id === undefined) return ready(m);
      const w = this.#waiting.get(m.id as number);
      this.#waiting.delete(m.id as number);
      if (m.error !== undefined) w?.reject(new Error(`${role}: ${String(m.error)}`));
      else w?.resolve(m);
    });
    this.proc.on('error', (e) => failed(e));
    this.#exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        const e = new Error(`${role} child exited with ${code ?? signal}`);
        failed(e);
        for (const w of this.#waiting.values()) w.reject(e);
        this.#waiting.clear();
        resolve();
      });
    });
  }
  request(cmd: string, args: Msg = {}, ms = 10 * OP_TIMEOUT): Promise<Msg> {
    const id = this.#next++;
    if (!this.proc.connected) return Promise.reject(new Error(`${this.role}: ${cmd}: the child is gone`));
    return new Promise<Msg>((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${this.role}: ${cmd} took more than ${ms} ms`));
      }, ms);
      const done = (f: () => void): void => { clearTimeout(t); f(); };
      this.#waiting.set(id, { resolve: (m) => done(() => resolve(m)), reject: (e) => done(() => reject(e)) });
      this.proc.send({ id, cmd, ...args });
    });
  }
  /** Asks the child to exit; kills it after `ms`. */
  async end(ms = 5_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (this.proc.connected) this.proc.send({ cmd: 'exit' });
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await this.#exited;
    clearTimeout(t);
  }
}

/** The child side: answers the parent's requests with `handler`, then says it is ready. */
export function serve(handler: (cmd: string, m: Msg) => Promise<Msg> | Msg, ready: Msg = {}): void {
  process.on('message', (m: Msg) => {
    if (m.cmd === 'exit') {
      process.exit(0);
    }
    void (async () => {
      try {
        process.send!({ ...(await handler(String(m.cmd), m)), id: m.id });
      } catch (e) {
        process.send!({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
      }
    })();
  });
  process.send!(ready);
}

/** Fails the child at once when its fd limit is below `need`: a storm must never meet EMFILE by surprise. */
export function checkBudget(need: number, what: string): void {
  const { soft } = fdLimit();
  if (soft < need) throw new Error(`${what} needs ${need} fds, RLIMIT_NOFILE is ${soft}`);
}
