// traceroute: the route packets take to a host, in the manner of Van Jacobson's
// traceroute(8). The `berkeley-sockets traceroute` subcommand and examples/traceroute.ts run this.
//
// UDP probes go to ports 33434 and up with an increasing IP_TTL; each router on the way
// answers with an ICMP time-exceeded, and the destination with port-unreachable. Those
// arrive on a raw ICMP socket, which sees every ICMP message of the host: a reply is ours
// when the UDP header it quotes carries our source port and the probe's destination port.
// Waiting is done with the Promise API, each probe bounded by WAIT seconds. One line per hop,
// printed as soon as its probes are answered or timed out:
//
//   traceroute to 10.0.0.2 (10.0.0.2), 30 hops max, 60 byte packets
//    1  10.0.0.1  0.123 ms  0.100 ms  0.090 ms
//    2  10.0.0.2  0.200 ms  0.150 ms  0.140 ms
//
// IPv4 only. Needs a raw socket (root or CAP_NET_RAW).
import {
  AF_INET, ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FILTER, ICMP_FRAG_NEEDED, ICMP_HOST_ANO, ICMP_HOST_UNREACH,
  ICMP_HOST_UNR_TOS, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_NET_UNR_TOS, ICMP_PKT_FILTERED, ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH, ICMP_SR_FAILED, ICMP_TIME_EXCEEDED, IPPROTO_ICMP, IPPROTO_IP, IPPROTO_UDP, IP_TTL,
  SOCK_DGRAM, SOCK_RAW, SOL_RAW, SocketError, bind, close, getsockname, icmp_filter, icmphdr, iphdr, ntohs,
  printf, setsockopt, sizeof, sockaddr_in, socket, udphdr,
} from '../index.js';
import { getaddrinfo, recvfrom, sendto } from '../promises.js';
import { Names, badUsage, interrupted, lookupFailed, syscallFailed } from './common.js';

/** @internal */
export const MAXPACKET = 65535 - 20 - 8;

/** @internal */
export interface TracerouteOptions {
  host: string;
  firstTtl?: number;
  maxTtl?: number;
  /** Probes per hop. */
  queries?: number;
  /** Seconds to wait for each probe's answer. */
  wait?: number;
  /** The first destination port. */
  port?: number;
  numeric?: boolean;
  /** IP + UDP + data bytes. */
  packetLength?: number;
}

/**
 * Is this ICMP message the answer to the probe sent from `ident` to port `dport`? Returns the
 * ICMP type and code, or null. The message quotes the probe's IP header and its first 8 bytes
 * (our UDP header), which is what identifies it.
 */
function packet_ok(packet: Buffer, cc: number, ident: number, dport: number): { type: number; code: number; ttl: number } | null {
  if (cc < iphdr.size) return null;
  const ip = new iphdr(packet);
  const hlen = ip.ihl << 2;
  if (cc < hlen + icmphdr.size) return null;
  const icp = new icmphdr(packet, hlen);
  const type = icp.type;
  const code = icp.code;
  if (!((type === ICMP_TIME_EXCEEDED && code === ICMP_EXC_TTL) || type === ICMP_DEST_UNREACH)) return null;
  const inner = hlen + icmphdr.size;
  if (cc < inner + iphdr.size) return null;
  const hip = new iphdr(packet, inner);
  const hhlen = hip.ihl << 2;
  if (hip.protocol !== IPPROTO_UDP || cc < inner + hhlen + udphdr.size) return null;
  const up = new udphdr(packet, inner + hhlen);
  if (ntohs(up.source) !== ident || ntohs(up.dest) !== dport) return null;
  return { type, code, ttl: ip.ttl };
}

/** The annotation for an unreachable code, as traceroute prints it ('' for port unreachable). */
function unreach_mark(code: number, ttl: number): string {
  switch (code) {
    case ICMP_PORT_UNREACH: return ttl <= 1 ? ' !' : '';
    case ICMP_NET_UNREACH: case ICMP_NET_UNR_TOS: case ICMP_NET_ANO: return ' !N';
    case ICMP_HOST_UNREACH: case ICMP_HOST_UNR_TOS: case ICMP_HOST_ANO: return ' !H';
    case ICMP_PROT_UNREACH: return ' !P';
    case ICMP_FRAG_NEEDED: return ' !F';
    case ICMP_SR_FAILED: return ' !S';
    case ICMP_PKT_FILTERED: return ' !X';
    default: return ` !<${code}>`;
  }
}

/**
 * Traces the route to `o.host`, one line per hop. Resolves to 0 once the destination (or an
 * unreachable verdict, or the hop limit, or SIGINT) is reached; setup failures throw a ToolError.
 * @internal
 */
export async function traceroute(o: TracerouteOptions): Promise<number> {
  const first_ttl = o.firstTtl ?? 1;
  const max_ttl = o.maxTtl ?? 30;
  const nprobes = o.queries ?? 3;
  const waittime = o.wait ?? 5;
  const port = o.port ?? 32768 + 666; // 33434: start of the "unlikely" UDP port range
  const packlen = o.packetLength ?? 60;
  const names = new Names(o.numeric ?? false, true);
  if (first_ttl > max_ttl) badUsage(`first ttl (${first_ttl}) may not be greater than max ttl (${max_ttl})`);
  const datalen = packlen - 20 - 8;

  let res;
  try {
    res = await getaddrinfo(o.host, null, { ai_family: AF_INET, ai_socktype: SOCK_DGRAM }, { timeout: 10_000 });
  } catch (e) {
    lookupFailed(o.host, e);
  }
  const to = new sockaddr_in((res[0]!.ai_addr as sockaddr_in).address, 0);

  let s: number; // raw ICMP socket: receives the answers
  try {
    s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  } catch (e) {
    syscallFailed('icmp socket', e);
  }
  let sndsock = -1; // UDP socket: sends the probes
  const stop = interrupted();
  try {
    // Only time-exceeded and unreachable messages are of interest.
    const filt = new icmp_filter();
    filt.data = ~((1 << ICMP_TIME_EXCEEDED) | (1 << ICMP_DEST_UNREACH)) >>> 0;
    setsockopt(s, SOL_RAW, ICMP_FILTER, filt, sizeof(filt));

    let ident: number; // our UDP source port: identifies our probes in the quoted headers
    try {
      sndsock = socket(AF_INET, SOCK_DGRAM, 0);
      bind(sndsock, new sockaddr_in('0.0.0.0', 0));
      ident = (getsockname(sndsock) as sockaddr_in).port;
    } catch (e) {
      syscallFailed('udp socket', e);
    }

    printf('traceroute to %s (%s), %d hops max, %d byte packets\n', o.host, to.address, max_ttl, packlen);

    const outdata = Buffer.alloc(datalen);
    for (let i = 0; i < datalen; i++) outdata[i] = 0x40 + (i & 0x3f);
    const packet = Buffer.alloc(512);
    const from = new sockaddr_in();
    let seq = 0;

    for (let ttl = first_ttl; ttl <= max_ttl && !stop.signal.aborted; ++ttl) {
      let lastaddr = '';
      let got_there = false;
      let unreachable = 0;
      let line = `${String(ttl).padStart(2)} `;
      setsockopt(sndsock, IPPROTO_IP, IP_TTL, ttl);
      for (let probe = 0; probe < nprobes && !stop.signal.aborted; ++probe) {
        const dport = (port + seq++) & 0xffff;
        to.port = dport;
        const t1 = performance.now();
        try {
          await sendto(sndsock, outdata, datalen, 0, to, undefined, { timeout: 5000 });
        } catch (e) {
          if (!(e instanceof SocketError)) throw e;
          line += ` ${e.code}`;
        }
        const deadline = t1 + waittime * 1000;
        let answered = false;
        while (!answered) {
          const left = deadline - performance.now();
          if (left <= 0) break;
          let cc: number;
          try {
            cc = await recvfrom(s, packet, packet.length, 0, from, undefined, { timeout: Math.max(1, Math.ceil(left)), signal: stop.signal });
          } catch (e) {
            if (stop.signal.aborted || (e instanceof SocketError && e.code === 'ETIMEDOUT')) break;
            throw e;
          }
          const t2 = performance.now();
          const r = packet_ok(packet, cc, ident, dport);
          if (r === null) continue; // someone else's ICMP, or a late answer to an earlier probe
          answered = true;
          if (from.address !== lastaddr) {
            line += ` ${await names.of(from)}`;
            lastaddr = from.address;
          }
          line += `  ${(t2 - t1).toFixed(3)} ms`;
          if (r.type === ICMP_DEST_UNREACH) {
            if (r.code === ICMP_PORT_UNREACH) got_there = true;
            else ++unreachable;
            line += unreach_mark(r.code, r.ttl);
          }
        }
        if (!answered) line += ' *';
      }
      printf('%s\n', line);
      if (got_there || (unreachable > 0 && unreachable >= nprobes - 1)) break;
    }
    return 0;
  } finally {
    stop.dispose();
    close(s);
    if (sndsock >= 0) close(sndsock);
  }
}
