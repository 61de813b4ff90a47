// Readiness: one uv_poll_t per fd on the loop Node-API gives this environment (never
// uv_default_loop(), so workers work), and poll(2) for the synchronous API. Policy (which
// operation waits on which fd, retries, timeouts) lives in lib/registry.ts.
#include "layout.h"

#include <uv.h>
#ifndef _WIN32
#include <poll.h>
#endif

#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace bsock {
namespace {

// Readiness events are not handed to JavaScript one by one: each poll callback appends
// (fd, status, events) to `batch` (codec::EventBatch), and one check-phase callback per
// loop iteration passes them all in one call (one make_callback, one microtask drain,
// however many fds woke), in chunks of kBatch.
constexpr size_t kBatch = 1024;  // events per JavaScript call

struct Poller {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  Napi::FunctionReference dispatch;   // (count) => void, reading `events`
  Napi::FunctionReference stop_idle;  // () => void: stops the handles nobody waits on
  Napi::Reference<Napi::Int32Array> events_ref;
  int32_t* events = nullptr;  // kBatch triples, shared with JavaScript
  // Two cells shared with JavaScript: [kInCheck] is 1 while OnCheck runs JavaScript;
  // [kIdle] is set by JavaScript when it wants stop_idle called before OnCheck returns.
  Napi::Reference<Napi::Int32Array> flags_ref;
  int32_t* flags = nullptr;
  codec::EventBatch batch;
  uv_check_t check;
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

#ifdef _WIN32
// libuv's error codes on Windows are its own (UV_EBADF is -4083, not -EBADF): mapped by
// name onto this host's errno values, which are the ones the JS side knows.
int UvErrno(int r) {
  if (r >= 0) return r;
  const char* name = uv_err_name(r);
#define BS_CONSTANT(n)
#define BS_EAI(n)
#define BS_ERRNO(n) \
  if (std::strcmp(name, #n) == 0) return -(n);
#include "constants_list.h"
#undef BS_CONSTANT
#undef BS_EAI
#undef BS_ERRNO
  return r;
}
#else
int UvErrno(int r) { return r; }  // libuv errors are -errno on Unix
#endif

void Released(Poller* p) {
  if (--p->closing == 0 && p->cleanup != nullptr) {
    napi_remove_async_cleanup_hook(p->cleanup);
    p->cleanup = nullptr;
  }
}

void OnClosed(uv_handle_t* h) {
  Handle* handle = reinterpret_cast<Handle*>(h);
  Poller* p = handle->owner;
  delete handle;
  Released(p);
}

void OnCheckClosed(uv_handle_t* h) { Released(static_cast<Poller*>(h->data)); }

void CloseHandle(Poller* p, uv_poll_t* h) {
  uv_poll_stop(h);
  ++p->closing;
  uv_close(reinterpret_cast<uv_handle_t*>(h), OnClosed);
}

void OnPoll(uv_poll_t* h, int status, int events) {
  Handle* handle = reinterpret_cast<Handle*>(h);
  Poller* p = handle->owner;
  p->batch.Push(handle->fd, UvErrno(status), events);
}

constexpr size_t kInCheck = 0, kIdle = 1;

// Calls into JavaScript; make_callback drains the microtask queue afterwards, as Node's own
// handles do. False when it threw (reported as an uncaught exception).
bool Call(Poller* p, napi_value fn, size_t argc, napi_value* argv) {
  napi_value result;
  if (napi_make_callback(p->env, p->context, Napi::Env(p->env).Global(), fn, argc, argv, &result) !=
      napi_pending_exception) {
    return true;
  }
  napi_value err;
  napi_get_and_clear_last_exception(p->env, &err);
  napi_fatal_exception(p->env, err);
  return false;
}

// Check phase: right after this iteration's poll callbacks.
void OnCheck(uv_check_t* c) {
  Poller* p = static_cast<Poller*>(c->data);
  if (p->batch.Pending() == 0) return;
  Napi::Env env(p->env);
  Napi::HandleScope scope(env);
  p->flags[kInCheck] = 1;
  // JavaScript may call pollClose (Drop) while it handles a chunk: the batch keeps track of
  // what was handed over, so no later event is skipped.
  while (size_t n = p->batch.Take(p->events, kBatch)) {
    napi_value arg = Napi::Number::New(env, static_cast<double>(n));
    if (!Call(p, p->dispatch.Value(), 1, &arg)) {
      p->batch.Clear();
      break;
    }
  }
  p->flags[kInCheck] = 0;
  // Handles whose last waiter settled and got no successor in the microtasks above are
  // stopped here, before the next epoll wait, without a setImmediate (and the second
  // callback into JavaScript that it costs) per loop iteration.
  if (p->flags[kIdle] != 0) {
    p->flags[kIdle] = 0;
    Call(p, p->stop_idle.Value(), 0, nullptr);
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
  if (p->context != nullptr) {  // from napi_async_init in PollInit: owned, freed here
    napi_async_destroy(p->env, p->context);
    p->context = nullptr;
  }
  for (auto& [fd, h] : p->handles) CloseHandle(p, h);
  p->handles.clear();
  p->batch.Clear();
  ++p->closing;
  uv_close(reinterpret_cast<uv_handle_t*>(&p->check), OnCheckClosed);
  if (p->closing == 0) {
    napi_remove_async_cleanup_hook(hook);
    p->cleanup = nullptr;
  }
}

// pollInit(dispatch, events, flags, stopIdle): binds the poller to this environment's loop;
// `events` is an Int32Array of pollBatch * 3 entries through which each batch is handed
// over, `flags` an Int32Array(2) over its own ArrayBuffer (see Poller::flags).
Napi::Value PollInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Poller* p = env.GetInstanceData<Poller>();
  if (p->loop != nullptr) throw Napi::Error::New(env, "internal: poller already initialised");
  if (napi_get_uv_event_loop(env, &p->loop) != napi_ok) throw Napi::Error::New(env, "internal: no event loop");
  p->env = env;
  p->dispatch = Napi::Persistent(info[0].As<Napi::Function>());
  Napi::Int32Array events = info[1].As<Napi::Int32Array>();
  if (events.ElementLength() < kBatch * 3) throw Napi::RangeError::New(env, "internal: event buffer too small");
  p->events_ref = Napi::Persistent(events);
  p->events = events.Data();
  Napi::Int32Array flags = info[2].As<Napi::Int32Array>();
  if (flags.ElementLength() < 2) throw Napi::RangeError::New(env, "internal: flag cells too small");
  p->flags_ref = Napi::Persistent(flags);
  p->flags = flags.Data();
  p->stop_idle = Napi::Persistent(info[3].As<Napi::Function>());
  p->batch.Reserve(kBatch);
  uv_check_init(p->loop, &p->check);
  p->check.data = p;
  uv_check_start(&p->check, OnCheck);
  uv_unref(reinterpret_cast<uv_handle_t*>(&p->check));  // never keeps the loop alive
  napi_async_init(env, nullptr, Napi::String::New(env, "berkeley-sockets:poll"), &p->context);
  napi_add_async_cleanup_hook(env, AsyncCleanup, p, nullptr);
  return env.Undefined();
}

// pollStart(fd, events) -> 0 or -errno. Creates the fd's handle on first use. libuv makes
// the fd non-blocking in uv_poll_init; its mode is put back, since uv_poll only watches
// readiness and the caller's blocking semantics are the caller's. (On Windows libuv sets
// FIONBIO, which WinSock cannot report, so the socket stays non-blocking.)
Napi::Value PollStart(const Napi::CallbackInfo& info) {
  Poller* p = Get(info);
  int fd = Int(info, 0), events = Int(info, 1);
  auto it = p->handles.find(fd);
  uv_poll_t* h;
  if (it == p->handles.end()) {
#ifdef BSOCK_HAVE_FCNTL
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) return Num(info.Env(), -errno);
#endif
    Handle* handle = new Handle{};
    handle->owner = p;
    handle->fd = fd;
#ifdef _WIN32
    int r = uv_poll_init_socket(p->loop, &handle->poll, sys::S(fd));
#else
    int r = uv_poll_init(p->loop, &handle->poll, fd);
#endif
    if (r < 0) {
      delete handle;
      return Num(info.Env(), UvErrno(r));
    }
#ifdef BSOCK_HAVE_FCNTL
    if ((flags & O_NONBLOCK) == 0) ::fcntl(fd, F_SETFL, flags);
#endif
    h = &handle->poll;
    p->handles.emplace(fd, h);
  } else {
    h = it->second;
  }
  int r = events == 0 ? uv_poll_stop(h) : uv_poll_start(h, events, OnPoll);
  return Num(info.Env(), UvErrno(r));
}

// pollClose(fd): stops watching and frees the handle; call before close(2).
Napi::Value PollClose(const Napi::CallbackInfo& info) {
  Poller* p = Get(info);
  int fd = Int(info, 0);
  auto it = p->handles.find(fd);
  if (it == p->handles.end()) return Num(info.Env(), 0);
  CloseHandle(p, it->second);
  p->handles.erase(it);
  // Events queued for this fd in this iteration must not reach a later fd with its number.
  p->batch.Drop(fd);
  return Num(info.Env(), 0);
}

// poll(2) with EINTR restarted on what is left of the timeout (a negative one waits for
// ever): poll is never restarted by the kernel (signal(7)), and a signal Node handles must
// not end a wait early. `call(timeout)` makes the syscall: >= 0, or -1 with errno set.
template <typename Call>
int PollRetry(int timeout, Call call) {
  uint64_t deadline = timeout >= 0 ? uv_hrtime() / 1000000 + static_cast<uint64_t>(timeout) : 0;
  for (;;) {
    int r = call(timeout);
    if (r >= 0) return r;
    int err = LastError();
    if (err != EINTR) return -err;
    if (timeout >= 0) {
      uint64_t now = uv_hrtime() / 1000000;
      timeout = now >= deadline ? 0 : static_cast<int>(deadline - now);
    }
  }
}

// poll(fd, events, timeoutMs) -> revents, 0 on timeout, or -errno: poll(2) on one fd, for
// the synchronous API's waits.
Napi::Value Poll(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0), events = Int(info, 1), timeout = Int(info, 2);
  short revents = 0;
  int r = PollRetry(timeout, [&](int t) { return sys::PollOne(fd, static_cast<short>(events), t, revents); });
  return Num(info.Env(), r <= 0 ? r : revents);
}

// pollfds(bytes, nfds, timeoutMs) -> ready count, 0 on timeout, or -errno: poll(2) over
// `nfds` struct pollfd laid out in `bytes` (lib/poll.ts gathers them there). The length and
// alignment are checked here, whatever the caller says.
Napi::Value PollFds(const Napi::CallbackInfo& info) {
#ifdef _WIN32
  return NoSys(info);
#else
  View v = Bytes(info, 0);
  int32_t nfds = Int(info, 1), timeout = Int(info, 2);
  if (nfds < 0 || static_cast<size_t>(nfds) > v.length / sizeof(pollfd))
    throw Napi::RangeError::New(info.Env(), "internal: nfds past the end of the pollfd buffer");
  if (reinterpret_cast<uintptr_t>(v.data) % alignof(pollfd) != 0)
    throw Napi::RangeError::New(info.Env(), "internal: misaligned pollfd buffer");
  pollfd* fds = reinterpret_cast<pollfd*>(v.data);
  int r = PollRetry(timeout, [&](int t) { return ::poll(fds, static_cast<nfds_t>(nfds), t); });
  return Num(info.Env(), r);
#endif
}

}  // namespace

void InitPoller(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Poller>(new Poller());
  exports.Set("pollInit", Napi::Function::New(env, PollInit, "pollInit"));
  exports.Set("pollStart", Napi::Function::New(env, PollStart, "pollStart"));
  exports.Set("pollClose", Napi::Function::New(env, PollClose, "pollClose"));
  exports.Set("poll", Napi::Function::New(env, Poll, "poll"));
  exports.Set("pollfds", Napi::Function::New(env, PollFds, "pollfds"));
#ifndef _WIN32
  // Runs after InitAddresses: adds to its `layouts`.
  Napi::Object layouts = exports.Get("layouts").As<Napi::Object>();
  BS_STRUCT(pollfd, BS_FIELD(pollfd, fd); BS_FIELD(pollfd, events); BS_FIELD(pollfd, revents));
#endif
  exports.Set("pollBatch", Napi::Number::New(env, kBatch));
  Napi::Object ev = Napi::Object::New(env);
  ev.Set("READABLE", Napi::Number::New(env, UV_READABLE));
  ev.Set("WRITABLE", Napi::Number::New(env, UV_WRITABLE));
  ev.Set("DISCONNECT", Napi::Number::New(env, UV_DISCONNECT));
  ev.Set("PRIORITIZED", Napi::Number::New(env, UV_PRIORITIZED));
  exports.Set("pollEvents", ev);
}

}  // namespace bsock
