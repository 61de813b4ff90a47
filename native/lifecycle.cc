// Socket lifecycle: socket(2), socketpair(2), bind(2), listen(2), accept4(2), connect(2),
// shutdown(2), close(2), getsockname(2), getpeername(2), fcntl(2).
#include "common.h"

namespace bsock {
namespace {

// socket(2). Close-on-exec is added so no child inherits our sockets; blocking mode stays
// as the caller asked, because the synchronous API keeps C semantics.
Napi::Value Socket(const Napi::CallbackInfo& info) {
  int domain = Int(info, 0), type = Int(info, 1), protocol = Int(info, 2);
  return Num(info.Env(), Once([&] { return sys::socket(domain, type | kSockCloexec, protocol); }));
}

// socketpair(2); writes both fds into the Int32Array(2) argument.
Napi::Value Socketpair(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_SOCKETPAIR
  return NoSys(info);
#else
  int domain = Int(info, 0), type = Int(info, 1), protocol = Int(info, 2);
  View out = Bytes(info, 3);
  if (!codec::CellsFit(out.data, out.length, 2)) throw Napi::TypeError::New(info.Env(), "internal: bad fd pair");
  int sv[2] = {-1, -1};
  double r = Once([&] { return sys::socketpair(domain, type | kSockCloexec, protocol, sv); });
  if (r >= 0) {
    reinterpret_cast<int32_t*>(out.data)[0] = sv[0];
    reinterpret_cast<int32_t*>(out.data)[1] = sv[1];
  }
  return Num(info.Env(), r);
#endif
}

// bind(2)
Napi::Value Bind(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View a = AddrIn(info, 1, 2);
  return Num(info.Env(), Retry([&] {
               return sys::bind(fd, reinterpret_cast<sockaddr*>(a.data), static_cast<socklen_t>(a.length));
             }));
}

// listen(2)
Napi::Value Listen(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0), backlog = Int(info, 1);
  return Num(info.Env(), Retry([&] { return sys::listen(fd, backlog); }));
}

// accept4(2) with SOCK_CLOEXEC added to the caller's flags (where the host has it); the
// peer's addrlen goes to the addrLen cell.
Napi::Value Accept(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  AddrOut out = AddrOutCell(info, 1);
  int flags = Int(info, 2) | kSockCloexec;
  socklen_t cap = out.len;
  double r = Retry([&] {
    out.len = cap;
    return sys::accept4(fd, out.addr, out.addr ? &out.len : nullptr, flags);
  });
  if (r >= 0) AddrDone(out);
  return Num(info.Env(), r);
}

// connect(2). A connect interrupted by a signal goes on in the background (POSIX), so it
// is not issued again: we wait for writability and read SO_ERROR, as CPython does.
Napi::Value Connect(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View a = AddrIn(info, 1, 2);
  if (sys::connect(fd, reinterpret_cast<sockaddr*>(a.data), static_cast<socklen_t>(a.length)) == 0) {
    return Num(info.Env(), 0);
  }
  int e = LastError();
  if (e != EINTR) return Num(info.Env(), -e);
  short revents = 0;
  double r = Retry([&] { return sys::PollOne(fd, POLLOUT, -1, revents); });
  if (r < 0) return Num(info.Env(), r);
  int err = 0;
  socklen_t len = sizeof err;
  if (sys::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return Num(info.Env(), -LastError());
  return Num(info.Env(), err == 0 ? 0 : -err);
}

// shutdown(2)
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0), how = Int(info, 1);
  return Num(info.Env(), Retry([&] { return sys::shutdown(fd, how); }));
}

// close(2) (closesocket on Windows), called exactly once: on Linux the fd is released even
// when it reports EINTR.
Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  double r = Once([&] { return sys::close(fd); });
  if (r == -EINTR || r == -EINPROGRESS) r = 0;
  return Num(info.Env(), r);
}

// getsockname(2) / getpeername(2) into a caller-owned sockaddr_storage.
template <int (*Fn)(int, sockaddr*, socklen_t*)>
Napi::Value GetName(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  AddrOut out = AddrOutArg(info, 1, 2);
  // A zero-length buffer has no data pointer: addr NULL with addrlen 0 is valid C.
  if (IsAbsent(info[1])) throw Napi::TypeError::New(info.Env(), "internal: address buffer required");
  socklen_t cap = out.len;
  double r = Retry([&] {
    out.len = cap;
    return Fn(fd, out.addr, &out.len);
  });
  if (r >= 0) AddrDone(out);
  return Num(info.Env(), r);
}

// fcntl(2) with an integer argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD).
// Windows has no fcntl: its non-blocking switch, ioctlsocket(FIONBIO), cannot be read back.
Napi::Value Fcntl(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_FCNTL
  return NoSys(info);
#else
  int fd = Int(info, 0), cmd = Int(info, 1), arg = Int(info, 2);
  return Num(info.Env(), Retry([&] { return ::fcntl(fd, cmd, arg); }));
#endif
}

}  // namespace

void InitLifecycle(Napi::Env env, Napi::Object exports) {
  exports.Set("socket", Napi::Function::New(env, Socket, "socket"));
  exports.Set("socketpair", Napi::Function::New(env, Socketpair, "socketpair"));
  exports.Set("bind", Napi::Function::New(env, Bind, "bind"));
  exports.Set("listen", Napi::Function::New(env, Listen, "listen"));
  exports.Set("accept", Napi::Function::New(env, Accept, "accept", AddrLenCell(env, exports)));
  exports.Set("connect", Napi::Function::New(env, Connect, "connect"));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown, "shutdown"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("getsockname", Napi::Function::New(env, GetName<sys::getsockname>, "getsockname"));
  exports.Set("getpeername", Napi::Function::New(env, GetName<sys::getpeername>, "getpeername"));
  exports.Set("fcntl", Napi::Function::New(env, Fcntl, "fcntl"));
}

}  // namespace bsock
