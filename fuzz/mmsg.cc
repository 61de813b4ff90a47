// sendmmsg/recvmmsg slot layout (codec::LayMmsg, codec::MmsgResults): random vlen, slot
// sizes, buffer sizes, per-message lengths and kernel results. Buffers are allocated to
// their exact size, so AddressSanitizer catches any slot reaching past them.
#include <algorithm>
#include <memory>
#include <vector>

#include "../native/codec.h"
#include "input.h"

using bsock::codec::kMaxMmsg;
using bsock::codec::MmsgCheck;

namespace {

constexpr size_t kMaxAlloc = 1 << 14;

// What LayMmsg must answer, computed independently (128-bit products).
MmsgCheck Expected(uint32_t vlen, const bsock::codec::MmsgSlots& s, const int32_t* lens, const int32_t* addrlens) {
  if (vlen > kMaxMmsg) return MmsgCheck::kVlen;
  if (static_cast<unsigned __int128>(vlen) * s.slot > s.data_len) return MmsgCheck::kData;
  if (s.addrs && static_cast<unsigned __int128>(vlen) * s.addr_slot > s.addrs_len) return MmsgCheck::kAddrs;
  if (lens == nullptr) return MmsgCheck::kOk;
  for (uint32_t k = 0; k < vlen; ++k) {
    if (lens[k] < 0 || static_cast<int64_t>(lens[k]) > static_cast<int64_t>(s.slot)) return MmsgCheck::kLen;
    if (s.addrs && (addrlens[k] < 0 || static_cast<int64_t>(addrlens[k]) > static_cast<int64_t>(s.addr_slot))) {
      return MmsgCheck::kAddrLen;
    }
  }
  return MmsgCheck::kOk;
}

// A buffer size: usually what vlen slots need, give or take a few bytes, else anything.
size_t BufferSize(fuzz::Input& in, uint32_t vlen, uint32_t slot) {
  unsigned __int128 need = static_cast<unsigned __int128>(vlen) * slot;
  int delta = static_cast<int8_t>(in.U8()) % 5;
  if (need <= kMaxAlloc && in.U8() < 220) {
    __int128 n = static_cast<__int128>(need) + delta;
    return static_cast<size_t>(std::clamp<__int128>(n, 0, kMaxAlloc));
  }
  return (static_cast<size_t>(in.U8()) << 4 | in.U8() % 16) % (kMaxAlloc + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const bool sending = in.Bool();
  const bool with_addrs = in.Bool();
  const int asked = in.I32();
  const uint32_t vlen = in.Size(40, kMaxMmsg);
  bsock::codec::MmsgSlots s;
  s.slot = in.Size(300, 65536);
  s.data_len = BufferSize(in, vlen, s.slot);
  std::unique_ptr<uint8_t[]> dbuf(new uint8_t[s.data_len]);
  s.data = dbuf.get();
  std::unique_ptr<uint8_t[]> abuf;
  if (with_addrs) {
    s.addr_slot = in.Size(140, 128);
    s.addrs_len = BufferSize(in, vlen, s.addr_slot);
    abuf.reset(new uint8_t[s.addrs_len]);
    s.addrs = abuf.get();
  }

  // Cells, messages and iovecs sized exactly (capped: vlen above kMaxMmsg must be refused
  // before any of them is touched).
  const size_t cells = std::min<size_t>(vlen, kMaxMmsg + 1);
  std::unique_ptr<int32_t[]> lens(new int32_t[cells]);
  std::unique_ptr<int32_t[]> addrlens(new int32_t[cells]);
  for (size_t k = 0; k < cells; ++k) {
    lens[k] = in.Length(s.slot);
    addrlens[k] = in.Length(s.addr_slot);
  }
  std::unique_ptr<mmsghdr[]> msgs(new mmsghdr[cells]);
  std::unique_ptr<iovec[]> iovs(new iovec[cells]);
  std::memset(msgs.get(), 0xa5, sizeof(mmsghdr) * cells);
  std::memset(iovs.get(), 0xa5, sizeof(iovec) * cells);

  const int32_t* send_lens = sending ? lens.get() : nullptr;
  MmsgCheck got = bsock::codec::LayMmsg(s, vlen, send_lens, addrlens.get(), msgs.get(), iovs.get());
  CHECK(got == Expected(vlen, s, send_lens, addrlens.get()));
  CHECK(bsock::codec::CheckMmsgSlots(s, vlen) == Expected(vlen, s, nullptr, nullptr));
  if (got != MmsgCheck::kOk) {
    // Refused: nothing written.
    static std::vector<uint8_t> untouched(sizeof(mmsghdr) * (kMaxMmsg + 1), 0xa5);
    CHECK(std::memcmp(msgs.get(), untouched.data(), sizeof(mmsghdr) * cells) == 0);
    CHECK(std::memcmp(iovs.get(), untouched.data(), sizeof(iovec) * cells) == 0);
    return 0;
  }

  uint8_t* prev_end = s.data;
  for (uint32_t k = 0; k < vlen; ++k) {
    const msghdr& m = msgs[k].msg_hdr;
    CHECK(m.msg_iov == &iovs[k] && m.msg_iovlen == 1);
    CHECK(m.msg_control == nullptr && m.msg_controllen == 0 && m.msg_flags == 0 && msgs[k].msg_len == 0);
    uint8_t* base = static_cast<uint8_t*>(iovs[k].iov_base);
    CHECK(base == s.data + static_cast<size_t>(k) * s.slot);
    CHECK(iovs[k].iov_len == (sending ? static_cast<size_t>(lens[k]) : s.slot));
    CHECK(base >= prev_end && base + iovs[k].iov_len <= s.data + s.data_len);  // in order, disjoint, inside
    std::memset(base, static_cast<int>(k), iovs[k].iov_len);                   // as the kernel would write
    prev_end = base + iovs[k].iov_len;
    if (!with_addrs) {
      CHECK(m.msg_name == nullptr && m.msg_namelen == 0);
      continue;
    }
    size_t alen = sending ? static_cast<size_t>(addrlens[k]) : s.addr_slot;
    CHECK(m.msg_namelen == alen);
    if (alen == 0) {
      CHECK(m.msg_name == nullptr);
      continue;
    }
    uint8_t* name = static_cast<uint8_t*>(m.msg_name);
    CHECK(name == s.addrs + static_cast<size_t>(k) * s.addr_slot);
    CHECK(name + alen <= s.addrs + s.addrs_len);
    std::memset(name, 0x5a, alen);
  }

  // The kernel's answer for the first n messages, copied into exact-size outputs.
  if (vlen == 0) return 0;
  const uint32_t n = in.U8() % (vlen + 1);
  for (uint32_t k = 0; k < n; ++k) {
    msgs[k].msg_len = in.U32();
    msgs[k].msg_hdr.msg_namelen = in.U32();
    msgs[k].msg_hdr.msg_flags = in.I32();
  }
  std::unique_ptr<int32_t[]> out_lens(new int32_t[n]), out_addrlens(new int32_t[n]), out_flags(new int32_t[n]);
  bsock::codec::MmsgResults(msgs.get(), n, asked, out_lens.get(), out_addrlens.get(), out_flags.get());
  for (uint32_t k = 0; k < n; ++k) {
    CHECK(static_cast<uint32_t>(out_lens[k]) == msgs[k].msg_len);
    CHECK(static_cast<uint32_t>(out_addrlens[k]) == msgs[k].msg_hdr.msg_namelen);
    int f = msgs[k].msg_hdr.msg_flags;
    CHECK(out_flags[k] == ((asked & MSG_CMSG_CLOEXEC) ? f : (f & ~MSG_CMSG_CLOEXEC)));
  }
  return 0;
}
