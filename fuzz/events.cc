// Readiness-event batch (codec::EventBatch) against a plain model: random pushes, drops
// (pollClose) and chunked takes, including drops made while a chunk is being handed over,
// as JavaScript does when it closes an fd from a readiness callback.
#include <algorithm>
#include <array>
#include <deque>
#include <memory>

#include "../native/codec.h"
#include "input.h"

namespace {

using Event = std::array<int32_t, 3>;

struct Pair {
  bsock::codec::EventBatch batch;
  std::deque<Event> model;

  void Drop(int32_t fd) {
    batch.Drop(fd);
    model.erase(std::remove_if(model.begin(), model.end(), [fd](const Event& e) { return e[0] == fd; }), model.end());
  }

  // Takes up to max events into an exact-size buffer and checks them against the model.
  size_t Take(size_t max) {
    std::unique_ptr<int32_t[]> out(new int32_t[max * 3]);
    size_t n = batch.Take(out.get(), max);
    CHECK(n == std::min(max, model.size()));
    for (size_t i = 0; i < n; ++i) {
      const Event& e = model.front();
      CHECK(out[i * 3] == e[0] && out[i * 3 + 1] == e[1] && out[i * 3 + 2] == e[2]);
      model.pop_front();
    }
    return n;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  Pair p;
  p.batch.Reserve(in.U8());
  int32_t serial = 0;  // makes every pushed event distinct, so a repeat or a loss shows
  for (int ops = 0; ops < 4096 && !in.Empty(); ++ops) {
    uint8_t op = in.U8();
    int32_t fd = in.U8() % 8;
    switch (op % 5) {
      case 0:
      case 1: {
        int32_t status = (op & 0x80) ? -in.U8() : 0;
        p.batch.Push(fd, status, ++serial);
        p.model.push_back({fd, status, serial});
        break;
      }
      case 2:
        p.Drop(fd);
        break;
      case 3:
        p.Take(in.U8() % 6);
        break;
      default: {
        // One check-phase dispatch: chunks until empty, dropping fds between chunks.
        const size_t chunk = 1 + in.U8() % 5;
        for (int rounds = 0; rounds < 4096 && p.Take(chunk) > 0; ++rounds) {
          if (in.Bool()) p.Drop(in.U8() % 8);
          if (in.U8() == 0xff) {  // a pollClose/stop with nothing pending
            p.batch.Clear();
            p.model.clear();
          }
        }
        CHECK(p.batch.Pending() == 0);
      }
    }
    CHECK(p.batch.Pending() == p.model.size());
  }
  return 0;
}
