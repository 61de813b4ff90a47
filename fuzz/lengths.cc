// The length, cell and flag helpers the native layer checks caller buffers with
// (codec::CellsFit, FilterFits, InetAddrBytes, RecvFlags, VisibleFlags, RecvMsgOut),
// against reference formulas in wider arithmetic, and by writing through every pointer a
// helper accepts into an exact-size buffer (AddressSanitizer: bounds; UBSan: alignment).
#include <arpa/inet.h>
#include <linux/filter.h>

#include <memory>

#include "../native/codec.h"
#include "input.h"

using namespace bsock::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);

  // Int32 cells in a view that starts `offset` bytes into an allocation of `bytes` bytes.
  {
    const size_t bytes = in.U8() % 64;
    const size_t offset = bytes == 0 ? 0 : in.U8() % (bytes + 1);
    const size_t view = bytes - offset;
    const uint64_t n = in.Size(20, 0x40000000u);
    std::unique_ptr<uint8_t[]> buf(new uint8_t[bytes]);
    uint8_t* p = buf.get() + offset;
    const bool fits = CellsFit(p, view, n);
    const bool aligned = reinterpret_cast<uintptr_t>(p) % alignof(int32_t) == 0;
    CHECK(fits == (static_cast<unsigned __int128>(n) * 4 <= view && (n == 0 || aligned)));
    if (fits) {
      int32_t* cells = reinterpret_cast<int32_t*>(p);
      for (uint64_t k = 0; k < n; ++k) cells[k] = static_cast<int32_t>(k);
    }
    CHECK(!CellsFit(nullptr, in.U8(), 1 + in.U8() % 4));
    CHECK(CellsFit(nullptr, 0, 0));
  }

  // sock_filter programs: the count must fit sock_fprog.len and the buffer.
  {
    const uint32_t count = in.Size(40, 0x10000);
    const size_t bytes = in.U8() % 2 ? in.U32() : in.U8() % 330;
    const bool fits = FilterFits(count, bytes);
    CHECK(fits == (count <= 0xffff && static_cast<unsigned __int128>(count) * sizeof(sock_filter) <= bytes));
    if (fits && bytes <= 4096) {
      std::unique_ptr<uint8_t[]> buf(new uint8_t[bytes]);
      std::memset(buf.get(), 0, static_cast<size_t>(count) * sizeof(sock_filter));
    }
  }

  // inet_pton/inet_ntop buffer sizes: enough for the family's binary address.
  {
    const int af = in.Bool() ? (in.Bool() ? AF_INET : AF_INET6) : in.I32();
    const size_t need = InetAddrBytes(af);
    CHECK(need == (af == AF_INET6 ? 16u : 4u));
    std::unique_ptr<uint8_t[]> dst(new uint8_t[need]);
    char text[INET6_ADDRSTRLEN];
    for (size_t i = 0; i < need; ++i) dst[i] = in.U8();
    if (af == AF_INET || af == AF_INET6) {
      CHECK(inet_ntop(af, dst.get(), text, sizeof text) != nullptr);
      CHECK(inet_pton(af, text, dst.get()) == 1);
    }
  }

  // msg_flags seen by the caller: MSG_CMSG_CLOEXEC shows only when the caller asked for it.
  {
    const int asked = in.I32();
    const int kernel = in.I32();
    const int flags = RecvFlags(asked);
    CHECK((flags & MSG_CMSG_CLOEXEC) != 0 && (flags & asked) == asked);
    CHECK((flags & ~asked) == (MSG_CMSG_CLOEXEC & ~asked));
    const int seen = VisibleFlags(kernel | MSG_CMSG_CLOEXEC, asked);
    CHECK(((seen & MSG_CMSG_CLOEXEC) != 0) == ((asked & MSG_CMSG_CLOEXEC) != 0));
    CHECK((seen & ~MSG_CMSG_CLOEXEC) == (kernel & ~MSG_CMSG_CLOEXEC));
    msghdr m{};
    m.msg_namelen = in.U32();
    m.msg_controllen = in.U32() % 65536;
    m.msg_flags = kernel;
    std::unique_ptr<int32_t[]> out(new int32_t[3]);
    RecvMsgOut(m, asked, out.get());
    CHECK(static_cast<uint32_t>(out[0]) == m.msg_namelen && static_cast<size_t>(out[1]) == m.msg_controllen &&
          out[2] == VisibleFlags(kernel, asked));
  }
  return 0;
}
