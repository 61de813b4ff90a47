// Constants from this host's headers, generated into constants_list.h by
// tools/gen-constants-h.py. A name the host lacks is not exported at all.
#include <cstring>

#include "common.h"
#include "constants_includes.h"

namespace bsock {
namespace {

// strerror_r(3): thread-safe, so workers never share a static buffer.
Napi::Value StrError(const Napi::CallbackInfo& info) {
  char buf[256];
  return Napi::String::New(info.Env(), ErrorText(Int(info, 0), buf, sizeof buf));
}

}  // namespace

void InitConstants(Napi::Env env, Napi::Object exports) {
  // Every constant, and two ordered views: errno names (canonical name first for aliases,
  // such as EAGAIN before EWOULDBLOCK) and getaddrinfo's EAI_* codes.
  Napi::Object all = Napi::Object::New(env);
  Napi::Object errnos = Napi::Object::New(env);
  Napi::Object eais = Napi::Object::New(env);
// Stringify before expanding: the names are macros themselves.
#define BS_SET(obj, str, value) obj.Set(str, Napi::Number::New(env, static_cast<double>(value)));
#define BS_CONSTANT(name) BS_SET(all, #name, name)
#define BS_ERRNO(name) BS_SET(all, #name, name) BS_SET(errnos, #name, name)
#define BS_EAI(name) BS_SET(all, #name, name) BS_SET(eais, #name, name)
#include "constants_list.h"
#undef BS_CONSTANT
#undef BS_ERRNO
#undef BS_EAI
#undef BS_SET
  exports.Set("constants", all);
  exports.Set("errnos", errnos);
  exports.Set("eais", eais);
  exports.Set("strerror", Napi::Function::New(env, StrError, "strerror"));
}

}  // namespace bsock
