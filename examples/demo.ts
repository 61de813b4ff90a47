// `npm start`: the lecture's programs, ported to TypeScript, talking to each other over
// 127.0.0.1 as separate processes, with what each side prints shown under a label.
//
//   1. examples/seed/server.ts on an ephemeral port, and examples/seed/client.ts sending it
//      a message on stdin;
//   2. examples/seed/TCPEchoClient4.ts against examples/echo-server.ts.
//
// Exits 0 when every program printed exactly what the C would, 1 otherwise. Bounded: any
// child still running after 15 s is killed, and none is left behind on any exit path.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TIME_LIMIT_MS = 15_000;
const MESSAGE = 'Hello from the demo!\n';
const WORD = 'echo-me';

const script = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
// Children run as `node --import <tsx loader> script.ts`: one process each, no npx.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Run {
  child: ChildProcess;
  /** Resolves when the child has exited and its streams are closed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAll();
    process.exit(1);
  });
}

function run(label: string, rel: string, args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const child = spawn(process.execPath, ['--import', TSX, script(rel), ...args], {
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  if (opts.stdin !== undefined) {
    child.stdin!.on('error', () => {}); // the child may exit before reading it all
    child.stdin!.end(opts.stdin);
  }
  console.log(`[demo] started ${label}: ${rel} ${args.join(' ')}`);
  const done = new Promise<Awaited<Run['done']>>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** The port from a server's `listening on N` line on stderr (the test peers' contract). */
function listeningPort(r: Run): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    r.child.stderr!.on('data', (s: string) => {
      seen += s;
      const m = /^listening on (\d+)$/m.exec(seen);
      if (m) resolve(Number(m[1]));
    });
    r.child.once('close', () => reject(new Error(`server exited before listening: ${JSON.stringify(seen)}`)));
  });
}

/** Prints a program's output line by line under its label. */
function show(label: string, out: string): void {
  for (const line of out.replace(/\n$/, '').split('\n')) console.log(`[${label}] ${line}`);
}

let failures = 0;
function expectEqual(what: string, got: unknown, want: unknown): void {
  if (got === want) return;
  failures++;
  console.error(`[demo] FAIL ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

async function main(): Promise<void> {
  // 1. The lecture's server and client.
  const server = run('server', 'seed/server.ts', ['0'], { env: { BSOCK_ANNOUNCE_PORT: '1' } });
  const port = await listeningPort(server);
  console.log(`[demo] server listening on port ${port}; client sends ${JSON.stringify(MESSAGE)} on stdin`);
  const client = run('client', 'seed/client.ts', ['127.0.0.1', String(port)], { stdin: MESSAGE });
  const [c, s] = await Promise.all([client.done, server.done]);
  show('client', c.stdout);
  show('server', s.stdout);
  expectEqual('client stdout', c.stdout, 'Please enter the message: I got your message\n');
  expectEqual('client stderr', c.stderr, '');
  expectEqual('client exit code', c.code, 0);
  expectEqual('server stdout', s.stdout, `Here is the message: ${MESSAGE}\n`);
  expectEqual('server stderr', s.stderr, `listening on ${port}\n`);
  expectEqual('server exit code', s.code, 0);

  // 2. TCPEchoClient4 against a small echo server.
  const echoServer = run('echo-server', 'echo-server.ts', ['0', '1']);
  const echoPort = await listeningPort(echoServer);
  const echoClient = run('echo-client', 'seed/TCPEchoClient4.ts', ['127.0.0.1', WORD, String(echoPort)]);
  const [ec, es] = await Promise.all([echoClient.done, echoServer.done]);
  show('echo-client', ec.stdout);
  expectEqual('echo client stdout', ec.stdout, `Received: ${WORD}\n`);
  expectEqual('echo client stderr', ec.stderr, '');
  expectEqual('echo client exit code', ec.code, 0);
  expectEqual('echo server exit code', es.code, 0);
}

const timer = setTimeout(() => {
  console.error(`[demo] FAIL: still running after ${TIME_LIMIT_MS / 1000} s; killing the children`);
  killAll();
  process.exit(1);
}, TIME_LIMIT_MS);

main().then(
  () => {
    clearTimeout(timer);
    console.log(failures === 0 ? '[demo] OK: every program printed what the C prints' : `[demo] ${failures} check(s) failed`);
    process.exitCode = failures === 0 ? 0 : 1;
  },
  (err: unknown) => {
    clearTimeout(timer);
    console.error('[demo] FAIL:', err instanceof Error ? err.message : err);
    killAll();
    process.exitCode = 1;
  },
);
