// The TypeScript ports of the lecture's programs (examples/seed) against their C and Python
// twins (test/peers): every pairing prints byte for byte what the C prints, error paths
// included, and `npm start` (examples/demo.ts) succeeds.
//
// Every program runs as a child process on 127.0.0.1. TypeScript ones run as
// `node --import <tsx loader> script.ts` (one process, no npx). Each comparison runs the
// exchange twice at once: as given, and with every TypeScript program replaced by its C twin.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import * as bs from '../lib/index.js';
import { buildCPeers, cleanupPeers, pyPeers, waitForListening, type CPeers } from './peers/build.js';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TSX_CLI = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
const path = (rel: string): string => fileURLToPath(new URL(`../${rel}`, import.meta.url));
const TS = {
  server: path('examples/seed/server.ts'),
  client: path('examples/seed/client.ts'),
  echoClient: path('examples/seed/TCPEchoClient4.ts'),
  echoServer: path('examples/echo-server.ts'),
  demo: path('examples/demo.ts'),
};

// Time budgets, bounded but roomy: with describe.concurrent up to ~10 children start at once,
// and a TypeScript one (node + tsx loader + the addon) takes over 7 s to announce its port
// when the process is slowed by AddressSanitizer; a normal run takes well under 2 s a test.
/** How long a server has to print `listening on N`. */
const LISTEN_TIMEOUT_MS = 20_000;
/** A child is killed if it runs longer than this (tests then fail on its exit status). */
const CHILD_TIMEOUT_MS = 30_000;
/** Per test: a server's start, then a client's whole run, and slack. */
vi.setConfig({ testTimeout: LISTEN_TIMEOUT_MS + CHILD_TIMEOUT_MS + 10_000 });
const MESSAGE = 'Hello, server! héllo wörld\n';
const WORD = 'héllo, wörld';

// ---------------------------------------------------------------------------------------
// children

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}
interface Proc {
  child: ChildProcess;
  /** Settles once the child has exited and all its pipes are closed. */
  result: Promise<Result>;
}

const live = new Set<Proc>();

function start(cmd: string, args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn(cmd, args, {
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  // Collect from the start: waitForListening() only watches, it does not buffer.
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  if (opts.stdin !== undefined) {
    child.stdin!.on('error', () => {}); // EPIPE when the child exits without reading
    child.stdin!.end(opts.stdin); // written at once: C stdio may not flush its prompt first
  }
  let term: NodeJS.Timeout | undefined;
  let kill: NodeJS.Timeout | undefined;
  const proc: Proc = {
    child,
    result: new Promise<Result>((resolve, reject) => {
      term = setTimeout(() => {
        child.kill('SIGTERM'); // lets the demo take its own children down
        kill = setTimeout(() => child.kill('SIGKILL'), 1000);
      }, CHILD_TIMEOUT_MS);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
    }).finally(() => {
      clearTimeout(term);
      clearTimeout(kill);
      live.delete(proc);
    }),
  };
  live.add(proc);
  return proc;
}

let peers: CPeers;
const ts = (script: string, args: string[], opts?: Parameters<typeof start>[2]) =>
  start(process.execPath, ['--import', TSX_LOADER, script, ...args], opts);
const py = (script: string, args: string[], opts?: Parameters<typeof start>[2]) => start('python3', [script, ...args], opts);

type Impl = 'ts' | 'c' | 'py';
/** The pairing with every TypeScript program replaced by its C twin. */
const cTwin = (impl: Impl): Impl => (impl === 'ts' ? 'c' : impl);

/** The lecture's server on an ephemeral port ("listening on N" on stderr). */
function seedServer(impl: Impl): Proc {
  if (impl === 'ts') return ts(TS.server, ['0'], { env: { BSOCK_ANNOUNCE_PORT: '1' } });
  if (impl === 'py') return py(pyPeers.seed_server, ['0']);
  return start(peers.seed_server, ['0']);
}
function seedClient(impl: Impl, args: string[], stdin = MESSAGE): Proc {
  if (impl === 'ts') return ts(TS.client, args, { stdin });
  if (impl === 'py') return py(pyPeers.seed_client, args, { stdin });
  return start(peers.seed_client, args, { stdin });
}
/** An echo server on an ephemeral port serving `clients` clients. */
function echoServer(impl: Impl, clients = 1): Proc {
  if (impl === 'ts') return ts(TS.echoServer, ['0', String(clients)]);
  if (impl === 'py') return py(pyPeers.echo_server, ['0', String(clients)]);
  return start(peers.echo_server, ['0', String(clients)]);
}
function echoClient(impl: 'ts' | 'c', args: string[]): Proc {
  return impl === 'ts' ? ts(TS.echoClient, args) : start(peers.echo_client, args);
}

interface Exchange {
  port: number;
  server: Result;
  client: Result;
}

/** Server on port 0, then the client against it with `stdin`; both run to completion. */
async function seedExchange(server: Impl, client: Impl, stdin = MESSAGE): Promise<Exchange> {
  const s = seedServer(server);
  const port = await waitForListening(s.child, LISTEN_TIMEOUT_MS);
  const c = seedClient(client, ['127.0.0.1', String(port)], stdin);
  const [sr, cr] = await Promise.all([s.result, c.result]);
  return { port, server: sr, client: cr };
}

async function echoExchange(server: Impl, client: 'ts' | 'c', word: string, portOffset = 0): Promise<Exchange> {
  const s = echoServer(server);
  const port = await waitForListening(s.child, LISTEN_TIMEOUT_MS);
  const c = echoClient(client, ['127.0.0.1', word, String(port + portOffset)]);
  const [sr, cr] = await Promise.all([s.result, c.result]);
  return { port, server: sr, client: cr };
}

/** Bytes as a string, one char per byte: exact comparison with readable diffs. */
const bytes = (x: Buffer | string): string => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x).toString('latin1');

/** What a run printed and how it ended, with any `listening on N` port made neutral. */
const outcome = (r: Result) => ({
  code: r.code,
  signal: r.signal,
  stdout: bytes(r.stdout),
  stderr: bytes(r.stderr).replace(/^listening on \d+\n/m, 'listening on <port>\n'),
});

// ---------------------------------------------------------------------------------------
// fixtures: a port nobody listens on, and a port in use

let closedFd = -1;
let closedPort = 0;
let busyFd = -1;
let busyPort = 0;

beforeAll(async () => {
  peers = await buildCPeers();
  // Bound but never listening: a connect() to it is refused (RST), deterministically.
  closedFd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.bind(closedFd, new bs.sockaddr_in('127.0.0.1', 0));
  closedPort = (bs.getsockname(closedFd) as bs.sockaddr_in).port;
  busyFd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  bs.bind(busyFd, new bs.sockaddr_in('127.0.0.1', 0));
  bs.listen(busyFd, 1);
  busyPort = (bs.getsockname(busyFd) as bs.sockaddr_in).port;
});

afterAll(async () => {
  const left = [...live];
  for (const p of left) p.child.kill('SIGKILL');
  await Promise.allSettled(left.map((p) => p.result));
  for (const fd of [closedFd, busyFd]) if (fd >= 0) bs.close(fd);
  cleanupPeers();
});

// ---------------------------------------------------------------------------------------

const SERVER_SAYS = `Here is the message: ${MESSAGE}\n`;
const CLIENT_SAYS = 'Please enter the message: I got your message\n';

describe.concurrent('the lecture server and client (examples/seed/server.ts, client.ts)', () => {
  it('C server + C client, the reference, print the lecture output', async ({ expect }) => {
    const x = await seedExchange('c', 'c');
    expect(outcome(x.server)).toEqual({ code: 0, signal: null, stdout: bytes(SERVER_SAYS), stderr: 'listening on <port>\n' });
    expect(outcome(x.client)).toEqual({ code: 0, signal: null, stdout: bytes(CLIENT_SAYS), stderr: '' });
  });

  const pairings: [Impl, Impl][] = [
    ['ts', 'c'],
    ['c', 'ts'],
    ['ts', 'ts'],
    ['py', 'ts'],
    ['ts', 'py'],
  ];
  it.for(pairings)('%s server + %s client print what the C pair prints, byte for byte', async ([server, client], { expect }) => {
    const [x, ref] = await Promise.all([seedExchange(server, client), seedExchange(cTwin(server), cTwin(client))]);
    expect(outcome(x.server)).toEqual(outcome(ref.server));
    expect(outcome(x.client)).toEqual(outcome(ref.client));
    // and that is the lecture output, with the port announced on stderr only
    expect(bytes(x.server.stdout)).toBe(bytes(SERVER_SAYS));
    expect(bytes(x.server.stderr)).toBe(`listening on ${x.port}\n`);
    expect(bytes(x.client.stdout)).toBe(bytes(CLIENT_SAYS));
    expect(x.server.code).toBe(0);
    expect(x.client.code).toBe(0);
  });

  it('a line longer than fgets() takes is cut to 254 bytes, as in C', async ({ expect }) => {
    const long = `${'x'.repeat(300)}\n`;
    const [x, ref] = await Promise.all([seedExchange('ts', 'ts', long), seedExchange('c', 'c', long)]);
    expect(outcome(x.server)).toEqual(outcome(ref.server));
    expect(outcome(x.client)).toEqual(outcome(ref.client));
    expect(bytes(x.server.stdout)).toBe(`Here is the message: ${'x'.repeat(254)}\n`);
  });
});

describe.concurrent('the lecture server and client: error paths match the C', () => {
  it('client to a port nobody listens on: "ERROR connecting: Connection refused", exit 0', async ({ expect }) => {
    const args = ['127.0.0.1', String(closedPort)];
    const [x, ref] = await Promise.all([seedClient('ts', args).result, seedClient('c', args).result]);
    expect(outcome(x)).toEqual(outcome(ref));
    expect(outcome(x)).toEqual({ code: 0, signal: null, stdout: '', stderr: 'ERROR connecting: Connection refused\n' });
  });

  it('client with an unresolvable host: "ERROR, no such host", exit 0', async ({ expect }) => {
    const args = ['nonexistent.invalid', '5000'];
    const [x, ref] = await Promise.all([seedClient('ts', args).result, seedClient('c', args).result]);
    expect(outcome(x)).toEqual(outcome(ref));
    expect(outcome(x)).toEqual({ code: 0, signal: null, stdout: '', stderr: 'ERROR, no such host\n' });
  });

  it.for([
    { args: [], what: 'no arguments' },
    { args: ['127.0.0.1'], what: 'only a host' },
  ])('client with $what prints its usage (argv[0] is the program), exit 0', async ({ args }, { expect }) => {
    const [x, ref] = await Promise.all([seedClient('ts', args).result, seedClient('c', args).result]);
    expect(outcome(x)).toEqual({ code: 0, signal: null, stdout: '', stderr: `usage ${TS.client} hostname port\n` });
    expect(outcome(ref)).toEqual({ code: 0, signal: null, stdout: '', stderr: `usage ${peers.seed_client} hostname port\n` });
  });

  it('server without a port: "ERROR, no port provided", exit 1', async ({ expect }) => {
    const [x, ref] = await Promise.all([ts(TS.server, []).result, start(peers.seed_server, []).result]);
    expect(outcome(x)).toEqual(outcome(ref));
    expect(outcome(x)).toEqual({ code: 1, signal: null, stdout: '', stderr: 'ERROR, no port provided\n' });
  });

  it('server on a port already in use: "ERROR on binding: Address already in use", exit 1', async ({ expect }) => {
    const args = [String(busyPort)];
    const [x, ref] = await Promise.all([ts(TS.server, args).result, start(peers.seed_server, args).result]);
    expect(outcome(x)).toEqual(outcome(ref));
    expect(outcome(x)).toEqual({ code: 1, signal: null, stdout: '', stderr: 'ERROR on binding: Address already in use\n' });
  });
});

describe.concurrent('TCPEchoClient4 (examples/seed/TCPEchoClient4.ts)', () => {
  it('C echo client + C echo server, the reference, print "Received: WORD"', async ({ expect }) => {
    const x = await echoExchange('c', 'c', WORD);
    expect(outcome(x.client)).toEqual({ code: 0, signal: null, stdout: bytes(`Received: ${WORD}\n`), stderr: '' });
    expect(x.server.code).toBe(0);
  });

  it.for(['c', 'py', 'ts'] as const)('TS echo client + %s echo server print what the C client prints, byte for byte', async (server, { expect }) => {
    const [x, ref] = await Promise.all([echoExchange(server, 'ts', WORD), echoExchange(server, 'c', WORD)]);
    expect(outcome(x.client)).toEqual(outcome(ref.client));
    expect(bytes(x.client.stdout)).toBe(bytes(`Received: ${WORD}\n`));
    expect(x.client.code).toBe(0);
    expect(outcome(x.server)).toEqual(outcome(ref.server));
    expect(x.server.code).toBe(0);
  });

  it('C echo client + the TS echo server (examples/echo-server.ts) behave as with the C server', async ({ expect }) => {
    const [x, ref] = await Promise.all([echoExchange('ts', 'c', WORD), echoExchange('c', 'c', WORD)]);
    expect(outcome(x.client)).toEqual(outcome(ref.client));
    expect(outcome(x.server)).toEqual(outcome(ref.server));
  });

  it('a word longer than BUFSIZE - 1 comes back over several recv() calls, whole', async ({ expect }) => {
    const long = 'abcdefghij'.repeat(200);
    const [x, ref] = await Promise.all([echoExchange('c', 'ts', long), echoExchange('c', 'c', long)]);
    expect(outcome(x.client)).toEqual(outcome(ref.client));
    expect(bytes(x.client.stdout)).toBe(`Received: ${long}\n`);
  });

  it('the port wraps to 16 bits like C\'s in_port_t (PORT + 65536 reaches PORT)', async ({ expect }) => {
    const [x, ref] = await Promise.all([echoExchange('c', 'ts', WORD, 65536), echoExchange('c', 'c', WORD, 65536)]);
    expect(outcome(x.client)).toEqual(outcome(ref.client));
    expect(x.client.code).toBe(0);
  });
});

describe.concurrent('TCPEchoClient4: error paths match the C', () => {
  const usage = 'Parameter(s): <Server Address> <Echo Word> [<Server Port>]\n';
  it.for([
    { args: [], what: 'no arguments' },
    { args: ['127.0.0.1'], what: 'one argument' },
    { args: ['127.0.0.1', 'word', '7', 'extra'], what: 'four arguments' },
  ])(
    '$what: "Parameter(s): ..." usage, exit 1',
    async ({ args }, { expect }) => {
      const [x, ref] = await Promise.all([echoClient('ts', args).result, echoClient('c', args).result]);
      expect(outcome(x)).toEqual(outcome(ref));
      expect(outcome(x)).toEqual({ code: 1, signal: null, stdout: '', stderr: usage });
    },
  );

  it.for(['256.0.0.1', 'localhost', '::1', ''])('address %j: "inet_pton() failed: invalid address string", exit 1', async (addr, { expect }) => {
    const args = [addr, 'word', '7'];
    const [x, ref] = await Promise.all([echoClient('ts', args).result, echoClient('c', args).result]);
    expect(outcome(x)).toEqual(outcome(ref));
    expect(outcome(x)).toEqual({ code: 1, signal: null, stdout: '', stderr: 'inet_pton() failed: invalid address string\n' });
  });

  it('a port nobody listens on: "connect() failed: Connection refused", exit 1', async ({ expect }) => {
    const args = ['127.0.0.1', 'word', String(closedPort)];
    const [x, ref] = await Promise.all([echoClient('ts', args).result, echoClient('c', args).result]);
    expect(outcome(x)).toEqual(outcome(ref));
    expect(outcome(x)).toEqual({ code: 1, signal: null, stdout: '', stderr: 'connect() failed: Connection refused\n' });
  });
});

describe('npm start (examples/demo.ts)', () => {
  it('runs the server, client and echo client through tsx and exits 0', async ({ expect }) => {
    // As `npm start` does: the tsx CLI (which runs the demo in a child node).
    const r = await start(process.execPath, [TSX_CLI, TS.demo]).result;
    const out = r.stdout.toString('utf8');
    expect({ code: r.code, signal: r.signal, stderr: r.stderr.toString('utf8') }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(out).toContain('[client] Please enter the message: I got your message\n');
    expect(out).toContain('[server] Here is the message: Hello from the demo!\n');
    expect(out).toContain('[echo-client] Received: echo-me\n');
    expect(out).toContain('[demo] OK');
  });
});
