// traceroute: the route packets take to a host, in the manner of Van Jacobson's
// traceroute(8), ported to TypeScript.
// usage: traceroute.ts [-n] [-f FIRST_TTL] [-m MAXHOPS] [-q QUERIES] [-w WAIT] [-p PORT] HOST [PACKETLEN]
//
// UDP probes go to ports 33434 and up with an increasing IP_TTL; each router on the way
// answers with an ICMP time-exceeded, and the destination with port-unreachable. Those
// arrive on a raw ICMP socket, which sees every ICMP message of the host: a reply is ours
// when the UDP header it quotes carries our source port and the probe's destination port.
// Waiting is done with the Promise API, each probe bounded by WAIT seconds.
//
//   traceroute to 10.0.0.2 (10.0.0.2), 30 hops max, 60 byte packets
//    1  10.0.0.1  0.123 ms  0.100 ms  0.090 ms
//    2  10.0.0.2  0.200 ms  0.150 ms  0.140 ms
//
// IPv4 only. Needs a raw socket (root or CAP_NET_RAW).
import { exit } from 'node:process';
import {
  AF_INET, ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FILTER, ICMP_FRAG_NEEDED, ICMP_HOST_ANO, ICMP_HOST_UNREACH,
  ICMP_HOST_UNR_TOS, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_NET_UNR_TOS, ICMP_PKT_FILTERED, ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH, ICMP_SR_FAILED, ICMP_TIME_EXCEEDED, IPPROTO_ICMP, IPPROTO_IP, IPPROTO_UDP, IP_TTL, NI_NAMEREQD,
  SOCK_DGRAM, SOCK_RAW, SOL_RAW, SocketError, bind, close, fprintf, getsockname, icmp_filter, icmphdr, iphdr, ntohs,
  perror, printf, setsockopt, sizeof, sockaddr_in, socket, stderr, udphdr,
  getopt,
} from '../lib/index.js';
import { getaddrinfo, getnameinfo, recvfrom, sendto } from '../lib/promises.js';

const MAXPACKET = 65535 - 20 - 8;

// options
let first_ttl = 1;
let max_ttl = 30;
let nprobes = 3;
let waittime = 5; // seconds
let port = 32768 + 666; // 33434: start of the "unlikely" UDP port range
let nflag = false;
let packlen = 60; // IP + UDP + data

let s = -1; // raw ICMP socket: receives the answers
let sndsock = -1; // UDP socket: sends the probes
let ident = 0; // our UDP source port
const packet = Buffer.alloc(512);
const names = new Map<string, string>();

function usage(): never {
  fprintf(stderr, 'Usage: traceroute [-n] [-f first_ttl] [-m max_ttl] [-q nqueries] [-w waittime] [-p port] host [packetlen]\n');
  exit(2);
}

function number(text: string, what: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    fprintf(stderr, 'traceroute: %s must be >= %d and <= %d (got \'%s\')\n', what, min, max, text);
    exit(2);
  }
  return v;
}

/** The address, or `name (address)` unless -n. */
async function inetname(from: sockaddr_in): Promise<string> {
  const addr = from.address;
  if (nflag) return addr;
  let name = names.get(addr);
  if (name === undefined) {
    try {
      name = (await getnameinfo(from, NI_NAMEREQD, { timeout: 2000 })).host;
    } catch {
      name = addr;
    }
    names.set(addr, name);
  }
  return `${name} (${addr})`;
}

/**
 * Is this ICMP message the answer to the probe sent to port `dport`? Returns the ICMP type
 * and code, or null. The message quotes the probe's IP header and its first 8 bytes (our
 * UDP header), which is what identifies it.
 */
function packet_ok(cc: number, dport: number): { type: number; code: number; ttl: number } | null {
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

async function main(argc: number, argv: string[]): Promise<number> {
  const { opts, operands } = getopt(argv.slice(1, argc), 'nf:m:q:w:p:', usage);
  for (const [c, arg] of opts) {
    switch (c) {
      case 'n': nflag = true; break;
      case 'f': first_ttl = number(arg!, 'first ttl', 1, 255); break;
      case 'm': max_ttl = number(arg!, 'max ttl', 1, 255); break;
      case 'q': nprobes = number(arg!, 'nprobes', 1, 10); break;
      case 'w': waittime = number(arg!, 'wait time', 0.001, 86400); break;
      case 'p': port = number(arg!, 'port', 1, 65535); break;
      default: usage();
    }
  }
  if (operands.length < 1 || operands.length > 2) usage();
  if (first_ttl > max_ttl) {
    fprintf(stderr, 'traceroute: first ttl (%d) may not be greater than max ttl (%d)\n', first_ttl, max_ttl);
    exit(2);
  }
  const host = operands[0]!;
  if (operands[1] !== undefined) packlen = number(operands[1], 'packet length', 28, MAXPACKET + 28);
  const datalen = packlen - 20 - 8;

  let res;
  try {
    res = await getaddrinfo(host, null, { ai_family: AF_INET, ai_socktype: SOCK_DGRAM }, { timeout: 10_000 });
  } catch (e) {
    const text = /\(([^)]*)\)$/.exec((e as Error).message)?.[1] ?? (e as Error).message;
    fprintf(stderr, 'traceroute: %s: %s\n', host, text);
    exit(2);
  }
  const to = new sockaddr_in((res[0]!.ai_addr as sockaddr_in).address, 0);

  try {
    s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  } catch {
    perror('traceroute: icmp socket');
    exit(2);
  }
  // Only time-exceeded and unreachable messages are of interest.
  const filt = new icmp_filter();
  filt.data = ~((1 << ICMP_TIME_EXCEEDED) | (1 << ICMP_DEST_UNREACH)) >>> 0;
  setsockopt(s, SOL_RAW, ICMP_FILTER, filt, sizeof(filt));

  try {
    sndsock = socket(AF_INET, SOCK_DGRAM, 0);
    // Our own source port identifies our probes in the quoted headers.
    bind(sndsock, new sockaddr_in('0.0.0.0', 0));
    ident = (getsockname(sndsock) as sockaddr_in).port;
  } catch {
    perror('traceroute: udp socket');
    exit(2);
  }

  printf('traceroute to %s (%s), %d hops max, %d byte packets\n', host, to.address, max_ttl, packlen);

  const outdata = Buffer.alloc(datalen);
  for (let i = 0; i < datalen; i++) outdata[i] = 0x40 + (i & 0x3f);
  const from = new sockaddr_in();
  let seq = 0;

  for (let ttl = first_ttl; ttl <= max_ttl; ++ttl) {
    let lastaddr = '';
    let got_there = false;
    let unreachable = 0;
    let line = `${String(ttl).padStart(2)} `;
    setsockopt(sndsock, IPPROTO_IP, IP_TTL, ttl);
    for (let probe = 0; probe < nprobes; ++probe) {
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
          cc = await recvfrom(s, packet, packet.length, 0, from, undefined, { timeout: Math.max(1, Math.ceil(left)) });
        } catch (e) {
          if (e instanceof SocketError && e.code === 'ETIMEDOUT') break;
          throw e;
        }
        const t2 = performance.now();
        const r = packet_ok(cc, dport);
        if (r === null) continue; // someone else's ICMP, or a late answer to an earlier probe
        answered = true;
        if (from.address !== lastaddr) {
          line += ` ${await inetname(from)}`;
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
  close(s);
  close(sndsock);
  return 0;
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
main(argv.length, argv).then((code) => exit(code), (e: unknown) => {
  fprintf(stderr, 'traceroute: %s\n', e instanceof Error ? e.message : String(e));
  exit(2);
});
