// Hand-written. The system headers whose constants native/constants_list.h
// exports. tools/gen-constants-h.py preprocesses exactly this file, so keep
// the two in sync by editing only this list.
//
// Usage from a .cc file:
//   #include "constants_includes.h"
//   #define BS_CONSTANT(name) ...   // every ordinary constant
//   #define BS_ERRNO(name)    ...   // errno names (one contiguous block,
//                                   //   canonical name before its aliases)
//   #define BS_EAI(name)      ...   // getaddrinfo EAI_* codes
//   #include "constants_list.h"
#ifndef BERKELEY_SOCKETS_CONSTANTS_INCLUDES_H
#define BERKELEY_SOCKETS_CONSTANTS_INCLUDES_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifdef _WIN32
// WinSock 2 (the generator runs on Linux; every name it lists is #ifdef-guarded, so a
// Windows build exports exactly the names these headers define, with their values).
#include "platform.h"
#include <errno.h>
#include <mstcpip.h>
#else
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <net/if.h>
#endif
#ifdef __linux__
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <net/if_arp.h>
// Kernel-only IPv6 options (IPV6_FLOWINFO_SEND, IPV6_FLOWLABEL_MGR…); after netinet/in.h,
// whose definitions libc-compat.h lets it reuse.
#include <linux/in6.h>
// netlink(7) and rtnetlink(7): after glibc's <net/if.h> and <netinet/in.h> (libc-compat.h
// then leaves their definitions alone).
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#endif

#endif  // BERKELEY_SOCKETS_CONSTANTS_INCLUDES_H
