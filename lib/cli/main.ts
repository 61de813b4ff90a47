#!/usr/bin/env node
// berkeley-sockets: the package's command line (`npx berkeley-sockets <command>`), the
// examples people reach for as subcommands: ping, traceroute, sniff, echo-server, echo-client.
// Arguments are parsed by commander; the work is done by the tools next to this file.
//
// Exit status: 0 success (ping: some reply came), 1 a runtime failure (printed as perror(3)
// would, with the errno name: `ping: socket: Operation not permitted (EPERM)`), 2 a usage
// error. Not part of the library's API: lib/index.ts exports none of this.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AF_INET, AF_INET6, EACCES, EPERM, SocketError, strerror } from '../index.js';
import { ToolError } from './common.js';
import { echoClient, echoServer } from './echo.js';
import { DEFDATALEN, MAXPACKET, ping } from './ping.js';
import { sniff } from './sniff.js';
import { MAXPACKET as TR_MAXPACKET, traceroute } from './traceroute.js';

/** The package's version, from its package.json (two levels up from lib/cli and dist/cli). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A commander argument parser for a number in [min, max] (an integer unless `real`). */
function num(min: number, max: number, real = false): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || (!real && !Number.isInteger(n)) || n < min || n > max) {
      throw new InvalidArgumentError(`expected ${real ? 'a number' : 'an integer'} from ${min} to ${max}.`);
    }
    return n;
  };
}

/** Seconds (a commander option value) as milliseconds. */
const ms = (seconds: number): number => Math.round(seconds * 1000);

/** Where a privilege failure points the user. */
const PRIVILEGE_HINT = (tool: string): string =>
  `${tool}: raw and packet sockets need CAP_NET_RAW: run as root, or grant it to node with setcap ` +
  `(see SECURITY.md in the berkeley-sockets package)` +
  (tool === 'ping' ? '; an unprivileged ICMP datagram socket also needs your group in net.ipv4.ping_group_range' : '');

/** A tool's failure on stderr, perror-style with the errno name; returns the exit status. */
function report(tool: string, e: unknown): number {
  const err = e instanceof ToolError ? e.cause : e instanceof SocketError ? e : undefined;
  let text: string;
  if (e instanceof ToolError) text = e.message;
  else if (e instanceof SocketError) text = `${e.syscall}: ${strerror(e.errno)}`;
  else text = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${tool}: ${text}${err ? ` (${err.code})` : ''}\n`);
  if (err && (err.errno === EPERM || err.errno === EACCES)) process.stderr.write(`${PRIVILEGE_HINT(tool)}\n`);
  return e instanceof ToolError && e.usage ? 2 : 1;
}

/** The command tree. `run` receives each tool's outcome (its exit status). */
function program(run: (tool: string, work: () => Promise<number>) => Promise<void>): Command {
  const p = new Command('berkeley-sockets')
    .description('The Berkeley sockets API for Node.js: classic network tools built on it.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .allowExcessArguments(false);

  p.command('ping')
    .description('send ICMP echo requests and print each reply and the statistics, as iputils ping does')
    .argument('<host>', 'the host name or address to ping')
    .option('-c, --count <n>', 'stop after <n> replies (default: until interrupted)', num(1, 2 ** 31 - 1))
    .option('-i, --interval <seconds>', 'seconds between requests', num(0.002, 2 ** 31 / 1000, true), 1)
    .option('-W, --timeout <seconds>', 'seconds to wait for the last reply', num(0.001, 2 ** 31 / 1000, true), 10)
    .option('-s, --size <bytes>', 'ICMP data bytes per request', num(0, MAXPACKET), DEFDATALEN)
    .option('-4', 'IPv4 only')
    .option('-6', 'IPv6 only')
    .option('-n, --numeric', 'no reverse lookups')
    .option('-v, --verbose', 'verbose output')
    .addHelpText('after', '\nUses a raw ICMP socket when permitted (root, CAP_NET_RAW), else an ICMP datagram socket.\nExit status: 0 when replies came, 1 when none did or on failure, 2 on bad usage.')
    .action((host: string, o: { count?: number; interval: number; timeout: number; size: number; 4?: boolean; 6?: boolean; numeric?: boolean; verbose?: boolean }) =>
      run('ping', () => ping({
        host, count: o.count ?? 0, interval: ms(o.interval), linger: ms(o.timeout), size: o.size, numeric: o.numeric ?? false,
        verbose: o.verbose ?? false, family: o[4] ? AF_INET : o[6] ? AF_INET6 : 0,
      })));

  p.command('traceroute')
    .description('print the route packets take to a host (UDP probes, ICMP answers on a raw socket)')
    .argument('<host>', 'the host name or IPv4 address')
    .argument('[packetlen]', 'IP packet length in bytes', num(28, TR_MAXPACKET + 28), 60)
    .option('-n, --numeric', 'no reverse lookups')
    .option('-f, --first-ttl <ttl>', 'the TTL to start with', num(1, 255), 1)
    .option('-m, --max-hops <ttl>', 'the largest TTL', num(1, 255), 30)
    .option('-q, --queries <n>', 'probes per hop', num(1, 10), 3)
    .option('-w, --wait <seconds>', 'seconds to wait for each answer', num(0.001, 86400, true), 5)
    .option('-p, --port <port>', 'the first destination port', num(1, 65535), 33434)
    .addHelpText('after', '\nIPv4 only; needs CAP_NET_RAW (or root).')
    .action((host: string, packetLength: number, o: { numeric?: boolean; firstTtl: number; maxHops: number; queries: number; wait: number; port: number }) =>
      run('traceroute', () => traceroute({
        host, packetLength, numeric: o.numeric ?? false, firstTtl: o.firstTtl, maxTtl: o.maxHops, queries: o.queries, wait: o.wait, port: o.port,
      })));

  p.command('sniff')
    .description('capture frames on an AF_PACKET socket and print one line each, as tcpdump -n does')
    .argument('[interface]', 'the interface (default: all)')
    .option('-i, --interface <name>', 'the interface (default: all)')
    .option('-c, --count <n>', 'stop after <n> frames (default: until interrupted)', num(1, 2 ** 31 - 1))
    .option('-p, --no-promisc', 'do not put the interface in promiscuous mode')
    .addHelpText('after', '\nOn exit (after <n> frames, or Ctrl-C) prints the count, and the counts by protocol, on stderr.\nNeeds CAP_NET_RAW (or root).')
    .action((iface: string | undefined, o: { interface?: string; count?: number; promisc: boolean }, cmd: Command) => {
      if (iface !== undefined && o.interface !== undefined) cmd.error('error: give the interface once, as -i or as an argument', { exitCode: 2 });
      return run('sniff', () => sniff({ device: o.interface ?? iface, count: o.count ?? 0, promisc: o.promisc, byProtocol: true }));
    });

  p.command('echo-server')
    .description('a TCP (or Unix stream) echo server serving many clients at once')
    .option('-p, --port <port>', 'TCP port; 0 picks one and prints "listening on N" on stderr', num(0, 65535), 0)
    .option('-H, --host <address>', 'the address to listen on', '127.0.0.1')
    .addOption(new Option('--unix <path>', 'listen on a Unix stream socket at <path> instead').conflicts(['port', 'host']))
    .option('-n, --max-clients <n>', 'exit after <n> clients (default: serve until interrupted)', num(1, 2 ** 31 - 1))
    .action((o: { port: number; host: string; unix?: string; maxClients?: number }) =>
      run('echo-server', () => echoServer({ port: o.port, host: o.host, ...(o.unix === undefined ? {} : { unix: o.unix }), ...(o.maxClients === undefined ? {} : { maxClients: o.maxClients }) })));

  p.command('echo-client')
    .description('send a message to an echo server and print what comes back')
    .usage('[options] <host> <port> [message...]  |  --unix <path> [message...]')
    .argument('[args...]', 'host and port (unless --unix), then the message words (default: stdin)')
    .option('--unix <path>', 'connect to a Unix stream socket at <path>')
    .option('-t, --timeout <seconds>', 'bound on the connect and on each send and receive', num(0.001, 3600, true), 10)
    .action(async (args: string[], o: { unix?: string; timeout: number }, cmd: Command) => {
      let words = args;
      let host: string | undefined;
      let port: number | undefined;
      if (o.unix === undefined) {
        if (args.length < 2) cmd.error('error: missing <host> and <port>', { exitCode: 2 });
        host = args[0]!;
        try {
          port = num(0, 65535)(args[1]!);
        } catch {
          cmd.error(`error: invalid port '${args[1]}'`, { exitCode: 2 });
        }
        words = args.slice(2);
      }
      const message = words.length > 0 ? Buffer.from(words.join(' ')) : readFileSync(0);
      return run('echo-client', () => echoClient({
        message, timeoutMs: ms(o.timeout), ...(o.unix === undefined ? { host: host!, port: port! } : { unix: o.unix }),
      }));
    });

  return p;
}

/** Runs the command line `argv` (process.argv's shape); resolves to the exit status. @internal */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const p = program(async (tool, work) => {
    try {
      status = await work();
    } catch (e) {
      status = report(tool, e);
    }
  });
  try {
    await p.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  return status;
}

main(process.argv).then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`berkeley-sockets: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
