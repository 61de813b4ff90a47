// Addresses: struct layouts as the compiler sees them, inet_pton(3), inet_ntop(3),
// inet_addr(3), if_nametoindex(3), if_indextoname(3).
#include "layout.h"

#ifndef _WIN32
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <sys/un.h>
#endif
#ifdef AF_PACKET
#include <linux/if_packet.h>
#endif

namespace bsock {
namespace {

Napi::Object Layouts(Napi::Env env) {
  Napi::Object layouts = Napi::Object::New(env);
  BS_STRUCT(sockaddr, BS_FIELD(sockaddr, sa_family); BS_FIELD(sockaddr, sa_data));
  BS_STRUCT(sockaddr_storage, BS_FIELD(sockaddr_storage, ss_family));
  BS_STRUCT(in_addr, BS_FIELD(in_addr, s_addr));
  BS_STRUCT(in6_addr, BS_FIELD(in6_addr, s6_addr));
  BS_STRUCT(sockaddr_in, BS_FIELD(sockaddr_in, sin_family); BS_FIELD(sockaddr_in, sin_port);
            BS_FIELD(sockaddr_in, sin_addr); BS_FIELD(sockaddr_in, sin_zero));
  BS_STRUCT(sockaddr_in6, BS_FIELD(sockaddr_in6, sin6_family); BS_FIELD(sockaddr_in6, sin6_port);
            BS_FIELD(sockaddr_in6, sin6_flowinfo); BS_FIELD(sockaddr_in6, sin6_addr);
            BS_FIELD(sockaddr_in6, sin6_scope_id));
  BS_STRUCT(sockaddr_un, BS_FIELD(sockaddr_un, sun_family); BS_FIELD(sockaddr_un, sun_path));
#ifdef AF_PACKET
  BS_STRUCT(sockaddr_ll, BS_FIELD(sockaddr_ll, sll_family); BS_FIELD(sockaddr_ll, sll_protocol);
            BS_FIELD(sockaddr_ll, sll_ifindex); BS_FIELD(sockaddr_ll, sll_hatype); BS_FIELD(sockaddr_ll, sll_pkttype);
            BS_FIELD(sockaddr_ll, sll_halen); BS_FIELD(sockaddr_ll, sll_addr));
#endif
  BS_STRUCT(linger, BS_FIELD(linger, l_onoff); BS_FIELD(linger, l_linger));
  BS_STRUCT(timeval, BS_FIELD(timeval, tv_sec); BS_FIELD(timeval, tv_usec));
#ifdef SCM_CREDENTIALS
  BS_STRUCT(ucred, BS_FIELD(ucred, pid); BS_FIELD(ucred, uid); BS_FIELD(ucred, gid));
#endif
  BS_STRUCT(ip_mreq, BS_FIELD(ip_mreq, imr_multiaddr); BS_FIELD(ip_mreq, imr_interface));
#ifdef __linux__  // no macro announces struct ip_mreqn
  BS_STRUCT(ip_mreqn, BS_FIELD(ip_mreqn, imr_multiaddr); BS_FIELD(ip_mreqn, imr_address);
            BS_FIELD(ip_mreqn, imr_ifindex));
#endif
  BS_STRUCT(ipv6_mreq, BS_FIELD(ipv6_mreq, ipv6mr_multiaddr); BS_FIELD(ipv6_mreq, ipv6mr_interface));
  return layouts;
}

// inet_pton(af, src, dst) -> 1, 0, or -errno (EAFNOSUPPORT).
Napi::Value InetPton(const Napi::CallbackInfo& info) {
  int af = Int(info, 0);
  std::string src = info[1].As<Napi::String>().Utf8Value();
  View dst = Bytes(info, 2);
  if (dst.length < codec::InetAddrBytes(af)) {
    throw Napi::RangeError::New(info.Env(), "internal: inet_pton buffer too small");
  }
  // Embedded NULs would make C see a shorter string than JavaScript does.
  if (src.find('\0') != std::string::npos) return Num(info.Env(), 0);
  return Num(info.Env(), Once([&] { return ::inet_pton(af, src.c_str(), dst.data); }));
}

// inet_ntop(af, bytes) -> string, or -errno.
Napi::Value InetNtop(const Napi::CallbackInfo& info) {
  int af = Int(info, 0);
  View src = Bytes(info, 1);
  if (af == AF_INET || af == AF_INET6) {
    if (src.length < codec::InetAddrBytes(af)) {
      throw Napi::RangeError::New(info.Env(), "internal: inet_ntop buffer too small");
    }
  }
  char out[INET6_ADDRSTRLEN];
  const char* r = ::inet_ntop(af, src.data, out, sizeof out);
  if (r == nullptr) return Num(info.Env(), -LastError());
  return Napi::String::New(info.Env(), r);
}

// inet_addr(cp) -> in_addr_t in network byte order as the host sees it (INADDR_NONE on error).
Napi::Value InetAddr(const Napi::CallbackInfo& info) {
  std::string src = info[0].As<Napi::String>().Utf8Value();
  if (src.find('\0') != std::string::npos) return Num(info.Env(), INADDR_NONE);
  return Num(info.Env(), ::inet_addr(src.c_str()));
}

// inet_aton(cp, inp) -> 1 or 0 (WinSock has no inet_aton).
Napi::Value InetAton(const Napi::CallbackInfo& info) {
#ifndef BSOCK_HAVE_INET_ATON
  return NoSys(info);
#else
  std::string src = info[0].As<Napi::String>().Utf8Value();
  View dst = Bytes(info, 1);
  if (dst.length < sizeof(in_addr)) throw Napi::RangeError::New(info.Env(), "internal: inet_aton buffer too small");
  if (src.find('\0') != std::string::npos) return Num(info.Env(), 0);
  return Num(info.Env(), ::inet_aton(src.c_str(), reinterpret_cast<in_addr*>(dst.data)));
#endif
}

// if_nametoindex(3) -> index, or -errno.
Napi::Value IfNameToIndex(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name.find('\0') != std::string::npos) return Num(info.Env(), -ENODEV);
  unsigned idx = ::if_nametoindex(name.c_str());
#ifdef _WIN32
  if (idx == 0) return Num(info.Env(), -ENODEV);  // Windows sets no error code; Linux says ENODEV
#endif
  return Num(info.Env(), idx == 0 ? -static_cast<double>(errno) : idx);
}

// if_indextoname(3) -> name, or -errno.
Napi::Value IfIndexToName(const Napi::CallbackInfo& info) {
  unsigned idx = Uint(info, 0);
  char name[IF_NAMESIZE];
  if (::if_indextoname(idx, name) == nullptr) {
#ifdef _WIN32
    return Num(info.Env(), -ENXIO);  // Windows sets no error code; Linux says ENXIO
#else
    return Num(info.Env(), -errno);
#endif
  }
  return Napi::String::New(info.Env(), name);
}

}  // namespace

void InitAddresses(Napi::Env env, Napi::Object exports) {
  exports.Set("layouts", Layouts(env));
  exports.Set("inet_pton", Napi::Function::New(env, InetPton, "inet_pton"));
  exports.Set("inet_ntop", Napi::Function::New(env, InetNtop, "inet_ntop"));
  exports.Set("inet_addr", Napi::Function::New(env, InetAddr, "inet_addr"));
  exports.Set("inet_aton", Napi::Function::New(env, InetAton, "inet_aton"));
  exports.Set("if_nametoindex", Napi::Function::New(env, IfNameToIndex, "if_nametoindex"));
  exports.Set("if_indextoname", Napi::Function::New(env, IfIndexToName, "if_indextoname"));
}

}  // namespace bsock
