// Below TCP and UDP: packet header layouts (with bitfields located as this compiler lays
// them out), packet(7) structs, if_nameindex(3), and ICMP_FILTER, which only the kernel's
// <linux/icmp.h> defines (it clashes with glibc's <netinet/ip_icmp.h>, hence this file).
// The header structs carry their Linux (glibc) names; the BSDs name theirs differently
// (struct ip, struct icmp, uh_sport…), and Windows has none: no macro tells them apart.
#include "layout.h"

#ifndef _WIN32
// glibc's <net/if.h> first: the kernel's <linux/if.h> (pulled in by <linux/icmp.h>) then
// defers to it instead of clashing.
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#endif
#ifdef __linux__
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#endif

namespace bsock {
namespace {

#ifdef __linux__
void AddHeaderLayouts(Napi::Env env, Napi::Object layouts) {
  BS_STRUCT(ethhdr, BS_FIELD(ethhdr, h_dest); BS_FIELD(ethhdr, h_source); BS_FIELD(ethhdr, h_proto));
  BS_STRUCT(iphdr, BS_BITS(iphdr, ihl); BS_BITS(iphdr, version); BS_FIELD(iphdr, tos); BS_FIELD(iphdr, tot_len);
            BS_FIELD(iphdr, id); BS_FIELD(iphdr, frag_off); BS_FIELD(iphdr, ttl); BS_FIELD(iphdr, protocol);
            BS_FIELD(iphdr, check); BS_FIELD(iphdr, saddr); BS_FIELD(iphdr, daddr));
  BS_STRUCT(ip6_hdr, BS_FIELD(ip6_hdr, ip6_flow); BS_FIELD(ip6_hdr, ip6_plen); BS_FIELD(ip6_hdr, ip6_nxt);
            BS_FIELD(ip6_hdr, ip6_hlim); BS_FIELD(ip6_hdr, ip6_src); BS_FIELD(ip6_hdr, ip6_dst));
  BS_STRUCT(icmphdr, BS_FIELD(icmphdr, type); BS_FIELD(icmphdr, code); BS_FIELD(icmphdr, checksum);
            BS_FIELD(icmphdr, un.echo.id); BS_FIELD(icmphdr, un.echo.sequence); BS_FIELD(icmphdr, un.gateway);
            BS_FIELD(icmphdr, un.frag.mtu));
  BS_STRUCT(icmp6_hdr, BS_FIELD(icmp6_hdr, icmp6_type); BS_FIELD(icmp6_hdr, icmp6_code);
            BS_FIELD(icmp6_hdr, icmp6_cksum); BS_FIELD(icmp6_hdr, icmp6_id); BS_FIELD(icmp6_hdr, icmp6_seq);
            BS_FIELD(icmp6_hdr, icmp6_mtu); BS_FIELD(icmp6_hdr, icmp6_data32));
  BS_STRUCT(udphdr, BS_FIELD(udphdr, source); BS_FIELD(udphdr, dest); BS_FIELD(udphdr, len); BS_FIELD(udphdr, check));
  BS_STRUCT(tcphdr, BS_FIELD(tcphdr, source); BS_FIELD(tcphdr, dest); BS_FIELD(tcphdr, seq); BS_FIELD(tcphdr, ack_seq);
            BS_BITS(tcphdr, res1); BS_BITS(tcphdr, doff); BS_BITS(tcphdr, fin); BS_BITS(tcphdr, syn);
            BS_BITS(tcphdr, rst); BS_BITS(tcphdr, psh); BS_BITS(tcphdr, ack); BS_BITS(tcphdr, urg);
            BS_BITS(tcphdr, res2); BS_FIELD(tcphdr, th_flags); BS_FIELD(tcphdr, window); BS_FIELD(tcphdr, check);
            BS_FIELD(tcphdr, urg_ptr));
  BS_STRUCT(packet_mreq, BS_FIELD(packet_mreq, mr_ifindex); BS_FIELD(packet_mreq, mr_type);
            BS_FIELD(packet_mreq, mr_alen); BS_FIELD(packet_mreq, mr_address));
  BS_STRUCT(icmp_filter, BS_FIELD(icmp_filter, data));
}
#endif

// if_nameindex(3) -> [{ if_index, if_name }], or -errno.
Napi::Value IfNameIndex(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_NAMEINDEX
  return NoSys(info);
#else
  Napi::Env env = info.Env();
  struct if_nameindex* list = ::if_nameindex();
  if (list == nullptr) return Num(env, -errno);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (struct if_nameindex* p = list; p->if_index != 0; ++p) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("if_index", Napi::Number::New(env, p->if_index));
    o.Set("if_name", Napi::String::New(env, p->if_name));
    out.Set(i++, o);
  }
  ::if_freenameindex(list);
  return out;
#endif
}

}  // namespace

// Runs after InitConstants and InitAddresses: adds to their `constants` and `layouts`.
void InitPacket(Napi::Env env, Napi::Object exports) {
#ifdef __linux__
  AddHeaderLayouts(env, exports.Get("layouts").As<Napi::Object>());
#endif
#ifdef ICMP_FILTER
  exports.Get("constants").As<Napi::Object>().Set("ICMP_FILTER", Napi::Number::New(env, ICMP_FILTER));
#endif
  exports.Set("if_nameindex", Napi::Function::New(env, IfNameIndex, "if_nameindex"));
}

}  // namespace bsock
