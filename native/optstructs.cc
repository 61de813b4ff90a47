// Socket-option structs (tcp_info with its bitfields, the multicast requests, classic BPF
// instructions) as this compiler lays them out, the MCAST_* and BPF_* names the constants
// generator does not collect, and setsockoptFilter: SO_ATTACH_FILTER and friends take a
// `struct sock_fprog` holding a pointer, which only C can build.
#include "layout.h"

#ifndef _WIN32
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif
#ifdef SO_ATTACH_FILTER  // classic BPF on sockets: Linux (the BSDs filter through /dev/bpf)
#include <linux/filter.h>
#endif

namespace bsock {
namespace {

#define BS_TI(F) BS_FIELD(tcp_info, F)

void AddOptionLayouts(Napi::Env env, Napi::Object layouts) {
#ifdef __linux__  // TCP_INFO's struct: FreeBSD's and macOS's have other fields
  BS_STRUCT(tcp_info, BS_TI(tcpi_state); BS_TI(tcpi_ca_state); BS_TI(tcpi_retransmits); BS_TI(tcpi_probes);
            BS_TI(tcpi_backoff); BS_TI(tcpi_options); BS_BITS(tcp_info, tcpi_snd_wscale);
            BS_BITS(tcp_info, tcpi_rcv_wscale); BS_TI(tcpi_rto); BS_TI(tcpi_ato); BS_TI(tcpi_snd_mss);
            BS_TI(tcpi_rcv_mss); BS_TI(tcpi_unacked); BS_TI(tcpi_sacked); BS_TI(tcpi_lost); BS_TI(tcpi_retrans);
            BS_TI(tcpi_fackets); BS_TI(tcpi_last_data_sent); BS_TI(tcpi_last_ack_sent); BS_TI(tcpi_last_data_recv);
            BS_TI(tcpi_last_ack_recv); BS_TI(tcpi_pmtu); BS_TI(tcpi_rcv_ssthresh); BS_TI(tcpi_rtt); BS_TI(tcpi_rttvar);
            BS_TI(tcpi_snd_ssthresh); BS_TI(tcpi_snd_cwnd); BS_TI(tcpi_advmss); BS_TI(tcpi_reordering);
            BS_TI(tcpi_rcv_rtt); BS_TI(tcpi_rcv_space); BS_TI(tcpi_total_retrans));
#endif
#ifdef IP_ADD_SOURCE_MEMBERSHIP
  BS_STRUCT(ip_mreq_source, BS_FIELD(ip_mreq_source, imr_multiaddr); BS_FIELD(ip_mreq_source, imr_interface);
            BS_FIELD(ip_mreq_source, imr_sourceaddr));
#endif
#ifdef IP_MSFILTER
  BS_STRUCT(ip_msfilter, BS_FIELD(ip_msfilter, imsf_multiaddr); BS_FIELD(ip_msfilter, imsf_interface);
            BS_FIELD(ip_msfilter, imsf_fmode); BS_FIELD(ip_msfilter, imsf_numsrc); BS_FIELD(ip_msfilter, imsf_slist));
#endif
#ifdef MCAST_JOIN_GROUP
  BS_STRUCT(group_req, BS_FIELD(group_req, gr_interface); BS_FIELD(group_req, gr_group));
  BS_STRUCT(group_source_req, BS_FIELD(group_source_req, gsr_interface); BS_FIELD(group_source_req, gsr_group);
            BS_FIELD(group_source_req, gsr_source));
#endif
#ifdef SO_ATTACH_FILTER
  BS_STRUCT(sock_filter, BS_FIELD(sock_filter, code); BS_FIELD(sock_filter, jt); BS_FIELD(sock_filter, jf);
            BS_FIELD(sock_filter, k));
  BS_STRUCT(sock_fprog, BS_FIELD(sock_fprog, len); BS_FIELD(sock_fprog, filter));
#endif
}

#undef BS_TI

// setsockoptFilter(fd, level, optname, filterBytes, count): setsockopt with a sock_fprog
// { count, filterBytes } (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF, PACKET_FANOUT_DATA…).
// The kernel copies the instructions during the call, so the pointer never outlives it.
Napi::Value SetSockOptFilter(const Napi::CallbackInfo& info) {
#ifndef SO_ATTACH_FILTER
  return NoSys(info);
#else
  int fd = Int(info, 0), level = Int(info, 1), name = Int(info, 2);
  View v = Bytes(info, 3);
  uint32_t count = Uint(info, 4);
  if (!codec::FilterFits(count, v.length)) {
    throw Napi::RangeError::New(info.Env(), "internal: filter count past the end of the buffer");
  }
  sock_fprog prog;
  prog.len = static_cast<unsigned short>(count);
  prog.filter = count == 0 ? nullptr : reinterpret_cast<sock_filter*>(v.data);
  return Num(info.Env(), Retry([&] { return sys::setsockopt(fd, level, name, &prog, sizeof prog); }));
#endif
}

}  // namespace

// Runs after InitConstants and InitAddresses: adds to their `constants` and `layouts`.
void InitOptStructs(Napi::Env env, Napi::Object exports) {
  AddOptionLayouts(env, exports.Get("layouts").As<Napi::Object>());
  Napi::Object c = exports.Get("constants").As<Napi::Object>();
#define BS_C(N) c.Set(#N, Napi::Number::New(env, N))
#ifdef MCAST_JOIN_GROUP
  BS_C(MCAST_JOIN_GROUP);
  BS_C(MCAST_LEAVE_GROUP);
  BS_C(MCAST_BLOCK_SOURCE);
  BS_C(MCAST_UNBLOCK_SOURCE);
  BS_C(MCAST_JOIN_SOURCE_GROUP);
  BS_C(MCAST_LEAVE_SOURCE_GROUP);
#ifdef MCAST_MSFILTER
  BS_C(MCAST_MSFILTER);
#endif
  BS_C(MCAST_EXCLUDE);
  BS_C(MCAST_INCLUDE);
#endif
#ifdef SO_ATTACH_FILTER
  // Classic BPF (<linux/filter.h>, <linux/bpf_common.h>): enough to write sock_filter programs.
  BS_C(BPF_LD);
  BS_C(BPF_LDX);
  BS_C(BPF_ST);
  BS_C(BPF_STX);
  BS_C(BPF_ALU);
  BS_C(BPF_JMP);
  BS_C(BPF_RET);
  BS_C(BPF_MISC);
  BS_C(BPF_W);
  BS_C(BPF_H);
  BS_C(BPF_B);
  BS_C(BPF_IMM);
  BS_C(BPF_ABS);
  BS_C(BPF_IND);
  BS_C(BPF_MEM);
  BS_C(BPF_LEN);
  BS_C(BPF_MSH);
  BS_C(BPF_ADD);
  BS_C(BPF_SUB);
  BS_C(BPF_MUL);
  BS_C(BPF_DIV);
  BS_C(BPF_OR);
  BS_C(BPF_AND);
  BS_C(BPF_LSH);
  BS_C(BPF_RSH);
  BS_C(BPF_NEG);
  BS_C(BPF_MOD);
  BS_C(BPF_XOR);
  BS_C(BPF_JA);
  BS_C(BPF_JEQ);
  BS_C(BPF_JGT);
  BS_C(BPF_JGE);
  BS_C(BPF_JSET);
  BS_C(BPF_K);
  BS_C(BPF_X);
  BS_C(BPF_A);
  BS_C(BPF_TAX);
  BS_C(BPF_TXA);
  BS_C(BPF_MAXINSNS);
  BS_C(SKF_AD_OFF);
  BS_C(SKF_NET_OFF);
  BS_C(SKF_LL_OFF);
#endif
#undef BS_C
  exports.Set("setsockoptFilter", Napi::Function::New(env, SetSockOptFilter, "setsockoptFilter"));
}

}  // namespace bsock
