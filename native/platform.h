// The platform seam of the native layer. POSIX hosts (Linux, macOS, the BSDs) call the
// Berkeley API directly; Windows maps WinSock 2 onto the same contract: sockets are int
// fds, and failures are -errno with the host's <errno.h> values (which the JS side reads
// from `errnos`). Everything here is a pass-through on Linux.
//
// Feature macros for what no system macro announces (the .cc files test these, or the
// system's own macros such as AF_PACKET, SO_TIMESTAMPING, MSG_WAITFORONE):
//   BSOCK_HAVE_FCNTL       fcntl(2) on sockets
//   BSOCK_HAVE_SOCKETPAIR  socketpair(2)
//   BSOCK_HAVE_MSGHDR      sendmsg(2)/recvmsg(2), struct msghdr, iovec, cmsghdr
//   BSOCK_HAVE_MMSG        sendmmsg(2)/recvmmsg(2)
//   BSOCK_HAVE_NAMEINDEX   if_nameindex(3)
//   BSOCK_HAVE_INET_ATON   inet_aton(3)
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
// winsock2.h before anything that may pull in windows.h (which would bring the old winsock.h).
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <iphlpapi.h>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#else
#include <sys/types.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <cstring>
#define BSOCK_HAVE_FCNTL 1
#define BSOCK_HAVE_SOCKETPAIR 1
#define BSOCK_HAVE_MSGHDR 1
#define BSOCK_HAVE_NAMEINDEX 1
#define BSOCK_HAVE_INET_ATON 1
#endif

#include <cerrno>
#include <cstddef>

// recvmmsg(2) came with MSG_WAITFORONE (Linux 2.6.33, FreeBSD 11); macOS has neither.
#if defined(MSG_WAITFORONE) && !defined(_WIN32)
#define BSOCK_HAVE_MMSG 1
#endif

namespace bsock {

// Flags added to every call where the host has them (0 elsewhere): close-on-exec for new
// fds, and no SIGPIPE on a reset peer (Windows has no signals; macOS would need the
// SO_NOSIGPIPE socket option instead).
#ifdef SOCK_CLOEXEC
constexpr int kSockCloexec = SOCK_CLOEXEC;
#else
constexpr int kSockCloexec = 0;
#endif
#ifdef MSG_NOSIGNAL
constexpr int kMsgNoSignal = MSG_NOSIGNAL;
#else
constexpr int kMsgNoSignal = 0;
#endif

#ifdef _WIN32

// WinSock error -> the errno of the same meaning. WSAEWOULDBLOCK becomes EAGAIN, the name
// the JS side tests (on Linux they are one value; in the Windows CRT they differ).
// A table: clang-format 14 reflows juxtaposed macro calls differently on each pass.
// clang-format off
#define BSOCK_WSA_ERRORS(X)                                                                   \
  X(WSAEINTR, EINTR) X(WSAEBADF, EBADF) X(WSAEACCES, EACCES) X(WSAEFAULT, EFAULT)           \
  X(WSAEINVAL, EINVAL) X(WSAEMFILE, EMFILE) X(WSAEWOULDBLOCK, EAGAIN)                       \
  X(WSAEINPROGRESS, EINPROGRESS) X(WSAEALREADY, EALREADY) X(WSAENOTSOCK, ENOTSOCK)          \
  X(WSAEDESTADDRREQ, EDESTADDRREQ) X(WSAEMSGSIZE, EMSGSIZE) X(WSAEPROTOTYPE, EPROTOTYPE)    \
  X(WSAENOPROTOOPT, ENOPROTOOPT) X(WSAEPROTONOSUPPORT, EPROTONOSUPPORT)                     \
  X(WSAEOPNOTSUPP, EOPNOTSUPP) X(WSAEAFNOSUPPORT, EAFNOSUPPORT) X(WSAEADDRINUSE, EADDRINUSE) \
  X(WSAEADDRNOTAVAIL, EADDRNOTAVAIL) X(WSAENETDOWN, ENETDOWN) X(WSAENETUNREACH, ENETUNREACH) \
  X(WSAENETRESET, ENETRESET) X(WSAECONNABORTED, ECONNABORTED) X(WSAECONNRESET, ECONNRESET)  \
  X(WSAENOBUFS, ENOBUFS) X(WSAEISCONN, EISCONN) X(WSAENOTCONN, ENOTCONN)                    \
  X(WSAESHUTDOWN, EPIPE) X(WSAETIMEDOUT, ETIMEDOUT) X(WSAECONNREFUSED, ECONNREFUSED)        \
  X(WSAELOOP, ELOOP) X(WSAENAMETOOLONG, ENAMETOOLONG) X(WSAEHOSTUNREACH, EHOSTUNREACH)      \
  X(WSAENOTEMPTY, ENOTEMPTY) X(WSA_NOT_ENOUGH_MEMORY, ENOMEM) X(WSAECANCELLED, ECANCELED)
// clang-format on

// Unknown codes pass through unchanged (they are above 10000, clear of every errno).
inline int FromWsa(int code) {
  switch (code) {
#define BSOCK_X(wsa, e) \
  case wsa:             \
    return e;
    BSOCK_WSA_ERRORS(BSOCK_X)
#undef BSOCK_X
    default:
      return code;
  }
}

// errno -> WinSock code, or 0 when the errno has no WinSock counterpart.
inline int ToWsa(int err) {
  switch (err) {
#define BSOCK_X(wsa, e) \
  case e:               \
    return wsa;
    BSOCK_WSA_ERRORS(BSOCK_X)
#undef BSOCK_X
    default:
      return 0;
  }
}

inline int LastError() { return FromWsa(::WSAGetLastError()); }

// The system's text for a WinSock code (trailing newline and full stop trimmed), or
// nullptr when it has none.
inline const char* SystemText(int code, char* buf, size_t size) {
  DWORD n = ::FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                             static_cast<DWORD>(code), 0, buf, static_cast<DWORD>(size), nullptr);
  if (n == 0) return nullptr;
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == '.')) buf[--n] = '\0';
  return buf;
}

// strerror for any errno: the system's text for a socket error, the CRT's for the rest.
inline const char* ErrorText(int err, char* buf, size_t size) {
  int wsa = ToWsa(err);
  if (wsa != 0 && SystemText(wsa, buf, size) != nullptr) return buf;
  if (::strerror_s(buf, size, err) != 0) std::snprintf(buf, size, "Unknown error %d", err);
  return buf;
}

#else

inline int LastError() { return errno; }

// strerror_r(3): the GNU variant returns its text, the XSI one (macOS, BSD) fills buf.
inline const char* ErrorText(int err, char* buf, size_t size) {
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
  return ::strerror_r(err, buf, size);
#else
  if (::strerror_r(err, buf, size) != 0) buf[0] = '\0';
  return buf;
#endif
}

#endif

// The socket calls on int fds. On Windows a SOCKET is a UINT_PTR handle; Windows keeps
// handle values within 32 bits (so that 32- and 64-bit processes can share them), and
// sign-extending the int back restores it exactly, INVALID_SOCKET included.
namespace sys {

#ifdef _WIN32

inline SOCKET S(int fd) { return static_cast<SOCKET>(static_cast<intptr_t>(fd)); }
inline int Fd(SOCKET s) { return s == INVALID_SOCKET ? -1 : static_cast<int>(static_cast<intptr_t>(s)); }
// WinSock lengths are int: a longer buffer is offered in part, as a short read or write.
inline int Len(size_t n) { return n > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n); }

// WSA_FLAG_NO_HANDLE_INHERIT is the SOCK_CLOEXEC of Windows: no child process inherits it.
inline int socket(int domain, int type, int protocol) {
  return Fd(::WSASocketW(domain, type, protocol, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
}
// accept() has no flags (and Windows no SOCK_NONBLOCK to ask for): the new handle is made
// non-inheritable right after.
inline int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  if (flags != 0) {
    ::WSASetLastError(WSAEINVAL);
    return -1;
  }
  SOCKET s = ::accept(S(fd), addr, len);
  if (s != INVALID_SOCKET) ::SetHandleInformation(reinterpret_cast<HANDLE>(s), HANDLE_FLAG_INHERIT, 0);
  return Fd(s);
}
inline int bind(int fd, const sockaddr* a, socklen_t l) { return ::bind(S(fd), a, l); }
inline int listen(int fd, int backlog) { return ::listen(S(fd), backlog); }
// A non-blocking connect under way is WSAEWOULDBLOCK in WinSock, EINPROGRESS in POSIX.
inline int connect(int fd, const sockaddr* a, socklen_t l) {
  int r = ::connect(S(fd), a, l);
  if (r != 0 && ::WSAGetLastError() == WSAEWOULDBLOCK) ::WSASetLastError(WSAEINPROGRESS);
  return r;
}
inline int shutdown(int fd, int how) { return ::shutdown(S(fd), how); }
inline int close(int fd) { return ::closesocket(S(fd)); }
inline int getsockname(int fd, sockaddr* a, socklen_t* l) { return ::getsockname(S(fd), a, l); }
inline int getpeername(int fd, sockaddr* a, socklen_t* l) { return ::getpeername(S(fd), a, l); }
inline int setsockopt(int fd, int level, int name, const void* v, socklen_t l) {
  return ::setsockopt(S(fd), level, name, static_cast<const char*>(v), l);
}
inline int getsockopt(int fd, int level, int name, void* v, socklen_t* l) {
  return ::getsockopt(S(fd), level, name, static_cast<char*>(v), l);
}
inline int send(int fd, const void* b, size_t n, int flags) {
  return ::send(S(fd), static_cast<const char*>(b), Len(n), flags);
}
inline int recv(int fd, void* b, size_t n, int flags) { return ::recv(S(fd), static_cast<char*>(b), Len(n), flags); }
inline int sendto(int fd, const void* b, size_t n, int flags, const sockaddr* a, socklen_t l) {
  return ::sendto(S(fd), static_cast<const char*>(b), Len(n), flags, a, l);
}
inline int recvfrom(int fd, void* b, size_t n, int flags, sockaddr* a, socklen_t* l) {
  return ::recvfrom(S(fd), static_cast<char*>(b), Len(n), flags, a, l);
}
// A SOCKET is no CRT file descriptor: read/write on a socket are recv/send without flags.
inline int read(int fd, void* b, size_t n) { return recv(fd, b, n, 0); }
inline int write(int fd, const void* b, size_t n) { return send(fd, b, n, 0); }

// poll(2) on one fd: the result, with the fd's revents.
inline int PollOne(int fd, short events, int timeout_ms, short& revents) {
  WSAPOLLFD p{S(fd), events, 0};
  int r = ::WSAPoll(&p, 1, timeout_ms);
  revents = p.revents;
  return r;
}

#else

#ifdef SOCK_CLOEXEC
using ::accept4;
using ::socket;
using ::socketpair;
#else
// Hosts without SOCK_CLOEXEC (macOS) have no accept4(2) either: FD_CLOEXEC is set right
// after the call (a fork in between would inherit the fd), and accept flags are refused.
inline int Cloexec(int fd) {
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}
inline int socket(int domain, int type, int protocol) { return Cloexec(::socket(domain, type, protocol)); }
inline int socketpair(int domain, int type, int protocol, int sv[2]) {
  int r = ::socketpair(domain, type, protocol, sv);
  if (r == 0) Cloexec(sv[0]), Cloexec(sv[1]);
  return r;
}
inline int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  if (flags != 0) {
    errno = EINVAL;
    return -1;
  }
  return Cloexec(::accept(fd, addr, len));
}
#endif
using ::bind;
using ::close;
using ::connect;
using ::getpeername;
using ::getsockname;
using ::getsockopt;
using ::listen;
using ::read;
using ::recv;
using ::recvfrom;
using ::send;
using ::sendto;
using ::setsockopt;
using ::shutdown;
using ::write;

inline int PollOne(int fd, short events, int timeout_ms, short& revents) {
  pollfd p{fd, events, 0};
  int r = ::poll(&p, 1, timeout_ms);
  revents = p.revents;
  return r;
}

#endif

}  // namespace sys
}  // namespace bsock
