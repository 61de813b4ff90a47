// netlink(7) and rtnetlink(7): struct layouts (sockaddr_nl, nlmsghdr, ifinfomsg, ifaddrmsg,
// rtattr, nlmsgerr…) and the rtnetlink attribute numbers that the kernel headers declare
// only as enum members. Macros (NETLINK_*, NLM_F_*, NLMSG_*, RTM_*, IFA_F_*…) are exported
// by constants_list.h; an enum member cannot be tested with #ifdef, so each one below is
// named explicitly, by its C name, and the newer ones are guarded by the kernel-headers
// version that introduced them.
// Linux only: on a host without AF_NETLINK this file adds nothing.
#include "layout.h"

#ifdef AF_NETLINK
// glibc's headers first: the kernel's then defer to them (libc-compat.h) instead of clashing.
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/version.h>

#ifndef KERNEL_VERSION
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))
#endif
#ifndef LINUX_VERSION_CODE
#define LINUX_VERSION_CODE 0
#endif
#define BS_KHDR(a, b) (LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, 0))
#endif

namespace bsock {
namespace {

#ifdef AF_NETLINK

void AddNetlinkLayouts(Napi::Env env, Napi::Object layouts) {
  BS_STRUCT(sockaddr_nl, BS_FIELD(sockaddr_nl, nl_family); BS_FIELD(sockaddr_nl, nl_pad); BS_FIELD(sockaddr_nl, nl_pid);
            BS_FIELD(sockaddr_nl, nl_groups));
  BS_STRUCT(nlmsghdr, BS_FIELD(nlmsghdr, nlmsg_len); BS_FIELD(nlmsghdr, nlmsg_type); BS_FIELD(nlmsghdr, nlmsg_flags);
            BS_FIELD(nlmsghdr, nlmsg_seq); BS_FIELD(nlmsghdr, nlmsg_pid));
  BS_STRUCT(nlmsgerr, BS_FIELD(nlmsgerr, error); BS_FIELD(nlmsgerr, msg));
  BS_STRUCT(ifinfomsg, BS_FIELD(ifinfomsg, ifi_family); BS_FIELD(ifinfomsg, __ifi_pad); BS_FIELD(ifinfomsg, ifi_type);
            BS_FIELD(ifinfomsg, ifi_index); BS_FIELD(ifinfomsg, ifi_flags); BS_FIELD(ifinfomsg, ifi_change));
  BS_STRUCT(ifaddrmsg, BS_FIELD(ifaddrmsg, ifa_family); BS_FIELD(ifaddrmsg, ifa_prefixlen);
            BS_FIELD(ifaddrmsg, ifa_flags); BS_FIELD(ifaddrmsg, ifa_scope); BS_FIELD(ifaddrmsg, ifa_index));
  BS_STRUCT(ifa_cacheinfo, BS_FIELD(ifa_cacheinfo, ifa_prefered); BS_FIELD(ifa_cacheinfo, ifa_valid);
            BS_FIELD(ifa_cacheinfo, cstamp); BS_FIELD(ifa_cacheinfo, tstamp));
  BS_STRUCT(rtmsg, BS_FIELD(rtmsg, rtm_family); BS_FIELD(rtmsg, rtm_dst_len); BS_FIELD(rtmsg, rtm_src_len);
            BS_FIELD(rtmsg, rtm_tos); BS_FIELD(rtmsg, rtm_table); BS_FIELD(rtmsg, rtm_protocol);
            BS_FIELD(rtmsg, rtm_scope); BS_FIELD(rtmsg, rtm_type); BS_FIELD(rtmsg, rtm_flags));
  BS_STRUCT(rtattr, BS_FIELD(rtattr, rta_len); BS_FIELD(rtattr, rta_type));
}

void AddNetlinkEnums(Napi::Env env, Napi::Object constants) {
#define BS_ENUM(name) constants.Set(#name, Napi::Number::New(env, static_cast<double>(name)))
  // enum in <linux/if_link.h> (IFLA_COST, IFLA_MASTER, IFLA_TXQLEN… are macros, exported
  // by constants_list.h)
  BS_ENUM(IFLA_UNSPEC);
  BS_ENUM(IFLA_ADDRESS);
  BS_ENUM(IFLA_BROADCAST);
  BS_ENUM(IFLA_IFNAME);
  BS_ENUM(IFLA_MTU);
  BS_ENUM(IFLA_LINK);
  BS_ENUM(IFLA_QDISC);
  BS_ENUM(IFLA_STATS);
  BS_ENUM(IFLA_OPERSTATE);
  BS_ENUM(IFLA_LINKMODE);
  BS_ENUM(IFLA_NET_NS_PID);
  BS_ENUM(IFLA_IFALIAS);
  BS_ENUM(IFLA_NUM_VF);
  BS_ENUM(IFLA_VFINFO_LIST);
  BS_ENUM(IFLA_STATS64);
  BS_ENUM(IFLA_VF_PORTS);
  BS_ENUM(IFLA_PORT_SELF);
  BS_ENUM(IFLA_AF_SPEC);
  BS_ENUM(IFLA_GROUP);
  BS_ENUM(IFLA_NET_NS_FD);
  BS_ENUM(IFLA_EXT_MASK);
  BS_ENUM(IFLA_NUM_TX_QUEUES);
  BS_ENUM(IFLA_NUM_RX_QUEUES);
  BS_ENUM(IFLA_CARRIER);
  BS_ENUM(IFLA_PHYS_PORT_ID);
  BS_ENUM(IFLA_CARRIER_CHANGES);
#if BS_KHDR(4, 0)
  BS_ENUM(IFLA_PHYS_SWITCH_ID);
  BS_ENUM(IFLA_LINK_NETNSID);
#endif
#if BS_KHDR(4, 1)
  BS_ENUM(IFLA_PHYS_PORT_NAME);
#endif
#if BS_KHDR(4, 3)
  BS_ENUM(IFLA_PROTO_DOWN);
#endif
#if BS_KHDR(4, 6)
  BS_ENUM(IFLA_GSO_MAX_SEGS);
  BS_ENUM(IFLA_GSO_MAX_SIZE);
#endif
#if BS_KHDR(4, 7)
  BS_ENUM(IFLA_PAD);
#endif
#if BS_KHDR(4, 8)
  BS_ENUM(IFLA_XDP);
#endif
#if BS_KHDR(4, 13)
  BS_ENUM(IFLA_EVENT);
#endif
#if BS_KHDR(4, 15)
  BS_ENUM(IFLA_NEW_NETNSID);
  BS_ENUM(IFLA_IF_NETNSID);
#endif
#if BS_KHDR(4, 16)
  BS_ENUM(IFLA_CARRIER_UP_COUNT);
  BS_ENUM(IFLA_CARRIER_DOWN_COUNT);
  BS_ENUM(IFLA_NEW_IFINDEX);
#endif
#if BS_KHDR(4, 19)
  BS_ENUM(IFLA_MIN_MTU);
  BS_ENUM(IFLA_MAX_MTU);
#endif
#if BS_KHDR(5, 5)
  BS_ENUM(IFLA_PROP_LIST);
  BS_ENUM(IFLA_ALT_IFNAME);
  BS_ENUM(IFLA_PERM_ADDRESS);
#endif

  // enum in <linux/if_addr.h>
  BS_ENUM(IFA_UNSPEC);
  BS_ENUM(IFA_ADDRESS);
  BS_ENUM(IFA_LOCAL);
  BS_ENUM(IFA_LABEL);
  BS_ENUM(IFA_BROADCAST);
  BS_ENUM(IFA_ANYCAST);
  BS_ENUM(IFA_CACHEINFO);
  BS_ENUM(IFA_MULTICAST);
#if BS_KHDR(3, 14)
  BS_ENUM(IFA_FLAGS);
#endif
#if BS_KHDR(4, 18)
  BS_ENUM(IFA_RT_PRIORITY);
#endif
#if BS_KHDR(4, 20)
  BS_ENUM(IFA_TARGET_NETNSID);
#endif

  // enum rtattr_type_t in <linux/rtnetlink.h>
  BS_ENUM(RTA_UNSPEC);
  BS_ENUM(RTA_DST);
  BS_ENUM(RTA_SRC);
  BS_ENUM(RTA_IIF);
  BS_ENUM(RTA_OIF);
  BS_ENUM(RTA_GATEWAY);
  BS_ENUM(RTA_PRIORITY);
  BS_ENUM(RTA_PREFSRC);
  BS_ENUM(RTA_METRICS);
  BS_ENUM(RTA_MULTIPATH);
  BS_ENUM(RTA_FLOW);
  BS_ENUM(RTA_CACHEINFO);
  BS_ENUM(RTA_TABLE);
  BS_ENUM(RTA_MARK);
  BS_ENUM(RTA_MFC_STATS);
#if BS_KHDR(4, 1)
  BS_ENUM(RTA_VIA);
  BS_ENUM(RTA_NEWDST);
  BS_ENUM(RTA_PREF);
#endif
#if BS_KHDR(4, 3)
  BS_ENUM(RTA_ENCAP_TYPE);
  BS_ENUM(RTA_ENCAP);
#endif
#if BS_KHDR(4, 5)
  BS_ENUM(RTA_EXPIRES);
#endif
#if BS_KHDR(4, 7)
  BS_ENUM(RTA_PAD);
#endif
#if BS_KHDR(4, 10)
  BS_ENUM(RTA_UID);
#endif
#if BS_KHDR(4, 12)
  BS_ENUM(RTA_TTL_PROPAGATE);
#endif
#if BS_KHDR(4, 17)
  BS_ENUM(RTA_IP_PROTO);
  BS_ENUM(RTA_SPORT);
  BS_ENUM(RTA_DPORT);
#endif

  // enum rt_scope_t and the route types (RTN_*) in <linux/rtnetlink.h>
  BS_ENUM(RT_SCOPE_UNIVERSE);
  BS_ENUM(RT_SCOPE_SITE);
  BS_ENUM(RT_SCOPE_LINK);
  BS_ENUM(RT_SCOPE_HOST);
  BS_ENUM(RT_SCOPE_NOWHERE);
  BS_ENUM(RTN_UNSPEC);
  BS_ENUM(RTN_UNICAST);
  BS_ENUM(RTN_LOCAL);
  BS_ENUM(RTN_BROADCAST);
  BS_ENUM(RTN_ANYCAST);
  BS_ENUM(RTN_MULTICAST);
  BS_ENUM(RTN_BLACKHOLE);
  BS_ENUM(RTN_UNREACHABLE);
  BS_ENUM(RTN_PROHIBIT);
  BS_ENUM(RTN_THROW);
  BS_ENUM(RTN_NAT);
  BS_ENUM(RTN_XRESOLVE);
#undef BS_ENUM
}
#endif

}  // namespace

// Runs after InitConstants and InitAddresses: adds to their `constants` and `layouts`.
void InitNetlink(Napi::Env env, Napi::Object exports) {
#ifdef AF_NETLINK
  AddNetlinkLayouts(env, exports.Get("layouts").As<Napi::Object>());
  AddNetlinkEnums(env, exports.Get("constants").As<Napi::Object>());
#else
  (void)env;
  (void)exports;
#endif
}

}  // namespace bsock
