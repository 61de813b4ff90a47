// ping: ICMP echo, in the manner of iputils ping(8). The `berkeley-sockets ping` subcommand and
// examples/ping.ts (iputils' own command line) both run this.
//
// A raw ICMP socket when the process may open one (root, CAP_NET_RAW); otherwise, on
// EPERM/EACCES, an unprivileged ICMP datagram socket (SOCK_DGRAM + IPPROTO_ICMP, allowed by
// net.ipv4.ping_group_range), where the kernel chooses the echo identifier and hands over
// the ICMP message without its IP header. All waiting is done with the Promise API, bounded
// by timeouts: the event loop is never blocked.
//
// Unlike iputils, the TTL (hop limit) is printed only when it can be read from the received
// IP header, i.e. on a raw IPv4 socket. The output is iputils' otherwise, one line per reply
// as it comes, and the statistics at the end (after COUNT replies, or on SIGINT/SIGTERM):
//
//   PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
//   64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms
//
//   --- 127.0.0.1 ping statistics ---
//   1 packets transmitted, 1 received, 0% packet loss, time 0ms
//   rtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms
import {
  AF_INET, AF_INET6, AI_CANONNAME, EACCES, EPERM, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_ADDR, ICMP6_DST_UNREACH_ADMIN,
  ICMP6_DST_UNREACH_BEYONDSCOPE, ICMP6_DST_UNREACH_NOPORT, ICMP6_DST_UNREACH_NOROUTE, ICMP6_ECHO_REPLY,
  ICMP6_ECHO_REQUEST, ICMP6_PACKET_TOO_BIG, ICMP6_PARAM_PROB, ICMP6_TIME_EXCEEDED, ICMP_DEST_UNREACH, ICMP_ECHO,
  ICMP_ECHOREPLY, ICMP_FILTER, ICMP_FRAG_NEEDED, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PARAMETERPROB,
  ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, ICMP_REDIRECT, ICMP_SOURCE_QUENCH, ICMP_TIME_EXCEEDED, IPPROTO_ICMP,
  IPPROTO_ICMPV6, SOCK_DGRAM, SOCK_RAW, SOL_RAW, SocketError, close, connect, fprintf,
  getsockname, htons, icmp6_hdr, icmp_filter, icmphdr, in_cksum, inet_pton, iphdr, ntohs, perror, printf,
  setsockopt, sizeof, sockaddr_in, sockaddr_in6, socket, stderr, strerror, timeval, type SocketAddress,
} from '../index.js';
import { getaddrinfo, recvfrom, sendto } from '../promises.js';
import { Names, interrupted, lookupFailed, syscallFailed } from './common.js';

/** @internal */
export const DEFDATALEN = 64 - 8; // default data length: 64 bytes of ICMP in all
/** @internal */
export const MAXPACKET = 65535 - 60 - 8;
const MAXIPLEN = 60;
const MAXICMPLEN = 76;
const MAXWAIT = 10; // seconds to wait for the last reply

/** @internal */
export interface PingOptions {
  host: string;
  /** Replies to wait for (0: until interrupted). */
  count?: number;
  /** Milliseconds between requests. */
  interval?: number;
  /** Milliseconds to wait for the last reply. */
  linger?: number;
  /** ICMP data bytes per request. */
  size?: number;
  numeric?: boolean;
  verbose?: boolean;
  /** AF_INET, AF_INET6 or 0 (either). */
  family?: number;
}

/** gettimeofday(2) as ms with µs precision (performance.now is monotonic between calls). */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** iputils' time= formatting: three significant digits or so, from µs. */
function fmt_time(triptime: number): string {
  if (triptime >= 100000 - 50) return `${Math.floor((triptime + 500) / 1000)}`;
  if (triptime >= 10000 - 5) return `${Math.floor((triptime + 50) / 1000)}.${Math.floor(((triptime + 50) % 1000) / 100)}`;
  if (triptime >= 1000) return `${Math.floor((triptime + 5) / 1000)}.${String(Math.floor(((triptime + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(triptime / 1000)}.${String(triptime % 1000).padStart(3, '0')}`;
}

/** µs as `%ld.%03ld` ms. */
function ms3(us: number): string {
  return `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, '0')}`;
}

function icmp4_error(type: number, code: number): string {
  switch (type) {
    case ICMP_DEST_UNREACH:
      switch (code) {
        case ICMP_NET_UNREACH: return 'Destination Net Unreachable';
        case ICMP_HOST_UNREACH: return 'Destination Host Unreachable';
        case ICMP_PROT_UNREACH: return 'Destination Protocol Unreachable';
        case ICMP_PORT_UNREACH: return 'Destination Port Unreachable';
        case ICMP_FRAG_NEEDED: return 'Frag needed';
        default: return `Dest Unreachable, Bad Code: ${code}`;
      }
    case ICMP_SOURCE_QUENCH: return 'Source Quench';
    case ICMP_REDIRECT: return 'Redirect';
    case ICMP_TIME_EXCEEDED: return code === 0 ? 'Time to live exceeded' : 'Frag reassembly time exceeded';
    case ICMP_PARAMETERPROB: return 'Parameter problem';
    default: return `Bad ICMP type: ${type}`;
  }
}

function icmp6_error(type: number, code: number): string {
  switch (type) {
    case ICMP6_DST_UNREACH:
      switch (code) {
        case ICMP6_DST_UNREACH_NOROUTE: return 'Destination unreachable: No route';
        case ICMP6_DST_UNREACH_ADMIN: return 'Destination unreachable: Administratively prohibited';
        case ICMP6_DST_UNREACH_BEYONDSCOPE: return 'Destination unreachable: Beyond scope of source address';
        case ICMP6_DST_UNREACH_ADDR: return 'Destination unreachable: Address unreachable';
        case ICMP6_DST_UNREACH_NOPORT: return 'Destination unreachable: Port unreachable';
        default: return `Destination unreachable: Unknown code ${code}`;
      }
    case ICMP6_PACKET_TOO_BIG: return 'Packet too big';
    case ICMP6_TIME_EXCEEDED: return 'Time exceeded: Hop limit';
    case ICMP6_PARAM_PROB: return 'Parameter problem';
    default: return `unknown icmp type: ${type}`;
  }
}

/**
 * Pings `o.host` until `o.count` replies (or errors) came, or SIGINT/SIGTERM, printing as
 * iputils does. Resolves to the exit status iputils gives: 0 when replies came, 1 when none
 * did. Setup failures throw a ToolError (`socket: Operation not permitted`).
 * @internal
 */
export async function ping(o: PingOptions): Promise<number> {
  const npackets = o.count ?? 0;
  const interval = o.interval ?? 1000;
  const lingertime = o.linger ?? MAXWAIT * 1000;
  const datalen = o.size ?? DEFDATALEN;
  const verbose = o.verbose ?? false;
  const family = o.family ?? 0;
  const timing = datalen >= timeval.size;
  const names = new Names(o.numeric ?? false);

  let ntransmitted = 0;
  let nreceived = 0;
  let nrepeats = 0;
  let nerrors = 0;
  let tmin = Number.MAX_SAFE_INTEGER;
  let tmax = 0;
  let tsum = 0;
  let tsum2 = 0;
  const rcvd_tbl = new Set<number>();
  let cur_time = 0;
  const outpack = Buffer.alloc(8 + MAXPACKET);
  const packet = Buffer.alloc(MAXIPLEN + MAXICMPLEN + MAXPACKET);

  // The destination: getaddrinfo(3) on the thread pool, as iputils resolves it.
  let res;
  try {
    res = await getaddrinfo(o.host, null, { ai_family: family, ai_socktype: SOCK_RAW, ai_flags: AI_CANONNAME }, { timeout: 10_000 });
  } catch (e) {
    lookupFailed(o.host, e);
  }
  const ai = res[0]!;
  const af = ai.ai_family;
  const whereto = ai.ai_addr as sockaddr_in | sockaddr_in6;
  const proto = af === AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  if (inet_pton(af, o.host, Buffer.alloc(16)) === 1) names.numeric = true;
  const hostname = ai.ai_canonname ?? o.host;

  // A raw socket if permitted, else an ICMP datagram ("ping") socket.
  let sock: number;
  let socktype = SOCK_RAW;
  try {
    sock = socket(af, SOCK_RAW, proto);
  } catch (e) {
    if (!(e instanceof SocketError) || (e.errno !== EPERM && e.errno !== EACCES)) throw e;
    try {
      sock = socket(af, SOCK_DGRAM, proto);
      socktype = SOCK_DGRAM;
    } catch (e2) {
      syscallFailed('socket', e2);
    }
  }
  const stop = interrupted();
  try {
    if (verbose) {
      const v4 = af === AF_INET;
      const name = socktype === SOCK_RAW ? 'SOCK_RAW' : 'SOCK_DGRAM';
      fprintf(stderr, 'ping: sock4.fd: %d (socktype: %s), sock6.fd: %d (socktype: %s), hints.ai_family: %s\n',
        v4 ? sock : -1, v4 ? name : '0', v4 ? -1 : sock, v4 ? '0' : name, family === AF_INET ? 'AF_INET' : family === AF_INET6 ? 'AF_INET6' : 'AF_UNSPEC');
    }

    // Is there a route at all? (iputils asks with a connected UDP socket, and stops here.)
    const probe = socket(af, SOCK_DGRAM, 0);
    try {
      const dst = af === AF_INET ? new sockaddr_in(whereto.address, 1025) : new sockaddr_in6(whereto.address, 1025, 0, (whereto as sockaddr_in6).sin6_scope_id);
      connect(probe, dst);
    } catch (e) {
      syscallFailed('connect', e);
    } finally {
      close(probe);
    }

    let ident = 0;
    if (socktype === SOCK_RAW) {
      ident = process.pid & 0xffff;
      if (af === AF_INET) {
        // Only what ping cares about reaches this socket (raw sockets see all ICMP).
        const filt = new icmp_filter();
        filt.data = ~((1 << ICMP_SOURCE_QUENCH) | (1 << ICMP_DEST_UNREACH) | (1 << ICMP_TIME_EXCEEDED) |
          (1 << ICMP_PARAMETERPROB) | (1 << ICMP_REDIRECT) | (1 << ICMP_ECHOREPLY)) >>> 0;
        try {
          setsockopt(sock, SOL_RAW, ICMP_FILTER, filt, sizeof(filt));
        } catch {
          perror('WARNING: setsockopt(ICMP_FILTER)');
        }
      }
    }

    /** Composes and sends one ICMP echo request (type, id, sequence, timestamp, pattern). */
    const pinger = async (): Promise<void> => {
      const seq = (ntransmitted + 1) & 0xffff;
      if (af === AF_INET) {
        const icp = new icmphdr(outpack);
        icp.type = ICMP_ECHO;
        icp.code = 0;
        icp.checksum = 0;
        icp.un.echo.sequence = htons(seq);
        icp.un.echo.id = htons(ident); // the kernel replaces it on a datagram socket
      } else {
        const icp = new icmp6_hdr(outpack);
        icp.icmp6_type = ICMP6_ECHO_REQUEST;
        icp.icmp6_code = 0;
        icp.icmp6_cksum = 0; // raw ICMPv6 sockets: the kernel computes it
        icp.icmp6_seq = htons(seq);
        icp.icmp6_id = htons(ident);
      }
      const cc = datalen + 8;
      if (timing) {
        const t = now();
        const tv = new timeval(outpack.subarray(8));
        tv.tv_sec = Math.floor(t / 1000);
        tv.tv_usec = Math.floor((t % 1000) * 1000);
      }
      if (af === AF_INET) new icmphdr(outpack).checksum = in_cksum(outpack, cc);
      rcvd_tbl.delete(seq);
      try {
        await sendto(sock, outpack, cc, 0, whereto, undefined, { timeout: 5000, signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) return;
        if (!(e instanceof SocketError)) throw e;
        fprintf(stderr, 'ping: sendmsg: %s\n', strerror(e.errno));
        nerrors++;
      }
      ntransmitted++;
      cur_time = now();
    };

    /** Prints and counts one echo reply that is ours. */
    const gather_statistics = async (icmp: number, cc: number, seq: number, ttl: number, from: SocketAddress): Promise<void> => {
      let triptime = 0;
      cur_time = now();
      const dupflag = rcvd_tbl.has(seq);
      if (dupflag) nrepeats++;
      else {
        rcvd_tbl.add(seq);
        nreceived++;
      }
      if (timing && cc >= 8 + timeval.size) {
        const tv = new timeval(packet.subarray(icmp + 8));
        triptime = Math.max(0, Math.round((cur_time - (tv.tv_sec * 1000 + tv.tv_usec / 1000)) * 1000));
        if (!dupflag) {
          tsum += triptime;
          tsum2 += triptime * triptime;
          if (triptime < tmin) tmin = triptime;
          if (triptime > tmax) tmax = triptime;
        }
      }
      let line = `${cc} bytes from ${await names.of(from)}: icmp_seq=${seq}`;
      if (verbose) line += ` ident=${ident}`;
      if (ttl >= 0) line += ` ttl=${ttl}`;
      if (timing) line += ` time=${fmt_time(triptime)} ms`;
      if (dupflag) line += ' (DUP!)';
      printf('%s\n', line);
    };

    /** Looks at one received message: an echo reply of ours, an error about one, or neither. */
    const parse_reply = async (cc: number, from: SocketAddress): Promise<void> => {
      // A raw IPv4 socket hands over the IP header too; IPv6 and datagram sockets do not.
      let hlen = 0;
      let ttl = -1;
      if (af === AF_INET && socktype === SOCK_RAW) {
        if (cc < iphdr.size) return;
        const ip = new iphdr(packet);
        hlen = ip.ihl << 2;
        ttl = ip.ttl;
      }
      if (cc - hlen < 8) {
        if (verbose) fprintf(stderr, 'ping: packet too short (%d bytes) from %s\n', cc, String(from));
        return;
      }
      const n = cc - hlen;
      if (af === AF_INET) {
        const icp = new icmphdr(packet, hlen);
        const [type, code, id, seq] = [icp.type, icp.code, ntohs(icp.un.echo.id), ntohs(icp.un.echo.sequence)];
        if (type === ICMP_ECHOREPLY) {
          if (socktype === SOCK_RAW && id !== ident) return; // another ping's reply
          return gather_statistics(hlen, n, seq, ttl, from);
        }
        if (socktype !== SOCK_RAW) return; // datagram sockets report errors through IP_RECVERR only
        // An error quoting our echo request: its IP header, then its first 8 bytes.
        const inner = hlen + 8;
        if (cc < inner + iphdr.size) return;
        const iip = new iphdr(packet, inner);
        const ihl = iip.ihl << 2;
        if (iip.protocol !== IPPROTO_ICMP || cc < inner + ihl + 8) return;
        const iicp = new icmphdr(packet, inner + ihl);
        if (iicp.type !== ICMP_ECHO || ntohs(iicp.un.echo.id) !== ident) return;
        nerrors++;
        printf('From %s icmp_seq=%d %s\n', await names.of(from), ntohs(iicp.un.echo.sequence), icmp4_error(type, code));
        return;
      }
      const icp = new icmp6_hdr(packet, hlen);
      const [type, code, id, seq] = [icp.icmp6_type, icp.icmp6_code, ntohs(icp.icmp6_id), ntohs(icp.icmp6_seq)];
      if (type === ICMP6_ECHO_REPLY) {
        if (socktype === SOCK_RAW && id !== ident) return;
        return gather_statistics(hlen, n, seq, ttl, from);
      }
      if (socktype !== SOCK_RAW || type >= 128) return; // informational messages are not errors
      // The quoted packet: a fixed IPv6 header (40 bytes), then our ICMPv6 header.
      const inner = hlen + 8 + 40;
      if (cc < inner + 8 || packet[hlen + 8 + 6] !== IPPROTO_ICMPV6) return;
      const iicp = new icmp6_hdr(packet, inner);
      if (iicp.icmp6_type !== ICMP6_ECHO_REQUEST || ntohs(iicp.icmp6_id) !== ident) return;
      nerrors++;
      printf('From %s icmp_seq=%d %s\n', await names.of(from), ntohs(iicp.icmp6_seq), icmp6_error(type, code));
    };

    if (af === AF_INET) printf('PING %s (%s) %d(%d) bytes of data.\n', hostname, whereto.address, datalen, datalen + 8 + 20);
    else printf('PING %s(%s) %d data bytes\n', hostname, whereto.address, datalen);

    // The main loop: send when due, otherwise wait for a reply until the next thing is due.
    const start_time = (cur_time = now());
    let next_send = start_time;
    let last_send = start_time;
    const from = af === AF_INET ? new sockaddr_in() : new sockaddr_in6();
    while (!stop.signal.aborted) {
      let t = now();
      if ((npackets === 0 || ntransmitted < npackets) && t >= next_send) {
        await pinger();
        if (socktype === SOCK_DGRAM && ident === 0) ident = (getsockname(sock) as sockaddr_in).port;
        last_send = now();
        next_send += interval;
        if (next_send < last_send) next_send = last_send;
        continue;
      }
      if (npackets && nreceived + nerrors >= npackets) break;
      const deadline = npackets && ntransmitted >= npackets ? last_send + lingertime : next_send;
      t = now();
      if (t >= deadline) {
        if (npackets && ntransmitted >= npackets) break;
        continue;
      }
      let cc: number;
      try {
        cc = await recvfrom(sock, packet, packet.length, 0, from, undefined, { timeout: Math.max(1, Math.ceil(deadline - t)), signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) break;
        if (!(e instanceof SocketError)) throw e;
        if (e.code !== 'ETIMEDOUT' && verbose) fprintf(stderr, 'ping: recvmsg: %s\n', strerror(e.errno));
        continue;
      }
      await parse_reply(cc, from);
    }

    // The statistics.
    printf('\n--- %s ping statistics ---\n', hostname);
    let line = `${ntransmitted} packets transmitted, ${nreceived} received`;
    if (nrepeats) line += `, +${nrepeats} duplicates`;
    if (nerrors) line += `, +${nerrors} errors`;
    if (ntransmitted) {
      const loss = ((ntransmitted - nreceived) * 100) / ntransmitted;
      line += `, ${Number(loss.toPrecision(6))}% packet loss`;
      line += `, time ${Math.round(Math.max(0, cur_time - start_time))}ms`;
    }
    printf('%s\n', line);
    if (nreceived && timing) {
      const avg = tsum / nreceived;
      const mdev = Math.sqrt(Math.max(0, tsum2 / nreceived - avg * avg));
      printf('rtt min/avg/max/mdev = %s/%s/%s/%s ms\n', ms3(tmin), ms3(Math.floor(avg)), ms3(tmax), ms3(Math.floor(mdev)));
    } else {
      printf('\n');
    }
    return nreceived ? 0 : 1;
  } finally {
    stop.dispose();
    close(sock);
  }
}
