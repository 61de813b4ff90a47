// Readiness: one uv_poll_t per fd on the loop Node-API gives this environment (never
// uv_default_loop(), so workers work), and poll(2) for the synchronous API. Policy (which
// operation waits on which fd, retries, timeouts) lives in lib/registry.ts.
#include <fcntl.h>
#include <poll.h>
#include <uv.h>

#include <cstdlib>
#include <unordered_map>

#include "common.h"

namespace bsock {
namespace {

struct Poller {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  Napi::FunctionReference dispatch;  // (fd, status, events) => void
  napi_async_context context = nullptr;
  std::unordered_map<int, uv_poll_t*> handles;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  size_t closing = 0;  // handles whose uv_close callback is still to come
};

struct Handle {
  uv_poll_t poll;
  Poller* owner;
  int fd;
};

void OnClosed(uv_handle_t* h) {
  Handle* handle = reinterpret_cast<Handle*>(h);
  Poller* p = handle->owner;
  delete handle;
  if (--p->closing == 0 && p->cleanup != nullptr) {
    napi_remove_async_cleanup_hook(p->cleanup);
    p->cleanup = nullptr;
  }
}

void CloseHandle(Poller* p, uv_poll_t* h) {
  uv_poll_stop(h);
  ++p->closing;
  uv_close(reinterpret_cast<uv_handle_t*>(h), OnClosed);
}

void OnPoll(uv_poll_t* h, int status, int events) {
  Handle* handle = reinterpret_cast<Handle*>(h);
  Poller* p = handle->owner;
  Napi::Env env(p->env);
  Napi::HandleScope scope(env);
  napi_value args[3] = {Napi::Number::New(env, handle->fd), Napi::Number::New(env, status),
                        Napi::Number::New(env, events)};
  napi_value result;
  // make_callback drains the microtask queue afterwards, as Node's own handles do.
  napi_status s = napi_make_callback(p->env, p->context, env.Global(), p->dispatch.Value(), 3, args, &result);
  if (s == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(p->env, &err);
    napi_fatal_exception(p->env, err);
  }
}

Poller* Get(const Napi::CallbackInfo& info) {
  Poller* p = info.Env().GetInstanceData<Poller>();
  if (p == nullptr || p->loop == nullptr) throw Napi::Error::New(info.Env(), "internal: poller not initialised");
  return p;
}

// Environment teardown (process exit, worker.terminate()): close every handle, and let
// Node go on only when libuv has released them.
void AsyncCleanup(napi_async_cleanup_hook_handle hook, void* arg) {
  Poller* p = static_cast<Poller*>(arg);
  p->cleanup = hook;
  for (auto& [fd, h] : p->handles) CloseHandle(p, h);
  p->handles.clear();
  if (p->closing == 0) {
    napi_remove_async_cleanup_hook(hook);
    p->cleanup = nullptr;
  }
}

// pollInit(dispatch): binds the poller to this environment's loop.
Napi::Value PollInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Poller* p = env.GetInstanceData<Poller>();
  if (p->loop != nullptr) throw Napi::Error::New(env, "internal: poller already initialised");
  if (napi_get_uv_event_loop(env, &p->loop) != napi_ok) throw Napi::Error::New(env, "internal: no event loop");
  p->env = env;
  p->dispatch = Napi::Persistent(info[0].As<Napi::Function>());
  napi_async_init(env, nullptr, Napi::String::New(env, "berkeley-sockets:poll"), &p->context);
  napi_add_async_cleanup_hook(env, AsyncCleanup, p, nullptr);
  return env.Undefined();
}

// pollStart(fd, events) -> 0 or -errno. Creates the fd's handle on first use. libuv makes
// the fd non-blocking in uv_poll_init; its mode is put back, since uv_poll only watches
// readiness and the caller's blocking semantics are the caller's.
Napi::Value PollStart(const Napi::CallbackInfo& info) {
  Poller* p = Get(info);
  int fd = Int(info, 0), events = Int(info, 1);
  auto it = p->handles.find(fd);
  uv_poll_t* h;
  if (it == p->handles.end()) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) return Num(info.Env(), -errno);
    Handle* handle = new Handle{};
    handle->owner = p;
    handle->fd = fd;
    int r = uv_poll_init(p->loop, &handle->poll, fd);
    if (r < 0) {
      delete handle;
      return Num(info.Env(), r);  // libuv errors are -errno on Unix
    }
    if ((flags & O_NONBLOCK) == 0) ::fcntl(fd, F_SETFL, flags);
    h = &handle->poll;
    p->handles.emplace(fd, h);
  } else {
    h = it->second;
  }
  int r = events == 0 ? uv_poll_stop(h) : uv_poll_start(h, events, OnPoll);
  return Num(info.Env(), r);
}

// pollClose(fd): stops watching and frees the handle; call before close(2).
Napi::Value PollClose(const Napi::CallbackInfo& info) {
  Poller* p = Get(info);
  int fd = Int(info, 0);
  auto it = p->handles.find(fd);
  if (it == p->handles.end()) return Num(info.Env(), 0);
  CloseHandle(p, it->second);
  p->handles.erase(it);
  return Num(info.Env(), 0);
}

// poll(fd, events, timeoutMs) -> revents, 0 on timeout, or -errno. poll(2) for the
// synchronous API; a negative timeout waits for ever. EINTR restarts with what is left.
Napi::Value Poll(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0), events = Int(info, 1), timeout = Int(info, 2);
  pollfd pfd{fd, static_cast<short>(events), 0};
  uint64_t deadline = timeout >= 0 ? uv_hrtime() / 1000000 + static_cast<uint64_t>(timeout) : 0;
  for (;;) {
    int r = ::poll(&pfd, 1, timeout);
    if (r >= 0) return Num(info.Env(), r == 0 ? 0 : pfd.revents);
    if (errno != EINTR) return Num(info.Env(), -errno);
    if (timeout >= 0) {
      uint64_t now = uv_hrtime() / 1000000;
      timeout = now >= deadline ? 0 : static_cast<int>(deadline - now);
    }
  }
}

}  // namespace

void InitPoller(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Poller>(new Poller());
  exports.Set("pollInit", Napi::Function::New(env, PollInit, "pollInit"));
  exports.Set("pollStart", Napi::Function::New(env, PollStart, "pollStart"));
  exports.Set("pollClose", Napi::Function::New(env, PollClose, "pollClose"));
  exports.Set("poll", Napi::Function::New(env, Poll, "poll"));
  Napi::Object ev = Napi::Object::New(env);
  ev.Set("READABLE", Napi::Number::New(env, UV_READABLE));
  ev.Set("WRITABLE", Napi::Number::New(env, UV_WRITABLE));
  ev.Set("DISCONNECT", Napi::Number::New(env, UV_DISCONNECT));
  ev.Set("PRIORITIZED", Napi::Number::New(env, UV_PRIORITIZED));
  exports.Set("pollEvents", ev);
}

}  // namespace bsock
