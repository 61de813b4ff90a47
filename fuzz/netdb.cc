// Resolver results copied by their stated lengths (codec::AddrInfoList, codec::HostEntryOf):
// addrinfo chains and hostents built from the input, every buffer allocated to exactly the
// size libc would state, so AddressSanitizer catches any read past one.
#include <memory>
#include <string>
#include <vector>

#include "../native/codec.h"
#include "input.h"

namespace {

// Owns everything the fake libc structures point to.
struct Arena {
  std::vector<std::unique_ptr<uint8_t[]>> blocks;

  uint8_t* Bytes(fuzz::Input& in, size_t n) {
    blocks.emplace_back(new uint8_t[n]);
    for (size_t i = 0; i < n; ++i) blocks.back()[i] = in.U8();
    return blocks.back().get();
  }
  // A NUL-terminated string of up to 31 bytes, or null.
  char* String(fuzz::Input& in, bool may_be_null) {
    uint8_t len = in.U8();
    if (may_be_null && len == 0xff) return nullptr;
    len %= 32;
    char* s = reinterpret_cast<char*>(Bytes(in, len + 1u));
    for (size_t i = 0; i < len; ++i) s[i] = static_cast<char>(1 + static_cast<uint8_t>(s[i]) % 255);
    s[len] = '\0';
    return s;
  }
  // A NULL-terminated list of count pointers.
  char** List(size_t count) {
    blocks.emplace_back(new uint8_t[(count + 1) * sizeof(char*)]);
    char** l = reinterpret_cast<char**>(blocks.back().get());
    l[count] = nullptr;
    return l;
  }
};

void CheckAddrInfo(fuzz::Input& in, Arena& a) {
  const size_t count = in.U8() % 9;
  std::vector<addrinfo> nodes(count);
  for (size_t i = 0; i < count; ++i) {
    addrinfo& n = nodes[i];
    n.ai_flags = in.I32();
    n.ai_family = in.I32();
    n.ai_socktype = in.I32();
    n.ai_protocol = in.I32();
    uint8_t shape = in.U8();
    n.ai_addrlen = shape & 0x80 ? in.U32() : shape % 140;
    // ai_addr null with any length, else exactly ai_addrlen bytes.
    n.ai_addr = (shape & 0x80) || (shape & 0x40) ? nullptr : reinterpret_cast<sockaddr*>(a.Bytes(in, n.ai_addrlen));
    n.ai_canonname = a.String(in, true);
    n.ai_next = i + 1 < count ? &nodes[i + 1] : nullptr;
  }
  std::vector<bsock::codec::AddrInfoEntry> out = bsock::codec::AddrInfoList(count ? &nodes[0] : nullptr);
  CHECK(out.size() == count);
  for (size_t i = 0; i < count; ++i) {
    const addrinfo& n = nodes[i];
    const bsock::codec::AddrInfoEntry& e = out[i];
    CHECK(e.flags == n.ai_flags && e.family == n.ai_family && e.socktype == n.ai_socktype &&
          e.protocol == n.ai_protocol && e.addrlen == n.ai_addrlen);
    if (n.ai_addr == nullptr) {
      CHECK(e.addr.empty());
    } else {
      CHECK(e.addr.size() == n.ai_addrlen);
      CHECK(n.ai_addrlen == 0 || std::memcmp(e.addr.data(), n.ai_addr, n.ai_addrlen) == 0);
    }
    CHECK(e.has_canonname == (n.ai_canonname != nullptr));
    CHECK(!e.has_canonname || e.canonname == n.ai_canonname);
  }
}

void CheckHostent(fuzz::Input& in, Arena& a) {
  hostent he{};
  he.h_name = a.String(in, true);
  he.h_addrtype = in.I32();
  uint8_t len = in.U8();
  he.h_length = len & 0x80 ? -static_cast<int>(len & 0x7f) : len % 20;  // negative: libc would never, we cope
  const size_t alloc = he.h_length > 0 ? static_cast<size_t>(he.h_length) : 0;
  const uint8_t shape = in.U8();
  const size_t aliases = shape % 5, addrs = (shape >> 3) % 6;
  he.h_aliases = shape & 0x80 ? nullptr : a.List(aliases);
  for (size_t i = 0; he.h_aliases && i < aliases; ++i) he.h_aliases[i] = a.String(in, false);
  he.h_addr_list = shape & 0x40 ? nullptr : a.List(addrs);
  for (size_t i = 0; he.h_addr_list && i < addrs; ++i) he.h_addr_list[i] = reinterpret_cast<char*>(a.Bytes(in, alloc));

  bsock::codec::HostEntry e = bsock::codec::HostEntryOf(he);
  CHECK(e.name == (he.h_name ? he.h_name : ""));
  CHECK(e.addrtype == he.h_addrtype && e.length == he.h_length);
  CHECK(e.aliases.size() == (he.h_aliases ? aliases : 0));
  for (size_t i = 0; i < e.aliases.size(); ++i) CHECK(e.aliases[i] == he.h_aliases[i]);
  CHECK(e.addrs.size() == (he.h_addr_list ? addrs : 0));
  for (size_t i = 0; i < e.addrs.size(); ++i) {
    CHECK(e.addrs[i].size() == alloc);
    CHECK(alloc == 0 || std::memcmp(e.addrs[i].data(), he.h_addr_list[i], alloc) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  Arena a;
  if (in.Bool()) {
    CheckAddrInfo(in, a);
  } else {
    CheckHostent(in, a);
  }
  return 0;
}
