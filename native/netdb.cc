// Name resolution: getaddrinfo(3), getnameinfo(3), gethostbyname_r(3), gai_strerror(3).
// These block on DNS; the synchronous API blocks exactly as C does, and the *Async forms
// run the same C call on the libuv thread pool (Napi::AsyncWorker) and hand the same JS
// result to a callback. Sync and async share one request type per call: the arguments are
// read (and copied) on the JS thread, Run() does the C call and touches no JS, and ToJS()
// converts the outcome.
#include "common.h"

#ifndef _WIN32
#include <netdb.h>
#endif

#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

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

// A resolver call that a signal interrupted (EAI_SYSTEM with EINTR): it is made again.
// WinSock has no EAI_SYSTEM: its resolver errors are WSA codes of their own.
bool Interrupted(int rc, int err) {
#ifdef EAI_SYSTEM
  return rc == EAI_SYSTEM && err == EINTR;
#else
  (void)rc;
  (void)err;
  return false;
#endif
}

Napi::Buffer<uint8_t> BytesJS(Napi::Env env, const std::vector<uint8_t>& b) {
  return b.empty() ? Napi::Buffer<uint8_t>::New(env, 0) : Napi::Buffer<uint8_t>::Copy(env, b.data(), b.size());
}

int32_t ArrayInt(const Napi::Array& a, uint32_t i) {
  Napi::Value v = a.Get(i);
  if (!v.IsNumber()) throw Napi::TypeError::New(a.Env(), "internal: expected an integer hint");
  return v.As<Napi::Number>().Int32Value();
}

// getaddrinfo(node, service, hints): node and service are strings or null; hints is null
// or [ai_flags, ai_family, ai_socktype, ai_protocol]. Owns its copies and its result list.
class GaiRequest {
 public:
  // Reads info[first .. first+2] on the JS thread.
  GaiRequest(const Napi::CallbackInfo& info, size_t first) {
    has_node_ = !IsAbsent(info[first]);
    has_service_ = !IsAbsent(info[first + 1]);
    if (has_node_) node_ = OptString(info[first]);
    if (has_service_) service_ = OptString(info[first + 1]);
    if (!IsAbsent(info[first + 2])) {
      if (!info[first + 2].IsArray()) throw Napi::TypeError::New(info.Env(), "internal: expected a hints array");
      Napi::Array h = info[first + 2].As<Napi::Array>();
      hints_.ai_flags = ArrayInt(h, 0);
      hints_.ai_family = ArrayInt(h, 1);
      hints_.ai_socktype = ArrayInt(h, 2);
      hints_.ai_protocol = ArrayInt(h, 3);
      has_hints_ = true;
    }
  }
  GaiRequest(const GaiRequest&) = delete;
  GaiRequest& operator=(const GaiRequest&) = delete;
  ~GaiRequest() {
    if (res_ != nullptr) ::freeaddrinfo(res_);
  }

  // The C call, retried while it fails with EAI_SYSTEM/EINTR. Any thread; no JS.
  void Run() {
    do {
      errno = 0;
      rc_ = ::getaddrinfo(has_node_ ? node_.c_str() : nullptr, has_service_ ? service_.c_str() : nullptr,
                          has_hints_ ? &hints_ : nullptr, &res_);
      err_ = errno;
    } while (Interrupted(rc_, err_));
    if (rc_ != 0) res_ = nullptr;
  }

  // Array of addrinfo objects, or { eai, errno }. JS thread only.
  Napi::Value ToJS(Napi::Env env) const {
    if (rc_ != 0) return GaiFailure(env, rc_, err_);
    Napi::Array list = Napi::Array::New(env);
    uint32_t i = 0;
    for (const codec::AddrInfoEntry& e : codec::AddrInfoList(res_)) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("ai_flags", Napi::Number::New(env, e.flags));
      o.Set("ai_family", Napi::Number::New(env, e.family));
      o.Set("ai_socktype", Napi::Number::New(env, e.socktype));
      o.Set("ai_protocol", Napi::Number::New(env, e.protocol));
      o.Set("ai_addrlen", Napi::Number::New(env, e.addrlen));
      o.Set("ai_addr", BytesJS(env, e.addr));
      o.Set("ai_canonname", e.has_canonname ? Napi::Value(Napi::String::New(env, e.canonname)) : env.Null());
      list.Set(i++, o);
    }
    return list;
  }

 private:
  bool has_node_ = false, has_service_ = false, has_hints_ = false;
  std::string node_, service_;
  addrinfo hints_{};
  addrinfo* res_ = nullptr;
  int rc_ = 0, err_ = 0;
};

// getnameinfo(addr, addrlen, flags). The address bytes are copied, so the JS buffer may
// change (or be unaligned) while the call runs.
class NameRequest {
 public:
  NameRequest(const Napi::CallbackInfo& info, size_t first) {
    View a = BytesLen(info, first, first + 1);
    flags_ = Int(info, first + 2);
    addr_.assign(a.data, a.data + a.length);
  }

  // The C call, retried while it fails with EAI_SYSTEM/EINTR. Any thread; no JS.
  void Run() {
    do {
      errno = 0;
      rc_ = ::getnameinfo(reinterpret_cast<const sockaddr*>(addr_.data()), static_cast<socklen_t>(addr_.size()), host_,
                          sizeof host_, serv_, sizeof serv_, flags_);
      err_ = errno;
    } while (Interrupted(rc_, err_));
  }

  // [host, serv], or { eai, errno }. JS thread only.
  Napi::Value ToJS(Napi::Env env) const {
    if (rc_ != 0) return GaiFailure(env, rc_, err_);
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, Napi::String::New(env, host_));
    out.Set(1u, Napi::String::New(env, serv_));
    return out;
  }

 private:
  std::vector<uint8_t> addr_;
  int flags_ = 0;
  int rc_ = 0, err_ = 0;
  char host_[NI_MAXHOST] = {};
  char serv_[NI_MAXSERV] = {};
};

// getaddrinfo(node, service, hints) -> array of addrinfo objects, or { eai, errno }.
Napi::Value GetAddrInfo(const Napi::CallbackInfo& info) {
  GaiRequest req(info, 0);
  req.Run();
  return req.ToJS(info.Env());
}

// getnameinfo(addr, addrlen, flags) -> [host, serv], or { eai, errno }.
Napi::Value GetNameInfo(const Napi::CallbackInfo& info) {
  NameRequest req(info, 0);
  req.Run();
  return req.ToJS(info.Env());
}

// Runs a request on the libuv thread pool, then calls callback(result) on the JS thread,
// result being exactly what the synchronous native returns. Holds no statics, so each
// worker_thread's requests are independent.
template <typename Request>
class PoolWorker : public Napi::AsyncWorker {
 public:
  PoolWorker(const Napi::CallbackInfo& info, const char* name, size_t callback_index)
      : Napi::AsyncWorker(CallbackArg(info, callback_index), name), req_(info, 0) {}

  void Execute() override { req_.Run(); }

  void OnOK() override {
    Napi::Env env = Env();
    napi_value result;
    try {
      result = req_.ToJS(env);
    } catch (const Napi::Error&) {
      // Only when JS can no longer run (the environment is shutting down, e.g. a
      // terminated Worker): nobody is left to take the result.
      return;
    }
    // Called through the C API on purpose: if JS cannot run, the call fails quietly
    // instead of throwing a C++ exception that could not be turned into a JS one; if the
    // callback throws, the exception stays pending and Node reports it as uncaught.
    napi_value recv = Receiver().Value();
    napi_value fn = Callback().Value();
    napi_call_function(env, recv, fn, 1, &result, nullptr);
  }

 private:
  static Napi::Function CallbackArg(const Napi::CallbackInfo& info, size_t i) {
    if (!info[i].IsFunction()) throw Napi::TypeError::New(info.Env(), "internal: expected a callback");
    return info[i].As<Napi::Function>();
  }

  Request req_;
};

// getaddrinfoAsync(node, service, hints, callback): getaddrinfo on the thread pool.
Napi::Value GetAddrInfoAsync(const Napi::CallbackInfo& info) {
  (new PoolWorker<GaiRequest>(info, "getaddrinfo", 3))->Queue();
  return info.Env().Undefined();
}

// getnameinfoAsync(addr, addrlen, flags, callback): getnameinfo on the thread pool.
Napi::Value GetNameInfoAsync(const Napi::CallbackInfo& info) {
  (new PoolWorker<NameRequest>(info, "getnameinfo", 3))->Queue();
  return info.Env().Undefined();
}

Napi::Array StringList(Napi::Env env, const std::vector<std::string>& list) {
  Napi::Array out = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); ++i) out.Set(i, Napi::String::New(env, list[i]));
  return out;
}

Napi::Object HostentToJS(Napi::Env env, const hostent& he) {
  codec::HostEntry e = codec::HostEntryOf(he);
  Napi::Object o = Napi::Object::New(env);
  o.Set("h_name", Napi::String::New(env, e.name));
  o.Set("h_aliases", StringList(env, e.aliases));
  o.Set("h_addrtype", Napi::Number::New(env, e.addrtype));
  o.Set("h_length", Napi::Number::New(env, e.length));
  Napi::Array addrs = Napi::Array::New(env, e.addrs.size());
  for (uint32_t i = 0; i < e.addrs.size(); ++i) addrs.Set(i, BytesJS(env, e.addrs[i]));
  o.Set("h_addr_list", addrs);
  return o;
}

// gethostbyname(name) -> hostent object, or the h_errno value (a number) on failure.
// The reentrant variant keeps workers from sharing glibc's static result.
Napi::Value GetHostByName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = OptString(info[0]);
  if (name.find('\0') != std::string::npos) return Napi::Number::New(env, HOST_NOT_FOUND);
#if defined(__GLIBC__) || defined(__FreeBSD__)
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
  return HostentToJS(env, he);
#else
    // No gethostbyname_r. WinSock keeps the result per thread (and its h_errno is
    // WSAGetLastError()); elsewhere the shared result is read under a lock.
#ifndef _WIN32
  static std::mutex lock;
  std::lock_guard<std::mutex> hold(lock);
#endif
  const hostent* he = ::gethostbyname(name.c_str());
  if (he == nullptr) return Napi::Number::New(env, h_errno == 0 ? HOST_NOT_FOUND : h_errno);
  return HostentToJS(env, *he);
#endif
}

Napi::Value GaiStrerror(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ::gai_strerror(Int(info, 0)));
}

// hstrerror(3); WinSock's h_errno values are WSA codes, which the system can describe.
Napi::Value HStrerror(const Napi::CallbackInfo& info) {
#ifdef _WIN32
  char buf[256];
  int code = Int(info, 0);
  if (SystemText(code, buf, sizeof buf) == nullptr) std::snprintf(buf, sizeof buf, "Resolver error %d", code);
  return Napi::String::New(info.Env(), buf);
#else
  return Napi::String::New(info.Env(), ::hstrerror(Int(info, 0)));
#endif
}

}  // namespace

void InitNetdb(Napi::Env env, Napi::Object exports) {
  exports.Set("getaddrinfo", Napi::Function::New(env, GetAddrInfo, "getaddrinfo"));
  exports.Set("getnameinfo", Napi::Function::New(env, GetNameInfo, "getnameinfo"));
  exports.Set("getaddrinfoAsync", Napi::Function::New(env, GetAddrInfoAsync, "getaddrinfoAsync"));
  exports.Set("getnameinfoAsync", Napi::Function::New(env, GetNameInfoAsync, "getnameinfoAsync"));
  exports.Set("gethostbyname", Napi::Function::New(env, GetHostByName, "gethostbyname"));
  exports.Set("gai_strerror", Napi::Function::New(env, GaiStrerror, "gai_strerror"));
  exports.Set("hstrerror", Napi::Function::New(env, HStrerror, "hstrerror"));
}

}  // namespace bsock
