// The `berkeley-sockets` command line (lib/cli/main.ts, the package's bin): help and version,
// usage errors (exit 2), runtime errors (exit 1, perror-style with the errno name), and each
// subcommand on loopback. Run from source with tsx; the built dist/cli/main.js is checked
// too when present. Every child is bounded by a kill timer; traffic stays on loopback.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { hasRaw, tempDir } from './helpers.js';
import { nodeArgv, repo, run, start, stopAll, type Result } from './netns.js';

const MAIN = join(repo, 'lib/cli/main.ts');
const BUILT = join(repo, 'dist/cli/main.js');
const VERSION = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const T = 30_000;

afterAll(stopAll);

const cliArgv = (args: string[]): [string, string[]] => {
  const [cmd, ...rest] = nodeArgv(MAIN, args);
  return [cmd!, rest];
};
const cli = (args: string[], timeout = 20_000): Promise<Result> => run(...cliArgv(args), { timeout });
const cliStart = (args: string[], timeout = 20_000) => start(...cliArgv(args), { timeout });

const isRoot = process.getuid?.() === 0;
const hasSetpriv = (() => {
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
})();

/** iputils' ping output for `count` replies from 127.0.0.1 on a raw socket, statistics included. */
function expectPingLines(out: string, count: number): void {
  const l = out.replace(/\n$/, '').split('\n');
  expect(l[0]).toBe('PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.');
  const replies = l.filter((x) => x.startsWith('64 bytes'));
  expect(replies.length, out).toBeGreaterThanOrEqual(count);
  replies.forEach((x, i) => expect(x).toMatch(new RegExp(`^64 bytes from 127\\.0\\.0\\.1: icmp_seq=${i + 1} ttl=64 time=\\d+(\\.\\d{1,3})? ms$`)));
  const stats = l.indexOf('--- 127.0.0.1 ping statistics ---');
  expect(stats, out).toBeGreaterThan(0);
  expect(l[stats - 1]).toBe('');
  expect(l[stats + 1]).toMatch(new RegExp(`^${replies.length} packets transmitted, ${replies.length} received, 0% packet loss, time \\d+ms$`));
  expect(l[stats + 2]).toMatch(/^rtt min\/avg\/max\/mdev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/);
}

describe('berkeley-sockets: help, version, usage errors', () => {
  it('--help: exit 0, every subcommand listed', async () => {
    const r = await cli(['--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const c of ['ping', 'traceroute', 'sniff', 'echo-server', 'echo-client']) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  }, T);

  it('--version prints the package version; `ping --help` documents its options', async () => {
    const v = await cli(['--version']);
    expect([v.code, v.stdout]).toEqual([0, `${VERSION}\n`]);
    const h = await cli(['ping', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: berkeley-sockets ping \[options\] <host>$/m);
    for (const o of ['--count', '--interval', '--timeout', '--size', '--numeric']) expect(h.stdout).toContain(o);
  }, T);

  it.for([
    { args: ['ping', '--bogus', '127.0.0.1'], what: 'an unknown option' },
    { args: ['ping', '-c', '0', '127.0.0.1'], what: 'a count out of range' },
    { args: ['ping'], what: 'a missing host' },
    { args: ['no-such-command'], what: 'an unknown command' },
    { args: [], what: 'no command' },
    { args: ['echo-client', '127.0.0.1'], what: 'echo-client without a port' },
    { args: ['echo-server', '--unix', '/tmp/x', '-p', '7'], what: '--unix with --port' },
  ])('$what: exit 2, with a message on stderr', { timeout: T }, async ({ args }) => {
    const r = await cli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toBe('');
  });

  it.skipIf(!existsSync(BUILT))('the built bin (dist/cli/main.js) starts with a node shebang and runs', async () => {
    expect(readFileSync(BUILT, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const r = await run(process.execPath, [BUILT, '--version'], { timeout: 20_000 });
    expect([r.code, r.stdout]).toEqual([0, `${VERSION}\n`]);
  }, T);
});

describe('berkeley-sockets echo-server / echo-client', () => {
  it('a TCP round trip on an ephemeral loopback port', async () => {
    const srv = cliStart(['echo-server', '-p', '0', '-n', '1']);
    await srv.waitFor(/^listening on \d+$/m, 20_000);
    const port = /^listening on (\d+)$/m.exec(srv.stderr())![1]!;
    const c = await cli(['echo-client', '127.0.0.1', port, 'héllo', 'wörld']);
    expect([c.code, c.stdout, c.stderr]).toEqual([0, 'héllo wörld\n', '']);
    const s = await srv.result;
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain(`echo server on 127.0.0.1:${port}, for 1 client(s)`);
    expect(s.stdout).toContain('client 1: echoed 13 bytes, closing');
    expect(s.stdout).toMatch(/served 1 client\(s\), exiting\n$/);
  }, T);

  it('a Unix stream round trip; the socket file is removed on exit', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'echo.sock');
      const srv = cliStart(['echo-server', '--unix', path, '-n', '1']);
      await srv.waitFor(/^echo server on /m, 20_000);
      const c = await cli(['echo-client', '--unix', path, 'over', 'AF_UNIX']);
      expect([c.code, c.stdout]).toEqual([0, 'over AF_UNIX\n']);
      expect((await srv.result).code).toBe(0);
      expect(existsSync(path)).toBe(false);
    } finally {
      cleanup();
    }
  }, T);

  it('a refused connection: exit 1, perror-style with the errno name', async () => {
    // Bound, never listening: connect() is refused.
    const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      const port = (bs.getsockname(fd) as bs.sockaddr_in).port;
      const r = await cli(['echo-client', '127.0.0.1', String(port), 'x']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^echo-client: connect: .* \(ECONNREFUSED\)\n$/);
    } finally {
      bs.close(fd);
    }
  }, T);
});

describe('berkeley-sockets ping / traceroute / sniff on loopback (raw sockets)', () => {
  it.skipIf(!hasRaw)('ping -c 2 127.0.0.1: a line per reply, then the statistics, 0% loss', async () => {
    const r = await cli(['ping', '-c', '2', '-i', '0.2', '-W', '2', '127.0.0.1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expectPingLines(r.stdout, 2);
    expect(r.stdout.match(/^64 bytes/gm)).toHaveLength(2);
  }, T);

  it.skipIf(!hasRaw)('ping without -c stops on SIGINT and prints the statistics, exit 0', async () => {
    const p = cliStart(['ping', '-i', '0.2', '127.0.0.1']);
    await p.waitFor(/icmp_seq=2 /, 15_000);
    p.child.kill('SIGINT');
    const r = await p.result;
    expect(r.code, r.stderr).toBe(0);
    expectPingLines(r.stdout, 2);
  }, T);

  it.skipIf(!hasRaw)('traceroute -n 127.0.0.1: one hop, the destination', async () => {
    const r = await cli(['traceroute', '-n', '-m', '3', '-w', '2', '127.0.0.1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^traceroute to 127\.0\.0\.1 \(127\.0\.0\.1\), 3 hops max, 60 byte packets\n 1 {2}127\.0\.0\.1( {2}\d+\.\d{3} ms){3}\n$/);
  }, T);

  it.skipIf(!hasRaw)('sniff -i lo -c 3: three frames, then the count and the counts by protocol', async () => {
    const p = cliStart(['sniff', '-i', 'lo', '-c', '3']);
    await p.waitFor(/^listening on lo, /m, 15_000);
    // UDP datagrams on loopback until the sniffer has its three frames (bounded: 100 × 50 ms).
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      const to = new bs.sockaddr_in('127.0.0.1', 9); // discard: nobody listens, an ICMP error may follow
      for (let i = 0; i < 100 && p.child.exitCode === null; i++) {
        bs.sendto(fd, Buffer.from('sniff me'), 8, 0, to);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      bs.close(fd);
    }
    const r = await p.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\n$/, '').split('\n')).toHaveLength(3);
    const m = /^3 packets captured\nby protocol: ((?:[a-z0-9]+ \d+(?:, )?)+)\n$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const total = m![1]!.split(', ').reduce((n, kv) => n + Number(kv.split(' ')[1]), 0);
    expect(total).toBe(3);
  }, T);

  it.skipIf(!isRoot || !hasSetpriv)('without CAP_NET_RAW: sniff exits 1 with EPERM and a pointer to SECURITY.md', async () => {
    const [cmd, args] = cliArgv(['sniff', '-c', '1']);
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', cmd, ...args], { timeout: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sniff: socket: .* \(EPERM\)\n/);
    expect(r.stderr).toContain('SECURITY.md');
  }, T);
});
