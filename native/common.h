// Shared helpers for the native layer: argument readers and the errno convention.
//
// Convention: every syscall wrapper returns its non-negative result, or -errno captured
// right after the call. Syscall failures never throw from C++; the TypeScript layer turns
// them into SocketError. C++ throws only when the private contract with lib/native.ts is
// broken (wrong type, length past a buffer), so a bug there can never touch bad memory.
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

// Before napi.h: on Windows winsock2.h must precede anything that includes windows.h.
#include "platform.h"

#include <napi.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>

#include "codec.h"

namespace bsock {

// Runs a syscall, retrying while it fails with EINTR (PEP 475 semantics).
// Evaluates to the result, or to -errno on failure.
template <typename F>
inline double Retry(F call) {
  for (;;) {
    auto r = call();
    if (r >= 0) return static_cast<double>(r);
    int err = LastError();
    if (err != EINTR) return -static_cast<double>(err);
  }
}

// One call, no retry (close(2) must never be retried).
template <typename F>
inline double Once(F call) {
  auto r = call();
  return r >= 0 ? static_cast<double>(r) : -static_cast<double>(LastError());
}

struct View {
  uint8_t* data;
  size_t length;  // in bytes
};

// One napi_typeof rather than one per question: these run on every I/O call.
inline bool IsAbsent(const Napi::Value& v) {
  napi_valuetype t = napi_undefined;
  napi_typeof(v.Env(), v, &t);
  return t == napi_undefined || t == napi_null;
}

// napi_get_value_* checks the type itself (napi_number_expected): no separate typeof.
inline int32_t Int(const Napi::CallbackInfo& info, size_t i) {
  int32_t r = 0;
  if (napi_get_value_int32(info.Env(), info[i], &r) != napi_ok) {
    throw Napi::TypeError::New(info.Env(), "internal: expected an integer argument");
  }
  return r;
}

inline uint32_t Uint(const Napi::CallbackInfo& info, size_t i) {
  uint32_t r = 0;
  if (napi_get_value_uint32(info.Env(), info[i], &r) != napi_ok) {
    throw Napi::TypeError::New(info.Env(), "internal: expected an integer argument");
  }
  return r;
}

// Reads any ArrayBufferView (Buffer, typed array, DataView) as bytes, without copying.
// False (with no exception pending) when `v` is none; never throws, so that plain
// napi_callback functions (io.cc's) can use it too.
inline bool TryBytes(napi_env env, napi_value v, View* out) {
  bool is = false;
  void* data = nullptr;
  size_t len = 0;
  // Fast path: Node answers napi_get_buffer_info for any Uint8Array (Buffer included) with
  // its data and byte length in one call, without napi_get_typedarray_info's chain of
  // type tests. Other views (which Node also answers with byte lengths) may be refused by
  // a future version: they then take the general path below.
  if (napi_get_buffer_info(env, v, &data, &len) == napi_ok) {
    *out = View{static_cast<uint8_t*>(data), len};
    return true;
  }
  napi_value ab;
  size_t offset = 0;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &offset) != napi_ok) return false;
    size_t elem = 1;
    switch (type) {
      case napi_int16_array:
      case napi_uint16_array:
        elem = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        elem = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        elem = 8;
        break;
      default:
        elem = 1;
    }
    *out = View{static_cast<uint8_t*>(data), len * elem};
    return true;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is &&
      napi_get_dataview_info(env, v, &len, &data, &ab, &offset) == napi_ok) {
    *out = View{static_cast<uint8_t*>(data), len};
    return true;
  }
  return false;
}

// TryBytes for node-addon-api callers: `what` names the argument in the (internal) TypeError.
inline View BytesOf(napi_env env, napi_value v, const char* what) {
  View out{};
  if (!TryBytes(env, v, &out))
    throw Napi::TypeError::New(env, std::string("internal: expected an ArrayBufferView as ") + what);
  return out;
}

inline View Bytes(const Napi::CallbackInfo& info, size_t i) { return BytesOf(info.Env(), info[i], "argument"); }

// A byte view plus a length argument that must fit inside it.
inline View BytesLen(const Napi::CallbackInfo& info, size_t buf, size_t len) {
  View v = Bytes(info, buf);
  uint32_t n = Uint(info, len);
  if (n > v.length)
    throw Napi::RangeError::New(info.Env(), "length past the end of the buffer (detached or resized while in use?)");
  v.length = n;
  return v;
}

// Optional out-address: a byte view (or null) plus an Int32Array(1) that receives socklen.
struct AddrOut {
  sockaddr* addr = nullptr;
  socklen_t len = 0;
  int32_t* len_out = nullptr;
};

inline AddrOut AddrOutArg(const Napi::CallbackInfo& info, size_t buf, size_t len_out) {
  AddrOut out;
  if (IsAbsent(info[buf])) return out;
  View v = Bytes(info, buf);
  View l = Bytes(info, len_out);
  if (!codec::CellsFit(l.data, l.length, 1)) throw Napi::TypeError::New(info.Env(), "internal: bad length cell");
  out.addr = reinterpret_cast<sockaddr*>(v.data);
  out.len = static_cast<socklen_t>(v.length);
  out.len_out = reinterpret_cast<int32_t*>(l.data);
  return out;
}

// The data calls' argument block (see io.cc): one Int32Array per environment, exported as
// `ioArgs`, its last cell also exported alone as `addrLen`, the socklen_t out-cell of
// recvfrom and accept. Created by whichever Init asks first; its address reaches those
// calls as their function data, which napi_get_cb_info returns anyway.
enum IoCell { kIoFd, kIoLen, kIoFlags, kIoAddrLen, kIoAddrLenOut, kIoResult, kIoCells };
int32_t* IoArgsCells(Napi::Env env, Napi::Object exports);
inline int32_t* AddrLenCell(Napi::Env env, Napi::Object exports) { return IoArgsCells(env, exports) + kIoAddrLenOut; }

// An optional out-address whose length goes to `cell` (AddrLenCell's).
inline AddrOut AddrOutCell(const Napi::CallbackInfo& info, size_t buf) {
  AddrOut out;
  if (IsAbsent(info[buf])) return out;
  View v = Bytes(info, buf);
  out.addr = reinterpret_cast<sockaddr*>(v.data);
  out.len = static_cast<socklen_t>(v.length);
  out.len_out = static_cast<int32_t*>(info.Data());
  return out;
}

inline void AddrDone(AddrOut& out) {
  if (out.len_out != nullptr) *out.len_out = static_cast<int32_t>(out.len);
}

// Input address: bytes plus the addrlen to hand to the kernel (checked against the bytes).
inline View AddrIn(const Napi::CallbackInfo& info, size_t buf, size_t len) { return BytesLen(info, buf, len); }

inline Napi::Number Num(Napi::Env env, double v) { return Napi::Number::New(env, v); }

// The body of a call this host lacks (see platform.h): it fails as the syscall would on a
// kernel without it, so the JS side throws SocketError ENOSYS.
inline Napi::Value NoSys(const Napi::CallbackInfo& info) { return Num(info.Env(), -ENOSYS); }

void InitLifecycle(Napi::Env env, Napi::Object exports);
void InitIo(Napi::Env env, Napi::Object exports);
void InitOptions(Napi::Env env, Napi::Object exports);
void InitAddresses(Napi::Env env, Napi::Object exports);
void InitNetdb(Napi::Env env, Napi::Object exports);
void InitConstants(Napi::Env env, Napi::Object exports);
void InitPoller(Napi::Env env, Napi::Object exports);
void InitPacket(Napi::Env env, Napi::Object exports);
void InitNetlink(Napi::Env env, Napi::Object exports);
void InitOptStructs(Napi::Env env, Napi::Object exports);
void InitMessages(Napi::Env env, Napi::Object exports);

}  // namespace bsock
