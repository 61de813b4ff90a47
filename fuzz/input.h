// Reads typed values off a libFuzzer input; past the end every read gives 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>

namespace fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool Empty() const { return pos_ >= size_; }
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool Bool() { return (U8() & 1) != 0; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(U8()) << (8 * i);
    return v;
  }
  int32_t I32() { return static_cast<int32_t>(U32()); }

  // Mostly a small value in [0, small], sometimes one of the boundary values near `edge`
  // or an arbitrary 32-bit value: what length and count arguments look like.
  uint32_t Size(uint32_t small, uint32_t edge) {
    uint8_t mode = U8();
    if (mode < 200) return small == 0 ? 0 : U8() % (small + 1);
    switch (mode % 8) {
      case 0:
        return edge - 1;
      case 1:
        return edge;
      case 2:
        return edge + 1;
      case 3:
        return 0x7fffffffu;
      case 4:
        return 0x80000000u;
      case 5:
        return 0xffffffffu;
      default:
        return U32();
    }
  }

  // An int32 length as the caller may pass it: small, around `edge`, negative or extreme.
  int32_t Length(uint32_t edge) {
    uint8_t mode = U8();
    if (mode < 160) return static_cast<int32_t>(U8() % (static_cast<uint64_t>(edge) + 2));
    switch (mode % 6) {
      case 0:
        return static_cast<int32_t>(edge);
      case 1:
        return -1;
      case 2:
        return INT32_MIN;
      case 3:
        return INT32_MAX;
      default:
        return I32();
    }
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A failed invariant: report and abort, so libFuzzer saves the input.
[[noreturn]] inline void Fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "invariant failed at %s:%d: %s\n", file, line, what);
  std::abort();
}

}  // namespace fuzz

#define CHECK(cond) ((cond) ? (void)0 : ::fuzz::Fail(#cond, __FILE__, __LINE__))
