// Data transfer: send(2), recv(2), sendto(2), recvfrom(2), read(2), write(2).
// Buffers are the caller's own memory: nothing is copied on the way to the kernel.
#include "common.h"

namespace bsock {
namespace {

// send(2). MSG_NOSIGNAL is always added (where it exists): a peer reset must be an EPIPE
// error, never a signal that kills the process.
Napi::Value Send(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View b = BytesLen(info, 1, 2);
  int flags = Int(info, 3) | kMsgNoSignal;
  return Num(info.Env(), Retry([&] { return sys::send(fd, b.data, b.length, flags); }));
}

// recv(2) into the caller's buffer.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View b = BytesLen(info, 1, 2);
  int flags = Int(info, 3);
  return Num(info.Env(), Retry([&] { return sys::recv(fd, b.data, b.length, flags); }));
}

// sendto(2); a null address sends on a connected socket.
Napi::Value SendTo(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View b = BytesLen(info, 1, 2);
  int flags = Int(info, 3) | kMsgNoSignal;
  sockaddr* addr = nullptr;
  socklen_t alen = 0;
  if (!IsAbsent(info[4])) {
    View a = AddrIn(info, 4, 5);
    addr = reinterpret_cast<sockaddr*>(a.data);
    alen = static_cast<socklen_t>(a.length);
  }
  return Num(info.Env(), Retry([&] { return sys::sendto(fd, b.data, b.length, flags, addr, alen); }));
}

// recvfrom(2); the sender's address goes into the optional out-address, its length into
// the addrLen cell.
Napi::Value RecvFrom(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View b = BytesLen(info, 1, 2);
  int flags = Int(info, 3);
  AddrOut out = AddrOutCell(info, 4);
  socklen_t cap = out.len;
  double r = Retry([&] {
    out.len = cap;
    return sys::recvfrom(fd, b.data, b.length, flags, out.addr, out.addr ? &out.len : nullptr);
  });
  if (r >= 0) AddrDone(out);
  return Num(info.Env(), r);
}

// read(2) on any fd (on Windows, recv on a socket).
Napi::Value Read(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View b = BytesLen(info, 1, 2);
  return Num(info.Env(), Retry([&] { return sys::read(fd, b.data, b.length); }));
}

// write(2) on any fd (on Windows, send on a socket).
Napi::Value Write(const Napi::CallbackInfo& info) {
  int fd = Int(info, 0);
  View b = BytesLen(info, 1, 2);
  return Num(info.Env(), Retry([&] { return sys::write(fd, b.data, b.length); }));
}

}  // namespace

int32_t* AddrLenCell(Napi::Env env, Napi::Object exports) {
  if (exports.Has("addrLen")) return exports.Get("addrLen").As<Napi::Int32Array>().Data();
  Napi::Int32Array cell = Napi::Int32Array::New(env, 1);
  // Never deleted here: Node-API frees the environment's references when it is torn down,
  // and the cell must live as long as the functions that write to it.
  napi_ref ref;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, cell, 1, &ref), nullptr);
  exports.Set("addrLen", cell);
  return cell.Data();
}

void InitIo(Napi::Env env, Napi::Object exports) {
  exports.Set("send", Napi::Function::New(env, Send, "send"));
  exports.Set("recv", Napi::Function::New(env, Recv, "recv"));
  exports.Set("sendto", Napi::Function::New(env, SendTo, "sendto"));
  exports.Set("recvfrom", Napi::Function::New(env, RecvFrom, "recvfrom", AddrLenCell(env, exports)));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
}

}  // namespace bsock
