// Test networks built with `ip netns` and veth pairs, and bounded child processes run
// inside them. Everything here uses private addresses (10.200.0.0/14) inside namespaces this
// process created; the host's own interfaces, routes and sysctls are never touched.
//
// Namespaces are named `bsock<pid>-<n>-<role>`, so parallel test files (each its own
// process) never collide, and a namespace left behind by a killed run can be recognised
// and removed by a later one (its pid is gone). Interfaces are created directly inside
// their namespaces (`ip -n NS link add … peer … netns NS2`), so their short fixed names
// (vethA, vethB…) never meet the host's.
//
// The networks are quiet on purpose, so captures see only what a test sends: IPv6 is off
// on the veths (no router solicitations, MLD or DAD), and every neighbour is a permanent
// ARP entry with a fixed MAC (no ARP requests).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (children run there). */
export const repo = fileURLToPath(new URL('..', import.meta.url));
/** An example script's absolute path: `example('ping')` is examples/ping.ts. */
export const example = (name: string): string => fileURLToPath(new URL(`../examples/${name}.ts`, import.meta.url));
/** tsx's loader as a file URL, so `--import` works from any cwd and any uid. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const PREFIX = `bsock${process.pid}-`;
const IP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------
// running commands

/** `ip …` (or any short command), synchronously and bounded; throws with its stderr on failure. */
export function sh(cmd: string, args: string[], timeout = IP_TIMEOUT_MS): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/** What a finished child left behind. */
export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the child outlived its timeout and was killed. */
  timedOut: boolean;
}

/** A running child: its output so far, and a Promise of how it ended. */
export interface Proc {
  child: ChildProcess;
  result: Promise<Result>;
  stdout(): string;
  stderr(): string;
  /** Resolves once `re` matches stdout or stderr; rejects when the child ends first or after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** SIGTERM, then SIGKILL a second later if it is still there. */
  stop(): void;
}

export interface SpawnOptions {
  /** The child is sent SIGTERM after this long (then SIGKILL a second later). */
  timeout?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const live = new Set<Proc>();

/** Starts a child with piped output, killed after `timeout` ms whatever happens. */
export function start(cmd: string, args: string[], opts: SpawnOptions = {}): Proc {
  const timeout = opts.timeout ?? 20_000;
  const child = spawn(cmd, args, { cwd: opts.cwd ?? repo, env: opts.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err += s;
    for (const w of watchers) w();
  });
  let timedOut = false;
  let kill: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    kill ??= setTimeout(() => child.kill('SIGKILL'), 1000);
  };
  const term = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeout);
  const result = new Promise<Result>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err, timedOut }));
  }).finally(() => {
    clearTimeout(term);
    clearTimeout(kill);
    live.delete(proc);
    for (const w of watchers) w();
  });
  const proc: Proc = {
    child,
    result,
    stdout: () => out,
    stderr: () => err,
    stop,
    waitFor: (re, ms = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${re} (stdout: ${JSON.stringify(out)}, stderr: ${JSON.stringify(err)})`)), ms);
        const check = (): void => {
          if (re.test(out) || re.test(err)) done();
          else if (child.exitCode !== null || child.signalCode !== null || !live.has(proc)) {
            done(new Error(`child ended (${child.exitCode ?? child.signalCode}) before ${re}: ${JSON.stringify(out)} ${JSON.stringify(err)}`));
          }
        };
        const done = (e?: Error): void => {
          clearTimeout(timer);
          watchers.delete(check);
          if (e) reject(e);
          else resolve();
        };
        watchers.add(check);
        check();
      }),
  };
  live.add(proc);
  return proc;
}

/** Runs a child to completion (bounded by `timeout`). */
export function run(cmd: string, args: string[], opts?: SpawnOptions): Promise<Result> {
  return start(cmd, args, opts).result;
}

/** The environment children get: this one, without NODE_OPTIONS (vitest's own loader hooks). */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** The argv that runs a TypeScript script with this node and tsx: `[node, --import, tsx, script, …args]`. */
export function nodeArgv(script: string, args: string[] = []): string[] {
  return [process.execPath, '--import', TSX_LOADER, script, ...args];
}

/** Starts `cmd args` inside namespace `ns` (`ip netns exec NS cmd …`). */
export function nsStart(ns: string, cmd: string, args: string[], opts?: SpawnOptions): Proc {
  return start('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

/** Runs `cmd args` inside namespace `ns` to completion. */
export function nsRun(ns: string, cmd: string, args: string[], opts?: SpawnOptions): Promise<Result> {
  return nsStart(ns, cmd, args, opts).result;
}

/** Starts a TypeScript script (lib/*.ts loads through tsx) inside namespace `ns`. */
export function nsNode(ns: string, script: string, args: string[] = [], opts?: SpawnOptions): Proc {
  const [node, ...rest] = nodeArgv(script, args);
  return nsStart(ns, node!, rest, opts);
}

/** Runs a TypeScript script inside namespace `ns` to completion. */
export function nsNodeRun(ns: string, script: string, args: string[] = [], opts?: SpawnOptions): Promise<Result> {
  return nsNode(ns, script, args, opts).result;
}

/** Stops every child still running (each only by its own pid) and waits for them to go. */
export async function stopAll(): Promise<void> {
  const procs = [...live];
  for (const p of procs) p.stop();
  await Promise.allSettled(procs.map((p) => p.result));
}

// ---------------------------------------------------------------------------------------
// namespaces

const created = new Set<string>();
let counter = 0;

/** Writes a sysctl inside a namespace (e.g. 'net/ipv4/ip_forward', '1'). */
export function nsSysctl(ns: string, key: string, value: string): void {
  sh('ip', ['netns', 'exec', ns, 'sh', '-c', `echo "$1" > "/proc/sys/$2"`, 'sh', value, key]);
}

/** Reads a sysctl inside a namespace. */
export function nsSysctlGet(ns: string, key: string): string {
  return sh('ip', ['netns', 'exec', ns, 'cat', `/proc/sys/${key}`]).trim();
}

/** A new namespace with `lo` up, recorded for removal. */
export function addNs(role: string): string {
  const name = `${PREFIX}${++counter}-${role}`;
  sh('ip', ['netns', 'add', name]);
  created.add(name);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Removes a namespace (its veths go with it); never throws. */
export function delNs(name: string): void {
  if (!created.has(name)) return;
  spawnSync('ip', ['netns', 'del', name], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
  created.delete(name);
}

/** Kills this process's children, then removes every namespace it created. */
export async function destroyAll(): Promise<void> {
  await stopAll();
  for (const ns of [...created]) delNs(ns);
}

/** A test file's afterAll: destroyAll(), then fail if any namespace of ours is left. */
export async function teardown(): Promise<void> {
  await destroyAll();
  const left = netnsSkip === null ? ours() : [];
  if (left.length > 0) throw new Error(`namespaces left behind: ${left.join(', ')}`);
}

// Last resort when the test process exits without afterAll (a crash): namespaces are files
// under /run/netns and would otherwise outlive us.
process.once('exit', () => {
  for (const p of live) p.child.kill('SIGKILL');
  for (const ns of [...created]) delNs(ns);
});

/** Removes namespaces that earlier, killed runs left behind (their pid no longer exists). */
export function reapStale(): void {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^(bsock(\d+)-\S+)/.exec(line);
    if (!m || Number(m[2]) === process.pid) continue;
    let alive = true;
    try {
      process.kill(Number(m[2]), 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) spawnSync('ip', ['netns', 'del', m[1]!], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
  }
}

/** Why namespace tests cannot run here, or null when they can (tries `ip netns add`). */
export const netnsSkip: string | null = (() => {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'not running as root (ip netns needs CAP_SYS_ADMIN)';
  const probe = `${PREFIX}probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  if (r.error) return `ip (iproute2) is not usable: ${r.error.message}`;
  if (r.status !== 0) return `ip netns add failed: ${(r.stderr || '').trim()}`;
  spawnSync('ip', ['netns', 'del', probe], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
  reapStale();
  return null;
})();

/** Whether `cmd` can be run (e.g. tcpdump, ping, setpriv). */
export function hasTool(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

// ---------------------------------------------------------------------------------------
// links and topologies

/** One end of a link. */
export interface End {
  ns: string;
  ifname: string;
  /** The address without its prefix length. */
  addr: string;
  mac: string;
}

/** A fixed, locally administered MAC derived from the IPv4 address: 02:00:a.b.c.d. */
export function macFor(addr: string): string {
  return ['02', '00', ...addr.split('.').map((n) => Number(n).toString(16).padStart(2, '0'))].join(':');
}

/**
 * A veth pair between two namespaces, each end with its /24 address, IPv6 off, static
 * neighbour entries both ways, and up.
 */
export function link(nsA: string, ifA: string, addrA: string, nsB: string, ifB: string, addrB: string): [End, End] {
  const a: End = { ns: nsA, ifname: ifA, addr: addrA, mac: macFor(addrA) };
  const b: End = { ns: nsB, ifname: ifB, addr: addrB, mac: macFor(addrB) };
  sh('ip', ['-n', nsA, 'link', 'add', ifA, 'address', a.mac, 'type', 'veth', 'peer', 'name', ifB, 'address', b.mac, 'netns', nsB]);
  for (const [me, peer] of [[a, b], [b, a]] as const) {
    nsSysctl(me.ns, `net/ipv6/conf/${me.ifname}/disable_ipv6`, '1');
    sh('ip', ['-n', me.ns, 'addr', 'add', `${me.addr}/24`, 'dev', me.ifname]);
    sh('ip', ['-n', me.ns, 'link', 'set', me.ifname, 'up']);
    sh('ip', ['-n', me.ns, 'neigh', 'replace', peer.addr, 'lladdr', peer.mac, 'dev', me.ifname, 'nud', 'permanent']);
  }
  return [a, b];
}

/**
 * Builds a topology with `build`, which pushes each namespace it makes onto `made`: on any
 * failure those are removed before the error is rethrown.
 */
export function topology<T>(build: (made: string[]) => T): T {
  const made: string[] = [];
  try {
    return build(made);
  } catch (e) {
    for (const ns of made) delNs(ns);
    throw e;
  }
}

/** Namespaces of one topology, and their removal. */
export interface Net {
  namespaces: string[];
  /** Removes this topology's namespaces (children inside should be stopped first). */
  destroy(): void;
}

/** Two hosts on one segment: A 10.200.1.1/24 (vethA) — veth — B 10.200.1.2/24 (vethB). */
export interface TwoHosts extends Net {
  a: End;
  b: End;
}

export function twoHosts(): TwoHosts {
  return topology((made) => {
    const nsA = addNs('a');
    made.push(nsA);
    const nsB = addNs('b');
    made.push(nsB);
    const [a, b] = link(nsA, 'vethA', '10.200.1.1', nsB, 'vethB', '10.200.1.2');
    return { a, b, namespaces: made, destroy: () => made.forEach(delNs) };
  });
}

/**
 * Three namespaces in a chain: A 10.200.1.1 — R 10.200.1.254 | 10.200.2.254 — B 10.200.2.2,
 * R forwarding (ip_forward=1 inside R only) and A and B routing by default through R.
 * ICMP errors are not rate limited inside R and B, so traceroute sees every answer.
 */
export interface Chain extends Net {
  a: End;
  /** R's end facing A. */
  ra: End;
  /** R's end facing B. */
  rb: End;
  b: End;
}

export function routerChain(): Chain {
  return topology((made) => {
    const nsA = addNs('a');
    made.push(nsA);
    const nsR = addNs('r');
    made.push(nsR);
    const nsB = addNs('b');
    made.push(nsB);
    const [a, ra] = link(nsA, 'vethA', '10.200.1.1', nsR, 'vethRA', '10.200.1.254');
    const [rb, b] = link(nsR, 'vethRB', '10.200.2.254', nsB, 'vethB', '10.200.2.2');
    nsSysctl(nsR, 'net/ipv4/ip_forward', '1');
    for (const ns of [nsR, nsB]) nsSysctl(ns, 'net/ipv4/icmp_ratelimit', '0');
    sh('ip', ['-n', nsA, 'route', 'add', 'default', 'via', ra.addr]);
    sh('ip', ['-n', nsB, 'route', 'add', 'default', 'via', rb.addr]);
    return { a, ra, rb, b, namespaces: made, destroy: () => made.forEach(delNs) };
  });
}

/**
 * One namespace whose default route leads into a veth pair that ends nowhere (holeA
 * 10.200.3.1/24, its peer holeB up without an address, the gateway 10.200.3.2 a permanent
 * neighbour entry no one owns): packets to anywhere else leave without error and are
 * never answered.
 */
export interface BlackHole extends Net {
  ns: string;
  /** An address that never answers. */
  silent: string;
}

export function blackHole(): BlackHole {
  return topology((made) => {
    const ns = addNs('hole');
    made.push(ns);
    sh('ip', ['-n', ns, 'link', 'add', 'holeA', 'type', 'veth', 'peer', 'name', 'holeB']);
    for (const dev of ['holeA', 'holeB']) {
      nsSysctl(ns, `net/ipv6/conf/${dev}/disable_ipv6`, '1');
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    sh('ip', ['-n', ns, 'addr', 'add', '10.200.3.1/24', 'dev', 'holeA']);
    sh('ip', ['-n', ns, 'neigh', 'replace', '10.200.3.2', 'lladdr', macFor('10.200.3.2'), 'dev', 'holeA', 'nud', 'permanent']);
    sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', '10.200.3.2']);
    return { ns, silent: '10.200.9.9', namespaces: made, destroy: () => made.forEach(delNs) };
  });
}

/** A namespace with only `lo` up: no route to anywhere else. */
export function loneHost(): Net & { ns: string } {
  const ns = addNs('lone');
  return { ns, namespaces: [ns], destroy: () => delNs(ns) };
}

/** The interface index of `ifname` inside namespace `ns`. */
export function nsIfindex(ns: string, ifname: string): number {
  return Number(sh('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${ifname}/ifindex`]).trim());
}

/**
 * Turns IPv6 back on for one end of a link() (which turns it off), with only the given
 * link-local address (no EUI-64 one) and no DAD, so the address is usable at once.
 */
export function enableLinkLocal6(ns: string, ifname: string, addr: string): void {
  sh('ip', ['-n', ns, 'link', 'set', 'dev', ifname, 'addrgenmode', 'none']);
  nsSysctl(ns, `net/ipv6/conf/${ifname}/disable_ipv6`, '0');
  sh('ip', ['-n', ns, 'addr', 'add', `${addr}/64`, 'dev', ifname, 'nodad']);
}

/** Whether namespace `name` still exists. */
export function nsExists(name: string): boolean {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  return (r.stdout ?? '').split('\n').some((l) => l.split(' ')[0] === name);
}

/** The names of this process's namespaces that still exist. */
export function ours(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
  return (r.stdout ?? '').split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(PREFIX));
}

// ---------------------------------------------------------------------------------------
// output comparison

/** Ping output with the timings blanked (time=, time …ms, the rtt line), for comparing shapes. */
export function normalizePing(out: string): string {
  return out
    .replace(/time=\d+(\.\d+)? ms/g, 'time=T ms')
    .replace(/time \d+ms/g, 'time Tms')
    .replace(/= [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/g, '= T/T/T/T ms');
}
