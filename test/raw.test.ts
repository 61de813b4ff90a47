// Raw sockets, packet sockets and hand-built headers against the real kernel (root with
// CAP_NET_RAW; skipped otherwise): ICMP/ICMPv6 echo, ICMP_FILTER, IPV6_CHECKSUM, IP_TTL /
// IPV6_UNICAST_HOPS, IP_HDRINCL UDP and TCP SYN with our checksums (the kernel accepting
// them is the check), AF_PACKET on lo, and the unprivileged view (EPERM; ping sockets inside
// a private network namespace). Only loopback or our own namespace is touched; every reply
// is matched by id/seq/ports and a unique payload, every receive loop is bounded, every fd
// closed.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as P from '../lib/promises.js';
import {
  AF_INET, AF_INET6, AF_PACKET, SOCK_RAW, SOCK_DGRAM, SOCK_STREAM, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_RAW,
  IPPROTO_TCP, IPPROTO_UDP, IPPROTO_IP, IPPROTO_IPV6, SOL_SOCKET, SO_RCVTIMEO, SO_RCVBUF, SO_RCVBUFFORCE, SOL_RAW,
  SOL_PACKET,
  ICMP_ECHO, ICMP_ECHOREPLY, ICMP_FILTER, ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY, IPV6_CHECKSUM, IP_TTL,
  IPV6_UNICAST_HOPS, ETH_P_ALL, ETH_P_IP, ETH_P_IPV6, PACKET_ADD_MEMBERSHIP, PACKET_DROP_MEMBERSHIP,
  PACKET_MR_PROMISC, IFF_PROMISC, TH_SYN, TH_ACK, TH_RST, MSG_PEEK,
  iphdr, icmphdr, icmp6_hdr, udphdr, tcphdr, ethhdr, ip6_hdr, icmp_filter, packet_mreq,
  sockaddr_in, sockaddr_in6, sockaddr_ll, timeval,
  in_cksum, pseudo_checksum, udp4_checksum, tcp4_checksum, htons, htonl, ntohs, ntohl,
} from '../lib/index.js';
import { closeAll, expectSocketError, hasIPv6, hasRaw, scope, type Opener } from './helpers.js';

const GUARD = new timeval({ tv_sec: 2, tv_usec: 0 });
const SHORT = new timeval({ tv_sec: 0, tv_usec: 300_000 });
/** Upper bound on datagrams examined by the count-bounded loops (drain, ping replies). */
const MAX_PACKETS = 5000;
/**
 * How long recvUntil() looks for its datagram. Bounded by time, not by a count of datagrams:
 * a socket that sees all of loopback (AF_PACKET with ETH_P_ALL, raw TCP) may have thousands
 * of other processes' frames queued ahead of ours, the more so when this process is slow
 * (sanitizers, valgrind) and other suites run beside it.
 */
const MATCH_DEADLINE_MS = 10_000;
/** recvUntil() with a `resend` sends the datagram of interest again at this interval. */
const RESEND_MS = 250;
/** Vitest timeout for a test with up to two recvUntil() calls: both deadlines, and slack. */
const MATCH_TEST_TIMEOUT_MS = 2 * MATCH_DEADLINE_MS + 10_000;
const BIG = 65536 + 256;

let counter = 0;
/** A payload no other test (or run) sends. */
const unique = (tag: string): Buffer => Buffer.from(`bsock-${tag}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 10)}`);
const randomU16 = (): number => 1 + Math.floor(Math.random() * 0xfffe);
const randomU32 = (): number => Math.floor(Math.random() * 0x100000000) >>> 0;
const defaultTtl = Number(readFileSync('/proc/sys/net/ipv4/ip_default_ttl', 'utf8').trim());

/** A socket with the receive guard, registered for closing. */
function sock(open: Opener, domain: number, type: number, protocol: number): number {
  return open(bs.socket(domain, type, protocol));
}

/**
 * recvfrom() until `match` returns a result for the received bytes, examining every datagram
 * for up to MATCH_DEADLINE_MS, each wait bounded by the socket's SO_RCVTIMEO (EAGAIN fails
 * the test). With `resend`, which sends the very datagram `match` looks for (same unique
 * payload) again, it is called every RESEND_MS until that datagram is seen, and EAGAIN means
 * "send it again" instead of failing: a packet socket's receive queue that other traffic has
 * filled drops our frame rather than queueing it.
 */
function recvUntil<T>(
  fd: number, buf: Buffer, match: (n: number) => T | undefined, from?: bs.SocketAddress, resend?: () => void,
): T {
  const deadline = Date.now() + MATCH_DEADLINE_MS;
  let sentAt = Date.now();
  let examined = 0;
  while (Date.now() < deadline) {
    if (resend && Date.now() - sentAt >= RESEND_MS) {
      resend();
      sentAt = Date.now();
    }
    let n: number;
    try {
      n = bs.recvfrom(fd, buf, buf.length, 0, from ?? null);
    } catch (e) {
      if (resend && e instanceof bs.SocketError && e.code === 'EAGAIN') continue;
      throw e;
    }
    examined++;
    const r = match(n);
    if (r !== undefined) return r;
  }
  throw new Error(`no matching packet among ${examined} in ${MATCH_DEADLINE_MS} ms`);
}

/** Every datagram until the socket's SO_RCVTIMEO passes with nothing more (bounded). */
function drain<T>(fd: number, buf: Buffer, pick: (n: number) => T | undefined): T[] {
  const out: T[] = [];
  for (let i = 0; i < MAX_PACKETS; i++) {
    let n: number;
    try {
      n = bs.recv(fd, buf, buf.length, 0);
    } catch (e) {
      if (e instanceof bs.SocketError && e.code === 'EAGAIN') return out;
      throw e;
    }
    const r = pick(n);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** An ICMP echo request (header + payload) with its checksum. */
function echoRequest(id: number, seq: number, payload: Buffer): Buffer {
  const pkt = Buffer.alloc(icmphdr.size + payload.length);
  const icmp = new icmphdr(pkt);
  icmp.type = ICMP_ECHO;
  icmp.code = 0;
  icmp.un.echo.id = htons(id);
  icmp.un.echo.sequence = htons(seq);
  payload.copy(pkt, icmphdr.size);
  icmp.checksum = in_cksum(pkt, pkt.length);
  return pkt;
}

/** An ICMPv6 echo request; the kernel fills in the checksum on raw ICMPv6 sockets. */
function echo6Request(id: number, seq: number, payload: Buffer): Buffer {
  const pkt = Buffer.alloc(icmp6_hdr.size + payload.length);
  const h = new icmp6_hdr(pkt);
  h.icmp6_type = ICMP6_ECHO_REQUEST;
  h.icmp6_id = htons(id);
  h.icmp6_seq = htons(seq);
  payload.copy(pkt, icmp6_hdr.size);
  return pkt;
}

interface Icmp4Seen {
  ip: iphdr;
  icmp: icmphdr;
  payload: Buffer;
  bytes: Buffer;
}

/** Parses an IPv4 datagram from a raw socket: ICMP with our id/seq/payload, or undefined. */
function parseIcmp4(buf: Buffer, n: number, id: number, seq: number, payload: Buffer): Icmp4Seen | undefined {
  const bytes = Buffer.from(buf.subarray(0, n)); // a copy: the buffer is reused
  if (n < iphdr.size) return undefined;
  const ip = new iphdr(bytes);
  const hl = ip.ihl * 4;
  if (ip.protocol !== IPPROTO_ICMP || n < hl + icmphdr.size) return undefined;
  const icmp = new icmphdr(bytes, hl);
  if (icmp.un.echo.id !== htons(id) || icmp.un.echo.sequence !== htons(seq)) return undefined;
  const p = bytes.subarray(hl + icmphdr.size);
  return p.equals(payload) ? { ip, icmp, payload: p, bytes } : undefined;
}

/** An ICMPv6 message (no IPv6 header on raw IPv6 sockets) with our id/seq/payload. */
function parseIcmp6(buf: Buffer, n: number, id: number, seq: number, payload: Buffer): { h: icmp6_hdr; bytes: Buffer } | undefined {
  if (n < icmp6_hdr.size) return undefined;
  const bytes = Buffer.from(buf.subarray(0, n));
  const h = new icmp6_hdr(bytes);
  if (h.icmp6_id !== htons(id) || h.icmp6_seq !== htons(seq)) return undefined;
  return bytes.subarray(icmp6_hdr.size).equals(payload) ? { h, bytes } : undefined;
}

const LO4 = new sockaddr_in('127.0.0.1', 0);
const LO6 = new sockaddr_in6('::1', 0);

describe.skipIf(!hasRaw)('raw ICMP', () => {
  it('echo to 127.0.0.1 over SOCK_RAW/IPPROTO_ICMP: request seen with our TTL, reply parsed', () => {
    scope((open) => {
      const fd = sock(open, AF_INET, SOCK_RAW, IPPROTO_ICMP);
      bs.setsockopt(fd, IPPROTO_IP, IP_TTL, 7);
      expect(bs.getsockopt(fd, IPPROTO_IP, IP_TTL)).toBe(7);
      const [id, seq, payload] = [randomU16(), randomU16(), unique('echo4')];
      const pkt = echoRequest(id, seq, payload);
      expect(bs.sendto(fd, pkt, pkt.length, 0, LO4)).toBe(pkt.length);

      const buf = Buffer.alloc(BIG);
      const from = new sockaddr_in();
      const seen: Icmp4Seen[] = [];
      const reply = recvUntil(fd, buf, (n) => {
        const s = parseIcmp4(buf, n, id, seq, payload);
        if (s) seen.push(s);
        return s?.icmp.type === ICMP_ECHOREPLY ? s : undefined;
      }, from);
      expect(from.address).toBe('127.0.0.1');
      // Raw IPv4 sockets get the IP header: a well-formed one from the kernel.
      expect(reply.ip.version).toBe(4);
      expect(reply.ip.ihl).toBeGreaterThanOrEqual(5);
      expect(reply.ip.saddrText).toBe('127.0.0.1');
      expect(reply.ip.daddrText).toBe('127.0.0.1');
      expect(ntohs(reply.ip.tot_len)).toBe(reply.bytes.length);
      expect(reply.ip.ttl).toBe(defaultTtl);
      expect(in_cksum(reply.bytes, reply.ip.ihl * 4)).toBe(0);
      expect(reply.icmp.code).toBe(0);
      expect(ntohs(reply.icmp.un.echo.id)).toBe(id);
      expect(ntohs(reply.icmp.un.echo.sequence)).toBe(seq);
      expect(reply.payload.equals(payload)).toBe(true);
      expect(in_cksum(reply.bytes.subarray(reply.ip.ihl * 4))).toBe(0);
      // The looped-back request reached the raw socket first, with the TTL we set.
      const req = seen.find((s) => s.icmp.type === ICMP_ECHO);
      expect(req).toBeDefined();
      expect(req!.ip.ttl).toBe(7);
      expect(req!.icmp.checksum).toBe(new icmphdr(pkt).checksum);
    }, GUARD);
  });

  it('the same echo with the Promise API (sendto/recvfrom from promises), IPv4 and IPv6', async () => {
    const fds: number[] = [];
    try {
      const v4 = bs.socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
      fds.push(v4);
      const [id, seq, payload] = [randomU16(), randomU16(), unique('pecho4')];
      const pkt = echoRequest(id, seq, payload);
      expect(await P.sendto(v4, pkt, pkt.length, 0, LO4, undefined, { timeout: 2000 })).toBe(pkt.length);
      const buf = Buffer.alloc(BIG);
      let reply: Icmp4Seen | undefined;
      for (let i = 0; i < MAX_PACKETS && !reply; i++) {
        const n = await P.recvfrom(v4, buf, buf.length, 0, null, undefined, { timeout: 2000 });
        const s = parseIcmp4(buf, n, id, seq, payload);
        if (s?.icmp.type === ICMP_ECHOREPLY) reply = s;
      }
      expect(reply?.payload.equals(payload)).toBe(true);

      if (hasIPv6) {
        const v6 = bs.socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
        fds.push(v6);
        const [id6, seq6, payload6] = [randomU16(), randomU16(), unique('pecho6')];
        const p6 = echo6Request(id6, seq6, payload6);
        await P.sendto(v6, p6, p6.length, 0, LO6, undefined, { timeout: 2000 });
        const from = new sockaddr_in6();
        let got: ReturnType<typeof parseIcmp6>;
        for (let i = 0; i < MAX_PACKETS && got?.h.icmp6_type !== ICMP6_ECHO_REPLY; i++) {
          const n = await P.recvfrom(v6, buf, buf.length, 0, from, undefined, { timeout: 2000 });
          got = parseIcmp6(buf, n, id6, seq6, payload6);
        }
        expect(got?.h.icmp6_type).toBe(ICMP6_ECHO_REPLY);
        expect(from.address).toBe('::1');
      }
    } finally {
      closeAll(...fds);
    }
  });

  it('ICMP_FILTER (SOL_RAW) with 1 << ICMP_ECHO hides echo requests, not replies', () => {
    scope((open) => {
      const filtered = sock(open, AF_INET, SOCK_RAW, IPPROTO_ICMP);
      const control = sock(open, AF_INET, SOCK_RAW, IPPROTO_ICMP);
      const f = new icmp_filter();
      f.data = 1 << ICMP_ECHO;
      expect(bs.setsockopt(filtered, SOL_RAW, ICMP_FILTER, f)).toBe(0);
      const back = new icmp_filter();
      expect(bs.getsockopt(filtered, SOL_RAW, ICMP_FILTER, back)).toBe(icmp_filter.size);
      expect(back.data).toBe(1 << ICMP_ECHO);

      const [id, seq, payload] = [randomU16(), randomU16(), unique('filter')];
      const pkt = echoRequest(id, seq, payload);
      bs.sendto(filtered, pkt, pkt.length, 0, LO4);
      const buf = Buffer.alloc(BIG);
      const types = (fd: number): number[] => {
        bs.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, SHORT);
        return drain(fd, buf, (n) => parseIcmp4(buf, n, id, seq, payload)?.icmp.type);
      };
      expect(types(filtered)).toEqual([ICMP_ECHOREPLY]);
      expect(types(control)).toEqual([ICMP_ECHO, ICMP_ECHOREPLY]);
    }, GUARD);
  });

  it.skipIf(!hasIPv6)('echo to ::1 over SOCK_RAW/IPPROTO_ICMPV6: the kernel computes the checksum', () => {
    scope((open) => {
      const fd = sock(open, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
      const [id, seq, payload] = [randomU16(), randomU16(), unique('echo6')];
      const pkt = echo6Request(id, seq, payload);
      expect(new icmp6_hdr(pkt).icmp6_cksum).toBe(0);
      bs.sendto(fd, pkt, pkt.length, 0, LO6);
      const buf = Buffer.alloc(BIG);
      const from = new sockaddr_in6();
      const seen: { h: icmp6_hdr; bytes: Buffer }[] = [];
      const reply = recvUntil(fd, buf, (n) => {
        const s = parseIcmp6(buf, n, id, seq, payload);
        if (s) seen.push(s);
        return s?.h.icmp6_type === ICMP6_ECHO_REPLY ? s : undefined;
      }, from);
      expect(from.address).toBe('::1');
      expect(reply.h.icmp6_code).toBe(0);
      // No IPv6 header on raw IPv6 sockets: byte 0 is the ICMPv6 type.
      expect(reply.bytes[0]).toBe(ICMP6_ECHO_REPLY);
      // Both checksums were computed by the kernel: ours must agree with them.
      expect(pseudo_checksum(AF_INET6, IPPROTO_ICMPV6, '::1', '::1', reply.bytes)).toBe(0);
      const req = seen.find((s) => s.h.icmp6_type === ICMP6_ECHO_REQUEST);
      expect(req).toBeDefined();
      expect(req!.h.icmp6_cksum).not.toBe(0);
      expect(pseudo_checksum(AF_INET6, IPPROTO_ICMPV6, '::1', '::1', req!.bytes)).toBe(0);
      expect(req!.h.icmp6_cksum).toBe(pseudo_checksum(AF_INET6, IPPROTO_ICMPV6, '::1', '::1', pkt));
    }, GUARD);
  });

  it.skipIf(!hasIPv6)('IPV6_CHECKSUM on a raw IPv6 socket of another protocol: computed on send, checked on receive', () => {
    const PROTO = 253; // RFC 3692 experimentation
    scope((open) => {
      const tx = sock(open, AF_INET6, SOCK_RAW, PROTO);
      const txPlain = sock(open, AF_INET6, SOCK_RAW, PROTO);
      const rx = sock(open, AF_INET6, SOCK_RAW, PROTO);
      const rxCheck = sock(open, AF_INET6, SOCK_RAW, PROTO);
      expect(bs.getsockopt(tx, IPPROTO_IPV6, IPV6_CHECKSUM)).toBe(-1);
      expect(bs.setsockopt(tx, IPPROTO_IPV6, IPV6_CHECKSUM, 2)).toBe(0);
      expect(bs.getsockopt(tx, IPPROTO_IPV6, IPV6_CHECKSUM)).toBe(2);
      bs.setsockopt(rxCheck, IPPROTO_IPV6, IPV6_CHECKSUM, 2);
      expectSocketError(() => bs.setsockopt(txPlain, IPPROTO_IPV6, IPV6_CHECKSUM, 1), 'EINVAL', 'setsockopt');

      const message = (payload: Buffer, check: number): Buffer => {
        const m = Buffer.alloc(4 + payload.length);
        m.writeUInt16BE(0xb5c0, 0);
        m.writeUInt16BE(check, 2);
        payload.copy(m, 4);
        return m;
      };
      const good = unique('v6cksum');
      const bad = unique('v6bad');
      const goodMsg = message(good, 0);
      bs.sendto(tx, goodMsg, goodMsg.length, 0, LO6);
      bs.sendto(txPlain, message(bad, 0x1234), 4 + bad.length, 0, LO6);

      const buf = Buffer.alloc(BIG);
      bs.setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, SHORT);
      const all = drain(rx, buf, (n) => Buffer.from(buf.subarray(0, n)));
      const got = all.find((m) => m.subarray(4).equals(good));
      expect(got).toBeDefined();
      // The kernel's checksum at offset 2 is exactly what pseudo_checksum computes.
      const ours = pseudo_checksum(AF_INET6, PROTO, '::1', '::1', goodMsg);
      const stored = Buffer.from(goodMsg);
      new DataView(stored.buffer, stored.byteOffset).setUint16(2, ours, endianness() === 'LE');
      expect(got!.subarray(2, 4).toString('hex')).toBe(stored.subarray(2, 4).toString('hex'));
      expect(pseudo_checksum(AF_INET6, PROTO, '::1', '::1', got!)).toBe(0);
      // The unchecked receiver gets the bad one too; the checking receiver drops it.
      expect(all.some((m) => m.subarray(4).equals(bad))).toBe(true);
      bs.setsockopt(rxCheck, SOL_SOCKET, SO_RCVTIMEO, SHORT);
      const checked = drain(rxCheck, buf, (n) => Buffer.from(buf.subarray(0, n)));
      expect(checked.some((m) => m.subarray(4).equals(good))).toBe(true);
      expect(checked.some((m) => m.subarray(4).equals(bad))).toBe(false);
    }, GUARD);
  });

  it('received header views over truncated buffers throw RangeError instead of reading past the end', () => {
    scope((open) => {
      const fd = sock(open, AF_INET, SOCK_RAW, IPPROTO_ICMP);
      const [id, seq, payload] = [randomU16(), randomU16(), unique('trunc')];
      const pkt = echoRequest(id, seq, payload);
      bs.sendto(fd, pkt, pkt.length, 0, LO4);
      const big = Buffer.alloc(BIG);
      const small = Buffer.alloc(24); // the IP header and half an ICMP header
      // Peek to find our reply, then take it into the small buffer (the kernel truncates).
      let n = -1;
      for (let i = 0; i < MAX_PACKETS && n < 0; i++) {
        const s = parseIcmp4(big, bs.recv(fd, big, big.length, MSG_PEEK), id, seq, payload);
        if (s?.icmp.type === ICMP_ECHOREPLY) n = bs.recv(fd, small, small.length);
        else bs.recv(fd, big, big.length); // someone else's, or our request: consume it
      }
      expect(n).toBe(24);
      const view = small.subarray(0, n);
      const ip = new iphdr(view);
      expect(ip.ihl).toBe(5);
      expect(() => new icmphdr(view, ip.ihl * 4)).toThrow(RangeError);
      expect(() => new iphdr(view.subarray(0, 19))).toThrow(RangeError);
      // A malformed ihl pointing past the datagram: the view refuses instead of reading on.
      const whole = Buffer.alloc(iphdr.size + icmphdr.size);
      const hdr = new iphdr(whole);
      hdr.version = 4;
      hdr.ihl = 15;
      expect(() => new icmphdr(whole, hdr.ihl * 4)).toThrow(RangeError);
      hdr.ihl = 6;
      expect(() => new icmphdr(whole, hdr.ihl * 4)).toThrow(RangeError); // 24 + 8 > 28
      hdr.ihl = 5;
      expect(() => new icmphdr(whole, hdr.ihl * 4)).not.toThrow();
    }, GUARD);
  });
});

describe.skipIf(!hasRaw)('IP_HDRINCL: hand-built datagrams the kernel must accept', () => {
  /** An IPv4 header for `payloadLen` bytes of `protocol` from/to 127.0.0.1, checksummed. */
  function ip4(buf: Buffer, protocol: number, payloadLen: number): iphdr {
    const ip = new iphdr(buf);
    ip.version = 4;
    ip.ihl = 5;
    ip.tos = 0;
    ip.tot_len = htons(iphdr.size + payloadLen);
    ip.id = htons(randomU16());
    ip.frag_off = 0;
    ip.ttl = 64;
    ip.protocol = protocol;
    ip.saddrText = '127.0.0.1';
    ip.daddrText = '127.0.0.1';
    ip.check = 0;
    ip.check = in_cksum(ip, iphdr.size);
    return ip;
  }

  it('IPv4+UDP to a UDP socket: right payload and source port; a wrong checksum is dropped', () => {
    scope((open) => {
      const rx = sock(open, AF_INET, SOCK_DGRAM, 0);
      bs.bind(rx, LO4);
      const rxPort = (bs.getsockname(rx) as sockaddr_in).port;
      const reserve = sock(open, AF_INET, SOCK_DGRAM, 0); // owns the source port we claim
      bs.bind(reserve, LO4);
      const sport = (bs.getsockname(reserve) as sockaddr_in).port;
      const tx = sock(open, AF_INET, SOCK_RAW, IPPROTO_RAW); // IP_HDRINCL is implied

      const datagram = (payload: Buffer, corrupt: 'no' | 'yes' | 'none'): Buffer => {
        const pkt = Buffer.alloc(iphdr.size + udphdr.size + payload.length);
        const ip = ip4(pkt, IPPROTO_UDP, udphdr.size + payload.length);
        const udp = new udphdr(pkt, ip.ihl * 4);
        udp.source = htons(sport);
        udp.dest = htons(rxPort);
        udp.len = htons(udphdr.size + payload.length);
        udp.check = 0;
        payload.copy(pkt, iphdr.size + udphdr.size);
        if (corrupt !== 'none') udp.check = udp4_checksum(ip.saddr, ip.daddr, pkt.subarray(ip.ihl * 4));
        if (corrupt === 'yes') udp.check ^= 0x0101;
        return pkt;
      };

      const buf = Buffer.alloc(BIG);
      const from = new sockaddr_in();
      const good = unique('hdrincl');
      const pkt = datagram(good, 'no');
      expect(bs.sendto(tx, pkt, pkt.length, 0, LO4)).toBe(pkt.length);
      const n = bs.recvfrom(rx, buf, buf.length, 0, from);
      expect(buf.subarray(0, n).equals(good)).toBe(true);
      expect(from.port).toBe(sport);
      expect(from.address).toBe('127.0.0.1');

      // No checksum at all (0) is legal over IPv4.
      const none = unique('nocheck');
      bs.sendto(tx, datagram(none, 'none'), iphdr.size + udphdr.size + none.length, 0, LO4);
      expect(buf.subarray(0, bs.recv(rx, buf, buf.length)).equals(none)).toBe(true);

      // A wrong checksum: the kernel drops the datagram.
      const bad = unique('badcheck');
      bs.sendto(tx, datagram(bad, 'yes'), iphdr.size + udphdr.size + bad.length, 0, LO4);
      bs.setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, SHORT);
      expectSocketError(() => bs.recv(rx, buf, buf.length), 'EAGAIN', 'recv');
    }, GUARD);
  });

  it('a hand-built TCP SYN gets a SYN-ACK from a listener and RST|ACK from a closed port', () => {
    scope((open) => {
      const lst = open(bs.socket(AF_INET, SOCK_STREAM, 0));
      bs.bind(lst, LO4);
      bs.listen(lst, 8);
      const listenPort = (bs.getsockname(lst) as sockaddr_in).port;
      // Bound, never listening: one owns our source port (its SYN-ACK then meets the
      // kernel's RST, so nothing half-open is left behind), the other is the closed port.
      const reserve = open(bs.socket(AF_INET, SOCK_STREAM, 0));
      bs.bind(reserve, LO4);
      const sport = (bs.getsockname(reserve) as sockaddr_in).port;
      const closed = open(bs.socket(AF_INET, SOCK_STREAM, 0));
      bs.bind(closed, LO4);
      const closedPort = (bs.getsockname(closed) as sockaddr_in).port;
      const sniff = sock(open, AF_INET, SOCK_RAW, IPPROTO_TCP);
      const tx = sock(open, AF_INET, SOCK_RAW, IPPROTO_RAW);

      const syn = (dport: number, isn: number, corrupt = false): Buffer => {
        const pkt = Buffer.alloc(iphdr.size + tcphdr.size);
        const ip = ip4(pkt, IPPROTO_TCP, tcphdr.size);
        const tcp = new tcphdr(pkt, ip.ihl * 4);
        tcp.source = htons(sport);
        tcp.dest = htons(dport);
        tcp.seq = htonl(isn);
        tcp.ack_seq = 0;
        tcp.doff = tcphdr.size / 4;
        tcp.syn = 1;
        tcp.window = htons(65535);
        tcp.check = 0;
        tcp.check = tcp4_checksum(ip.saddr, ip.daddr, pkt.subarray(ip.ihl * 4));
        if (corrupt) tcp.check ^= 0x0101;
        expect(tcp.th_flags).toBe(TH_SYN);
        return pkt;
      };
      const buf = Buffer.alloc(BIG);
      /** The next TCP segment from port `src` to port `dst` seen on the raw TCP socket. */
      const segment = (src: number, dst: number): { ip: iphdr; tcp: tcphdr } =>
        recvUntil(sniff, buf, (n) => {
          const bytes = Buffer.from(buf.subarray(0, n));
          const ip = new iphdr(bytes);
          if (ip.protocol !== IPPROTO_TCP || n < ip.ihl * 4 + tcphdr.size) return undefined;
          const tcp = new tcphdr(bytes, ip.ihl * 4);
          return tcp.source === htons(src) && tcp.dest === htons(dst) ? { ip, tcp } : undefined;
        });

      // A corrupted checksum first: the listener must not answer it.
      const isnBad = randomU32();
      bs.sendto(tx, syn(listenPort, isnBad, true), iphdr.size + tcphdr.size, 0, LO4);
      const isn = randomU32();
      bs.sendto(tx, syn(listenPort, isn), iphdr.size + tcphdr.size, 0, LO4);
      const synack = segment(listenPort, sport);
      expect(synack.tcp.syn).toBe(1);
      expect(synack.tcp.ack).toBe(1);
      expect(synack.tcp.rst).toBe(0);
      expect(synack.tcp.th_flags & (TH_SYN | TH_ACK)).toBe(TH_SYN | TH_ACK);
      expect(ntohl(synack.tcp.ack_seq)).toBe((isn + 1) >>> 0); // not isnBad + 1: that SYN was dropped
      expect(synack.tcp.doff).toBeGreaterThanOrEqual(5);
      expect(synack.ip.saddrText).toBe('127.0.0.1');
      // Our side has no connection on sport: the kernel resets it, cleaning up the listener.
      const rst = segment(sport, listenPort);
      expect(rst.tcp.rst).toBe(1);
      expect(ntohl(rst.tcp.seq)).toBe((isn + 1) >>> 0);
      bs.setNonBlocking(lst, true);
      expectSocketError(() => bs.accept(lst), 'EAGAIN', 'accept');

      const isn2 = randomU32();
      bs.sendto(tx, syn(closedPort, isn2), iphdr.size + tcphdr.size, 0, LO4);
      const refused = segment(closedPort, sport);
      expect(refused.tcp.rst).toBe(1);
      expect(refused.tcp.ack).toBe(1);
      expect(refused.tcp.syn).toBe(0);
      expect(refused.tcp.th_flags).toBe(TH_RST | TH_ACK);
      expect(ntohl(refused.tcp.ack_seq)).toBe((isn2 + 1) >>> 0);
    }, GUARD);
  });
});

describe.skipIf(!hasRaw)('AF_PACKET on lo', () => {
  const lo = bs.if_nametoindex('lo');
  const bindLo = (fd: number, proto = ETH_P_ALL): void => {
    const sll = new sockaddr_ll();
    sll.sll_protocol = htons(proto);
    sll.sll_ifindex = lo;
    // A roomy queue (past rmem_max where CAP_NET_ADMIN allows), so other processes' frames
    // on lo are less likely to fill it before ours arrives; recvUntil() resends regardless.
    try {
      bs.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20);
    } catch {
      bs.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 16 << 20);
    }
    expect(bs.bind(fd, sll)).toBe(0);
  };
  /** A UDP receiver on `addr` and a sender; returns [tx, rx, rx address]. */
  const udpPair = (open: Opener, family: number): [number, number, bs.SocketAddress] => {
    const rx = sock(open, family, SOCK_DGRAM, 0);
    bs.bind(rx, family === AF_INET6 ? LO6 : LO4);
    return [sock(open, family, SOCK_DGRAM, 0), rx, bs.getsockname(rx)];
  };

  it('SOCK_RAW bound with ETH_P_ALL sees a UDP datagram: ethhdr, iphdr (our IP_TTL), udphdr', () => {
    scope((open) => {
      const pkt = sock(open, AF_PACKET, SOCK_RAW, 0);
      bindLo(pkt);
      const [tx, rx, to] = udpPair(open, AF_INET);
      bs.setsockopt(tx, IPPROTO_IP, IP_TTL, 5);
      const payload = unique('packet-raw');
      const send = (): void => void bs.sendto(tx, payload, payload.length, 0, to);
      send();

      const buf = Buffer.alloc(BIG);
      const from = new sockaddr_ll();
      const seen = recvUntil(pkt, buf, (n) => {
        if (n < ethhdr.size + iphdr.size) return undefined;
        const bytes = Buffer.from(buf.subarray(0, n));
        const eth = new ethhdr(bytes);
        if (ntohs(eth.h_proto) !== ETH_P_IP) return undefined;
        const ip = new iphdr(bytes, ethhdr.size);
        const l4 = ethhdr.size + ip.ihl * 4;
        if (ip.protocol !== IPPROTO_UDP || n < l4 + udphdr.size) return undefined;
        const udp = new udphdr(bytes, l4);
        return bytes.subarray(l4 + udphdr.size).equals(payload) ? { eth, ip, udp, n } : undefined;
      }, from, send);
      expect(from.sll_ifindex).toBe(lo);
      expect(from.sll_protocol).toBe(htons(ETH_P_IP));
      expect(seen.eth.h_source.equals(Buffer.alloc(6))).toBe(true); // lo's address
      expect(seen.ip.ttl).toBe(5);
      expect(seen.ip.saddrText).toBe('127.0.0.1');
      expect(ntohs(seen.ip.tot_len)).toBe(seen.n - ethhdr.size);
      expect(in_cksum(seen.ip)).toBe(0);
      expect(seen.udp.dest).toBe((to as sockaddr_in).sin_port);
      expect(ntohs(seen.udp.len)).toBe(udphdr.size + payload.length);
      expect(buf.subarray(0, bs.recv(rx, buf, buf.length)).equals(payload)).toBe(true);
    }, GUARD);
  }, MATCH_TEST_TIMEOUT_MS);

  it('SOCK_DGRAM starts at the network header: IPv4, and IPv6 with our IPV6_UNICAST_HOPS', () => {
    scope((open) => {
      const pkt = sock(open, AF_PACKET, SOCK_DGRAM, 0);
      bindLo(pkt);
      const [tx, , to] = udpPair(open, AF_INET);
      const p4 = unique('packet-dgram4');
      const send4 = (): void => void bs.sendto(tx, p4, p4.length, 0, to);
      send4();
      const buf = Buffer.alloc(BIG);
      const from = new sockaddr_ll();
      const v4 = recvUntil(pkt, buf, (n) => {
        if (from.sll_protocol !== htons(ETH_P_IP) || n < iphdr.size) return undefined;
        const bytes = Buffer.from(buf.subarray(0, n));
        const ip = new iphdr(bytes); // offset 0: no link-layer header
        const l4 = ip.ihl * 4;
        if (ip.protocol !== IPPROTO_UDP || n < l4 + udphdr.size) return undefined;
        return bytes.subarray(l4 + udphdr.size).equals(p4) ? { ip, udp: new udphdr(bytes, l4) } : undefined;
      }, from, send4);
      expect(v4.ip.version).toBe(4);
      expect(v4.udp.dest).toBe((to as sockaddr_in).sin_port);

      if (!hasIPv6) return;
      const [tx6, , to6] = udpPair(open, AF_INET6);
      bs.setsockopt(tx6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
      expect(bs.getsockopt(tx6, IPPROTO_IPV6, IPV6_UNICAST_HOPS)).toBe(9);
      const p6 = unique('packet-dgram6');
      const send6 = (): void => void bs.sendto(tx6, p6, p6.length, 0, to6);
      send6();
      const v6 = recvUntil(pkt, buf, (n) => {
        if (from.sll_protocol !== htons(ETH_P_IPV6) || n < ip6_hdr.size + udphdr.size) return undefined;
        const bytes = Buffer.from(buf.subarray(0, n));
        const ip6 = new ip6_hdr(bytes);
        if (ip6.ip6_nxt !== IPPROTO_UDP) return undefined;
        return bytes.subarray(ip6_hdr.size + udphdr.size).equals(p6) ? { ip6, udp: new udphdr(bytes, ip6_hdr.size) } : undefined;
      }, from, send6);
      expect(v6.ip6.bytes[0]! >> 4).toBe(6);
      expect(ntohl(v6.ip6.ip6_flow) >>> 28).toBe(6);
      expect(v6.ip6.ip6_hlim).toBe(9);
      expect(v6.ip6.ip6_src.address).toBe('::1');
      expect(v6.ip6.ip6_dst.address).toBe('::1');
      expect(ntohs(v6.ip6.ip6_plen)).toBe(udphdr.size + p6.length);
      expect(v6.udp.dest).toBe((to6 as sockaddr_in6).sin6_port);
    }, GUARD);
  }, MATCH_TEST_TIMEOUT_MS);

  it('PACKET_ADD_MEMBERSHIP with PACKET_MR_PROMISC on lo succeeds (and PACKET_DROP_MEMBERSHIP)', () => {
    scope((open) => {
      const pkt = sock(open, AF_PACKET, SOCK_RAW, 0);
      bindLo(pkt);
      const mreq = new packet_mreq();
      mreq.mr_ifindex = lo;
      mreq.mr_type = PACKET_MR_PROMISC;
      expect(bs.setsockopt(pkt, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)).toBe(0);
      const flagsFile = '/sys/class/net/lo/flags';
      if (existsSync(flagsFile)) expect(Number(readFileSync(flagsFile, 'utf8').trim()) & IFF_PROMISC).toBe(IFF_PROMISC);
      expect(bs.setsockopt(pkt, SOL_PACKET, PACKET_DROP_MEMBERSHIP, mreq)).toBe(0);
      // Linux's packet_mc_drop() returns 0 even when there is no such membership.
      expect(bs.setsockopt(pkt, SOL_PACKET, PACKET_DROP_MEMBERSHIP, mreq)).toBe(0);
      mreq.mr_ifindex = 0x7fffffff;
      expectSocketError(() => bs.setsockopt(pkt, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq), 'ENODEV', 'setsockopt');
    }, GUARD);
  });
});

// ---------------------------------------------------------------------------------------
// Unprivileged: a child as uid/gid 65534 with no capabilities.

const repo = fileURLToPath(new URL('..', import.meta.url));
const libUrl = pathToFileURL(join(repo, 'lib', 'index.ts')).href;

const CHILD = `
import * as bs from ${JSON.stringify(libUrl)};
const out = { uid: process.getuid(), gid: process.getgid() };
const fail = (e) => e instanceof bs.SocketError ? { code: e.code, errno: e.errno, syscall: e.syscall } : { other: String(e) };
for (const [name, args] of [['raw', [bs.AF_INET, bs.SOCK_RAW, bs.IPPROTO_ICMP]], ['packet', [bs.AF_PACKET, bs.SOCK_RAW, bs.htons(bs.ETH_P_ALL)]]]) {
  try { bs.close(bs.socket(...args)); out[name] = { ok: true }; } catch (e) { out[name] = fail(e); }
}
let fd = -1;
try {
  fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, bs.IPPROTO_ICMP);
  bs.setsockopt(fd, bs.SOL_SOCKET, bs.SO_RCVTIMEO, new bs.timeval({ tv_sec: 2, tv_usec: 0 }));
  const seq = Number(process.argv[2]);
  const payload = Buffer.from(process.argv[3]);
  const pkt = Buffer.alloc(bs.icmphdr.size + payload.length);
  const icmp = new bs.icmphdr(pkt);
  icmp.type = bs.ICMP_ECHO;
  icmp.un.echo.sequence = bs.htons(seq); // the id is the socket's: the kernel sets it
  payload.copy(pkt, bs.icmphdr.size);
  bs.sendto(fd, pkt, pkt.length, 0, new bs.sockaddr_in('127.0.0.1', 0));
  const ident = bs.getsockname(fd).sin_port;
  const buf = Buffer.alloc(65536);
  const from = new bs.sockaddr_in();
  for (let i = 0; i < 100; i++) {
    const n = bs.recvfrom(fd, buf, buf.length, 0, from);
    const r = new bs.icmphdr(buf.subarray(0, n)); // no IP header on ping sockets
    if (r.type !== bs.ICMP_ECHOREPLY || r.un.echo.sequence !== bs.htons(seq)) continue;
    if (!buf.subarray(bs.icmphdr.size, n).equals(payload)) continue;
    out.ping = { ok: true, idMatches: r.un.echo.id === ident, from: from.address, cksum: bs.in_cksum(buf, n) };
    break;
  }
  out.ping ??= { other: 'no reply' };
} catch (e) {
  out.ping = fail(e);
} finally {
  if (fd >= 0) bs.close(fd);
}
process.stdout.write(JSON.stringify(out));
`;

interface Outcome { ok?: true; code?: string; errno?: number; syscall?: string; other?: string; idMatches?: boolean; from?: string; cksum?: number }
type Report = { uid: number; gid: number; raw: Outcome; packet: Outcome; ping: Outcome };

const scratch = mkdtempSync(join(tmpdir(), 'bsock-raw-'));
chmodSync(scratch, 0o755);
const script = join(scratch, 'child.mts');
writeFileSync(script, CHILD);
chmodSync(script, 0o644);
const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: tmpdir() };
delete childEnv.NODE_OPTIONS;

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];
const NS = `bsock-ping-${process.pid}`;
let nsCreated = false;

const run = (argv: string[], timeout = 10_000) => spawnSync(argv[0]!, argv.slice(1), { cwd: repo, env: childEnv, encoding: 'utf8', timeout });

const nobodySkip: string | null = (() => {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (run(['setpriv', '--version']).status !== 0) return 'setpriv is not installed';
  const probe = run([...NOBODY, process.execPath, '-e',
    `require('fs').accessSync(${JSON.stringify(script)}, 4);` +
    `require('fs').accessSync(${JSON.stringify(join(repo, 'node_modules', 'tsx', 'package.json'))}, 4);`]);
  if (probe.status !== 0) return `uid 65534 cannot read the repository (${probe.stderr.trim().split('\n')[0]})`;
  return null;
})();

function runChild(prefix: string[], seq: number, payload: string): Report {
  const r = run([...prefix, ...NOBODY, process.execPath, '--import', 'tsx', script, String(seq), payload], 30_000);
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

/** Creates our namespace with lo up and ping sockets open to every group; null or why not. */
function makeNamespace(): string | null {
  if (run(['ip', '-V']).status !== 0) return 'ip(8) is not installed';
  const add = run(['ip', 'netns', 'add', NS]);
  if (add.status !== 0) return `ip netns add failed: ${add.stderr.trim()}`;
  nsCreated = true;
  for (const cmd of [['ip', 'link', 'set', 'lo', 'up'], ['sysctl', '-w', 'net.ipv4.ping_group_range=0 2147483647']]) {
    const r = run(['ip', 'netns', 'exec', NS, ...cmd]);
    if (r.status !== 0) throw new Error(`${cmd.join(' ')} in ${NS} failed: ${r.stderr}`);
  }
  return null;
}

afterAll(() => {
  if (nsCreated) {
    const r = run(['ip', 'netns', 'del', NS]);
    if (r.status !== 0) throw new Error(`ip netns del ${NS} failed: ${r.stderr}`);
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('unprivileged (uid 65534, no capabilities)', () => {
  if (nobodySkip !== null) it.skip(`skipped: ${nobodySkip}`, () => {});

  it.skipIf(nobodySkip !== null)('SOCK_RAW and AF_PACKET → EPERM; ping sockets follow the host ping_group_range', () => {
    const r = runChild([], randomU16(), unique('nobody-host').toString());
    expect(r.uid).toBe(65534);
    expect(r.raw).toEqual({ code: 'EPERM', errno: bs.EPERM, syscall: 'socket' });
    expect(r.packet).toEqual({ code: 'EPERM', errno: bs.EPERM, syscall: 'socket' });
    const range = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
    if (65534 >= range[0]! && 65534 <= range[1]!) expect(r.ping.ok).toBe(true);
    else expect(r.ping).toEqual({ code: 'EACCES', errno: bs.EACCES, syscall: 'socket' });
  });

  it.skipIf(nobodySkip !== null)('an ICMP datagram socket pings 127.0.0.1 in a namespace whose ping_group_range allows it', () => {
    const why = makeNamespace();
    if (why !== null) {
      console.warn(`skipping the namespace ping: ${why}`);
      return;
    }
    const before = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8');
    const payload = unique('nobody-ns').toString();
    const r = runChild(['ip', 'netns', 'exec', NS], randomU16(), payload);
    expect(r.uid).toBe(65534);
    expect(r.gid).toBe(65534);
    expect(r.raw.code).toBe('EPERM'); // still no raw sockets
    expect(r.ping, JSON.stringify(r.ping)).toMatchObject({ ok: true, idMatches: true, from: '127.0.0.1', cksum: 0 });
    // The host's setting was never touched.
    expect(readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8')).toBe(before);
  });
});
