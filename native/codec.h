// The native layer's byte-level logic on memory that the caller or the kernel describes:
// length and alignment checks, the sendmmsg/recvmmsg slot layout, the readiness-event
// batch, and the copy of resolver results. No Node-API and no libuv here, so the same
// code links into the addon and into the libFuzzer targets in fuzz/.
#pragma once

// platform.h: system socket headers and the BSOCK_HAVE_* feature macros (no Node-API).
#include "platform.h"

#ifndef _WIN32
#include <netdb.h>
#include <sys/uio.h>
#endif

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bsock {
namespace codec {

// ----- lengths and cells

// `n` int32 cells fit in `bytes` bytes at `data`, suitably aligned for int32_t.
bool CellsFit(const void* data, size_t bytes, size_t n);

// Bytes of a binary address of family `af` for inet_pton/inet_ntop (in6_addr, else in_addr).
size_t InetAddrBytes(int af);

#ifdef SO_ATTACH_FILTER
// `count` sock_filter instructions fit in sock_fprog.len and in `bytes` bytes.
bool FilterFits(uint32_t count, size_t bytes);
#endif

// recvmsg/recvmmsg always add MSG_CMSG_CLOEXEC (a received fd never leaks into exec); the
// kernel echoes it into msg_flags, where it is hidden unless the caller asked for it.
int RecvFlags(int asked);
int VisibleFlags(int msg_flags, int asked);

#ifdef BSOCK_HAVE_MSGHDR
// After recvmsg: out = [msg_namelen, msg_controllen, visible msg_flags].
void RecvMsgOut(const msghdr& m, int asked, int32_t out[3]);
#endif

// ----- sendmmsg / recvmmsg: message k's buffer is data[k*slot, (k+1)*slot), its address
// addrs[k*addr_slot, (k+1)*addr_slot); addrs may be null (no addresses).

// Largest vlen (the kernel caps it at UIO_MAXIOV = 1024 anyway).
constexpr uint32_t kMaxMmsg = 1024;

struct MmsgSlots {
  uint8_t* data = nullptr;
  size_t data_len = 0;
  uint32_t slot = 0;
  uint8_t* addrs = nullptr;
  size_t addrs_len = 0;
  uint32_t addr_slot = 0;
};

enum class MmsgCheck { kOk, kVlen, kData, kAddrs, kLen, kAddrLen };

// vlen <= kMaxMmsg, and vlen slots fit in data (and in addrs when given).
MmsgCheck CheckMmsgSlots(const MmsgSlots& s, uint32_t vlen);

#ifdef BSOCK_HAVE_MMSG
// Fills msgs[0..vlen) and iovs[0..vlen). Sending: message k is lens[k] bytes (<= slot) to
// addrlens[k] address bytes (<= addr_slot, 0 meaning none); receiving (lens null): whole
// slots. Everything is checked before anything is written; on failure nothing is.
MmsgCheck LayMmsg(const MmsgSlots& s, uint32_t vlen, const int32_t* lens, const int32_t* addrlens, mmsghdr* msgs,
                  iovec* iovs);

// After recvmmsg returned n: each message's byte count, address length and visible flags.
void MmsgResults(const mmsghdr* msgs, uint32_t n, int asked, int32_t* lens, int32_t* addrlens, int32_t* flags);
#endif

// ----- readiness events: (fd, status, events) triples gathered during one loop iteration
// and handed to JavaScript in chunks. JavaScript may stop watching an fd while a chunk is
// being handled; that fd's events not yet handed over are then dropped, and no other
// event is lost or repeated.
class EventBatch {
 public:
  void Reserve(size_t triples) { cells_.reserve(triples * 3); }
  void Push(int32_t fd, int32_t status, int32_t events);
  // Removes fd's events not yet taken.
  void Drop(int32_t fd);
  // Copies up to `max` untaken events to out (3 cells each); returns how many.
  size_t Take(int32_t* out, size_t max);
  size_t Pending() const { return (cells_.size() - head_) / 3; }
  void Clear();

 private:
  std::vector<int32_t> cells_;
  size_t head_ = 0;  // cells already taken
};

// ----- resolver results, copied out of libc's structures by their stated lengths

struct AddrInfoEntry {
  int flags = 0, family = 0, socktype = 0, protocol = 0;
  uint32_t addrlen = 0;       // ai_addrlen as reported
  std::vector<uint8_t> addr;  // ai_addrlen bytes of ai_addr (none when ai_addr is null)
  bool has_canonname = false;
  std::string canonname;
};

std::vector<AddrInfoEntry> AddrInfoList(const addrinfo* list);

struct HostEntry {
  std::string name;
  std::vector<std::string> aliases;
  int addrtype = 0;
  int length = 0;
  std::vector<std::vector<uint8_t>> addrs;  // h_length bytes each (none if h_length < 0)
};

HostEntry HostEntryOf(const hostent& he);

}  // namespace codec
}  // namespace bsock
