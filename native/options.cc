// Socket options: setsockopt(2) and getsockopt(2) on raw bytes. Typing the value (int,
// linger, timeval, struct) is policy and lives in TypeScript.
#include "common.h"

namespace bsock {
namespace {

// setsockopt(fd, level, optname, bytes, optlen)
Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0), level = Int(info, 1), name = Int(info, 2);
  View v = BytesLen(info, 3, 4);
  return Num(info.Env(),
             Retry([&] { return sys::setsockopt(fd, level, name, v.data, static_cast<socklen_t>(v.length)); }));
}

// getsockopt(fd, level, optname, bytes, lenOut): the option length goes into lenOut[0].
Napi::Value GetSockOpt(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0), level = Int(info, 1), name = Int(info, 2);
  AddrOut out = AddrOutArg(info, 3, 4);
  // A zero-length buffer has no data pointer: optval NULL with optlen 0 is valid C.
  if (IsAbsent(info[3])) throw Napi::TypeError::New(info.Env(), "internal: getsockopt needs a buffer");
  socklen_t cap = out.len;
  double r = Retry([&] {
    out.len = cap;
    return sys::getsockopt(fd, level, name, out.addr, &out.len);
  });
  if (r >= 0) AddrDone(out);
  return Num(info.Env(), r);
}

}  // namespace

void InitOptions(Napi::Env env, Napi::Object exports) {
  exports.Set("setsockopt", Napi::Function::New(env, SetSockOpt, "setsockopt"));
  exports.Set("getsockopt", Napi::Function::New(env, GetSockOpt, "getsockopt"));
}

}  // namespace bsock
