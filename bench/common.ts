// Shared pieces of the benchmarks: the measurement window, and small socket helpers for our
// side. Every measured loop counts an operation only when it completes inside
// [start, end), and stops at `end`: the same rule, and the same performance.now() per
// operation, on our side and on Node's.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** Settings every benchmark gets. */
export interface Settings {
  /** Measured milliseconds. */
  duration: number;
  /** Unmeasured milliseconds before that, on the same sockets (JIT, socket buffers). */
  warmup: number;
  /** Concurrent request/response pairs in the RR benchmarks. */
  pairs: number;
  /** Connections the accept client keeps open at once. */
  acceptConcurrency: number;
  /** Threads of the accept client process the connections are spread over. */
  clientThreads: number;
}

/** What one side of one benchmark measured. */
export interface Measurement {
  /** Units per second. */
  rate: number;
  /**
   * CPU time (user + system) per unit, in µs: of the whole process for the in-process
   * benchmarks, of the server process alone for accept.
   */
  cpuUs?: number | undefined;
}

/** The measurement window: warm-up first, then [start, end). */
export class Window {
  readonly start: number;
  readonly end: number;
  count = 0;
  /** Process CPU time (user + system, µs) at the first tick inside / after the window. */
  #cpuIn = -1;
  #cpuOut = -1;
  #countOut = 0;
  constructor(s: Settings) {
    this.start = performance.now() + s.warmup;
    this.end = this.start + s.duration;
  }
  /**
   * Records `n` units completed now. Returns false once the window is over: the caller
   * stops issuing work.
   */
  tick(n = 1): boolean {
    const t = performance.now();
    if (t >= this.end) {
      if (this.#cpuOut < 0) {
        this.#cpuOut = cpuNow();
        this.#countOut = this.count;
      }
      return false;
    }
    if (t >= this.start) {
      if (this.#cpuIn < 0) this.#cpuIn = cpuNow();
      this.count += n;
    }
    return true;
  }
  /** Units per second over the measured window. */
  rate(): number {
    return this.count / ((this.end - this.start) / 1000);
  }
  /**
   * CPU time of this process per unit over the window, in µs: steadier than the rate on a
   * machine that is busy with other work too.
   */
  cpuPerUnit(): number | undefined {
    return this.#cpuIn < 0 || this.#cpuOut < 0 || this.#countOut === 0 ? undefined : (this.#cpuOut - this.#cpuIn) / this.#countOut;
  }
  measurement(): Measurement {
    return { rate: this.rate(), cpuUs: this.cpuPerUnit() };
  }
}

function cpuNow(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** A promise with its resolve/reject handed out (Node 20 has no Promise.withResolvers). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects if `p` takes longer than `ms`: no benchmark can hang the run. */
export async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const ac = new AbortController();
  try {
    return await Promise.race([
      p,
      delay(ms, undefined, { signal: ac.signal }).then(() => {
        throw new Error(`${what}: did not finish within ${ms} ms`);
      }),
    ]);
  } finally {
    ac.abort();
  }
}

/** A fresh Unix socket path in the temp dir (removed by the caller). */
export function unixPath(tag: string): string {
  return `${process.env.TMPDIR ?? '/tmp'}/bsock-bench-${process.pid}-${tag}.sock`;
}

/** The command line every benchmark entry takes. */
export interface BenchArgs {
  settings: Settings;
  rounds: number;
  only: Set<string> | null;
  strict: boolean;
}

/**
 * Parses `--duration=MS --warmup=MS --pairs=N --concurrency=N --client-threads=N
 * --rounds=N --only=a,b --strict` (and `--quick` where `quick` is given) over `defaults`;
 * `--only` names must be among `known`.
 */
export function parseBenchArgs(
  argv: string[],
  defaults: { settings: Settings; rounds: number },
  known: readonly string[],
  quick?: (a: BenchArgs) => void,
): BenchArgs {
  const a: BenchArgs = { settings: { ...defaults.settings }, rounds: defaults.rounds, only: null, strict: false };
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    const [, key, value = ''] = m;
    const num = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--${key} wants a positive integer, got ${JSON.stringify(value)}`);
      return n;
    };
    switch (key) {
      case 'quick':
        if (!quick) throw new Error('unknown option --quick');
        quick(a);
        break;
      case 'duration': a.settings.duration = num(); break;
      case 'warmup': a.settings.warmup = value === '0' ? 0 : num(); break;
      case 'pairs': a.settings.pairs = num(); break;
      case 'concurrency': a.settings.acceptConcurrency = num(); break;
      case 'client-threads': a.settings.clientThreads = num(); break;
      case 'rounds': a.rounds = num(); break;
      case 'only': a.only = new Set(value.split(',')); break;
      case 'strict': a.strict = true; break;
      default: throw new Error(`unknown option --${key}`);
    }
  }
  for (const n of a.only ?? []) if (!known.includes(n)) throw new Error(`unknown benchmark ${n} (known: ${known.join(', ')})`);
  return a;
}

/**
 * Progress of a run on stderr, out of the way of the report on stdout. On a terminal: a bar
 * redrawn in place (steps done, elapsed, estimated time left), with the per-round lines
 * printed above it; otherwise (a pipe, CI log) each line prefixed with `[done/total]`. It is
 * redrawn only between measurements, never by a timer during one.
 */
export class Progress {
  readonly #tty: boolean;
  readonly #t0 = performance.now();
  #done = 0;
  #what = '';
  constructor(readonly total: number) {
    this.#tty = process.stderr.isTTY === true && process.env.TERM !== 'dumb';
  }

  /** One measurement finished; `what` names it (shown beside the bar). */
  advance(what = ''): void {
    this.#done = Math.min(this.total, this.#done + 1);
    this.#what = what;
    this.#draw();
  }

  /** A line of results: above the bar on a terminal, `[done/total] line` otherwise. */
  log(line: string): void {
    if (this.#tty) {
      process.stderr.write(`\r\x1b[K${line}\n`);
      this.#draw();
    } else process.stderr.write(`[${this.#done}/${this.total}] ${line}\n`);
  }

  /** Removes the bar (before the report). */
  end(): void {
    if (this.#tty) process.stderr.write('\r\x1b[K');
  }

  /** The bar line itself, e.g. `[########------------]  8/20  40%  12s, ~18s left  tcp-rr`. */
  bar(width = 20): string {
    const frac = this.total === 0 ? 1 : this.#done / this.total;
    const full = Math.round(frac * width);
    const s = (performance.now() - this.#t0) / 1000;
    const left = this.#done === 0 ? '' : `, ~${Math.round((s / this.#done) * (this.total - this.#done))}s left`;
    return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(this.#done).padStart(String(this.total).length)}/${this.total} ` +
      `${String(Math.floor(frac * 100)).padStart(3)}%  ${Math.round(s)}s${left}${this.#what ? `  ${this.#what}` : ''}`;
  }

  #draw(): void {
    if (!this.#tty) return;
    const cols = (process.stderr as { columns?: number }).columns || 80;
    process.stderr.write(`\r\x1b[K${this.bar().slice(0, Math.max(10, cols - 1))}`);
  }
}
