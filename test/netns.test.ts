// The raw-socket examples on test networks of their own: network namespaces joined by veth
// pairs (test/netns.ts), with private addresses only (10.200.0.0/16). sniff.ts, ping.ts,
// traceroute.ts and syn.ts run inside the namespaces and are checked against tools no one
// here wrote: tcpdump decodes the same frames, iputils ping pings the same host.
//
// Root only: skipped with the reason when `ip netns add` fails. Every child has a -c count
// or a wait and a kill timer; every namespace is removed in a finally, and afterAll checks
// that none of this process's namespaces is left.
import { afterAll, describe, expect, it } from 'vitest';
import { hasIPv6 } from './helpers.js';
import {
  addNs, example, hasTool, loneHost, netnsSkip, normalizePing, nsExists, nsNode, nsNodeRun, nsRun, nsStart, routerChain, sh, teardown, topology, twoHosts, type Proc, type Result,
} from './netns.js';

const SNIFF = example('sniff');
const PING = example('ping');
const TRACEROUTE = example('traceroute');
const SYN = example('syn');
const T = 45_000;

const hasTcpdump = hasTool('tcpdump', ['--version']);
const hasPing = hasTool('ping', ['-V']);

afterAll(teardown);

/** Sends one UDP datagram from inside `ns` (node's own dgram, not this library). */
function udpSend(ns: string, src: string, sport: number, dst: string, dport: number, payload: string): Promise<Result> {
  const script = `const d = require('dgram').createSocket('udp4');
d.bind(${sport}, ${JSON.stringify(src)}, () => d.send(${JSON.stringify(payload)}, ${dport}, ${JSON.stringify(dst)}, (e) => { d.close(); if (e) { console.error(e.message); process.exit(1); } }));`;
  return nsRun(ns, process.execPath, ['-e', script], { timeout: 10_000 });
}

/** A TCP listener inside `ns` (node's net), up until stopped; resolves once it listens. */
async function tcpListen(ns: string, addr: string, port: number): Promise<Proc> {
  const p = nsStart(ns, process.execPath, ['-e',
    `const s = require('net').createServer((c) => c.destroy()).listen(${port}, ${JSON.stringify(addr)}, () => console.log('listening'));
process.on('SIGTERM', () => s.close(() => process.exit(0)));`], { timeout: 30_000 });
  await p.waitFor(/listening/);
  return p;
}

/** Waits for a capture to finish its count; stops it (it then prints its count) after `ms`. */
async function finished(p: Proc, ms = 8000): Promise<Result> {
  const timer = setTimeout(() => p.stop(), ms);
  try {
    return await p.result;
  } finally {
    clearTimeout(timer);
  }
}

const TS = /^\d\d:\d\d:\d\d\.\d{6} /;
/** A capture's frame lines, without their timestamps. */
const frames = (out: string): string[] => out.split('\n').filter((l) => TS.test(l)).map((l) => l.replace(TS, ''));

/** What must agree between two decoders: addresses, ports, protocol, ICMP type or TCP flags. */
interface Essentials {
  family: string;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto: string;
  detail: string;
}

function splitPort(hostPort: string): [string, number] {
  const dot = hostPort.lastIndexOf('.');
  return [hostPort.slice(0, dot), Number(hostPort.slice(dot + 1))];
}

/** Parses one tcpdump -n line (timestamp removed) into its essentials. */
function essentials(line: string): Essentials | { other: string } {
  const m = /^(IP6?) (\S+) > (\S+): (.*)$/.exec(line);
  if (!m) return { other: line };
  const [, family, a, b, rest] = m as unknown as [string, string, string, string, string];
  if (rest.startsWith('UDP')) {
    const [src, sport] = splitPort(a);
    const [dst, dport] = splitPort(b);
    return { family, src, dst, sport, dport, proto: 'udp', detail: /length \d+/.exec(rest)?.[0] ?? rest };
  }
  if (rest.startsWith('Flags ')) {
    const [src, sport] = splitPort(a);
    const [dst, dport] = splitPort(b);
    const flags = /^Flags \[([^\]]*)\]/.exec(rest)![1]!;
    const seq = /seq (\d+)/.exec(rest)?.[1] ?? '';
    const ack = /ack (\d+)/.exec(rest)?.[1] ?? '';
    return { family, src, dst, sport, dport, proto: 'tcp', detail: `[${flags}] seq ${seq} ack ${ack}` };
  }
  const icmp = /^(ICMP6?),? (.*?)(, id \d+, seq \d+)?, length \d+$/.exec(rest);
  if (icmp) return { family, src: a, dst: b, proto: icmp[1]!.toLowerCase(), detail: `${icmp[2]}${icmp[3] ?? ''}` };
  return { family, src: a, dst: b, proto: 'other', detail: rest };
}

// ---------------------------------------------------------------------------------------

describe('namespaces', () => {
  if (netnsSkip !== null) it.skip(`skipped: ${netnsSkip}`, () => {});

  it.skipIf(netnsSkip !== null)('are built quiet, reach each other, and go away when destroyed (or when building fails)', async () => {
    const net = twoHosts();
    try {
      expect(net.namespaces.every(nsExists)).toBe(true);
      expect(net.a.addr).toBe('10.200.1.1');
      expect(net.b.addr).toBe('10.200.1.2');
    } finally {
      net.destroy();
    }
    expect(net.namespaces.some(nsExists)).toBe(false);

    let half = '';
    expect(() =>
      topology((made) => {
        half = addNs('half');
        made.push(half);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(half).not.toBe('');
    expect(nsExists(half)).toBe(false);
  }, T);
});

describe('sniff.ts: AF_PACKET capture on a veth', () => {
  it.skipIf(netnsSkip !== null)('captures in B the UDP datagram A sends, decoded in one line', async () => {
    const net = twoHosts();
    try {
      const sniff = nsNode(net.b.ns, SNIFF, [net.b.ifname, '-c', '1'], { timeout: 20_000 });
      await sniff.waitFor(/listening on vethB/);
      const sent = await udpSend(net.a.ns, net.a.addr, 40000, net.b.addr, 40001, 'hello');
      expect(sent.code, sent.stderr).toBe(0);
      const r = await finished(sniff);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{6} IP 10\.200\.1\.1\.40000 > 10\.200\.1\.2\.40001: UDP, length 5\n$/);
      expect(r.stderr).toBe('listening on vethB, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n1 packets captured\n');
    } finally {
      net.destroy();
    }
  }, T);
});

describe('ping.ts and traceroute.ts across namespaces', () => {
  it.skipIf(netnsSkip !== null)('ping.ts from A reaches B: exit 0, one reply line per request', async () => {
    const net = twoHosts();
    try {
      const r = await nsNodeRun(net.a.ns, PING, ['-c', '3', '-i', '0.2', '-W', '2', net.b.addr], { timeout: 20_000 });
      expect(r.code, r.stderr).toBe(0);
      const replies = r.stdout.split('\n').filter((l) => l.includes('bytes from'));
      expect(replies).toHaveLength(3);
      replies.forEach((l, i) => expect(l).toMatch(new RegExp(`^64 bytes from 10\\.200\\.1\\.2: icmp_seq=${i + 1} ttl=64 time=\\d+(\\.\\d+)? ms$`)));
      expect(r.stdout).toMatch(/^3 packets transmitted, 3 received, 0% packet loss, time \d+ms$/m);
    } finally {
      net.destroy();
    }
  }, T);

  it.skipIf(netnsSkip !== null)('traceroute.ts from A to B shows two hops: the router, then B', async () => {
    const net = routerChain();
    try {
      const r = await nsNodeRun(net.a.ns, TRACEROUTE, ['-n', '-q', '3', '-w', '2', '-m', '5', net.b.addr], { timeout: 30_000 });
      expect(r.code, r.stderr).toBe(0);
      const l = r.stdout.replace(/\n$/, '').split('\n');
      expect(l, r.stdout).toHaveLength(3);
      expect(l[0]).toBe('traceroute to 10.200.2.2 (10.200.2.2), 5 hops max, 60 byte packets');
      expect(l[1]).toMatch(/^ 1 {2}10\.200\.1\.254( {2}\d+\.\d{3} ms){3}$/);
      expect(l[2]).toMatch(/^ 2 {2}10\.200\.2\.2( {2}\d+\.\d{3} ms){3}$/);
    } finally {
      net.destroy();
    }
  }, T);

  it.skipIf(netnsSkip !== null)('traceroute.ts to a network the router cannot reach: !H from the first hop, and stop', async () => {
    // A router of its own: ip_error() rate-limits unreachables per peer with tokens that the
    // time-exceeded messages of another traceroute would have used up.
    const net = routerChain();
    try {
      sh('ip', ['-n', net.ra.ns, 'route', 'add', 'unreachable', '10.200.5.0/24']);
      const u = await nsNodeRun(net.a.ns, TRACEROUTE, ['-n', '-q', '3', '-w', '2', '-m', '5', '10.200.5.5'], { timeout: 30_000 });
      expect(u.code, u.stderr).toBe(0);
      expect(u.stdout).toMatch(/^traceroute to 10\.200\.5\.5 \(10\.200\.5\.5\), 5 hops max, 60 byte packets\n 1 {2}10\.200\.1\.254( {2}\d+\.\d{3} ms !H){3}\n$/);
    } finally {
      net.destroy();
    }
  }, T);
});

// ---------------------------------------------------------------------------------------
// cross-checks against tools no one here wrote

describe('cross-checks: tcpdump', () => {
  const skip = netnsSkip ?? (hasTcpdump ? null : 'tcpdump is not installed');
  if (skip !== null) it.skip(`skipped: ${skip}`, () => {});

  it.skipIf(skip !== null)('sniff.ts and tcpdump -n in B decode the same frames alike (UDP, ICMP, TCP)', async () => {
    const net = twoHosts();
    let listener: Proc | undefined;
    try {
      listener = await tcpListen(net.b.ns, net.b.addr, 40003);
      // The traffic: a datagram to a closed port (and B's port unreachable), two echo
      // requests and replies, a SYN to a closed port (RST), a SYN to an open one (SYN-ACK,
      // and A's kernel resets it).
      const N = 1 + 1 + 4 + 2 + 3;
      const sniff = nsNode(net.b.ns, SNIFF, ['-c', String(N), net.b.ifname], { timeout: 30_000 });
      const dump = nsStart(net.b.ns, 'tcpdump', ['-n', '-S', '-l', '-i', net.b.ifname, '-c', String(N)], { timeout: 30_000 });
      await Promise.all([sniff.waitFor(/listening on/), dump.waitFor(/listening on/)]);

      expect((await udpSend(net.a.ns, net.a.addr, 40000, net.b.addr, 40001, 'hello')).code).toBe(0);
      const ping = await nsNodeRun(net.a.ns, PING, ['-c', '2', '-i', '0.2', '-W', '2', net.b.addr], { timeout: 20_000 });
      expect(ping.code, ping.stderr).toBe(0);
      const closed = await nsNodeRun(net.a.ns, SYN, ['-w', '3', net.b.addr, '40002'], { timeout: 20_000 });
      expect(closed.stdout, closed.stderr).toBe('40002 closed\n');
      const open = await nsNodeRun(net.a.ns, SYN, ['-w', '3', net.b.addr, '40003'], { timeout: 20_000 });
      expect(open.stdout, open.stderr).toBe('40003 open\n');

      const [mine, theirs] = await Promise.all([finished(sniff), finished(dump)]);
      const a = frames(mine.stdout);
      const b = frames(theirs.stdout);
      expect(a, mine.stdout).toHaveLength(N);
      expect(b, theirs.stdout).toHaveLength(N);
      expect(mine.stderr).toContain(`${N} packets captured`);
      expect(theirs.stderr).toContain(`${N} packets captured`);
      for (let i = 0; i < N; i++) {
        expect(essentials(a[i]!), `frame ${i}: ${a[i]} / ${b[i]}`).toEqual(essentials(b[i]!));
        // UDP and ICMP lines are the same to the character.
        if (!a[i]!.includes('Flags [')) expect(a[i]).toBe(b[i]);
      }
      // And the traffic is what was sent.
      const e = a.map(essentials) as Essentials[];
      expect(e[0]).toEqual({ family: 'IP', src: '10.200.1.1', sport: 40000, dst: '10.200.1.2', dport: 40001, proto: 'udp', detail: 'length 5' });
      expect(e[1]).toMatchObject({ src: '10.200.1.2', dst: '10.200.1.1', proto: 'icmp', detail: '10.200.1.2 udp port 40001 unreachable' });
      expect(e.slice(2, 6).map((x) => x.detail.replace(/, id \d+/, ''))).toEqual(['echo request, seq 1', 'echo reply, seq 1', 'echo request, seq 2', 'echo reply, seq 2']);
      // The TCP segments by B's port and flags: closed (SYN, RST), open (SYN, SYN-ACK, A's RST).
      const bport = (x: Essentials): number => (x.src === net.b.addr ? x.sport! : x.dport!);
      expect(e.slice(6).map((x) => `${bport(x)} ${x.detail.split(' ')[0]}`)).toEqual(['40002 [S]', '40002 [R.]', '40003 [S]', '40003 [S.]', '40003 [R]']);
    } finally {
      listener?.stop();
      await listener?.result;
      net.destroy();
    }
  }, T);

  it.skipIf(skip !== null || !hasIPv6)('IPv6 too: sniff.ts and tcpdump on lo decode UDP, ICMPv6 errors and echoes alike', async () => {
    const lone = loneHost();
    try {
      // A datagram to a closed port (and the port unreachable), one echo request and reply.
      // On loopback each packet passes twice (out and in); both tools show it once.
      const N = 4;
      const sniff = nsNode(lone.ns, SNIFF, ['-c', String(N), 'lo'], { timeout: 30_000 });
      const dump = nsStart(lone.ns, 'tcpdump', ['-n', '-S', '-l', '-i', 'lo', '-c', String(N)], { timeout: 30_000 });
      await Promise.all([sniff.waitFor(/listening on/), dump.waitFor(/listening on/)]);
      const sent = await nsRun(lone.ns, process.execPath, ['-e',
        `const d = require('dgram').createSocket('udp6'); d.bind(40000, '::1', () => d.send('hello', 40001, '::1', () => d.close()));`], { timeout: 10_000 });
      expect(sent.code, sent.stderr).toBe(0);
      const ping = await nsNodeRun(lone.ns, PING, ['-6', '-c', '1', '-W', '2', '::1'], { timeout: 20_000 });
      expect(ping.code, ping.stderr).toBe(0);

      const [mine, theirs] = await Promise.all([finished(sniff), finished(dump)]);
      const a = frames(mine.stdout);
      expect(a, mine.stdout).toEqual(frames(theirs.stdout));
      expect(a).toHaveLength(N);
      expect(a[0]).toBe('IP6 ::1.40000 > ::1.40001: UDP, length 5');
      expect(a[1]).toBe('IP6 ::1 > ::1: ICMP6, destination unreachable, unreachable port, ::1 udp port 40001, length 61');
      expect(a[2]).toMatch(/^IP6 ::1 > ::1: ICMP6, echo request, id \d+, seq 1, length 64$/);
      expect(a[3]).toMatch(/^IP6 ::1 > ::1: ICMP6, echo reply, id \d+, seq 1, length 64$/);
    } finally {
      lone.destroy();
    }
  }, T);

  it.skipIf(skip !== null)('syn.ts: tcpdump -vv finds the hand-built IP and TCP checksums correct', async () => {
    const lone = loneHost();
    let listener: Proc | undefined;
    try {
      listener = await tcpListen(lone.ns, '127.0.0.1', 40003);
      const dump = nsStart(lone.ns, 'tcpdump', ['-n', '-S', '-vv', '-l', '-i', 'lo', '-c', '1', 'tcp[tcpflags] == tcp-syn'], { timeout: 20_000 });
      await dump.waitFor(/listening on/);
      const r = await nsNodeRun(lone.ns, SYN, ['-w', '3', '127.0.0.1', '40003'], { timeout: 20_000 });
      expect(r.stdout, r.stderr).toBe('40003 open\n');
      const d = await finished(dump);
      // IP (tos 0x0, ttl 64, id N, offset 0, flags [DF], proto TCP (6), length 44)
      //     127.0.0.1.P > 127.0.0.1.40003: Flags [S], cksum 0x… (correct), seq N, win 1024, options [mss 1460], length 0
      expect(d.stdout).toMatch(/ttl 64, id \d+, offset 0, flags \[DF\], proto TCP \(6\), length 44\)/);
      expect(d.stdout).toMatch(/127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.40003: Flags \[S\], cksum 0x[0-9a-f]{4} \(correct\), seq \d+, win 1024, options \[mss 1460\], length 0/);
      expect(d.stdout).not.toMatch(/bad cksum|incorrect/);
    } finally {
      listener?.stop();
      await listener?.result;
      lone.destroy();
    }
  }, T);
});

describe('cross-checks: iputils ping', () => {
  const skip = netnsSkip ?? (hasPing ? null : 'iputils ping is not installed');
  if (skip !== null) it.skip(`skipped: ${skip}`, () => {});

  it.skipIf(skip !== null)('ping.ts and ping -c 2 print the same lines through the router (ttl 63, counts)', async () => {
    const net = routerChain();
    try {
      const args = ['-c', '2', '-i', '0.2', '-W', '2', net.b.addr];
      const mine = await nsNodeRun(net.a.ns, PING, args, { timeout: 20_000 });
      const theirs = await nsRun(net.a.ns, 'ping', args, { timeout: 20_000 });
      expect(mine.code, mine.stderr).toBe(0);
      expect(theirs.code, theirs.stderr).toBe(0);
      // Same lines once the timings are blanked: header, replies (ttl included), statistics.
      expect(normalizePing(mine.stdout)).toBe(normalizePing(theirs.stdout));
      const ttls = (s: string) => [...s.matchAll(/ttl=(\d+)/g)].map((m) => Number(m[1]));
      expect(ttls(mine.stdout)).toEqual([63, 63]);
      expect(ttls(mine.stdout)).toEqual(ttls(theirs.stdout));
      const counts = (s: string) => /^(\d+) packets transmitted, (\d+) received/m.exec(s)?.slice(1);
      expect(counts(mine.stdout)).toEqual(['2', '2']);
      expect(counts(mine.stdout)).toEqual(counts(theirs.stdout));
    } finally {
      net.destroy();
    }
  }, T);

  it.skipIf(skip !== null)('ICMP errors from the router: From … Destination Host Unreachable, +2 errors, exit 1, as ping', async () => {
    const net = routerChain();
    try {
      sh('ip', ['-n', net.ra.ns, 'route', 'add', 'unreachable', '10.200.5.0/24']);
      const args = ['-c', '2', '-i', '0.2', '-W', '2', '10.200.5.5'];
      const mine = await nsNodeRun(net.a.ns, PING, args, { timeout: 20_000 });
      const theirs = await nsRun(net.a.ns, 'ping', args, { timeout: 20_000 });
      expect(mine.code, mine.stderr).toBe(1);
      expect(theirs.code, theirs.stderr).toBe(1);
      expect(mine.stdout).toMatch(/^From 10\.200\.1\.254 icmp_seq=1 Destination Host Unreachable$/m);
      expect(mine.stdout).toMatch(/^2 packets transmitted, 0 received, \+2 errors, 100% packet loss, time \d+ms$/m);
      expect(normalizePing(mine.stdout)).toBe(normalizePing(theirs.stdout));
    } finally {
      net.destroy();
    }
  }, T);
});
