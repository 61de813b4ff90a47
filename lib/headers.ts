// Packet headers as C structs: views over packet bytes laid out exactly as this host's
// compiler lays out <netinet/ip.h>, <netinet/tcp.h>… (offsets, sizes and bitfield positions
// come from native.layouts; none is typed by hand here). Multi-byte fields hold network-order
// values exactly as C code sees them: `ntohs(ip.tot_len)`, `tcp.dest = htons(80)`.
import { native, type BitLayout } from './native.js';
import { bitfield, field, layout } from './layouts.js';
import { AF_INET } from './constants.generated.js';
import { CStruct, in6_addr } from './structs.js';
import { rangeError, typeError } from './validate.js';

/**
 * The memory a header view covers: `buf` from `offset` on. The offset must be an integer
 * within the buffer; CStruct then requires sizeof bytes from there (RangeError otherwise).
 */
function at(buf: Uint8Array | undefined, offset: unknown): Uint8Array | undefined {
  if (buf === undefined) {
    if (offset !== undefined && offset !== 0) throw typeError('buf', 'a Uint8Array when an offset is given', buf);
    return undefined;
  }
  if (!(buf instanceof Uint8Array)) throw typeError('buf', 'a Uint8Array or Buffer', buf);
  const o = offset ?? 0;
  if (typeof o !== 'number') throw typeError('offset', 'of type number', o);
  if (!Number.isInteger(o) || o < 0 || o > buf.byteLength) throw rangeError('offset', `an integer >= 0 and <= ${buf.byteLength}`, o);
  return buf.subarray(o);
}

/**
 * Base of the packet-header structs: CStruct plus C bitfields, read and written through
 * the bit positions the compiler chose ([first bit, width], LSB of each byte first).
 */
export abstract class PacketHeader extends CStruct {
  protected constructor(size: number, buf?: Uint8Array, offset?: number) {
    super(size, at(buf, offset));
  }

  /** Reads a bitfield (unsigned, as every header bitfield is). */
  protected getBits_(b: BitLayout): number {
    const [first, width] = b;
    let v = 0;
    for (let k = width - 1; k >= 0; k--) {
      const bit = first + k;
      v = v * 2 + ((this.bytes[bit >>> 3]! >>> (bit & 7)) & 1);
    }
    return v;
  }

  /** Writes a bitfield; a value that does not fit its width is a RangeError, never truncated. */
  protected setBits_(b: BitLayout, v: unknown, name: string): void {
    const [first, width] = b;
    if (typeof v !== 'number') throw typeError(name, 'of type number', v);
    const max = 2 ** width - 1;
    if (!Number.isInteger(v) || v < 0 || v > max) throw rangeError(name, `an integer >= 0 and <= ${max} (a ${width}-bit field)`, v);
    for (let k = 0; k < width; k++) {
      const bit = first + k;
      const mask = 1 << (bit & 7);
      const i = bit >>> 3;
      const cur = this.bytes[i]!;
      this.bytes[i] = Math.floor(v / 2 ** k) % 2 ? cur | mask : cur & ~mask;
    }
  }
}

// ---------------------------------------------------------------------------------------
// <linux/if_ether.h>

const ETH = layout('ethhdr');
const ETH_dest = field(ETH, 'h_dest');
const ETH_source = field(ETH, 'h_source');
const ETH_proto = field(ETH, 'h_proto');

/** `struct ethhdr` (`<linux/if_ether.h>`): an Ethernet II header, 14 bytes. */
export class ethhdr extends PacketHeader {
  static readonly size = ETH.size;
  /** `new ethhdr()` is zeroed; `new ethhdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(ETH.size, buf, offset); }
  /** Destination MAC address (6 bytes, a view into the header). */
  get h_dest(): Buffer { return this.sub_(ETH_dest); }
  set h_dest(v: ArrayLike<number> | ArrayBufferView) { this.fill_(ETH_dest, v, 'h_dest'); }
  /** Source MAC address (6 bytes, a view into the header). */
  get h_source(): Buffer { return this.sub_(ETH_source); }
  set h_source(v: ArrayLike<number> | ArrayBufferView) { this.fill_(ETH_source, v, 'h_source'); }
  /** EtherType in network byte order: `ntohs(eth.h_proto) === ETH_P_IP`. */
  get h_proto(): number { return this.get_(ETH_proto); }
  set h_proto(v: number) { this.set_(ETH_proto, v, 'h_proto'); }
}

// ---------------------------------------------------------------------------------------
// <netinet/ip.h>

const IP = layout('iphdr');
const IP_ihl = bitfield(IP, 'ihl');
const IP_version = bitfield(IP, 'version');
const IP_tos = field(IP, 'tos');
const IP_tot_len = field(IP, 'tot_len');
const IP_id = field(IP, 'id');
const IP_frag_off = field(IP, 'frag_off');
const IP_ttl = field(IP, 'ttl');
const IP_protocol = field(IP, 'protocol');
const IP_check = field(IP, 'check');
const IP_saddr = field(IP, 'saddr');
const IP_daddr = field(IP, 'daddr');

function dotted(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}
function parseDotted(dst: Buffer, text: unknown, name: string): void {
  if (typeof text !== 'string') throw typeError(name, 'of type string', text);
  if (native.inet_pton(AF_INET, text, dst) !== 1) {
    const e = new TypeError(`Invalid IPv4 address: ${JSON.stringify(text)}`);
    (e as TypeError & { code: string }).code = 'ERR_INVALID_ADDRESS';
    throw e;
  }
}

/**
 * `struct iphdr` (`<netinet/ip.h>`): the IPv4 header without options, 20 bytes.
 * `ihl` counts 32-bit words: the payload starts at `ip.ihl * 4`.
 */
export class iphdr extends PacketHeader {
  static readonly size = IP.size;
  /** `new iphdr()` is zeroed; `new iphdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(IP.size, buf, offset); }
  /** Header length in 32-bit words (bitfield, 4 bits; 5 without options). */
  get ihl(): number { return this.getBits_(IP_ihl); }
  set ihl(v: number) { this.setBits_(IP_ihl, v, 'ihl'); }
  /** IP version (bitfield, 4 bits; 4). */
  get version(): number { return this.getBits_(IP_version); }
  set version(v: number) { this.setBits_(IP_version, v, 'version'); }
  get tos(): number { return this.get_(IP_tos); }
  set tos(v: number) { this.set_(IP_tos, v, 'tos'); }
  /** Total length in network byte order. */
  get tot_len(): number { return this.get_(IP_tot_len); }
  set tot_len(v: number) { this.set_(IP_tot_len, v, 'tot_len'); }
  /** Identification, network byte order. */
  get id(): number { return this.get_(IP_id); }
  set id(v: number) { this.set_(IP_id, v, 'id'); }
  /** Flags and fragment offset, network byte order (`ntohs(ip.frag_off) & IP_DF`). */
  get frag_off(): number { return this.get_(IP_frag_off); }
  set frag_off(v: number) { this.set_(IP_frag_off, v, 'frag_off'); }
  get ttl(): number { return this.get_(IP_ttl); }
  set ttl(v: number) { this.set_(IP_ttl, v, 'ttl'); }
  /** The payload's protocol (IPPROTO_ICMP, IPPROTO_TCP…). */
  get protocol(): number { return this.get_(IP_protocol); }
  set protocol(v: number) { this.set_(IP_protocol, v, 'protocol'); }
  /** Header checksum as stored: assign `in_cksum(ip)` (after zeroing it). */
  get check(): number { return this.get_(IP_check); }
  set check(v: number) { this.set_(IP_check, v, 'check'); }
  /** Source address as an in_addr_t in network byte order (like `in_addr.s_addr`). */
  get saddr(): number { return this.get_(IP_saddr); }
  set saddr(v: number) { this.set_(IP_saddr, v, 'saddr'); }
  /** Destination address as an in_addr_t in network byte order. */
  get daddr(): number { return this.get_(IP_daddr); }
  set daddr(v: number) { this.set_(IP_daddr, v, 'daddr'); }
  /** Host convenience: the source address as a dotted quad. */
  get saddrText(): string { return dotted(this.sub_(IP_saddr)); }
  set saddrText(text: string) { parseDotted(this.sub_(IP_saddr), text, 'saddrText'); }
  /** Host convenience: the destination address as a dotted quad. */
  get daddrText(): string { return dotted(this.sub_(IP_daddr)); }
  set daddrText(text: string) { parseDotted(this.sub_(IP_daddr), text, 'daddrText'); }
  toString(): string {
    return `iphdr{v${this.version} ihl=${this.ihl} ${this.saddrText} > ${this.daddrText} proto=${this.protocol} ttl=${this.ttl}}`;
  }
}

// ---------------------------------------------------------------------------------------
// <netinet/ip6.h>

const IP6 = layout('ip6_hdr');
const IP6_flow = field(IP6, 'ip6_flow');
const IP6_plen = field(IP6, 'ip6_plen');
const IP6_nxt = field(IP6, 'ip6_nxt');
const IP6_hlim = field(IP6, 'ip6_hlim');
const IP6_src = field(IP6, 'ip6_src');
const IP6_dst = field(IP6, 'ip6_dst');

/** `struct ip6_hdr` (`<netinet/ip6.h>`): the fixed IPv6 header, 40 bytes. */
export class ip6_hdr extends PacketHeader {
  static readonly size = IP6.size;
  #src?: in6_addr;
  #dst?: in6_addr;
  /** `new ip6_hdr()` is zeroed; `new ip6_hdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(IP6.size, buf, offset); }
  /** Version (4 bits), traffic class (8), flow label (20), as one network-order word. */
  get ip6_flow(): number { return this.get_(IP6_flow); }
  set ip6_flow(v: number) { this.set_(IP6_flow, v, 'ip6_flow'); }
  /** Payload length, network byte order. */
  get ip6_plen(): number { return this.get_(IP6_plen); }
  set ip6_plen(v: number) { this.set_(IP6_plen, v, 'ip6_plen'); }
  /** Next header (IPPROTO_ICMPV6, IPPROTO_UDP…). */
  get ip6_nxt(): number { return this.get_(IP6_nxt); }
  set ip6_nxt(v: number) { this.set_(IP6_nxt, v, 'ip6_nxt'); }
  /** Hop limit. */
  get ip6_hlim(): number { return this.get_(IP6_hlim); }
  set ip6_hlim(v: number) { this.set_(IP6_hlim, v, 'ip6_hlim'); }
  /** Source address (an in6_addr view: writes go to this header). */
  get ip6_src(): in6_addr { return (this.#src ??= new in6_addr(this.sub_(IP6_src))); }
  set ip6_src(v: in6_addr) {
    if (!(v instanceof in6_addr)) throw typeError('ip6_src', 'an in6_addr', v);
    this.sub_(IP6_src).set(v.bytes);
  }
  /** Destination address (an in6_addr view). */
  get ip6_dst(): in6_addr { return (this.#dst ??= new in6_addr(this.sub_(IP6_dst))); }
  set ip6_dst(v: in6_addr) {
    if (!(v instanceof in6_addr)) throw typeError('ip6_dst', 'an in6_addr', v);
    this.sub_(IP6_dst).set(v.bytes);
  }
}

// ---------------------------------------------------------------------------------------
// <netinet/ip_icmp.h>

const ICMP = layout('icmphdr');
const ICMP_type = field(ICMP, 'type');
const ICMP_code = field(ICMP, 'code');
const ICMP_checksum = field(ICMP, 'checksum');
const ICMP_echo_id = field(ICMP, 'un.echo.id');
const ICMP_echo_sequence = field(ICMP, 'un.echo.sequence');
const ICMP_gateway = field(ICMP, 'un.gateway');
const ICMP_frag_mtu = field(ICMP, 'un.frag.mtu');

/** The `un` union of an icmphdr: every member writes into the same header bytes. */
export interface icmphdr_un {
  /** Echo request / reply: identifier and sequence number, network byte order. */
  readonly echo: { id: number; sequence: number };
  /** Redirect: the gateway address (in_addr_t, network byte order). */
  gateway: number;
  /** Destination unreachable, fragmentation needed: the next-hop MTU, network byte order. */
  readonly frag: { mtu: number };
}

/**
 * `struct icmphdr` (`<netinet/ip_icmp.h>`): the ICMP header, 8 bytes. The union reads as
 * in C: `icmp.un.echo.id = htons(id)`, `ntohs(icmp.un.echo.sequence)`, `icmp.un.gateway`.
 */
export class icmphdr extends PacketHeader {
  static readonly size = ICMP.size;
  /** The union (nested accessor objects over this header's bytes). */
  readonly un: icmphdr_un;
  /** `new icmphdr()` is zeroed; `new icmphdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) {
    super(ICMP.size, buf, offset);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the nested getters need the header itself
    const self = this;
    const echo = {
      get id(): number { return self.get_(ICMP_echo_id); },
      set id(v: number) { self.set_(ICMP_echo_id, v, 'un.echo.id'); },
      get sequence(): number { return self.get_(ICMP_echo_sequence); },
      set sequence(v: number) { self.set_(ICMP_echo_sequence, v, 'un.echo.sequence'); },
    };
    const frag = {
      get mtu(): number { return self.get_(ICMP_frag_mtu); },
      set mtu(v: number) { self.set_(ICMP_frag_mtu, v, 'un.frag.mtu'); },
    };
    this.un = Object.freeze({
      echo: Object.seal(echo),
      frag: Object.seal(frag),
      get gateway(): number { return self.get_(ICMP_gateway); },
      set gateway(v: number) { self.set_(ICMP_gateway, v, 'un.gateway'); },
    });
  }
  /** ICMP_ECHO, ICMP_ECHOREPLY, ICMP_DEST_UNREACH… */
  get type(): number { return this.get_(ICMP_type); }
  set type(v: number) { this.set_(ICMP_type, v, 'type'); }
  get code(): number { return this.get_(ICMP_code); }
  set code(v: number) { this.set_(ICMP_code, v, 'code'); }
  /** Checksum as stored: `icmp.checksum = in_cksum(packet)` over the zeroed field. */
  get checksum(): number { return this.get_(ICMP_checksum); }
  set checksum(v: number) { this.set_(ICMP_checksum, v, 'checksum'); }
}

// ---------------------------------------------------------------------------------------
// <netinet/icmp6.h>

const ICMP6 = layout('icmp6_hdr');
const ICMP6_type = field(ICMP6, 'icmp6_type');
const ICMP6_code = field(ICMP6, 'icmp6_code');
const ICMP6_cksum = field(ICMP6, 'icmp6_cksum');
const ICMP6_id = field(ICMP6, 'icmp6_id');
const ICMP6_seq = field(ICMP6, 'icmp6_seq');
const ICMP6_mtu = field(ICMP6, 'icmp6_mtu');

/**
 * `struct icmp6_hdr` (`<netinet/icmp6.h>`): the ICMPv6 header, 8 bytes. On a raw
 * IPPROTO_ICMPV6 socket the kernel fills in `icmp6_cksum`.
 */
export class icmp6_hdr extends PacketHeader {
  static readonly size = ICMP6.size;
  /** `new icmp6_hdr()` is zeroed; `new icmp6_hdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(ICMP6.size, buf, offset); }
  /** ICMP6_ECHO_REQUEST, ICMP6_ECHO_REPLY… */
  get icmp6_type(): number { return this.get_(ICMP6_type); }
  set icmp6_type(v: number) { this.set_(ICMP6_type, v, 'icmp6_type'); }
  get icmp6_code(): number { return this.get_(ICMP6_code); }
  set icmp6_code(v: number) { this.set_(ICMP6_code, v, 'icmp6_code'); }
  get icmp6_cksum(): number { return this.get_(ICMP6_cksum); }
  set icmp6_cksum(v: number) { this.set_(ICMP6_cksum, v, 'icmp6_cksum'); }
  /** Echo identifier, network byte order (`icmp6_data16[0]`). */
  get icmp6_id(): number { return this.get_(ICMP6_id); }
  set icmp6_id(v: number) { this.set_(ICMP6_id, v, 'icmp6_id'); }
  /** Echo sequence number, network byte order (`icmp6_data16[1]`). */
  get icmp6_seq(): number { return this.get_(ICMP6_seq); }
  set icmp6_seq(v: number) { this.set_(ICMP6_seq, v, 'icmp6_seq'); }
  /** Packet too big: the MTU, network byte order (`icmp6_data32[0]`). */
  get icmp6_mtu(): number { return this.get_(ICMP6_mtu); }
  set icmp6_mtu(v: number) { this.set_(ICMP6_mtu, v, 'icmp6_mtu'); }
}

// ---------------------------------------------------------------------------------------
// <netinet/udp.h>

const UDP = layout('udphdr');
const UDP_source = field(UDP, 'source');
const UDP_dest = field(UDP, 'dest');
const UDP_len = field(UDP, 'len');
const UDP_check = field(UDP, 'check');

/** `struct udphdr` (`<netinet/udp.h>`): the UDP header, 8 bytes, all fields network order. */
export class udphdr extends PacketHeader {
  static readonly size = UDP.size;
  /** `new udphdr()` is zeroed; `new udphdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(UDP.size, buf, offset); }
  get source(): number { return this.get_(UDP_source); }
  set source(v: number) { this.set_(UDP_source, v, 'source'); }
  get dest(): number { return this.get_(UDP_dest); }
  set dest(v: number) { this.set_(UDP_dest, v, 'dest'); }
  /** Header plus payload length. */
  get len(): number { return this.get_(UDP_len); }
  set len(v: number) { this.set_(UDP_len, v, 'len'); }
  /** Checksum as stored: assign `udp4_checksum(…)` / `udp6_checksum(…)`. */
  get check(): number { return this.get_(UDP_check); }
  set check(v: number) { this.set_(UDP_check, v, 'check'); }
}

// ---------------------------------------------------------------------------------------
// <netinet/tcp.h>

const TCP = layout('tcphdr');
const TCP_source = field(TCP, 'source');
const TCP_dest = field(TCP, 'dest');
const TCP_seq = field(TCP, 'seq');
const TCP_ack_seq = field(TCP, 'ack_seq');
const TCP_res1 = bitfield(TCP, 'res1');
const TCP_doff = bitfield(TCP, 'doff');
const TCP_fin = bitfield(TCP, 'fin');
const TCP_syn = bitfield(TCP, 'syn');
const TCP_rst = bitfield(TCP, 'rst');
const TCP_psh = bitfield(TCP, 'psh');
const TCP_ack = bitfield(TCP, 'ack');
const TCP_urg = bitfield(TCP, 'urg');
const TCP_res2 = bitfield(TCP, 'res2');
const TCP_th_flags = field(TCP, 'th_flags');
const TCP_window = field(TCP, 'window');
const TCP_check = field(TCP, 'check');
const TCP_urg_ptr = field(TCP, 'urg_ptr');

/**
 * `struct tcphdr` (`<netinet/tcp.h>`): the TCP header without options, 20 bytes. The flag
 * bitfields (`syn`, `ack`…) and the BSD `th_flags` byte (TH_SYN | TH_ACK…) are the same bits.
 */
export class tcphdr extends PacketHeader {
  static readonly size = TCP.size;
  /** `new tcphdr()` is zeroed; `new tcphdr(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(TCP.size, buf, offset); }
  get source(): number { return this.get_(TCP_source); }
  set source(v: number) { this.set_(TCP_source, v, 'source'); }
  get dest(): number { return this.get_(TCP_dest); }
  set dest(v: number) { this.set_(TCP_dest, v, 'dest'); }
  /** Sequence number, network byte order (`ntohl(tcp.seq)`). */
  get seq(): number { return this.get_(TCP_seq); }
  set seq(v: number) { this.set_(TCP_seq, v, 'seq'); }
  /** Acknowledgement number, network byte order. */
  get ack_seq(): number { return this.get_(TCP_ack_seq); }
  set ack_seq(v: number) { this.set_(TCP_ack_seq, v, 'ack_seq'); }
  get res1(): number { return this.getBits_(TCP_res1); }
  set res1(v: number) { this.setBits_(TCP_res1, v, 'res1'); }
  /** Data offset in 32-bit words (bitfield, 4 bits; 5 without options). */
  get doff(): number { return this.getBits_(TCP_doff); }
  set doff(v: number) { this.setBits_(TCP_doff, v, 'doff'); }
  get fin(): number { return this.getBits_(TCP_fin); }
  set fin(v: number) { this.setBits_(TCP_fin, v, 'fin'); }
  get syn(): number { return this.getBits_(TCP_syn); }
  set syn(v: number) { this.setBits_(TCP_syn, v, 'syn'); }
  get rst(): number { return this.getBits_(TCP_rst); }
  set rst(v: number) { this.setBits_(TCP_rst, v, 'rst'); }
  get psh(): number { return this.getBits_(TCP_psh); }
  set psh(v: number) { this.setBits_(TCP_psh, v, 'psh'); }
  get ack(): number { return this.getBits_(TCP_ack); }
  set ack(v: number) { this.setBits_(TCP_ack, v, 'ack'); }
  get urg(): number { return this.getBits_(TCP_urg); }
  set urg(v: number) { this.setBits_(TCP_urg, v, 'urg'); }
  /** ECE and CWR (bitfield, 2 bits). */
  get res2(): number { return this.getBits_(TCP_res2); }
  set res2(v: number) { this.setBits_(TCP_res2, v, 'res2'); }
  /** The flags byte (TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK, TH_URG…). */
  get th_flags(): number { return this.get_(TCP_th_flags); }
  set th_flags(v: number) { this.set_(TCP_th_flags, v, 'th_flags'); }
  /** Receive window, network byte order. */
  get window(): number { return this.get_(TCP_window); }
  set window(v: number) { this.set_(TCP_window, v, 'window'); }
  /** Checksum as stored: assign `tcp4_checksum(…)` / `tcp6_checksum(…)`. */
  get check(): number { return this.get_(TCP_check); }
  set check(v: number) { this.set_(TCP_check, v, 'check'); }
  get urg_ptr(): number { return this.get_(TCP_urg_ptr); }
  set urg_ptr(v: number) { this.set_(TCP_urg_ptr, v, 'urg_ptr'); }
}

// ---------------------------------------------------------------------------------------
// <linux/if_packet.h>, <linux/icmp.h>

const PMREQ = layout('packet_mreq');
const PMREQ_ifindex = field(PMREQ, 'mr_ifindex');
const PMREQ_type = field(PMREQ, 'mr_type');
const PMREQ_alen = field(PMREQ, 'mr_alen');
const PMREQ_address = field(PMREQ, 'mr_address');

/**
 * `struct packet_mreq` (`<linux/if_packet.h>`) for PACKET_ADD_MEMBERSHIP /
 * PACKET_DROP_MEMBERSHIP at level SOL_PACKET (e.g. `mr_type = PACKET_MR_PROMISC`).
 */
export class packet_mreq extends PacketHeader {
  static readonly size = PMREQ.size;
  /** `new packet_mreq()` is zeroed; `new packet_mreq(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(PMREQ.size, buf, offset); }
  /** Interface index (if_nametoindex()). */
  get mr_ifindex(): number { return this.get_(PMREQ_ifindex); }
  set mr_ifindex(v: number) { this.set_(PMREQ_ifindex, v, 'mr_ifindex'); }
  /** PACKET_MR_PROMISC, PACKET_MR_MULTICAST, PACKET_MR_ALLMULTI… */
  get mr_type(): number { return this.get_(PMREQ_type); }
  set mr_type(v: number) { this.set_(PMREQ_type, v, 'mr_type'); }
  /** Length of `mr_address` that counts. */
  get mr_alen(): number { return this.get_(PMREQ_alen); }
  set mr_alen(v: number) { this.set_(PMREQ_alen, v, 'mr_alen'); }
  /** Link-layer address (8 bytes, a view into the struct). */
  get mr_address(): Buffer { return this.sub_(PMREQ_address); }
  set mr_address(v: ArrayLike<number> | ArrayBufferView) { this.fill_(PMREQ_address, v, 'mr_address'); }
}

const IFILT = layout('icmp_filter');
const IFILT_data = field(IFILT, 'data');

/**
 * `struct icmp_filter` (`<linux/icmp.h>`) for ICMP_FILTER at level SOL_RAW on a raw
 * IPPROTO_ICMP socket: bit `1 << type` set in `data` filters that ICMP type out.
 */
export class icmp_filter extends PacketHeader {
  static readonly size = IFILT.size;
  /** `new icmp_filter()` is zeroed; `new icmp_filter(buf, offset)` views `buf` at `offset`. */
  constructor(buf?: Uint8Array, offset = 0) { super(IFILT.size, buf, offset); }
  /** Bit mask of the ICMP types to drop (host byte order, as in C). */
  get data(): number { return this.get_(IFILT_data); }
  set data(v: number) { this.set_(IFILT_data, v, 'data'); }
}

// The checksums that go with these headers (in_cksum, tcp4_checksum…), from the same entry.
export * from './checksum.js';

// PascalCase aliases for those who prefer them.
export {
  ethhdr as EthHdr, iphdr as IpHdr, ip6_hdr as Ip6Hdr, icmphdr as IcmpHdr, icmp6_hdr as Icmp6Hdr,
  udphdr as UdpHdr, tcphdr as TcpHdr, packet_mreq as PacketMreq, icmp_filter as IcmpFilter,
};
