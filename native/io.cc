// Data transfer: send(2), recv(2), sendto(2), recvfrom(2), read(2), write(2).
// Buffers are the caller's own memory: nothing is copied on the way to the kernel.
#include "common.h"

namespace bsock {
namespace {

// These six run on every data call, sync and Promise alike, so they skip node-addon-api's
// wrappers and take only their buffers as arguments: fd, length and flags arrive in the
// ioArgs cells, written by lib/io.ts just before the call (each number argument would cost
// a Node-API call of its own). The cells are trusted for nothing: every length is checked
// against the buffer it is in before the kernel sees it.

// The first `len` bytes of the view `v`; false with a JavaScript exception pending when
// `v` is not a view or is shorter.
bool Span(napi_env env, napi_value v, int32_t len, uint8_t** out) {
  View view{};
  if (!TryBytes(env, v, &view)) {
    napi_throw_type_error(env, nullptr, "internal: expected an ArrayBufferView");
    return false;
  }
  if (len < 0 || static_cast<size_t>(len) > view.length) {
    napi_throw_range_error(env, nullptr, "length past the end of the buffer (detached or resized while in use?)");
    return false;
  }
  *out = view.data;
  return true;
}

// The result goes to the result cell too, and the call returns undefined: a returned
// number costs a handle and a Node-API call. Byte counts fit, as lengths come from int32 cells.
napi_value Result(int32_t* cells, double r) {
  cells[kIoResult] = static_cast<int32_t>(r);
  return nullptr;
}

// A call's cells and spans: its buffer, and for sendto/recvfrom an optional address, whose
// length cell is -1 when there is none (the call then takes one argument, not two).
struct Args {
  int32_t* a;
  uint8_t* data;
  uint8_t* addr;
};

bool GetArgs(napi_env env, napi_callback_info cbi, bool addressed, Args* out) {
  size_t argc = 2;
  napi_value args[2] = {nullptr, nullptr};
  void* cells = nullptr;
  if (napi_get_cb_info(env, cbi, &argc, args, nullptr, &cells) != napi_ok) return false;
  out->a = static_cast<int32_t*>(cells);
  out->addr = nullptr;
  if (!Span(env, args[0], out->a[kIoLen], &out->data)) return false;
  if (!addressed || out->a[kIoAddrLen] < 0) return true;
  if (argc < 2) {
    napi_throw_type_error(env, nullptr, "internal: address cells set without an address");
    return false;
  }
  return Span(env, args[1], out->a[kIoAddrLen], &out->addr);
}

// The common shape: one buffer argument, then `op(fd, data, len, flags)` retried on EINTR.
template <typename Op>
napi_value BufferCall(napi_env env, napi_callback_info cbi, Op op) {
  Args x{};
  if (!GetArgs(env, cbi, false, &x)) return nullptr;
  const int fd = x.a[kIoFd], flags = x.a[kIoFlags];
  const size_t len = static_cast<size_t>(x.a[kIoLen]);
  return Result(x.a, Retry([&] { return op(fd, x.data, len, flags); }));
}

// send(2). MSG_NOSIGNAL is always added (where it exists): a peer reset must be an EPIPE
// error, never a signal that kills the process.
napi_value Send(napi_env env, napi_callback_info cbi) {
  return BufferCall(env, cbi,
                    [](int fd, uint8_t* p, size_t n, int f) { return sys::send(fd, p, n, f | kMsgNoSignal); });
}

// recv(2) into the caller's buffer.
napi_value Recv(napi_env env, napi_callback_info cbi) {
  return BufferCall(env, cbi, [](int fd, uint8_t* p, size_t n, int f) { return sys::recv(fd, p, n, f); });
}

// read(2) on any fd (on Windows, recv on a socket).
napi_value Read(napi_env env, napi_callback_info cbi) {
  return BufferCall(env, cbi, [](int fd, uint8_t* p, size_t n, int) { return sys::read(fd, p, n); });
}

// write(2) on any fd (on Windows, send on a socket).
napi_value Write(napi_env env, napi_callback_info cbi) {
  return BufferCall(env, cbi, [](int fd, uint8_t* p, size_t n, int) { return sys::write(fd, p, n); });
}

// sendto(2); no address sends on a connected socket.
napi_value SendTo(napi_env env, napi_callback_info cbi) {
  Args x{};
  if (!GetArgs(env, cbi, true, &x)) return nullptr;
  const int fd = x.a[kIoFd], flags = x.a[kIoFlags] | kMsgNoSignal;
  const size_t len = static_cast<size_t>(x.a[kIoLen]);
  const sockaddr* addr = reinterpret_cast<const sockaddr*>(x.addr);
  const socklen_t alen = addr ? static_cast<socklen_t>(x.a[kIoAddrLen]) : 0;
  return Result(x.a, Retry([&] { return sys::sendto(fd, x.data, len, flags, addr, alen); }));
}

// recvfrom(2); the sender's address goes into the optional out-address (its room in the
// address length cell), its length into the addrLen cell.
napi_value RecvFrom(napi_env env, napi_callback_info cbi) {
  Args x{};
  if (!GetArgs(env, cbi, true, &x)) return nullptr;
  const int fd = x.a[kIoFd], flags = x.a[kIoFlags];
  const size_t len = static_cast<size_t>(x.a[kIoLen]);
  sockaddr* addr = reinterpret_cast<sockaddr*>(x.addr);
  const socklen_t cap = addr ? static_cast<socklen_t>(x.a[kIoAddrLen]) : 0;
  socklen_t alen = cap;
  double r = Retry([&] {
    alen = cap;
    return sys::recvfrom(fd, x.data, len, flags, addr, addr ? &alen : nullptr);
  });
  if (r >= 0 && addr) x.a[kIoAddrLenOut] = static_cast<int32_t>(alen);
  return Result(x.a, r);
}

void Define(Napi::Env env, Napi::Object exports, const char* name, napi_callback cb, int32_t* cells) {
  napi_value fn = nullptr;
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, cells, &fn));
  exports.Set(name, Napi::Value(env, fn));
}

}  // namespace

int32_t* IoArgsCells(Napi::Env env, Napi::Object exports) {
  if (exports.Has("ioArgs")) return exports.Get("ioArgs").As<Napi::Int32Array>().Data();
  Napi::Int32Array cells = Napi::Int32Array::New(env, kIoCells);
  // Never deleted here: Node-API frees the environment's references when it is torn down,
  // and the cells must live as long as the functions that use them.
  napi_ref ref;
  NAPI_THROW_IF_FAILED(env, napi_create_reference(env, cells, 1, &ref), nullptr);
  exports.Set("ioArgs", cells);
  exports.Set("addrLen", Napi::Int32Array::New(env, 1, cells.ArrayBuffer(), kIoAddrLenOut * sizeof(int32_t)));
  return cells.Data();
}

void InitIo(Napi::Env env, Napi::Object exports) {
  int32_t* cells = IoArgsCells(env, exports);
  Define(env, exports, "send", Send, cells);
  Define(env, exports, "recv", Recv, cells);
  Define(env, exports, "sendto", SendTo, cells);
  Define(env, exports, "recvfrom", RecvFrom, cells);
  Define(env, exports, "read", Read, cells);
  Define(env, exports, "write", Write, cells);
}

}  // namespace bsock
