// Packet headers (lib/headers.ts) and checksums (lib/checksum.ts): C sizes, bitfields in
// the bits the compiler chose, views at offsets, range checks, RFC 1071 vectors and the
// pseudo-header sums. The kernel's word on the checksums is in raw.test.ts.
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import {
  ethhdr, iphdr, ip6_hdr, icmphdr, icmp6_hdr, udphdr, tcphdr, packet_mreq, icmp_filter,
  in_cksum, pseudo_checksum, udp4_checksum, tcp4_checksum, udp6_checksum, tcp6_checksum,
  htons, htonl, ntohs, ntohl, sizeof,
} from '../lib/index.js';
import { native } from '../lib/native.js';

const LE = endianness() === 'LE';

/** A reference checksum written the way C does it: host-order u16 loads, zero-padded odd byte. */
function cStyleCksum(bytes: Uint8Array): number {
  const b = Buffer.alloc(bytes.length + (bytes.length & 1));
  b.set(bytes);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += dv.getUint16(i, LE);
  while (sum >>> 16) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The pseudo-header spelled out byte by byte, then in_cksum over it plus the segment. */
function refPseudo4(src: string, dst: string, proto: number, seg: Uint8Array): number {
  const p = Buffer.alloc(12);
  bs.inet_pton(bs.AF_INET, src, p.subarray(0, 4));
  bs.inet_pton(bs.AF_INET, dst, p.subarray(4, 8));
  p[9] = proto;
  p.writeUInt16BE(seg.length, 10);
  return cStyleCksum(Buffer.concat([p, seg]));
}
function refPseudo6(src: string, dst: string, proto: number, seg: Uint8Array): number {
  const p = Buffer.alloc(40);
  bs.inet_pton(bs.AF_INET6, src, p.subarray(0, 16));
  bs.inet_pton(bs.AF_INET6, dst, p.subarray(16, 32));
  p.writeUInt32BE(seg.length, 32);
  p[39] = proto;
  return cStyleCksum(Buffer.concat([p, seg]));
}

function expectRange(fn: () => unknown): void {
  expect(fn).toThrow(RangeError);
}

describe('sizes and layouts', () => {
  it('sizeof each header equals the C size', () => {
    expect(sizeof(iphdr)).toBe(20);
    expect(sizeof(tcphdr)).toBe(20);
    expect(sizeof(udphdr)).toBe(8);
    expect(sizeof(icmphdr)).toBe(8);
    expect(sizeof(ip6_hdr)).toBe(40);
    expect(sizeof(ethhdr)).toBe(14);
    expect(sizeof(icmp6_hdr)).toBe(8);
    expect(sizeof(packet_mreq)).toBe(16);
    expect(sizeof(icmp_filter)).toBe(4);
    for (const C of [ethhdr, iphdr, ip6_hdr, icmphdr, icmp6_hdr, udphdr, tcphdr, packet_mreq, icmp_filter]) {
      const s = new C();
      expect(sizeof(s)).toBe(C.size);
      expect(s.bytes.length).toBe(C.size);
      expect(s.bytes.every((x) => x === 0)).toBe(true);
      expect(s).toBeInstanceOf(bs.CStruct);
      expect(C.size).toBe(native.layouts[C.name]!.size);
    }
  });

  it('PascalCase aliases are the same classes', () => {
    expect(bs.IpHdr).toBe(iphdr);
    expect(bs.Ip6Hdr).toBe(ip6_hdr);
    expect(bs.TcpHdr).toBe(tcphdr);
    expect(bs.UdpHdr).toBe(udphdr);
    expect(bs.IcmpHdr).toBe(icmphdr);
    expect(bs.Icmp6Hdr).toBe(icmp6_hdr);
    expect(bs.EthHdr).toBe(ethhdr);
    expect(bs.PacketMreq).toBe(packet_mreq);
    expect(bs.IcmpFilter).toBe(icmp_filter);
  });

  it('bitfield positions come from the compiler (not typed by hand)', () => {
    expect(native.layouts.iphdr!.bits).toMatchObject({ ihl: [expect.any(Number), 4], version: [expect.any(Number), 4] });
    expect(native.layouts.tcphdr!.bits).toMatchObject({ doff: [expect.any(Number), 4], syn: [expect.any(Number), 1] });
  });
});

describe('iphdr', () => {
  it('version 4, ihl 5 → first byte 0x45; the other nibble order reads back', () => {
    const ip = new iphdr();
    ip.version = 4;
    ip.ihl = 5;
    expect(ip.bytes[0]).toBe(0x45);
    ip.bytes[0] = 0x6f;
    expect(ip.version).toBe(6);
    expect(ip.ihl).toBe(15);
    ip.ihl = 0;
    expect(ip.bytes[0]).toBe(0x60);
    expect(ip.version).toBe(6);
  });

  it('multi-byte fields keep network byte order, as C sees them', () => {
    const ip = new iphdr();
    ip.tot_len = htons(84);
    ip.id = htons(0x1234);
    ip.frag_off = htons(0x4000); // IP_DF
    ip.ttl = 64;
    ip.protocol = bs.IPPROTO_ICMP;
    expect([...ip.bytes.subarray(2, 10)]).toEqual([0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 64, 1]);
    expect(ntohs(ip.tot_len)).toBe(84);
    expect(ntohs(ip.frag_off) & bs.IP_DF).toBe(bs.IP_DF);
  });

  it('saddr/daddr are in_addr_t; saddrText/daddrText are dotted quads over the same bytes', () => {
    const ip = new iphdr();
    ip.saddrText = '192.168.0.1';
    ip.daddr = bs.inet_addr('10.1.2.3');
    expect([...ip.bytes.subarray(12, 20)]).toEqual([192, 168, 0, 1, 10, 1, 2, 3]);
    expect(ip.saddr).toBe(bs.inet_addr('192.168.0.1'));
    expect(ip.daddrText).toBe('10.1.2.3');
    expect(ip.saddr).toBe(new bs.in_addr('192.168.0.1').s_addr);
    expect(() => { ip.daddrText = '10.1.2'; }).toThrow(TypeError);
    expect(() => { ip.daddrText = 42 as unknown as string; }).toThrow(TypeError);
    expect(ip.daddrText).toBe('10.1.2.3');
    expect(String(ip)).toContain('192.168.0.1 > 10.1.2.3');
  });

  it('the header checksum of a known header (0xb861), stored with the setter', () => {
    const bytes = Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex');
    const ip = new iphdr(bytes);
    ip.check = in_cksum(ip);
    expect(bytes.toString('hex', 10, 12)).toBe('b861');
    expect(in_cksum(bytes)).toBe(0);
    expect(ntohs(ip.check)).toBe(0xb861);
  });
});

describe('tcphdr', () => {
  it('syn = 1 sets the bit the kernel expects (th_flags & TH_SYN)', () => {
    const t = new tcphdr();
    t.syn = 1;
    expect(t.th_flags & bs.TH_SYN).toBe(bs.TH_SYN);
    expect(t.bytes[13]).toBe(0x02);
    t.ack = 1;
    expect(t.th_flags).toBe(bs.TH_SYN | bs.TH_ACK);
    expect(t.bytes[13]).toBe(0x12);
    t.syn = 0;
    expect(t.th_flags).toBe(bs.TH_ACK);
  });

  it('each flag bitfield is its TH_ constant; th_flags writes read back through them', () => {
    const pairs: [keyof tcphdr, number][] = [['fin', bs.TH_FIN], ['syn', bs.TH_SYN], ['rst', bs.TH_RST],
      ['psh', bs.TH_PUSH], ['ack', bs.TH_ACK], ['urg', bs.TH_URG]];
    for (const [name, bit] of pairs) {
      const t = new tcphdr();
      (t as unknown as Record<string, number>)[name] = 1;
      expect(t.th_flags, name).toBe(bit);
      t.th_flags = 0xff;
      expect((t as unknown as Record<string, number>)[name], name).toBe(1);
    }
    const t = new tcphdr();
    t.res2 = 3; // ECE | CWR
    expect(t.th_flags).toBe(0xc0);
    t.th_flags = 0x80;
    expect(t.res2).toBe(2);
  });

  it('doff and res1 share byte 12: doff 5 → 0x50', () => {
    const t = new tcphdr();
    t.doff = 5;
    expect(t.bytes[12]).toBe(0x50);
    t.res1 = 0xf;
    expect(t.bytes[12]).toBe(0x5f);
    expect(t.doff).toBe(5);
    expect(t.bytes[13]).toBe(0);
  });

  it('ports, seq, ack_seq, window in network order', () => {
    const t = new tcphdr();
    t.source = htons(443);
    t.dest = htons(51000);
    t.seq = htonl(0x01020304);
    t.ack_seq = htonl(0xa0b0c0d0);
    t.window = htons(65535);
    t.urg_ptr = htons(7);
    expect(t.bytes.toString('hex')).toBe('01bbc738' + '01020304' + 'a0b0c0d0' + '0000' + 'ffff' + '0000' + '0007');
    expect(ntohl(t.ack_seq)).toBe(0xa0b0c0d0);
  });
});

describe('icmphdr, icmp6_hdr, udphdr, ethhdr, ip6_hdr, packet_mreq, icmp_filter', () => {
  it('icmp.un.echo.id = htons(x) writes bytes 4–5, as in C; the union members overlap', () => {
    const i = new icmphdr();
    i.type = bs.ICMP_ECHO;
    i.un.echo.id = htons(0x1234);
    i.un.echo.sequence = htons(7);
    expect(i.bytes.toString('hex')).toBe('0800000012340007');
    expect(ntohs(i.un.echo.id)).toBe(0x1234);
    expect(i.un.gateway).toBe(new bs.in_addr(Buffer.from([0x12, 0x34, 0, 7])).s_addr);
    expect(ntohs(i.un.frag.mtu)).toBe(7);
    i.un.gateway = bs.inet_addr('1.2.3.4');
    expect(i.bytes.toString('hex', 4)).toBe('01020304');
    i.un.frag.mtu = htons(1500);
    expect(ntohs(i.un.echo.sequence)).toBe(1500);
    expect(() => { i.un.echo.id = 0x10000; }).toThrow(RangeError);
    expect(() => { (i.un as { echo: unknown }).echo = {}; }).toThrow(TypeError);
  });

  it('icmp6_hdr id/seq/mtu overlap as icmp6_data16/icmp6_data32', () => {
    const h = new icmp6_hdr();
    h.icmp6_type = bs.ICMP6_ECHO_REQUEST;
    h.icmp6_id = htons(0xbeef);
    h.icmp6_seq = htons(1);
    h.icmp6_cksum = htons(0xabcd);
    expect(h.bytes.toString('hex')).toBe('8000abcdbeef0001');
    expect(ntohl(h.icmp6_mtu)).toBe(0xbeef0001);
    h.icmp6_mtu = htonl(1280);
    expect(ntohs(h.icmp6_seq)).toBe(1280);
  });

  it('udphdr', () => {
    const u = new udphdr();
    u.source = htons(53);
    u.dest = htons(5353);
    u.len = htons(12);
    u.check = 0xffff;
    expect(u.bytes.toString('hex')).toBe('003514e9000cffff');
  });

  it('ethhdr MACs are 6-byte views; h_proto is network order', () => {
    const e = new ethhdr();
    e.h_dest = [1, 2, 3, 4, 5, 6];
    e.h_source = Buffer.from('aabbccddeeff', 'hex');
    e.h_proto = htons(bs.ETH_P_IP);
    expect(e.bytes.toString('hex')).toBe('010203040506aabbccddeeff0800');
    expect(e.h_dest.length).toBe(6);
    e.h_source[0] = 0x02;
    expect(e.bytes[6]).toBe(0x02);
    e.h_dest = [9]; // shorter: zero-filled, like memcpy into a zeroed array
    expect(e.bytes.toString('hex', 0, 6)).toBe('090000000000');
    expectRange(() => { e.h_dest = Buffer.alloc(7); });
  });

  it('ip6_hdr: flow word, lengths, in6_addr views', () => {
    const h = new ip6_hdr();
    h.ip6_flow = htonl(0x60000000 | 0xabcde);
    h.ip6_plen = htons(16);
    h.ip6_nxt = bs.IPPROTO_ICMPV6;
    h.ip6_hlim = 255;
    h.ip6_src.address = '::1';
    h.ip6_dst = new bs.in6_addr('fe80::1');
    expect(h.bytes[0]! >> 4).toBe(6);
    expect(h.bytes.toString('hex', 0, 8)).toBe('600abcde' + '0010' + '3a' + 'ff');
    expect(h.bytes[23]).toBe(1);
    expect(h.bytes[24]).toBe(0xfe);
    expect(h.ip6_dst.address).toBe('fe80::1');
    expect(h.ip6_src).toBe(h.ip6_src); // one cached view
    expect(() => { h.ip6_src = '::1' as unknown as bs.in6_addr; }).toThrow(TypeError);
  });

  it('packet_mreq and icmp_filter', () => {
    const m = new packet_mreq();
    m.mr_ifindex = 1;
    m.mr_type = bs.PACKET_MR_PROMISC;
    m.mr_alen = 6;
    m.mr_address = [1, 2, 3, 4, 5, 6];
    expect(m.mr_address.length).toBe(8);
    expect(m.mr_ifindex).toBe(1);
    expectRange(() => { m.mr_ifindex = 2 ** 31; });
    expect(() => { m.mr_ifindex = -1; }).not.toThrow(); // a C int
    const f = new icmp_filter();
    f.data = (1 << bs.ICMP_ECHO) >>> 0;
    expect(f.data).toBe(256);
    f.data = 0xffffffff;
    expectRange(() => { f.data = 2 ** 32; });
  });
});

describe('views over buffers', () => {
  /** eth + ip + udp + payload, with distinct fields to find. */
  function frame(): Buffer {
    const b = Buffer.alloc(14 + 20 + 8 + 4 + 3); // 3 bytes slack past the payload
    const e = new ethhdr(b);
    e.h_proto = htons(bs.ETH_P_IP);
    const ip = new iphdr(b, 14);
    ip.version = 4;
    ip.ihl = 5;
    ip.tot_len = htons(32);
    ip.protocol = bs.IPPROTO_UDP;
    ip.saddrText = '127.0.0.1';
    ip.daddrText = '127.0.0.2';
    const u = new udphdr(b, 14 + ip.ihl * 4);
    u.source = htons(1111);
    u.dest = htons(2222);
    u.len = htons(12);
    b.write('ping', 42);
    return b;
  }

  it('views at offsets read and write the shared bytes', () => {
    const b = frame();
    expect(b[14]).toBe(0x45);
    expect(b.readUInt16BE(12)).toBe(bs.ETH_P_IP);
    const ip = new iphdr(b, 14);
    expect(ip.daddrText).toBe('127.0.0.2');
    const u = new udphdr(b, 14 + ip.ihl * 4);
    expect(ntohs(u.dest)).toBe(2222);
    u.dest = htons(3333);
    expect(b.readUInt16BE(36)).toBe(3333);
    expect(u.bytes.buffer).toBe(b.buffer);
    expect(u.bytes.byteOffset).toBe(b.byteOffset + 34);
    expect(u.bytes.length).toBe(8);
    // Over a Uint8Array inside a larger ArrayBuffer, at an offset into that view.
    const ab = new ArrayBuffer(100);
    const outer = new Uint8Array(ab, 10, 60);
    const t = new tcphdr(outer, 7);
    t.syn = 1;
    expect(new Uint8Array(ab)[10 + 7 + 13]).toBe(bs.TH_SYN);
    // A view ending exactly at the buffer's end is fine.
    expect(() => new udphdr(b, b.length - 8)).not.toThrow();
  });

  it('bzero/memcpy/sizeof work on header views', () => {
    const b = frame();
    const ip = new iphdr(b, 14);
    const copy = new iphdr();
    bs.memcpy(copy, ip, sizeof(ip));
    expect(copy.daddrText).toBe('127.0.0.2');
    bs.bzero(ip, sizeof(ip));
    expect(b.subarray(14, 34).every((x) => x === 0)).toBe(true);
    expect(b[34]).not.toBe(0); // only the header was cleared
  });

  it('too-short buffers and bad offsets are RangeErrors; non-bytes are TypeErrors', () => {
    const b = frame();
    expectRange(() => new iphdr(b.subarray(0, 19)));
    expectRange(() => new iphdr(b, b.length - 19));
    expect(() => new ip6_hdr(b)).not.toThrow(); // 49 bytes: 40 fit…
    expectRange(() => new ip6_hdr(b, 10)); // …but not from offset 10
    expectRange(() => new udphdr(b, b.length)); // offset at the end: 0 bytes remain
    expectRange(() => new udphdr(b, b.length + 1));
    expectRange(() => new udphdr(b, -1));
    expectRange(() => new udphdr(b, 1.5));
    expectRange(() => new udphdr(b, NaN));
    expect(() => new udphdr(b, '1' as unknown as number)).toThrow(TypeError);
    expect(() => new udphdr([1, 2, 3, 4, 5, 6, 7, 8] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => new ethhdr(new Uint8Array(0))).toThrow(RangeError);
    expect(() => new ip6_hdr(Buffer.alloc(49), 9)).not.toThrow();
  });

  it('setters out of the C range are RangeErrors, never truncated', () => {
    const ip = new iphdr();
    expectRange(() => { ip.ihl = 16; });
    expectRange(() => { ip.version = -1; });
    expectRange(() => { ip.version = 4.5; });
    expectRange(() => { ip.ttl = 256; });
    expectRange(() => { ip.tot_len = 65536; });
    expectRange(() => { ip.saddr = 2 ** 32; });
    expect(() => { ip.ttl = '64' as unknown as number; }).toThrow(TypeError);
    expect(() => { ip.ihl = '5' as unknown as number; }).toThrow(TypeError);
    expect(ip.bytes.every((x) => x === 0)).toBe(true);
    const t = new tcphdr();
    expectRange(() => { t.syn = 2; });
    expectRange(() => { t.res2 = 4; });
    expectRange(() => { t.doff = 16; });
    expectRange(() => { t.seq = 2 ** 32; });
    expectRange(() => { t.th_flags = 256; });
    expect(t.bytes.every((x) => x === 0)).toBe(true);
    t.seq = 0xffffffff;
    expect(t.seq).toBe(0xffffffff);
    const h6 = new ip6_hdr();
    expectRange(() => { h6.ip6_hlim = 256; });
  });
});

describe('in_cksum (RFC 1071)', () => {
  it('the RFC 1071 example: 00 01 f2 03 f4 f5 f6 f7 → 0x220d in network order', () => {
    const data = Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    const c = in_cksum(data);
    expect(ntohs(c)).toBe(0x220d);
    // Stored with a host-order store (what the header setters do), the bytes are 22 0d.
    const out = Buffer.alloc(2);
    new DataView(out.buffer, out.byteOffset).setUint16(0, c, LE);
    expect(out.toString('hex')).toBe('220d');
    expect(c).toBe(cStyleCksum(data));
  });

  it('an ICMP echo with its own checksum sums to 0', () => {
    const pkt = Buffer.alloc(8 + 11);
    const icmp = new icmphdr(pkt);
    icmp.type = bs.ICMP_ECHO;
    icmp.un.echo.id = htons(0x4242);
    icmp.un.echo.sequence = htons(1);
    pkt.write('hello world', 8); // odd total length
    icmp.checksum = in_cksum(pkt, pkt.length);
    expect(icmp.checksum).not.toBe(0);
    expect(in_cksum(pkt)).toBe(0);
    pkt[10] = pkt[10]! ^ 0x01;
    expect(in_cksum(pkt)).not.toBe(0);
  });

  it('odd lengths pad with a zero byte; len limits the bytes summed', () => {
    expect(ntohs(in_cksum(Buffer.from([0x01])))).toBe(0xfeff);
    const x = Buffer.from([1, 2, 3, 4, 5, 6, 7, 99]);
    expect(in_cksum(x, 7)).toBe(in_cksum(x.subarray(0, 7)));
    expect(in_cksum(x, 7)).toBe(in_cksum(Buffer.from([1, 2, 3, 4, 5, 6, 7, 0])));
    expect(in_cksum(x, 0)).toBe(0xffff);
    expect(in_cksum(new Uint8Array(0))).toBe(0xffff);
  });

  it('matches a C-style host-order implementation on random data, any view type', () => {
    for (const n of [1, 2, 3, 20, 21, 1499, 1500, 65535, 200_001]) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = (Math.random() * 256) | 0;
      expect(in_cksum(b), `n=${n}`).toBe(cStyleCksum(b));
    }
    const all = Buffer.alloc(200_000, 0xff); // the worst case for carries
    expect(in_cksum(all)).toBe(0);
    const u16 = new Uint16Array([0x0100, 0xf203]);
    expect(in_cksum(u16)).toBe(cStyleCksum(new Uint8Array(u16.buffer)));
    const dv = new DataView(new ArrayBuffer(6), 2, 4);
    expect(in_cksum(dv)).toBe(0xffff);
  });

  it('len past the buffer is a RangeError; bad arguments are rejected', () => {
    const x = Buffer.alloc(8);
    expectRange(() => in_cksum(x, 9));
    expectRange(() => in_cksum(x, -1));
    expectRange(() => in_cksum(x, 1.5));
    expectRange(() => in_cksum(new icmphdr(), 9));
    expect(() => in_cksum([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => in_cksum(x, '8' as unknown as number)).toThrow(TypeError);
  });
});

describe('pseudo-header checksums', () => {
  function segment(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = (i * 37 + 11) & 0xff;
    b[6] = b[7] = 0; // udphdr.check
    b[16] = b[17] = 0; // tcphdr.check (when long enough)
    return b;
  }

  it('udp4/tcp4 match a byte-by-byte pseudo-header, for every address form', () => {
    for (const n of [8, 9, 20, 33, 1000]) {
      const seg = segment(n);
      const want = refPseudo4('127.0.0.1', '10.9.8.7', bs.IPPROTO_TCP, seg);
      expect(tcp4_checksum('127.0.0.1', '10.9.8.7', seg)).toBe(want);
      expect(tcp4_checksum(new bs.in_addr('127.0.0.1'), bs.inet_addr('10.9.8.7'), seg)).toBe(want);
      expect(tcp4_checksum(Buffer.from([127, 0, 0, 1]), new Uint8Array([10, 9, 8, 7]), seg)).toBe(want);
      expect(pseudo_checksum(bs.AF_INET, bs.IPPROTO_TCP, '127.0.0.1', '10.9.8.7', seg)).toBe(want);
      const u = refPseudo4('127.0.0.1', '10.9.8.7', bs.IPPROTO_UDP, seg);
      expect(udp4_checksum('127.0.0.1', '10.9.8.7', seg)).toBe(u === 0 ? 0xffff : u);
    }
  });

  it('udp6/tcp6 match a byte-by-byte pseudo-header', () => {
    for (const n of [8, 21, 1280]) {
      const seg = segment(n);
      const t = refPseudo6('::1', 'fe80::abcd:1', bs.IPPROTO_TCP, seg);
      expect(tcp6_checksum('::1', 'fe80::abcd:1', seg)).toBe(t);
      expect(tcp6_checksum(new bs.in6_addr('::1'), new bs.in6_addr('fe80::abcd:1').bytes, seg)).toBe(t);
      const u = refPseudo6('::1', 'fe80::abcd:1', bs.IPPROTO_UDP, seg);
      expect(udp6_checksum('::1', 'fe80::abcd:1', seg)).toBe(u === 0 ? 0xffff : u);
      expect(pseudo_checksum(bs.AF_INET6, bs.IPPROTO_ICMPV6, '::1', '::1', seg))
        .toBe(refPseudo6('::1', '::1', bs.IPPROTO_ICMPV6, seg));
    }
  });

  it('a segment holding its checksum verifies to 0; len limits the segment', () => {
    const b = Buffer.alloc(8 + 5 + 10);
    const u = new udphdr(b);
    u.source = htons(1234);
    u.dest = htons(53);
    u.len = htons(13);
    b.write('hello', 8);
    u.check = udp4_checksum('127.0.0.1', '127.0.0.1', b, 13);
    expect(pseudo_checksum(bs.AF_INET, bs.IPPROTO_UDP, '127.0.0.1', '127.0.0.1', b, 13)).toBe(0);
    expect(udp4_checksum('127.0.0.1', '127.0.0.1', u)).toBe(
      udp4_checksum('127.0.0.1', '127.0.0.1', b.subarray(0, 8)));
  });

  it('UDP sends a computed 0 as 0xffff; the raw sum stays 0', () => {
    const seg = segment(10);
    // Put the would-be checksum into the payload's last word: the total then sums to 0.
    seg[8] = seg[9] = 0;
    const c = pseudo_checksum(bs.AF_INET, bs.IPPROTO_UDP, '127.0.0.1', '127.0.0.1', seg);
    new DataView(seg.buffer, seg.byteOffset).setUint16(8, c, LE);
    expect(pseudo_checksum(bs.AF_INET, bs.IPPROTO_UDP, '127.0.0.1', '127.0.0.1', seg)).toBe(0);
    expect(udp4_checksum('127.0.0.1', '127.0.0.1', seg)).toBe(0xffff);
    expect(tcp4_checksum('127.0.0.1', '127.0.0.1', seg)).not.toBe(0xffff);
  });

  it('bad arguments', () => {
    const seg = segment(8);
    expectRange(() => udp4_checksum('127.0.0.1', '127.0.0.1', seg, 9));
    expectRange(() => udp4_checksum(Buffer.alloc(3), '127.0.0.1', seg));
    expectRange(() => udp4_checksum(2 ** 32, '127.0.0.1', seg));
    expectRange(() => udp6_checksum(Buffer.alloc(4), '::1', seg));
    expectRange(() => tcp4_checksum('127.0.0.1', '127.0.0.1', Buffer.alloc(65536)));
    expectRange(() => pseudo_checksum(bs.AF_UNIX, 17, '127.0.0.1', '127.0.0.1', seg));
    expectRange(() => pseudo_checksum(bs.AF_INET, 256, '127.0.0.1', '127.0.0.1', seg));
    expect(() => udp6_checksum('127.0.0.1', '::1', seg)).toThrow(TypeError);
    expect(() => udp4_checksum({} as unknown as string, '127.0.0.1', seg)).toThrow(TypeError);
    expect(() => udp4_checksum('127.0.0.1', '127.0.0.1', 'abc' as unknown as Buffer)).toThrow(TypeError);
  });
});

describe('if_nameindex', () => {
  it('lists lo with the index if_nametoindex gives, and every entry round-trips', () => {
    const list = bs.if_nameindex();
    expect(list.length).toBeGreaterThan(0);
    const lo = list.find((e) => e.if_name === 'lo');
    expect(lo?.if_index).toBe(bs.if_nametoindex('lo'));
    for (const e of list) {
      expect(Object.keys(e).sort()).toEqual(['if_index', 'if_name']);
      expect(bs.if_indextoname(e.if_index)).toBe(e.if_name);
      expect(bs.if_nametoindex(e.if_name)).toBe(e.if_index);
    }
    expect(new Set(list.map((e) => e.if_index)).size).toBe(list.length);
  });
});
