// See codec.h. Plain C++17 and libc only.
#include "codec.h"

#ifndef _WIN32
#include <netinet/in.h>
#endif
#ifdef SO_ATTACH_FILTER
#include <linux/filter.h>
#endif

#include <algorithm>

namespace bsock {
namespace codec {

bool CellsFit(const void* data, size_t bytes, size_t n) {
  if (n > bytes / sizeof(int32_t)) return false;
  return n == 0 || (data != nullptr && reinterpret_cast<uintptr_t>(data) % alignof(int32_t) == 0);
}

size_t InetAddrBytes(int af) { return af == AF_INET6 ? sizeof(in6_addr) : sizeof(in_addr); }

#ifdef SO_ATTACH_FILTER
bool FilterFits(uint32_t count, size_t bytes) {
  return count <= 0xffff && static_cast<size_t>(count) * sizeof(sock_filter) <= bytes;
}
#endif

// Where the host lacks MSG_CMSG_CLOEXEC there is nothing to add or hide.
#ifdef MSG_CMSG_CLOEXEC
constexpr int kCmsgCloexec = MSG_CMSG_CLOEXEC;
#else
constexpr int kCmsgCloexec = 0;
#endif

int RecvFlags(int asked) { return asked | kCmsgCloexec; }

int VisibleFlags(int msg_flags, int asked) { return (asked & kCmsgCloexec) ? msg_flags : (msg_flags & ~kCmsgCloexec); }

#ifdef BSOCK_HAVE_MSGHDR
void RecvMsgOut(const msghdr& m, int asked, int32_t out[3]) {
  out[0] = static_cast<int32_t>(m.msg_namelen);
  out[1] = static_cast<int32_t>(m.msg_controllen);
  out[2] = VisibleFlags(m.msg_flags, asked);
}
#endif

// CheckMmsgSlots is plain arithmetic and serves every host; the layout needs mmsghdr.
MmsgCheck CheckMmsgSlots(const MmsgSlots& s, uint32_t vlen) {
  if (vlen > kMaxMmsg) return MmsgCheck::kVlen;
  if (static_cast<uint64_t>(vlen) * s.slot > s.data_len) return MmsgCheck::kData;
  if (s.addrs != nullptr && static_cast<uint64_t>(vlen) * s.addr_slot > s.addrs_len) return MmsgCheck::kAddrs;
  return MmsgCheck::kOk;
}

#ifdef BSOCK_HAVE_MMSG
MmsgCheck LayMmsg(const MmsgSlots& s, uint32_t vlen, const int32_t* lens, const int32_t* addrlens, mmsghdr* msgs,
                  iovec* iovs) {
  MmsgCheck c = CheckMmsgSlots(s, vlen);
  if (c != MmsgCheck::kOk) return c;
  const bool sending = lens != nullptr;
  if (sending) {
    for (uint32_t k = 0; k < vlen; ++k) {
      if (lens[k] < 0 || static_cast<uint32_t>(lens[k]) > s.slot) return MmsgCheck::kLen;
      if (s.addrs != nullptr &&
          (addrlens == nullptr || addrlens[k] < 0 || static_cast<uint32_t>(addrlens[k]) > s.addr_slot)) {
        return MmsgCheck::kAddrLen;
      }
    }
  }
  for (uint32_t k = 0; k < vlen; ++k) {
    iovs[k].iov_base = s.data + static_cast<size_t>(k) * s.slot;
    iovs[k].iov_len = sending ? static_cast<size_t>(lens[k]) : s.slot;
    msghdr& m = msgs[k].msg_hdr;
    m = msghdr{};
    m.msg_iov = &iovs[k];
    m.msg_iovlen = 1;
    msgs[k].msg_len = 0;
    if (s.addrs != nullptr) {
      size_t alen = sending ? static_cast<size_t>(addrlens[k]) : s.addr_slot;
      m.msg_name = alen > 0 ? s.addrs + static_cast<size_t>(k) * s.addr_slot : nullptr;
      m.msg_namelen = static_cast<socklen_t>(alen);
    }
  }
  return MmsgCheck::kOk;
}

void MmsgResults(const mmsghdr* msgs, uint32_t n, int asked, int32_t* lens, int32_t* addrlens, int32_t* flags) {
  for (uint32_t k = 0; k < n; ++k) {
    lens[k] = static_cast<int32_t>(msgs[k].msg_len);
    addrlens[k] = static_cast<int32_t>(msgs[k].msg_hdr.msg_namelen);
    flags[k] = VisibleFlags(msgs[k].msg_hdr.msg_flags, asked);
  }
}
#endif

void EventBatch::Push(int32_t fd, int32_t status, int32_t events) {
  cells_.push_back(fd);
  cells_.push_back(status);
  cells_.push_back(events);
}

void EventBatch::Drop(int32_t fd) {
  size_t kept = head_;
  for (size_t i = head_; i < cells_.size(); i += 3) {
    if (cells_[i] == fd) continue;
    if (kept != i)
      std::copy(cells_.begin() + static_cast<std::ptrdiff_t>(i), cells_.begin() + static_cast<std::ptrdiff_t>(i + 3),
                cells_.begin() + static_cast<std::ptrdiff_t>(kept));
    kept += 3;
  }
  cells_.resize(kept);
}

size_t EventBatch::Take(int32_t* out, size_t max) {
  size_t n = std::min(Pending(), max);
  std::copy(cells_.begin() + static_cast<std::ptrdiff_t>(head_),
            cells_.begin() + static_cast<std::ptrdiff_t>(head_ + n * 3), out);
  head_ += n * 3;
  if (head_ == cells_.size()) Clear();  // keeps the capacity
  return n;
}

void EventBatch::Clear() {
  cells_.clear();
  head_ = 0;
}

std::vector<AddrInfoEntry> AddrInfoList(const addrinfo* list) {
  std::vector<AddrInfoEntry> out;
  for (const addrinfo* p = list; p != nullptr; p = p->ai_next) {
    AddrInfoEntry e;
    e.flags = p->ai_flags;
    e.family = p->ai_family;
    e.socktype = p->ai_socktype;
    e.protocol = p->ai_protocol;
    e.addrlen = p->ai_addrlen;
    if (p->ai_addr != nullptr) {
      const uint8_t* a = reinterpret_cast<const uint8_t*>(p->ai_addr);
      e.addr.assign(a, a + p->ai_addrlen);
    }
    if (p->ai_canonname != nullptr) {
      e.has_canonname = true;
      e.canonname = p->ai_canonname;
    }
    out.push_back(std::move(e));
  }
  return out;
}

HostEntry HostEntryOf(const hostent& he) {
  HostEntry e;
  if (he.h_name != nullptr) e.name = he.h_name;
  for (char** p = he.h_aliases; p != nullptr && *p != nullptr; ++p) e.aliases.emplace_back(*p);
  e.addrtype = he.h_addrtype;
  e.length = he.h_length;
  const size_t len = he.h_length > 0 ? static_cast<size_t>(he.h_length) : 0;
  for (char** p = he.h_addr_list; p != nullptr && *p != nullptr; ++p) {
    const uint8_t* a = reinterpret_cast<const uint8_t*>(*p);
    e.addrs.emplace_back(a, a + len);
  }
  return e;
}

}  // namespace codec
}  // namespace bsock
