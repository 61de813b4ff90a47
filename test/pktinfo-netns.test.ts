// examples/pktinfo-server.ts on a host with two addresses: namespace S has 10.203.0.1/24
// and 10.203.0.2/24 on one veth end, the client is namespace C (10.203.0.9/24) on the
// other. The server binds 0.0.0.0 and answers each datagram from the exact address the
// client sent it to (IP_PKTINFO in, IP_PKTINFO's ipi_spec_dst out); the client, node's own
// dgram, checks each reply's source. A control shows why: a plain 0.0.0.0 server without
// IP_PKTINFO answers a datagram sent to .2 from .1, the interface's primary address.
//
// Root only: skipped with the reason when `ip netns add` fails. Children are bounded and
// stopped; namespaces are removed in a finally and checked for in afterAll.
import { afterAll, describe, expect, it } from 'vitest';
import {
  addNs, delNs, example, link, netnsSkip, nsNode, nsRun, nsStart, sh, teardown, topology, type End, type Proc,
} from './netns.js';

const SERVER = example('pktinfo-server');
const PRIMARY = '10.203.0.1';
const SECOND = '10.203.0.2';
const T = 45_000;

afterAll(teardown);

interface TwoAddrs {
  /** The server's end (PRIMARY, and SECOND added on the same interface). */
  s: End;
  /** The client's end. */
  c: End;
  namespaces: string[];
}

function twoAddressHost(): TwoAddrs {
  return topology((made) => {
    const nsC = addNs('pkc');
    made.push(nsC);
    const nsS = addNs('pks');
    made.push(nsS);
    const [c, s] = link(nsC, 'vethC', '10.203.0.9', nsS, 'vethS', PRIMARY);
    sh('ip', ['-n', nsS, 'addr', 'add', `${SECOND}/24`, 'dev', 'vethS']);
    // The second address has the same MAC; a permanent entry keeps the link ARP-free.
    sh('ip', ['-n', nsC, 'neigh', 'replace', SECOND, 'lladdr', s.mac, 'dev', 'vethC', 'nud', 'permanent']);
    return { s, c, namespaces: made };
  });
}

async function withNet(fn: (net: TwoAddrs, procs: Proc[]) => Promise<void>): Promise<void> {
  const net = twoAddressHost();
  const procs: Proc[] = [];
  try {
    await fn(net, procs);
  } finally {
    for (const p of procs) p.stop();
    await Promise.allSettled(procs.map((p) => p.result));
    for (const ns of net.namespaces) delNs(ns);
  }
}

interface Reply {
  target: string;
  reply: { from: string; port: number; payload: string } | null;
}

/**
 * In namespace `ns`, one unconnected node:dgram socket bound to `src` sends "to TARGET" to
 * each target in turn and records where each reply came from (null after 3 s without one).
 * Unconnected, so it sees a reply from the wrong address instead of dropping it.
 */
async function client(ns: string, src: string, targets: string[], port: number): Promise<Reply[]> {
  const script = `
const d = require('dgram').createSocket('udp4');
const [targets, port] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
d.bind(0, ${JSON.stringify(src)}, async () => {
  const out = [];
  for (const t of targets) {
    const reply = await new Promise((resolve) => {
      const timer = setTimeout(() => { d.removeAllListeners('message'); resolve(null); }, 3000);
      d.once('message', (m, r) => { clearTimeout(timer); resolve({ from: r.address, port: r.port, payload: String(m) }); });
      d.send('to ' + t, port, t);
    });
    out.push({ target: t, reply });
  }
  console.log(JSON.stringify(out));
  d.close();
});`;
  const r = await nsRun(ns, process.execPath, ['-e', script, JSON.stringify(targets), String(port)], { timeout: 15_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Reply[];
}

describe('a UDP server that answers from the address each datagram was sent to (IP_PKTINFO) on a host with two addresses', () => {
  if (netnsSkip !== null) it.skip(`skipped: ${netnsSkip}`, () => {});

  it.skipIf(netnsSkip !== null)('pktinfo-server.ts bound to 0.0.0.0 answers .1 from .1 and .2 from .2', async () => {
    await withNet(async ({ s, c }, procs) => {
      const server = nsNode(s.ns, SERVER, ['7000', '4'], { timeout: 20_000 });
      procs.push(server);
      await server.waitFor(/listening on 7000/, 15_000);
      // Each target twice, alternating, so a reply source cannot come from a stale route choice.
      const replies = await client(c.ns, c.addr, [PRIMARY, SECOND, SECOND, PRIMARY], 7000);
      expect(replies).toEqual([PRIMARY, SECOND, SECOND, PRIMARY].map((t) => ({
        target: t, reply: { from: t, port: 7000, payload: `to ${t}` },
      })));
      const r = await server.result;
      expect(r.code).toBe(0);
      const seen = r.stdout.split('\n').filter((l) => l !== '');
      expect(seen).toHaveLength(4);
      [PRIMARY, SECOND, SECOND, PRIMARY].forEach((t, i) => {
        expect(seen[i]).toMatch(new RegExp(`^${`to ${t}`.length} bytes from ${c.addr.replace(/\./g, '\\.')}:\\d+ to ${t.replace(/\./g, '\\.')}$`));
      });
    });
  }, T);

  it.skipIf(netnsSkip !== null)('control: without IP_PKTINFO, a 0.0.0.0 server answers a datagram sent to .2 from .1', async () => {
    await withNet(async ({ s, c }, procs) => {
      const echo = nsStart(s.ns, process.execPath, ['-e', `
const d = require('dgram').createSocket('udp4');
d.on('message', (m, r) => d.send(m, r.port, r.address));
d.bind(7001, '0.0.0.0', () => console.error('bound'));`], { timeout: 20_000 });
      procs.push(echo);
      await echo.waitFor(/bound/, 15_000);
      const replies = await client(c.ns, c.addr, [PRIMARY, SECOND], 7001);
      expect(replies.map((r) => [r.target, r.reply?.from])).toEqual([[PRIMARY, PRIMARY], [SECOND, PRIMARY]]);
    });
  }, T);
});
