// sniff: a packet sniffer on an AF_PACKET socket, printing one line per frame in the manner
// of `tcpdump -n -S` (absolute TCP sequence numbers). The `berkeley-sockets sniff` subcommand
// and examples/sniff.ts run this.
//
// socket(AF_PACKET, SOCK_RAW, 0) receives nothing until bind() names the protocol
// (htons(ETH_P_ALL)) and the interface (sockaddr_ll.sll_ifindex; 0 = every interface), so
// no frame of another interface slips in before the bind. With an interface, it is put in
// promiscuous mode (PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC) unless told not to.
//
//   12:00:00.000000 IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 5
//   12:00:00.000100 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64
//   12:00:00.000200 IP 1.2.3.4.80 > 5.6.7.8.1234: Flags [S.], seq 1, ack 2, win 65483, options [mss 65495], length 0
//   12:00:00.000300 IP6 ::1.5000 > ::1.6000: UDP, length 5
//
// Like tcpdump (libpcap), a loopback packet is shown once, not once out and once in.
// Like tcpdump, "listening on …" goes to stderr once the socket is ready, and the count
// ("N packets captured") goes to stderr at the end: after COUNT frames, or on SIGINT/SIGTERM;
// with `byProtocol`, a line of counts by protocol follows it.
import { readFileSync } from 'node:fs';
import {
  AF_INET6, AF_PACKET, ETH_P_ALL, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6,
  ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOPORT, ICMP6_ECHO_REPLY, ICMP6_ECHO_REQUEST, ICMP6_TIME_EXCEEDED,
  ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH, ICMP_NET_UNREACH,
  ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, ICMP_TIME_EXCEEDED, IPPROTO_DSTOPTS, IPPROTO_HOPOPTS, IPPROTO_ICMP,
  IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC, PACKET_OUTGOING, SOCK_RAW, SOL_PACKET,
  ARPHRD_ETHER, ARPHRD_LOOPBACK, SocketError, TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG, bind, close, ethhdr, fprintf, htons, icmp6_hdr,
  icmphdr, if_nametoindex, inet_ntop, ip6_hdr, iphdr, ntohl, ntohs, packet_mreq, perror, printf, setsockopt,
  sizeof, sockaddr_ll, socket, stderr, tcphdr, udphdr,
} from '../index.js';
import { recvfrom } from '../promises.js';
import { ToolError, interrupted, syscallFailed } from './common.js';

/** @internal */
export const SNAPLEN = 262144;
// The ECN flags (RFC 3168): glibc's <netinet/tcp.h> has no TH_ names for them.
const TH_ECE = 0x40;
const TH_CWR = 0x80;

/** HH:MM:SS.uuuuuu, local time, as tcpdump prints it. */
function ts_format(t: number): string {
  const d = new Date(Math.floor(t));
  const us = Math.floor((t % 1000) * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(us).padStart(6, '0')}`;
}

const mac = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip4 = (b: Uint8Array, off: number): string => `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
const ip6 = (b: Uint8Array, off: number): string => inet_ntop(AF_INET6, b.subarray(off, off + 16));

// ---------------------------------------------------------------------------------------
// transport

/** The TCP flags as tcpdump shows them: [S], [S.], [P.], [F.], [R.]… */
function tcp_flags(f: number): string {
  let s = '';
  const bits: [number, string][] = [[TH_FIN, 'F'], [TH_SYN, 'S'], [TH_RST, 'R'], [TH_PUSH, 'P'], [TH_ACK, '.'], [TH_URG, 'U'], [TH_ECE, 'E'], [TH_CWR, 'W']];
  for (const [bit, c] of bits) if (f & bit) s += c;
  return s === '' ? 'none' : s;
}

/** TCP options, tcpdump style: mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7. */
function tcp_options(b: Buffer, off: number, end: number): string {
  const out: string[] = [];
  while (off < end) {
    const kind = b[off]!;
    if (kind === 0) {
      out.push('eol');
      break;
    }
    if (kind === 1) {
      out.push('nop');
      off++;
      continue;
    }
    const len = b[off + 1] ?? 0;
    if (len < 2 || off + len > end) {
      out.push(`bad opt`);
      break;
    }
    switch (kind) {
      case 2: out.push(`mss ${b.readUInt16BE(off + 2)}`); break;
      case 3: out.push(`wscale ${b[off + 2]}`); break;
      case 4: out.push('sackOK'); break;
      case 5: {
        const blocks: string[] = [];
        for (let p = off + 2; p + 8 <= off + len; p += 8) blocks.push(`{${b.readUInt32BE(p)}:${b.readUInt32BE(p + 4)}}`);
        out.push(`sack ${blocks.length} ${blocks.join('')}`);
        break;
      }
      case 8: out.push(`TS val ${b.readUInt32BE(off + 2)} ecr ${b.readUInt32BE(off + 6)}`); break;
      default: out.push(`unknown-${kind}`);
    }
    off += len;
  }
  return out.join(',');
}

function tcp_print(b: Buffer, off: number, length: number, src: string, dst: string): string {
  if (length < tcphdr.size) return `${src} > ${dst}: tcp ${length} [bad hdr length]`;
  const tp = new tcphdr(b, off);
  const hlen = tp.doff * 4;
  const sport = ntohs(tp.source);
  const dport = ntohs(tp.dest);
  if (hlen < tcphdr.size || hlen > length) return `${src}.${sport} > ${dst}.${dport}: tcp ${length} [bad hdr length ${hlen}]`;
  const flags = tp.th_flags;
  const seq = ntohl(tp.seq);
  const datalen = length - hlen;
  let s = `${src}.${sport} > ${dst}.${dport}: Flags [${tcp_flags(flags)}]`;
  if (datalen > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
    s += `, seq ${seq}`;
    if (datalen > 0) s += `:${(seq + datalen) >>> 0}`;
  }
  if (flags & TH_ACK) s += `, ack ${ntohl(tp.ack_seq)}`;
  s += `, win ${ntohs(tp.window)}`;
  if (flags & TH_URG) s += `, urg ${ntohs(tp.urg_ptr)}`;
  if (hlen > tcphdr.size) s += `, options [${tcp_options(b, off + tcphdr.size, off + hlen)}]`;
  return `${s}, length ${datalen}`;
}

function udp_print(b: Buffer, off: number, length: number, src: string, dst: string): string {
  if (length < udphdr.size) return `${src} > ${dst}: udp [bad length ${length}]`;
  const up = new udphdr(b, off);
  const ulen = ntohs(up.len);
  const head = `${src}.${ntohs(up.source)} > ${dst}.${ntohs(up.dest)}:`;
  if (ulen < udphdr.size || ulen > length) return `${head} UDP, bad length ${ulen} > ${length}`;
  return `${head} UDP, length ${ulen - udphdr.size}`;
}

// ---------------------------------------------------------------------------------------
// network

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply', 3: 'unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request', 9: 'router advertisement',
  10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem', 13: 'time stamp request',
  14: 'time stamp reply', 17: 'address mask request', 18: 'address mask reply',
};

function icmp_print(b: Buffer, off: number, length: number): string {
  if (length < icmphdr.size) return `ICMP, length ${length} [|icmp]`;
  const icp = new icmphdr(b, off);
  let s: string;
  switch (icp.type) {
    case ICMP_ECHO:
    case ICMP_ECHOREPLY:
      s = `${icp.type === ICMP_ECHO ? 'echo request' : 'echo reply'}, id ${ntohs(icp.un.echo.id)}, seq ${ntohs(icp.un.echo.sequence)}`;
      break;
    case ICMP_DEST_UNREACH: {
      // The quoted datagram: its IP header, then its first 8 bytes.
      const q = off + icmphdr.size;
      if (length < icmphdr.size + iphdr.size) {
        s = 'unreachable';
        break;
      }
      const oip = new iphdr(b, q);
      const dst = ip4(b, q + 16);
      const ohl = oip.ihl * 4;
      switch (icp.code) {
        case ICMP_NET_UNREACH: s = `net ${dst} unreachable`; break;
        case ICMP_HOST_UNREACH: s = `host ${dst} unreachable`; break;
        case ICMP_PROT_UNREACH: s = `${dst} protocol ${oip.protocol} unreachable`; break;
        case ICMP_PORT_UNREACH: {
          const proto = oip.protocol === IPPROTO_UDP ? 'udp' : oip.protocol === IPPROTO_TCP ? 'tcp' : `ip-proto-${oip.protocol}`;
          const dport = length >= icmphdr.size + ohl + 4 ? b.readUInt16BE(q + ohl + 2) : 0;
          s = `${dst} ${proto} port ${dport} unreachable`;
          break;
        }
        case ICMP_FRAG_NEEDED: s = `${dst} unreachable - need to frag (mtu ${ntohs(icp.un.frag.mtu)})`; break;
        default: s = `${dst} unreachable - code ${icp.code}`;
      }
      break;
    }
    case ICMP_TIME_EXCEEDED:
      s = icp.code === 0 ? 'time exceeded in-transit' : 'ip reassembly time exceeded';
      break;
    default:
      s = ICMP_TYPES[icp.type] ?? `type-#${icp.type}`;
  }
  return `ICMP ${s}, length ${length}`;
}

const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 143: 'multicast listener report v2',
};

function icmp6_print(b: Buffer, off: number, length: number): string {
  if (length < icmp6_hdr.size) return `ICMP6, length ${length} [|icmp6]`;
  const icp = new icmp6_hdr(b, off);
  const name = ICMP6_TYPES[icp.icmp6_type] ?? `unknown icmp6 type (${icp.icmp6_type})`;
  let s = name;
  switch (icp.icmp6_type) {
    case ICMP6_ECHO_REQUEST:
    case ICMP6_ECHO_REPLY:
      s += `, id ${ntohs(icp.icmp6_id)}, seq ${ntohs(icp.icmp6_seq)}`;
      break;
    case ICMP6_DST_UNREACH:
      if (icp.icmp6_code === ICMP6_DST_UNREACH_NOPORT && length >= 8 + 40 + 4) {
        const q = off + 8;
        const nxt = b[q + 6];
        const proto = nxt === IPPROTO_UDP ? 'udp' : nxt === IPPROTO_TCP ? 'tcp' : `ip-proto-${nxt}`;
        s += `, unreachable port, ${ip6(b, q + 24)} ${proto} port ${b.readUInt16BE(q + 40 + 2)}`;
      }
      break;
    case ICMP6_TIME_EXCEEDED:
      if (length >= 8 + 40) s += ` for ${ip6(b, off + 8 + 24)}`;
      break;
    case 135:
      if (length >= 24) s += `, who has ${ip6(b, off + 8)}`;
      break;
    case 136:
      if (length >= 24) s += `, tgt is ${ip6(b, off + 8)}`;
      break;
  }
  return `ICMP6, ${s}, length ${length}`;
}

function ip_print(b: Buffer, off: number, caplen: number): string {
  if (caplen < iphdr.size) return `IP truncated-ip ${caplen}`;
  const ip = new iphdr(b, off);
  if (ip.version !== 4) return `IP bad-version ${ip.version}`;
  const hlen = ip.ihl * 4;
  const len = Math.min(ntohs(ip.tot_len), caplen); // ignore Ethernet padding
  const src = ip.saddrText;
  const dst = ip.daddrText;
  const fragoff = ntohs(ip.frag_off) & 0x1fff;
  const payload = len - hlen;
  if (hlen < iphdr.size || payload < 0) return `IP ${src} > ${dst}: [bad hdr length ${hlen}]`;
  if (fragoff !== 0) return `IP ${src} > ${dst}: ip-proto-${ip.protocol}`;
  const p = off + hlen;
  switch (ip.protocol) {
    case IPPROTO_UDP: return `IP ${udp_print(b, p, payload, src, dst)}`;
    case IPPROTO_TCP: return `IP ${tcp_print(b, p, payload, src, dst)}`;
    case IPPROTO_ICMP: return `IP ${src} > ${dst}: ${icmp_print(b, p, payload)}`;
    default: return `IP ${src} > ${dst}: ip-proto-${ip.protocol} ${payload}`;
  }
}

/** Past the hop-by-hop and destination options (named, as tcpdump names them) to the upper layer. */
function ip6_upper(b: Buffer, off: number, caplen: number): { nxt: number; p: number; len: number; ext: string } {
  const ip6h = new ip6_hdr(b, off);
  let nxt = ip6h.ip6_nxt;
  let p = off + ip6_hdr.size;
  let len = Math.min(ntohs(ip6h.ip6_plen), caplen - ip6_hdr.size);
  let ext = '';
  while ((nxt === IPPROTO_HOPOPTS || nxt === IPPROTO_DSTOPTS) && len >= 8) {
    const hl = (b[p + 1]! + 1) * 8;
    ext += nxt === IPPROTO_HOPOPTS ? 'HBH ' : 'DSTOPT ';
    nxt = b[p]!;
    p += hl;
    len -= hl;
  }
  return { nxt, p, len, ext };
}

function ip6_print(b: Buffer, off: number, caplen: number): string {
  if (caplen < ip6_hdr.size) return `IP6 truncated-ip6 ${caplen}`;
  const ip6h = new ip6_hdr(b, off);
  const src = ip6h.ip6_src.address;
  const dst = ip6h.ip6_dst.address;
  const { nxt, p, len, ext } = ip6_upper(b, off, caplen);
  switch (nxt) {
    case IPPROTO_UDP: return `IP6 ${udp_print(b, p, len, src, dst)}`;
    case IPPROTO_TCP: return `IP6 ${tcp_print(b, p, len, src, dst)}`;
    case IPPROTO_ICMPV6: return `IP6 ${src} > ${dst}: ${ext}${icmp6_print(b, p, len)}`;
    default: return `IP6 ${src} > ${dst}: ${ext}ip-proto-${nxt} ${len}`;
  }
}

function arp_print(b: Buffer, off: number, length: number): string {
  if (length < 28) return `ARP, truncated, length ${length}`;
  const op = b.readUInt16BE(off + 6);
  const sha = b.subarray(off + 8, off + 14);
  const spa = ip4(b, off + 14);
  const tha = b.subarray(off + 18, off + 24);
  const tpa = ip4(b, off + 24);
  if (op === 1) {
    const known = tha.some((x) => x !== 0) ? ` (${mac(tha)})` : '';
    return `ARP, Request who-has ${tpa}${known} tell ${spa}, length ${length}`;
  }
  if (op === 2) return `ARP, Reply ${spa} is-at ${mac(sha)}, length ${length}`;
  return `ARP, op ${op}, length ${length}`;
}

/** The network protocol (an ethertype) of a frame and where its header starts; null if cut short. */
function link(b: Buffer, from: sockaddr_ll, n: number): { proto: number; off: number } | null {
  if (from.sll_hatype !== ARPHRD_ETHER && from.sll_hatype !== ARPHRD_LOOPBACK) return { proto: ntohs(from.sll_protocol), off: 0 };
  if (n < ethhdr.size) return null;
  return { proto: ntohs(new ethhdr(b).h_proto), off: ethhdr.size };
}

/** One frame: the link header (when the device has Ethernet framing), then the network layer. */
function print_frame(b: Buffer, from: sockaddr_ll, n: number): string {
  const l = link(b, from, n);
  if (l === null) return `[|ether] length ${n}`;
  const len = n - l.off;
  switch (l.proto) {
    case ETH_P_IP: return ip_print(b, l.off, len);
    case ETH_P_IPV6: return ip6_print(b, l.off, len);
    case ETH_P_ARP: return arp_print(b, l.off, len);
    default: return `ethertype Unknown (0x${l.proto.toString(16).padStart(4, '0')}), length ${n}`;
  }
}

const TRANSPORTS: Record<number, string> = { [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp', [IPPROTO_ICMP]: 'icmp', [IPPROTO_ICMPV6]: 'icmp6' };

/** What a frame carries, for the counts at the end: tcp, udp, icmp, icmp6, arp, ip, ip6 or other. */
function frame_kind(b: Buffer, from: sockaddr_ll, n: number): string {
  const l = link(b, from, n);
  if (l?.proto === ETH_P_IP && n - l.off >= iphdr.size) return TRANSPORTS[new iphdr(b, l.off).protocol] ?? 'ip';
  if (l?.proto === ETH_P_IPV6 && n - l.off >= ip6_hdr.size) return TRANSPORTS[ip6_upper(b, l.off, n - l.off).nxt] ?? 'ip6';
  return l?.proto === ETH_P_ARP ? 'arp' : 'other';
}

/** @internal */
export interface SniffOptions {
  /** An interface name; undefined or 'any': every interface. */
  device?: string | undefined;
  /** Frames to capture (0: until interrupted). */
  count?: number;
  /** Promiscuous mode on the interface (default true). */
  promisc?: boolean;
  /** After the count, a line of counts by protocol. */
  byProtocol?: boolean;
}

/**
 * Captures and prints frames until `o.count` were seen or SIGINT/SIGTERM; then prints the
 * count to stderr and resolves to 0. Setup failures throw a ToolError.
 * @internal
 */
export async function sniff(o: SniffOptions): Promise<number> {
  const count = o.count ?? 0;
  const device = o.device;
  let ifindex = 0;
  if (device !== undefined && device !== 'any') {
    try {
      ifindex = if_nametoindex(device);
    } catch (e) {
      throw new ToolError(device, 'No such device exists', e instanceof SocketError ? e : undefined);
    }
  }

  // Protocol 0 at socket(): nothing is queued until bind() says which frames we want.
  let sock: number;
  try {
    sock = socket(AF_PACKET, SOCK_RAW, 0);
  } catch (e) {
    syscallFailed('socket', e);
  }
  let captured = 0;
  const byKind = new Map<string, number>();
  const stop = interrupted();
  try {
    const sll = new sockaddr_ll();
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    try {
      bind(sock, sll, sizeof(sll));
    } catch (e) {
      syscallFailed('bind', e);
    }
    if (ifindex !== 0 && (o.promisc ?? true)) {
      const mr = new packet_mreq();
      mr.mr_ifindex = ifindex;
      mr.mr_type = PACKET_MR_PROMISC;
      try {
        setsockopt(sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mr, sizeof(mr));
      } catch {
        perror('sniff: setsockopt(PACKET_ADD_MEMBERSHIP)');
      }
    }

    let linktype = 'EN10MB (Ethernet)';
    if (ifindex !== 0) {
      try {
        const type = Number(readFileSync(`/sys/class/net/${device}/type`, 'utf8'));
        if (type !== ARPHRD_ETHER && type !== ARPHRD_LOOPBACK) linktype = 'RAW (Raw IP)';
      } catch {
        // no sysfs: assume Ethernet
      }
    } else linktype = 'LINUX_SLL (Linux cooked v1)';
    fprintf(stderr, 'listening on %s, link-type %s, snapshot length %d bytes\n', device ?? 'any', linktype, SNAPLEN);

    const buf = Buffer.alloc(SNAPLEN);
    const from = new sockaddr_ll();
    while (count === 0 || captured < count) {
      let n: number;
      try {
        n = await recvfrom(sock, buf, buf.length, 0, from, undefined, { signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) break;
        if (e instanceof SocketError && (e.code === 'EINTR' || e.code === 'ENETDOWN')) continue;
        throw e;
      }
      const t = performance.timeOrigin + performance.now();
      // On loopback every packet passes twice, going out and coming in: keep one, as libpcap does.
      if (from.sll_hatype === ARPHRD_LOOPBACK && from.sll_pkttype === PACKET_OUTGOING) continue;
      captured++;
      if (o.byProtocol) {
        const kind = frame_kind(buf, from, n);
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      printf('%s %s\n', ts_format(t), print_frame(buf, from, n));
    }
  } finally {
    stop.dispose();
    close(sock);
  }
  fprintf(stderr, '%d packets captured\n', captured);
  if (o.byProtocol && captured > 0) {
    const counts = [...byKind].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    fprintf(stderr, 'by protocol: %s\n', counts.map(([k, v]) => `${k} ${v}`).join(', '));
  }
  return 0;
}
