// examples/multicast-sender.ts and examples/multicast-receiver.ts on test networks of their
// own: two network namespaces joined by a veth pair (A 10.202.0.1/24 vethA — B 10.202.0.2/24
// vethB, multicast on, 224.0.0.0/4 routed to the veth), and a lone namespace for the
// loopback variant. Private addresses only, inside namespaces this process created.
//
// Root only: skipped with the reason when `ip netns add` fails. Every child has a count,
// a -w wait or a kill timer; every namespace is removed in a finally, and afterAll checks
// that none of this process's namespaces is left.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addNs, delNs, enableLinkLocal6, example, hasTool, link, netnsSkip, nsIfindex, nsNode, nsStart, sh, teardown, topology, type End, type Proc, type Result,
} from './netns.js';

const SENDER = example('multicast-sender');
const RECEIVER = example('multicast-receiver');
const GROUP = '239.1.2.3';
const GROUP6 = 'ff12::1234';
const T = 45_000;

afterAll(teardown);

interface McNet {
  a: End;
  b: End;
  namespaces: string[];
}

/** A and B on one veth, multicast on, 224.0.0.0/4 routed to the veth on both sides. */
function mcHosts(): McNet {
  return topology((made) => {
    const nsA = addNs('mca');
    made.push(nsA);
    const nsB = addNs('mcb');
    made.push(nsB);
    const [a, b] = link(nsA, 'vethA', '10.202.0.1', nsB, 'vethB', '10.202.0.2');
    for (const e of [a, b]) {
      sh('ip', ['-n', e.ns, 'link', 'set', e.ifname, 'multicast', 'on']);
      sh('ip', ['-n', e.ns, 'route', 'add', '224.0.0.0/4', 'dev', e.ifname]);
    }
    return { a, b, namespaces: made };
  });
}

/** Runs `fn` on a fresh network; its children are stopped and its namespaces removed after. */
async function withNet<N extends { namespaces: string[] }>(make: () => N, fn: (net: N, procs: Proc[]) => Promise<void>): Promise<void> {
  const net = make();
  const procs: Proc[] = [];
  try {
    await fn(net, procs);
  } finally {
    for (const p of procs) p.stop();
    await Promise.allSettled(procs.map((p) => p.result));
    for (const ns of net.namespaces) delNs(ns);
  }
}

/** Starts the receiver in `ns` and waits until it has joined. */
async function receiver(procs: Proc[], ns: string, args: string[]): Promise<Proc> {
  const p = nsNode(ns, RECEIVER, args, { timeout: 20_000 });
  procs.push(p);
  await p.waitFor(/^joined /m, 15_000);
  return p;
}

/** Runs the sender in `ns` to completion; it must succeed. */
async function send(procs: Proc[], ns: string, args: string[]): Promise<Result> {
  const p = nsNode(ns, SENDER, args, { timeout: 20_000 });
  procs.push(p);
  const r = await p.result;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

/** A plain node:dgram UDP socket in `ns` bound to 0.0.0.0:port that joins nothing and prints what it gets. */
async function unjoinedListener(procs: Proc[], ns: string, port: number, reuseAddr = false): Promise<Proc> {
  const p = nsStart(ns, process.execPath, ['-e', `
const d = require('dgram').createSocket({ type: 'udp4', reuseAddr: ${reuseAddr} });
d.on('message', (m, r) => console.log('from ' + r.address + ':' + r.port + ': ' + m));
d.bind(${port}, '0.0.0.0', () => console.error('bound'));`], { timeout: 20_000 });
  procs.push(p);
  await p.waitFor(/bound/, 15_000);
  return p;
}

const lines = (out: string): string[] => out.split('\n').filter((l) => l !== '');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** What the receiver prints for `count` datagrams from `src` (any source port). */
const expected = (src: string, count: number): RegExp[] =>
  Array.from({ length: count }, (_, i) => new RegExp(`^from ${src.replace(/[[\]%.]/g, '\\$&')}:\\d+: message ${i + 1} of ${count}$`));

function expectReceived(r: Result, src: string, count: number): void {
  expect(r.timedOut).toBe(false);
  const got = lines(r.stdout);
  expect(got).toHaveLength(count);
  got.forEach((l, i) => expect(l).toMatch(expected(src, count)[i]!));
  expect(r.code).toBe(0);
}

describe('multicast over a veth between two namespaces', () => {
  if (netnsSkip !== null) it.skip(`skipped: ${netnsSkip}`, () => {});

  it.skipIf(netnsSkip !== null)('IPv4: B joins 239.1.2.3 by interface address (ip_mreqn) and gets what A sends out of IP_MULTICAST_IF', async () => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      const rx = await receiver(procs, b.ns, [GROUP, '5000', '-i', b.addr, '-c', '3', '-w', '10']);
      const tx = await send(procs, a.ns, [GROUP, '5000', '-i', a.addr, '-c', '3', '-t', '1']);
      expect(lines(tx.stdout)).toEqual(Array(3).fill(`sent 14 bytes to ${GROUP}:5000`));
      const r = await rx.result;
      expectReceived(r, a.addr, 3);
      expect(r.stderr).toBe(`joined ${GROUP} on ${b.addr}, port 5000\n`);
    });
  }, T);

  it.skipIf(netnsSkip !== null)('IPv4: interfaces by index (imr_ifindex, IP_MULTICAST_IF with an ip_mreqn) and by route alone', async () => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      const ib = nsIfindex(b.ns, b.ifname);
      // By index on both sides (a name is looked up with if_nametoindex).
      let rx = await receiver(procs, b.ns, [GROUP, '5001', '-I', b.ifname, '-c', '2', '-w', '10']);
      expect(rx.stderr()).toBe(`joined ${GROUP} on interface ${ib}, port 5001\n`);
      await send(procs, a.ns, [GROUP, '5001', '-I', String(nsIfindex(a.ns, a.ifname)), '-c', '2']);
      expectReceived(await rx.result, a.addr, 2);
      // No interface at all: the kernel picks it from the 224.0.0.0/4 route on each side.
      rx = await receiver(procs, b.ns, [GROUP, '5002', '-c', '2', '-w', '10']);
      await send(procs, a.ns, [GROUP, '5002', '-c', '2']);
      expectReceived(await rx.result, a.addr, 2);
    });
  }, T);

  it.skipIf(netnsSkip !== null)('a socket that joined no group receives nothing sent to the group (bounded wait)', async () => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      const l = await unjoinedListener(procs, b.ns, 5003);
      await send(procs, a.ns, [GROUP, '5003', '-i', a.addr, '-c', '3']);
      await sleep(1500);
      l.stop();
      const r = await l.result;
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('bound\n');
    });
  }, T);

  it.skipIf(netnsSkip !== null)('…but once any socket of the host joined, an unjoined one on the port gets it too (IP_MULTICAST_ALL, on by default)', async () => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      const rx = await receiver(procs, b.ns, [GROUP, '5004', '-i', b.addr, '-c', '2', '-w', '10']);
      const l = await unjoinedListener(procs, b.ns, 5004, true);
      await send(procs, a.ns, [GROUP, '5004', '-i', a.addr, '-c', '2']);
      expectReceived(await rx.result, a.addr, 2);
      await sleep(500);
      l.stop();
      const got = lines((await l.result).stdout);
      expect(got).toHaveLength(2);
      got.forEach((line, i) => expect(line).toMatch(expected(a.addr, 2)[i]!));
    });
  }, T);

  // Not TTL 0: RFC 1112 keeps TTL-0 multicast on the sending host, but the 6.18 kernel this
  // was written on sends it over the veth (tcpdump shows it, B receives it).
  const ttlSkip = netnsSkip ?? (hasTool('tcpdump', ['--version']) ? null : 'tcpdump is not installed');
  it.skipIf(ttlSkip !== null)('IP_MULTICAST_TTL sets the TTL the datagrams carry on the wire (tcpdump -v in B)', async () => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      const cap = nsStart(b.ns, 'tcpdump', ['-n', '-v', '-l', '-i', b.ifname, '-c', '2', 'udp port 5005'], { timeout: 20_000 });
      procs.push(cap);
      await cap.waitFor(/listening on/, 15_000);
      const rx = await receiver(procs, b.ns, [GROUP, '5005', '-i', b.addr, '-c', '2', '-w', '10']);
      await send(procs, a.ns, [GROUP, '5005', '-i', a.addr, '-c', '2', '-t', '7']);
      expectReceived(await rx.result, a.addr, 2);
      const c = await cap.result;
      const ttls = [...c.stdout.matchAll(/\bttl (\d+)/g)].map((m) => Number(m[1]));
      expect(ttls).toEqual([7, 7]);
      expect(c.stdout).toMatch(/10\.202\.0\.1\.\d+ > 239\.1\.2\.3\.5005: UDP, length 14/);
    });
  }, T);

  it.skipIf(netnsSkip !== null)('IP_MULTICAST_LOOP: a member on the sending host gets a copy, and none with -L (B gets it either way)', async () => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      // Loop on (the default): A's own member and B's both receive.
      let local = await receiver(procs, a.ns, [GROUP, '5006', '-i', a.addr, '-c', '2', '-w', '10']);
      let remote = await receiver(procs, b.ns, [GROUP, '5006', '-i', b.addr, '-c', '2', '-w', '10']);
      await send(procs, a.ns, [GROUP, '5006', '-i', a.addr, '-c', '2']);
      expectReceived(await local.result, a.addr, 2);
      expectReceived(await remote.result, a.addr, 2);
      // Loop off: only B's.
      local = await receiver(procs, a.ns, [GROUP, '5007', '-i', a.addr, '-c', '1', '-w', '2']);
      remote = await receiver(procs, b.ns, [GROUP, '5007', '-i', b.addr, '-c', '2', '-w', '10']);
      await send(procs, a.ns, [GROUP, '5007', '-i', a.addr, '-c', '2', '-L']);
      expectReceived(await remote.result, a.addr, 2);
      const r = await local.result;
      expect(r.stdout).toBe('');
      expect(r.code).toBe(1);
    });
  }, T);

  const v6Skip = netnsSkip ?? (existsSync('/proc/sys/net/ipv6') ? null : 'this kernel has no IPv6');
  it.skipIf(v6Skip !== null)('IPv6: B joins ff12::1234 on vethB by index (ipv6_mreq) and gets what A sends from its link-local address', async (ctx) => {
    await withNet(mcHosts, async ({ a, b }, procs) => {
      try {
        enableLinkLocal6(a.ns, a.ifname, 'fe80::a');
        enableLinkLocal6(b.ns, b.ifname, 'fe80::b');
      } catch (e) {
        ctx.skip(`IPv6 link-local addressing does not work in the namespace: ${(e as Error).message}`);
      }
      const ia = nsIfindex(a.ns, a.ifname);
      const ib = nsIfindex(b.ns, b.ifname);
      const rx = await receiver(procs, b.ns, [GROUP6, '5010', '-6', '-I', String(ib), '-c', '3', '-w', '10']);
      expect(rx.stderr()).toBe(`joined ${GROUP6} on interface ${ib}, port 5010\n`);
      const tx = await send(procs, a.ns, [GROUP6, '5010', '-6', '-I', a.ifname, '-c', '3', '-t', '1']);
      expect(lines(tx.stdout)).toEqual(Array(3).fill(`sent 14 bytes to [${GROUP6}%${ia}]:5010`));
      // The source is A's link-local address, scoped by B's interface index.
      expectReceived(await rx.result, `[fe80::a%${ib}]`, 3);
    });
  }, T);
});

describe('multicast on the loopback interface of one namespace', () => {
  if (netnsSkip !== null) it.skip(`skipped: ${netnsSkip}`, () => {});

  /** A lone namespace; skips the test when lo will not join a group. */
  async function onLo(ctx: { skip: (note?: string) => never }, fn: (ns: string, procs: Proc[]) => Promise<void>): Promise<void> {
    await withNet(() => {
      const ns = addNs('mclo');
      return { ns, namespaces: [ns] };
    }, async ({ ns }, procs) => {
      const probe = nsNode(ns, RECEIVER, [GROUP, '4999', '-i', '127.0.0.1', '-c', '1', '-w', '1'], { timeout: 15_000 });
      procs.push(probe);
      const r = await probe.result;
      if (!/^joined /m.test(r.stderr)) ctx.skip(`the kernel does not let lo join ${GROUP}: ${r.stderr.trim()}`);
      await fn(ns, procs);
    });
  }

  it.skipIf(netnsSkip !== null)('IP_MULTICAST_LOOP on lo: the receiver gets each datagram exactly once, in order', async (ctx) => {
    await onLo(ctx, async (ns, procs) => {
      // Room for a fourth: a duplicate (the loop copy and lo's own delivery) would show there.
      const rx = await receiver(procs, ns, [GROUP, '5020', '-i', '127.0.0.1', '-c', '4', '-w', '2']);
      await send(procs, ns, [GROUP, '5020', '-i', '127.0.0.1', '-c', '3']);
      const r = await rx.result;
      expect(lines(r.stdout)).toHaveLength(3);
      lines(r.stdout).forEach((l, i) => expect(l).toMatch(expected('127.0.0.1', 3)[i]!));
      expect(r.stderr).toMatch(/nothing received for 2 s/);
      expect(r.code).toBe(1);
    });
  }, T);

  it.skipIf(netnsSkip !== null)('IP_MULTICAST_LOOP off does not stop delivery on lo: sending on lo is receiving', async (ctx) => {
    await onLo(ctx, async (ns, procs) => {
      const rx = await receiver(procs, ns, [GROUP, '5021', '-i', '127.0.0.1', '-c', '2', '-w', '10']);
      await send(procs, ns, [GROUP, '5021', '-i', '127.0.0.1', '-c', '2', '-L']);
      expectReceived(await rx.result, '127.0.0.1', 2);
    });
  }, T);
});
