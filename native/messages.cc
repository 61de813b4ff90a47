// Messages: sendmsg(2), recvmsg(2), sendmmsg(2), recvmmsg(2), and the layouts of the
// structs that travel as ancillary data (cmsghdr, in_pktinfo, in6_pktinfo,
// sock_extended_err, timespec). iovec and mmsghdr arrays live on the stack: no call makes
// a heap allocation, except sendmsg/recvmsg with more than kStackIovs buffers.
// Hosts without struct msghdr (Windows: WSASendMsg/WSARecvMsg take a WSAMSG) get these
// calls as ENOSYS stubs, and only the layouts their headers have.
// <time.h> first: <linux/errqueue.h> uses struct timespec without including it.
#include <time.h>

#include "layout.h"

#ifndef _WIN32
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/uio.h>
#endif
// The error queue (Linux): Windows names an IP_RECVERR too, but has no sock_extended_err.
#if __has_include(<linux/errqueue.h>)
#include <linux/errqueue.h>
#define BS_ERRQUEUE 1
#endif
#ifdef SO_TIMESTAMPING
#include <linux/net_tstamp.h>
#endif

#include <array>
#include <climits>
#include <vector>

#include "codec.h"

namespace bsock {
namespace {

using codec::kMaxMmsg;

#ifdef BSOCK_HAVE_MSGHDR
constexpr size_t kStackIovs = 64;

// An Int32Array argument with at least `n` cells.
int32_t* Cells(const Napi::CallbackInfo& info, size_t i, size_t n) {
  View v = Bytes(info, i);
  if (!codec::CellsFit(v.data, v.length, n)) {
    throw Napi::RangeError::New(info.Env(), "internal: output cells too short");
  }
  return reinterpret_cast<int32_t*>(v.data);
}

// The iovec array of sendmsg/recvmsg: on the stack up to kStackIovs entries.
class Iovecs {
 public:
  Iovecs(const Napi::CallbackInfo& info, size_t i) {
    Napi::Env env = info.Env();
    if (!info[i].IsArray()) throw Napi::TypeError::New(env, "internal: expected an array of buffers");
    Napi::Array a = info[i].As<Napi::Array>();
    count_ = a.Length();
    if (count_ > static_cast<size_t>(IOV_MAX)) throw Napi::RangeError::New(env, "internal: more than IOV_MAX buffers");
    if (count_ > kStackIovs) {
      heap_.resize(count_);
      iov_ = heap_.data();
    } else {
      iov_ = stack_.data();
    }
    for (uint32_t k = 0; k < count_; ++k) {
      View b = BytesOf(env, a.Get(k), "iov");
      iov_[k].iov_base = b.data;
      iov_[k].iov_len = b.length;
    }
  }
  iovec* data() { return iov_; }
  size_t size() const { return count_; }

 private:
  std::array<iovec, kStackIovs> stack_;
  std::vector<iovec> heap_;
  iovec* iov_ = nullptr;
  size_t count_ = 0;
};
#endif  // BSOCK_HAVE_MSGHDR

// sendmsg(fd, iovs, name|null, namelen, control|null, controllen, flags): bytes or -errno.
// MSG_NOSIGNAL is always added, as in send().
Napi::Value SendMsg(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_MSGHDR
  return NoSys(info);
#else
  int fd = Int(info, 0);
  Iovecs iov(info, 1);
  msghdr m{};
  m.msg_iov = iov.data();
  m.msg_iovlen = iov.size();
  if (!IsAbsent(info[2])) {
    View a = AddrIn(info, 2, 3);
    m.msg_name = a.data;
    m.msg_namelen = static_cast<socklen_t>(a.length);
  }
  if (!IsAbsent(info[4])) {
    View c = BytesLen(info, 4, 5);
    m.msg_control = c.length > 0 ? c.data : nullptr;
    m.msg_controllen = c.length;
  }
  int flags = Int(info, 6) | kMsgNoSignal;
  return Num(info.Env(), Retry([&] { return ::sendmsg(fd, &m, flags); }));
#endif
}

// recvmsg(fd, iovs, name|null, control|null, flags, out[namelen, controllen, msg_flags]):
// bytes or -errno. MSG_CMSG_CLOEXEC is always added: a received fd never leaks into exec.
Napi::Value RecvMsg(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_MSGHDR
  return NoSys(info);
#else
  int fd = Int(info, 0);
  Iovecs iov(info, 1);
  View name{nullptr, 0};
  View control{nullptr, 0};
  if (!IsAbsent(info[2])) name = Bytes(info, 2);
  if (!IsAbsent(info[3])) control = Bytes(info, 3);
  int asked = Int(info, 4);
  int flags = codec::RecvFlags(asked);
  int32_t* out = Cells(info, 5, 3);
  msghdr m{};
  double r = Retry([&] {
    m.msg_name = name.length > 0 ? name.data : nullptr;
    m.msg_namelen = static_cast<socklen_t>(name.length);
    m.msg_iov = iov.data();
    m.msg_iovlen = iov.size();
    m.msg_control = control.length > 0 ? control.data : nullptr;
    m.msg_controllen = control.length;
    m.msg_flags = 0;
    return ::recvmsg(fd, &m, flags);
  });
  if (r >= 0) codec::RecvMsgOut(m, asked, out);
  return Num(info.Env(), r);
#endif
}

#ifdef BSOCK_HAVE_MMSG

// The mmsghdr array of sendmmsg/recvmmsg. Message k's buffer and address are slots of two
// backing buffers, found by arithmetic (codec::LayMmsg): the cost of setting up a call is a
// few stores per message, with no JS value read per message and no heap allocation.
struct MmsgArgs {
  std::array<mmsghdr, kMaxMmsg> msgs;
  std::array<iovec, kMaxMmsg> iovs;
  uint32_t vlen = 0;
  int32_t* lens = nullptr;
  int32_t* addrlens = nullptr;
  int32_t* flags_out = nullptr;
};

void ThrowMmsg(Napi::Env env, codec::MmsgCheck c) {
  switch (c) {
    case codec::MmsgCheck::kOk:
      return;
    case codec::MmsgCheck::kVlen:
      throw Napi::RangeError::New(env, "internal: vlen above the maximum");
    case codec::MmsgCheck::kData:
      throw Napi::RangeError::New(env, "internal: vlen * slotSize past the end of the data");
    case codec::MmsgCheck::kAddrs:
      throw Napi::RangeError::New(env, "internal: vlen * addrSlot past the end of the addresses");
    case codec::MmsgCheck::kLen:
      throw Napi::RangeError::New(env, "internal: length past the end of a buffer");
    case codec::MmsgCheck::kAddrLen:
      throw Napi::RangeError::New(env, "internal: addrlen past the end of an address");
  }
}

// (fd, data, lens, addrs|null, addrlens, flagsOut, vlen, flags, slotSize, addrSlot).
// Message k's buffer is data[k*slotSize, (k+1)*slotSize), its address addrs[k*addrSlot,
// (k+1)*addrSlot); both must fit: vlen*slotSize <= data's bytes, vlen*addrSlot <= addrs'
// bytes. For sending, lens and addrlens are inputs (lens[k] <= slotSize, addrlens[k] <=
// addrSlot, 0 meaning no address); for receiving, lens gets each byte count, addrlens each
// address length (its input is ignored: the capacity is addrSlot), flagsOut each msg_flags.
void ReadMmsg(const Napi::CallbackInfo& info, MmsgArgs& a, bool sending) {
  Napi::Env env = info.Env();
  a.vlen = Uint(info, 6);
  codec::MmsgSlots s;
  View data = BytesOf(env, info[1], "data");
  s.data = data.data;
  s.data_len = data.length;
  s.slot = Uint(info, 8);
  if (!IsAbsent(info[3])) {
    View ad = BytesOf(env, info[3], "addrs");
    s.addrs = ad.data;
    s.addrs_len = ad.length;
    s.addr_slot = Uint(info, 9);
  }
  // Bounds first: the cells are then read for at most kMaxMmsg messages.
  ThrowMmsg(env, codec::CheckMmsgSlots(s, a.vlen));
  a.lens = Cells(info, 2, a.vlen);
  a.addrlens = Cells(info, 4, a.vlen);
  a.flags_out = Cells(info, 5, a.vlen);
  ThrowMmsg(env, codec::LayMmsg(s, a.vlen, sending ? a.lens : nullptr, a.addrlens, a.msgs.data(), a.iovs.data()));
}

#endif  // BSOCK_HAVE_MMSG

Napi::Value SendMmsg(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_MMSG
  return NoSys(info);
#else
  int fd = Int(info, 0);
  MmsgArgs a;
  ReadMmsg(info, a, true);
  int flags = Int(info, 7) | kMsgNoSignal;
  return Num(info.Env(), Retry([&] { return ::sendmmsg(fd, a.msgs.data(), a.vlen, flags); }));
#endif
}

Napi::Value RecvMmsg(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_MMSG
  return NoSys(info);
#else
  int fd = Int(info, 0);
  MmsgArgs a;
  ReadMmsg(info, a, false);
  int asked = Int(info, 7);
  int flags = codec::RecvFlags(asked);
  double r = Retry([&] {
    // A retry after EINTR starts from the capacities again (nothing was received).
    return ::recvmmsg(fd, a.msgs.data(), a.vlen, flags, nullptr);
  });
  if (r >= 0) codec::MmsgResults(a.msgs.data(), static_cast<uint32_t>(r), asked, a.lens, a.addrlens, a.flags_out);
  return Num(info.Env(), r);
#endif
}

void AddMessageLayouts(Napi::Env env, Napi::Object layouts) {
#ifdef BSOCK_HAVE_MSGHDR
  BS_STRUCT(cmsghdr, BS_FIELD(cmsghdr, cmsg_len); BS_FIELD(cmsghdr, cmsg_level); BS_FIELD(cmsghdr, cmsg_type));
#ifdef IP_PKTINFO
  BS_STRUCT(in_pktinfo, BS_FIELD(in_pktinfo, ipi_ifindex); BS_FIELD(in_pktinfo, ipi_spec_dst);
            BS_FIELD(in_pktinfo, ipi_addr));
#endif
#ifdef IPV6_PKTINFO
  BS_STRUCT(in6_pktinfo, BS_FIELD(in6_pktinfo, ipi6_addr); BS_FIELD(in6_pktinfo, ipi6_ifindex));
#endif
#endif
#ifdef BS_ERRQUEUE
  BS_STRUCT(sock_extended_err, BS_FIELD(sock_extended_err, ee_errno); BS_FIELD(sock_extended_err, ee_origin);
            BS_FIELD(sock_extended_err, ee_type); BS_FIELD(sock_extended_err, ee_code);
            BS_FIELD(sock_extended_err, ee_pad); BS_FIELD(sock_extended_err, ee_info);
            BS_FIELD(sock_extended_err, ee_data));
#endif
  BS_STRUCT(timespec, BS_FIELD(timespec, tv_sec); BS_FIELD(timespec, tv_nsec));
#ifdef BS_ERRQUEUE
  BS_STRUCT(scm_timestamping, BS_FIELD(scm_timestamping, ts));
#endif
#ifdef BSOCK_HAVE_MSGHDR
  BS_STRUCT(msghdr, BS_FIELD(msghdr, msg_name); BS_FIELD(msghdr, msg_namelen); BS_FIELD(msghdr, msg_iov);
            BS_FIELD(msghdr, msg_iovlen); BS_FIELD(msghdr, msg_control); BS_FIELD(msghdr, msg_controllen);
            BS_FIELD(msghdr, msg_flags));
#endif
#ifdef BSOCK_HAVE_MMSG
  BS_STRUCT(mmsghdr, BS_FIELD(mmsghdr, msg_hdr); BS_FIELD(mmsghdr, msg_len));
#endif
#ifdef BSOCK_HAVE_MSGHDR
  BS_STRUCT(iovec, BS_FIELD(iovec, iov_base); BS_FIELD(iovec, iov_len));
#endif
}

}  // namespace

// Runs after InitConstants and InitAddresses: adds to their `constants` and `layouts`.
void InitMessages(Napi::Env env, Napi::Object exports) {
  AddMessageLayouts(env, exports.Get("layouts").As<Napi::Object>());
  Napi::Object constants = exports.Get("constants").As<Napi::Object>();
  static_cast<void>(constants);  // a host may have none of the names below (Windows)
#ifdef IOV_MAX
  constants.Set("IOV_MAX", Napi::Number::New(env, IOV_MAX));
#endif
#ifdef SO_EE_ORIGIN_NONE
  constants.Set("SO_EE_ORIGIN_NONE", Napi::Number::New(env, SO_EE_ORIGIN_NONE));
  constants.Set("SO_EE_ORIGIN_LOCAL", Napi::Number::New(env, SO_EE_ORIGIN_LOCAL));
  constants.Set("SO_EE_ORIGIN_ICMP", Napi::Number::New(env, SO_EE_ORIGIN_ICMP));
  constants.Set("SO_EE_ORIGIN_ICMP6", Napi::Number::New(env, SO_EE_ORIGIN_ICMP6));
#endif
#ifdef SO_EE_ORIGIN_TXSTATUS
  constants.Set("SO_EE_ORIGIN_TXSTATUS", Napi::Number::New(env, SO_EE_ORIGIN_TXSTATUS));
#endif
#ifdef SO_EE_ORIGIN_ZEROCOPY
  constants.Set("SO_EE_ORIGIN_ZEROCOPY", Napi::Number::New(env, SO_EE_ORIGIN_ZEROCOPY));
#endif
#ifdef SO_EE_ORIGIN_TIMESTAMPING
  constants.Set("SO_EE_ORIGIN_TIMESTAMPING", Napi::Number::New(env, SO_EE_ORIGIN_TIMESTAMPING));
#endif
#ifdef UDP_MAX_SEGMENTS
  constants.Set("UDP_MAX_SEGMENTS", Napi::Number::New(env, UDP_MAX_SEGMENTS));
#endif

#ifdef SO_TIMESTAMPING
  // SO_TIMESTAMPING flags: enum members in <linux/net_tstamp.h>, so no #ifdef can guard
  // them; these are the ones every kernel header since 4.x has.
  // clang-format off
#define BS_SOF(name) constants.Set(#name, Napi::Number::New(env, name));
  BS_SOF(SOF_TIMESTAMPING_TX_HARDWARE) BS_SOF(SOF_TIMESTAMPING_TX_SOFTWARE) BS_SOF(SOF_TIMESTAMPING_RX_HARDWARE)
  BS_SOF(SOF_TIMESTAMPING_RX_SOFTWARE) BS_SOF(SOF_TIMESTAMPING_SOFTWARE) BS_SOF(SOF_TIMESTAMPING_SYS_HARDWARE)
  BS_SOF(SOF_TIMESTAMPING_RAW_HARDWARE) BS_SOF(SOF_TIMESTAMPING_OPT_ID) BS_SOF(SOF_TIMESTAMPING_TX_SCHED)
  BS_SOF(SOF_TIMESTAMPING_TX_ACK) BS_SOF(SOF_TIMESTAMPING_OPT_CMSG) BS_SOF(SOF_TIMESTAMPING_OPT_TSONLY)
#undef BS_SOF
  // clang-format on
#endif

#ifdef BSOCK_HAVE_MSGHDR
      // CMSG_ALIGN / CMSG_SPACE / CMSG_LEN as this libc computes them, and the vlen limit.
      // CMSG_ALIGN is glibc's; elsewhere one more byte of data costs one alignment unit.
      Napi::Object c = Napi::Object::New(env);
#ifdef CMSG_ALIGN
  c.Set("align", Napi::Number::New(env, CMSG_ALIGN(1)));
#else
  c.Set("align", Napi::Number::New(env, CMSG_SPACE(1) - CMSG_SPACE(0)));
#endif
  c.Set("space0", Napi::Number::New(env, CMSG_SPACE(0)));
  c.Set("len0", Napi::Number::New(env, CMSG_LEN(0)));
  c.Set("mmsgMax", Napi::Number::New(env, kMaxMmsg));
  exports.Set("messages", c);
#endif

  exports.Set("sendmsg", Napi::Function::New(env, SendMsg, "sendmsg"));
  exports.Set("recvmsg", Napi::Function::New(env, RecvMsg, "recvmsg"));
  exports.Set("sendmmsg", Napi::Function::New(env, SendMmsg, "sendmmsg"));
  exports.Set("recvmmsg", Napi::Function::New(env, RecvMmsg, "recvmmsg"));
}

}  // namespace bsock
