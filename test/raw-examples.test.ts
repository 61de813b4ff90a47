// The raw-socket examples on loopback and in throwaway namespaces: ping.ts (raw ICMP, and the
// unprivileged ICMP datagram socket), syn.ts (a hand-built SYN with IP_HDRINCL). Every child
// is bounded (-c counts, -W/-w waits, a kill timer); namespaces are removed whatever happens.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, hasIPv6, hasRaw } from './helpers.js';
import {
  blackHole, example, hasTool, loneHost, netnsSkip, nodeArgv, normalizePing, nsRun, nsSysctl, nsSysctlGet, repo, run, teardown, type Result,
} from './netns.js';

const PING = example('ping');
const SYN = example('syn');
const T = 30_000;

afterAll(teardown);

const node = (script: string, args: string[], timeout = 20_000): Promise<Result> => {
  const [cmd, ...rest] = nodeArgv(script, args);
  return run(cmd!, rest, { timeout });
};

const lines = (s: string): string[] => s.replace(/\n$/, '').split('\n');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Checks every line of a successful ping: the header, one reply per sequence number in
 * order, the statistics. `ttl`: whether reply lines carry ttl= (a raw IPv4 socket only).
 */
function expectPingOutput(out: string, target: string, count: number, v6: boolean, ttl: boolean): void {
  const l = lines(out);
  expect(l, out).toHaveLength(1 + count + 4);
  const t = esc(target);
  expect(l[0]).toMatch(v6 ? new RegExp(`^PING ${t}\\(${t}\\) 56 data bytes$`) : new RegExp(`^PING ${t} \\(${t}\\) 56\\(84\\) bytes of data\\.$`));
  for (let i = 1; i <= count; i++) {
    const re = new RegExp(`^64 bytes from ${t}: icmp_seq=${i}${ttl ? ' ttl=64' : ''} time=\\d+(\\.\\d{1,3})? ms$`);
    expect(l[i], out).toMatch(re);
  }
  expect(l[count + 1]).toBe('');
  expect(l[count + 2]).toBe(`--- ${target} ping statistics ---`);
  expect(l[count + 3]).toMatch(new RegExp(`^${count} packets transmitted, ${count} received, 0% packet loss, time \\d+ms$`));
  const m = /^rtt min\/avg\/max\/mdev = (\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3}) ms$/.exec(l[count + 4]!);
  expect(m, l[count + 4]).not.toBeNull();
  const [min, avg, max] = [Number(m![1]), Number(m![2]), Number(m![3])];
  expect(min).toBeLessThanOrEqual(avg);
  expect(avg).toBeLessThanOrEqual(max);
}

describe('ping.ts on loopback (raw ICMP socket)', () => {
  it.skipIf(!hasRaw)('pings 127.0.0.1: exit 0, iputils-format lines, ttl from the IP header', async () => {
    const r = await node(PING, ['-c', '3', '-i', '0.2', '-W', '2', '127.0.0.1']);
    expect(r.code, r.stderr).toBe(0);
    expectPingOutput(r.stdout, '127.0.0.1', 3, false, true);
    expect(r.stderr).toBe('');
  }, T);

  it.skipIf(!hasRaw || !hasIPv6)('pings ::1 with -6 over a raw ICMPv6 socket', async () => {
    const r = await node(PING, ['-6', '-c', '2', '-i', '0.2', '-W', '2', '::1']);
    expect(r.code, r.stderr).toBe(0);
    // No hop limit: it would need recvmsg(2) with IPV6_RECVHOPLIMIT, which this library lacks.
    expectPingOutput(r.stdout, '::1', 2, true, false);
  }, T);

  it.skipIf(!hasRaw)('-v reports the raw socket; a name that does not resolve exits 2', async () => {
    const v = await node(PING, ['-v', '-c', '1', '-W', '2', '127.0.0.1']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).toMatch(/^ping: sock4\.fd: \d+ \(socktype: SOCK_RAW\), sock6\.fd: -1 \(socktype: 0\), hints\.ai_family: AF_UNSPEC$/m);
    expect(v.stdout).toMatch(/icmp_seq=1 ident=\d+ ttl=64 time=/);
    const bad = await node(PING, ['-c', '1', 'no-such-host.invalid']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ping: no-such-host\.invalid: /);
  }, T);
});

// ---------------------------------------------------------------------------------------
// in namespaces

describe('ping.ts where nothing answers', () => {
  if (netnsSkip !== null) it.skip(`skipped: ${netnsSkip}`, () => {});

  it.skipIf(netnsSkip !== null)('an address that never answers: exit 1, 100% packet loss (as iputils ping)', async () => {
    const hole = blackHole();
    try {
      const r = await nsRun(hole.ns, ...nodeCmd(PING, ['-c', '2', '-i', '0.2', '-W', '1', hole.silent]), { timeout: 15_000 });
      expect(r.code, r.stderr).toBe(1);
      const l = lines(r.stdout);
      expect(l[0]).toBe(`PING ${hole.silent} (${hole.silent}) 56(84) bytes of data.`);
      expect(r.stdout).not.toMatch(/bytes from/);
      expect(l).toContain(`--- ${hole.silent} ping statistics ---`);
      expect(r.stdout).toMatch(/^2 packets transmitted, 0 received, 100% packet loss, time \d+ms$/m);
      expect(r.stdout).not.toMatch(/^rtt /m);
      if (hasTool('ping', ['-V'])) {
        const ref = await nsRun(hole.ns, 'ping', ['-c', '2', '-i', '0.2', '-W', '1', hole.silent], { timeout: 15_000 });
        expect(ref.code).toBe(1);
        expect(normalizePing(r.stdout)).toBe(normalizePing(ref.stdout));
      }
    } finally {
      hole.destroy();
    }
  }, T);

  it.skipIf(netnsSkip !== null)('no route at all: exit 2 with connect: Network is unreachable (as iputils ping)', async () => {
    const lone = loneHost();
    try {
      const r = await nsRun(lone.ns, ...nodeCmd(PING, ['-c', '1', '-W', '1', '10.200.9.9']), { timeout: 15_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('ping: connect: Network is unreachable\n');
      if (hasTool('ping', ['-V'])) {
        const ref = await nsRun(lone.ns, 'ping', ['-c', '1', '-W', '1', '10.200.9.9'], { timeout: 15_000 });
        expect(ref.code).toBe(2);
        expect(ref.stderr).toBe(r.stderr);
      }
    } finally {
      lone.destroy();
    }
  }, T);
});

/** [cmd, args] for nsRun: this node with tsx, running `script`. */
function nodeCmd(script: string, args: string[]): [string, string[]] {
  const [cmd, ...rest] = nodeArgv(script, args);
  return [cmd!, rest];
}

// ---------------------------------------------------------------------------------------
// unprivileged

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/** Why ping.ts cannot run as uid 65534 here, or null when it can. */
const nobodySkip: string | null = (() => {
  if (netnsSkip !== null) return netnsSkip;
  if (!hasTool('setpriv', ['--version'])) return 'setpriv is not installed';
  const files = [PING, join(repo, 'lib', 'index.ts'), join(repo, 'node_modules', 'tsx', 'package.json')];
  const probe = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), process.execPath, '-e',
    `for (const f of ${JSON.stringify(files)}) require('fs').accessSync(f, 4)`], { cwd: repo, encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) return `uid 65534 cannot read the repository (${(probe.stderr || '').trim().split('\n')[0]})`;
  return null;
})();

describe('ping.ts unprivileged (uid 65534, no capabilities)', () => {
  if (nobodySkip !== null) it.skip(`skipped: ${nobodySkip}`, () => {});

  const hostRange = (): string => readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim();
  const env = { HOME: '/tmp' };

  it.skipIf(nobodySkip !== null)('falls back to the ICMP datagram socket where ping_group_range allows it', async () => {
    const before = hostRange();
    const lone = loneHost();
    try {
      // Only this namespace's sysctl changes; the host's stays as it was.
      nsSysctl(lone.ns, 'net/ipv4/ping_group_range', '65534 65534');
      expect(nsSysctlGet(lone.ns, 'net/ipv4/ping_group_range')).toMatch(/^65534\s+65534$/);
      expect(hostRange()).toBe(before);
      const r = await nsRun(lone.ns, NOBODY[0]!, [...NOBODY.slice(1), 'env', `HOME=${env.HOME}`, ...nodeArgv(PING, ['-v', '-c', '2', '-i', '0.2', '-W', '2', '127.0.0.1'])], { timeout: 20_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^ping: sock4\.fd: \d+ \(socktype: SOCK_DGRAM\)/m);
      // The kernel chose the identifier (ident=…); no IP header, so no ttl.
      const l = lines(r.stdout);
      expect(l[0]).toBe('PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.');
      expect(l[1]).toMatch(/^64 bytes from 127\.0\.0\.1: icmp_seq=1 ident=\d+ time=\d+(\.\d+)? ms$/);
      expect(l[2]).toMatch(/^64 bytes from 127\.0\.0\.1: icmp_seq=2 ident=\d+ time=\d+(\.\d+)? ms$/);
      expect(r.stdout).toMatch(/^2 packets transmitted, 2 received, 0% packet loss, time \d+ms$/m);

      if (hasIPv6) {
        const r6 = await nsRun(lone.ns, NOBODY[0]!, [...NOBODY.slice(1), 'env', `HOME=${env.HOME}`, ...nodeArgv(PING, ['-v', '-c', '1', '-W', '2', '::1'])], { timeout: 20_000 });
        expect(r6.code, r6.stderr).toBe(0);
        expect(r6.stderr).toMatch(/sock6\.fd: \d+ \(socktype: SOCK_DGRAM\)/);
        expect(r6.stdout).toMatch(/^64 bytes from ::1: icmp_seq=1 ident=\d+ time=/m);
      }
    } finally {
      lone.destroy();
    }
    expect(hostRange()).toBe(before);
  }, T);

  it.skipIf(nobodySkip !== null)('where ping_group_range excludes it: socket fails, exit 2', async () => {
    const lone = loneHost();
    try {
      nsSysctl(lone.ns, 'net/ipv4/ping_group_range', '1 0');
      const r = await nsRun(lone.ns, NOBODY[0]!, [...NOBODY.slice(1), 'env', `HOME=${env.HOME}`, ...nodeArgv(PING, ['-c', '1', '-W', '1', '127.0.0.1'])], { timeout: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('ping: socket: Permission denied\n');
    } finally {
      lone.destroy();
    }
  }, T);
});

// ---------------------------------------------------------------------------------------
// syn.ts

describe('syn.ts on loopback (IP_HDRINCL)', () => {
  it.skipIf(!hasRaw)('a listening port is open, a bound but not listening one is closed', async () => {
    let listener = -1;
    let bound = -1;
    try {
      listener = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
      bs.bind(listener, new bs.sockaddr_in('127.0.0.1', 0));
      bs.listen(listener, 8);
      const open = (bs.getsockname(listener) as bs.sockaddr_in).port;
      bound = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
      bs.bind(bound, new bs.sockaddr_in('127.0.0.1', 0));
      const closed = (bs.getsockname(bound) as bs.sockaddr_in).port;

      const [o, c] = await Promise.all([node(SYN, ['-w', '3', '127.0.0.1', String(open)]), node(SYN, ['-w', '3', '127.0.0.1', String(closed)])]);
      expect(o.code, o.stderr).toBe(0);
      expect(o.stdout).toBe(`${open} open\n`);
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout).toBe(`${closed} closed\n`);
      // The half-open connection was reset by our kernel: nothing is left to accept.
      bs.setNonBlocking(listener, true);
      expect(() => bs.accept(listener)).toThrow(bs.SocketError);
    } finally {
      closeAll(listener, bound);
    }
  }, T);

  it.skipIf(!hasRaw)('bad arguments exit 2 with a usage line', async () => {
    const r = await node(SYN, ['127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: syn /);
  }, T);
});
