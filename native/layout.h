// Struct layouts as the compiler sees them, for lib/structs.ts and lib/headers.ts: no
// offset, size or bit position is ever typed by hand in TypeScript.
#pragma once

#include <cstring>
#include <type_traits>
#include <utility>

#include "common.h"

namespace bsock {

// [offset, size, signed] for one field (F may be a nested member path such as un.echo.id).
#define BS_FIELD(S, F)                                                                                             \
  do {                                                                                                             \
    Napi::Array f = Napi::Array::New(env, 3);                                                                      \
    f.Set(0u, Napi::Number::New(env, offsetof(S, F)));                                                             \
    f.Set(1u, Napi::Number::New(env, sizeof(static_cast<S*>(nullptr)->F)));                                        \
    f.Set(2u, Napi::Boolean::New(env, std::is_signed_v<std::remove_reference_t<decltype(std::declval<S&>().F)>>)); \
    o.Set(#F, f);                                                                                                  \
  } while (0)

// A bitfield, located by setting it to all ones in a zeroed struct: [first bit, width],
// bits numbered from the struct's start, least significant bit of each byte first.
#define BS_BITS(S, F)                               \
  do {                                              \
    S s;                                            \
    std::memset(&s, 0, sizeof s);                   \
    volatile unsigned ones = ~0u;                   \
    s.F = ones;                                     \
    unsigned char b[sizeof s];                      \
    std::memcpy(b, &s, sizeof s);                   \
    int first = -1, width = 0;                      \
    for (size_t i = 0; i < sizeof s * 8; ++i) {     \
      if ((b[i / 8] >> (i % 8)) & 1) {              \
        if (first < 0) first = static_cast<int>(i); \
        ++width;                                    \
      }                                             \
    }                                               \
    Napi::Array f = Napi::Array::New(env, 2);       \
    f.Set(0u, Napi::Number::New(env, first));       \
    f.Set(1u, Napi::Number::New(env, width));       \
    bits.Set(#F, f);                                \
  } while (0)

#define BS_STRUCT(S, ...)                                          \
  do {                                                             \
    Napi::Object o = Napi::Object::New(env);                       \
    Napi::Object bits = Napi::Object::New(env);                    \
    o.Set("size", Napi::Number::New(env, sizeof(S)));              \
    o.Set("align", Napi::Number::New(env, alignof(S)));            \
    __VA_ARGS__;                                                   \
    if (bits.GetPropertyNames().Length() > 0) o.Set("bits", bits); \
    layouts.Set(#S, o);                                            \
  } while (0)

}  // namespace bsock
