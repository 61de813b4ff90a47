// The plain-C reference programs (bench/c/ref.c), compiled at run time with `cc -O2` (CC=
// overrides) into a temp dir that is removed at exit, and a small process runner shared by
// every child-process contender (C programs and bench/peer.ts alike): bounded in time,
// killed at the end, optionally pinned to CPU 0 with `taskset -c 0`.
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

let dir: string | null = null;
const children = new Set<ChildProcess>();

/** Path of the compiled reference program (compiled on first use). */
export function refBinary(): string {
  if (dir === null) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bsock-bench-ref-'));
    execFileSync(process.env.CC ?? 'cc', ['-O2', '-o', path.join(dir, 'ref'), here('./c/ref.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return path.join(dir, 'ref');
}

/** Whether `taskset` (util-linux) can run here. */
export const hasTaskset = ((): boolean => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export function cleanupRef(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
}
process.once('exit', cleanupRef);

/** A tsx child running one of our TypeScript roles (bench/peer.ts), same library copy. */
export function peerCommand(args: (string | number)[]): [string, string[]] {
  return [process.execPath, [...process.execArgv, here('./peer.ts'), ...args.map(String)]];
}

export interface Child {
  proc: ChildProcess;
  /** The next stdout line (JSON-parsed). */
  line<T = Record<string, number>>(ms?: number): Promise<T>;
  /** Closes its stdin (EOF: servers and senders stop) and waits for the exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<void>;
}

/** Starts a child process, killed after `limitMs` whatever happens; `fds` become its fds 3, 4…. */
export function start(cmd: string, args: (string | number)[], limitMs: number, pin = false, fds: number[] = []): Child {
  const argv = args.map(String);
  const stdio: StdioOptions = ['pipe', 'pipe', 'inherit', ...fds];
  const proc = pin ? spawn('taskset', ['-c', '0', cmd, ...argv], { stdio }) : spawn(cmd, argv, { stdio });
  children.add(proc);
  const killer = setTimeout(() => proc.kill('SIGKILL'), limitMs);
  const lines: string[] = [];
  let waiter: ((l: string | null) => void) | null = null;
  let buf = '';
  let ended = false;
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (waiter) {
        const w = waiter;
        waiter = null;
        w(l);
      } else lines.push(l);
    }
  });
  const exited = new Promise<number | string | null>((resolve) => proc.once('close', (code, signal) => {
    ended = true;
    clearTimeout(killer);
    children.delete(proc);
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(null);
    }
    resolve(code ?? signal);
  }));
  proc.stdin!.on('error', () => {}); // EPIPE once it has exited
  const what = `${path.basename(argv[0] === undefined ? cmd : cmd.endsWith('node') ? argv.find((a) => a.endsWith('peer.ts')) ?? cmd : cmd)} ${argv.filter((a) => !a.startsWith('-') && !a.includes('/')).join(' ')}`;
  return {
    proc,
    line<T>(ms = limitMs): Promise<T> {
      const l = lines.shift();
      const parse = (s: string | null): T => {
        if (s === null) throw new Error(`${what}: exited without a result`);
        return JSON.parse(s) as T;
      };
      if (l !== undefined) return Promise.resolve(parse(l));
      if (ended) return Promise.reject(new Error(`${what}: exited without a result`));
      return new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => {
          waiter = null;
          reject(new Error(`${what}: no answer within ${ms} ms`));
        }, ms);
        waiter = (s) => {
          clearTimeout(t);
          try {
            resolve(parse(s));
          } catch (e) {
            reject(e);
          }
        };
      });
    },
    async stop(ms = 3000): Promise<void> {
      proc.stdin!.end();
      const k = setTimeout(() => proc.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(k);
      if (code !== 0 && code !== 'SIGKILL') throw new Error(`${what}: exited with ${code}`);
    },
  };
}

/** Runs a child to completion; resolves with its last JSON line. */
export async function runToEnd<T = Record<string, number>>(cmd: string, args: (string | number)[], limitMs: number, pin = false, fds: number[] = []): Promise<T> {
  const c = start(cmd, args, limitMs, pin, fds);
  const r = await c.line<T>();
  await c.stop();
  return r;
}
