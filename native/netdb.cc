// Name resolution: getaddrinfo(3), getnameinfo(3), gethostbyname_r(3), gai_strerror(3).
// These block on DNS; the synchronous API blocks exactly as C does.
#include <netdb.h>

#include <cstring>
#include <string>
#include <vector>

#include "common.h"

namespace bsock {
namespace {

// Failure: { eai, errno } (errno matters only for EAI_SYSTEM).
Napi::Object GaiFailure(Napi::Env env, int eai, int err) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("eai", Napi::Number::New(env, eai));
  o.Set("errno", Napi::Number::New(env, err));
  return o;
}

std::string OptString(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

// getaddrinfo(node, service, hints) -> array of addrinfo objects, or { eai, errno }.
// hints is null or [ai_flags, ai_family, ai_socktype, ai_protocol].
Napi::Value GetAddrInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool has_node = !IsAbsent(info[0]), has_service = !IsAbsent(info[1]);
  std::string node = has_node ? OptString(info[0]) : std::string();
  std::string service = has_service ? OptString(info[1]) : std::string();
  addrinfo hints{};
  addrinfo* hp = nullptr;
  if (!IsAbsent(info[2])) {
    Napi::Array h = info[2].As<Napi::Array>();
    hints.ai_flags = h.Get(0u).As<Napi::Number>().Int32Value();
    hints.ai_family = h.Get(1u).As<Napi::Number>().Int32Value();
    hints.ai_socktype = h.Get(2u).As<Napi::Number>().Int32Value();
    hints.ai_protocol = h.Get(3u).As<Napi::Number>().Int32Value();
    hp = &hints;
  }
  addrinfo* res = nullptr;
  int rc;
  do {
    errno = 0;
    rc = ::getaddrinfo(has_node ? node.c_str() : nullptr, has_service ? service.c_str() : nullptr, hp, &res);
  } while (rc == EAI_SYSTEM && errno == EINTR);
  if (rc != 0) return GaiFailure(env, rc, errno);
  Napi::Array list = Napi::Array::New(env);
  uint32_t i = 0;
  for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("ai_flags", Napi::Number::New(env, p->ai_flags));
    o.Set("ai_family", Napi::Number::New(env, p->ai_family));
    o.Set("ai_socktype", Napi::Number::New(env, p->ai_socktype));
    o.Set("ai_protocol", Napi::Number::New(env, p->ai_protocol));
    o.Set("ai_addrlen", Napi::Number::New(env, p->ai_addrlen));
    o.Set("ai_addr", p->ai_addr ? Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(p->ai_addr), p->ai_addrlen)
                                : Napi::Buffer<uint8_t>::New(env, 0));
    o.Set("ai_canonname", p->ai_canonname ? Napi::Value(Napi::String::New(env, p->ai_canonname)) : env.Null());
    list.Set(i++, o);
  }
  ::freeaddrinfo(res);
  return list;
}

// getnameinfo(addr, addrlen, flags) -> [host, serv], or { eai, errno }.
Napi::Value GetNameInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  View a = BytesLen(info, 0, 1);
  int flags = Int(info, 2);
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  int rc;
  do {
    errno = 0;
    rc = ::getnameinfo(reinterpret_cast<sockaddr*>(a.data), static_cast<socklen_t>(a.length), host, sizeof host,
                       serv, sizeof serv, flags);
  } while (rc == EAI_SYSTEM && errno == EINTR);
  if (rc != 0) return GaiFailure(env, rc, errno);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::String::New(env, host));
  out.Set(1u, Napi::String::New(env, serv));
  return out;
}

Napi::Array StringList(Napi::Env env, char** list) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (char** p = list; p != nullptr && *p != nullptr; ++p) out.Set(i++, Napi::String::New(env, *p));
  return out;
}

// gethostbyname(name) -> hostent object, or the h_errno value (a number) on failure.
// The reentrant variant keeps workers from sharing glibc's static result.
Napi::Value GetHostByName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = OptString(info[0]);
  if (name.find('\0') != std::string::npos) return Napi::Number::New(env, HOST_NOT_FOUND);
  std::vector<char> buf(1024);
  hostent he{};
  hostent* result = nullptr;
  int herr = 0;
  for (int tries = 0; tries < 8; ++tries) {
    int rc = ::gethostbyname_r(name.c_str(), &he, buf.data(), buf.size(), &result, &herr);
    if (rc == ERANGE) {
      buf.resize(buf.size() * 4);
      continue;
    }
    break;
  }
  if (result == nullptr) return Napi::Number::New(env, herr == 0 ? HOST_NOT_FOUND : herr);
  Napi::Object o = Napi::Object::New(env);
  o.Set("h_name", Napi::String::New(env, he.h_name ? he.h_name : ""));
  o.Set("h_aliases", StringList(env, he.h_aliases));
  o.Set("h_addrtype", Napi::Number::New(env, he.h_addrtype));
  o.Set("h_length", Napi::Number::New(env, he.h_length));
  Napi::Array addrs = Napi::Array::New(env);
  uint32_t i = 0;
  for (char** p = he.h_addr_list; p != nullptr && *p != nullptr; ++p) {
    addrs.Set(i++, Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(*p), static_cast<size_t>(he.h_length)));
  }
  o.Set("h_addr_list", addrs);
  return o;
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ::gai_strerror(Int(info, 0)));
}

Napi::Value HStrerror(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ::hstrerror(Int(info, 0)));
}

}  // namespace

void InitNetdb(Napi::Env env, Napi::Object exports) {
  exports.Set("getaddrinfo", Napi::Function::New(env, GetAddrInfo, "getaddrinfo"));
  exports.Set("getnameinfo", Napi::Function::New(env, GetNameInfo, "getnameinfo"));
  exports.Set("gethostbyname", Napi::Function::New(env, GetHostByName, "gethostbyname"));
  exports.Set("gai_strerror", Napi::Function::New(env, GaiStrerror, "gai_strerror"));
  exports.Set("hstrerror", Napi::Function::New(env, HStrerror, "hstrerror"));
}

}  // namespace bsock
