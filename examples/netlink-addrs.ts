// netlink-addrs: the host's interfaces and addresses over rtnetlink(7), as `ip addr` shows
// them, in the manner of a small C program on an AF_NETLINK socket.
// usage: netlink-addrs.ts [--json]
//
// Two dump requests on one NETLINK_ROUTE socket: RTM_GETLINK (struct ifinfomsg + IFLA_*
// attributes per link) then RTM_GETADDR (struct ifaddrmsg + IFA_* attributes per address),
// each with NLM_F_REQUEST | NLM_F_DUMP, reading until NLMSG_DONE. --json prints one array
// shaped like `ip -j addr` (so also comparable with `ip -j link`): ifindex, ifname, flags,
// mtu, qdisc, txqlen, link_type, address, broadcast, addr_info [{family, local, prefixlen,
// broadcast, scope, label}].
//
//   1: lo: <UP,LOOPBACK,RUNNING> mtu 65536 qdisc noqueue
//       link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
//       inet 127.0.0.1/8 scope host lo
//       inet6 ::1/128 scope host
import { endianness } from 'node:os';
import { argv, exit } from 'node:process';
import {
  AF_INET, AF_INET6, AF_NETLINK, AF_UNSPEC, IFA_ADDRESS, IFA_BROADCAST, IFA_LABEL, IFA_LOCAL, IFLA_ADDRESS,
  IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_QDISC, IFLA_TXQLEN, NETLINK_ROUTE, NLM_F_DUMP, NLM_F_DUMP_INTR,
  NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK, SOCK_CLOEXEC, SOCK_RAW,
  SocketError, bind, close, constants, getsockname, ifaddrmsg, ifinfomsg, inet_ntop, nlmsg, nlmsgerr, nlmsgs,
  rtattrMap, send, recv, sockaddr_nl, socket, strerror,
} from '../lib/index.js';

interface AddrInfo {
  family: 'inet' | 'inet6' | string;
  local: string;
  prefixlen: number;
  broadcast?: string;
  scope: string;
  label?: string;
}
interface Link {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu?: number;
  qdisc?: string;
  txqlen?: number;
  link_type?: string;
  address?: string;
  broadcast?: string;
  addr_info: AddrInfo[];
}

// Names for numbers, from the host's constants (first name wins for shared values).
function names(prefix: string, skip: (n: string) => boolean = () => false): Map<number, string> {
  const m = new Map<number, string>();
  for (const [n, v] of Object.entries(constants)) {
    if (n.startsWith(prefix) && !skip(n) && !m.has(v)) m.set(v, n.slice(prefix.length));
  }
  return m;
}
const IFF = Object.entries(constants).filter(([n]) => n.startsWith('IFF_')).sort((x, y) => x[1] - y[1]);
const ARPHRD = names('ARPHRD_');
const SCOPE = names('RT_SCOPE_');

const mac = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
const cstr = (b: Buffer): string => {
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
};
// Attribute numbers are in host byte order.
const u32 = (b: Buffer): number => (b.length < 4 ? 0 : endianness() === 'LE' ? b.readUInt32LE(0) : b.readUInt32BE(0));
const ipText = (family: number, b: Buffer): string => {
  const r = inet_ntop(family, b);
  return typeof r === 'string' ? r : '?';
};

const buf = Buffer.alloc(1 << 16);
let seq = Math.floor(Date.now() / 1000);

/** Sends one dump request and hands every answer message's payload to `each`. */
function dump(fd: number, type: number, header: ifinfomsg | ifaddrmsg, each: (type: number, payload: Buffer) => void): void {
  const mySeq = ++seq;
  const req = nlmsg({ nlmsg_type: type, nlmsg_flags: NLM_F_REQUEST | NLM_F_DUMP, nlmsg_seq: mySeq }, header);
  send(fd, req);
  for (;;) {
    const n = recv(fd, buf);
    if (n === 0) throw new Error('netlink socket closed');
    for (const m of nlmsgs(buf, n)) {
      if (m.nlmsg_seq !== mySeq) continue; // not ours (e.g. a notification)
      if (m.nlmsg_type === NLMSG_DONE) return;
      if (m.nlmsg_type === NLMSG_ERROR) {
        const e = new nlmsgerr(m.payload);
        if (e.error === 0) continue; // an ACK
        throw new Error(`netlink dump ${type}: ${strerror(-e.error)}`);
      }
      if ((m.nlmsg_flags & NLM_F_DUMP_INTR) !== 0) process.stderr.write('warning: dump interrupted, results may be inconsistent\n');
      each(m.nlmsg_type, m.payload);
    }
  }
}

function main(): void {
  const json = argv.includes('--json');
  const fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  try {
    bind(fd, new sockaddr_nl()); // pid 0: the kernel assigns our port id
    const me = getsockname(fd);
    if (!(me instanceof sockaddr_nl)) throw new Error(`getsockname: not a sockaddr_nl (${String(me)})`);

    const links = new Map<number, Link>();
    dump(fd, RTM_GETLINK, new ifinfomsg({ ifi_family: AF_UNSPEC }), (type, payload) => {
      if (type !== RTM_NEWLINK) return;
      const ifi = new ifinfomsg(payload);
      const a = rtattrMap(payload, ifinfomsg.size);
      const flags = ifi.ifi_flags;
      const l: Link = {
        ifindex: ifi.ifi_index,
        ifname: a.has(IFLA_IFNAME) ? cstr(a.get(IFLA_IFNAME)!) : `if${ifi.ifi_index}`,
        flags: IFF.filter(([, bit]) => (flags & bit) !== 0).map(([n]) => n.slice(4)),
        addr_info: [],
      };
      if (a.has(IFLA_MTU)) l.mtu = u32(a.get(IFLA_MTU)!);
      if (a.has(IFLA_QDISC)) l.qdisc = cstr(a.get(IFLA_QDISC)!);
      if (a.has(IFLA_TXQLEN)) l.txqlen = u32(a.get(IFLA_TXQLEN)!);
      l.link_type = (ARPHRD.get(ifi.ifi_type) ?? String(ifi.ifi_type)).toLowerCase();
      if (a.has(IFLA_ADDRESS)) l.address = mac(a.get(IFLA_ADDRESS)!);
      if (a.has(IFLA_BROADCAST)) l.broadcast = mac(a.get(IFLA_BROADCAST)!);
      links.set(l.ifindex, l);
    });

    dump(fd, RTM_GETADDR, new ifaddrmsg({ ifa_family: AF_UNSPEC }), (type, payload) => {
      if (type !== RTM_NEWADDR) return;
      const ifa = new ifaddrmsg(payload);
      const fam = ifa.ifa_family;
      if (fam !== AF_INET && fam !== AF_INET6) return;
      const a = rtattrMap(payload, ifaddrmsg.size);
      // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
      // (and the address otherwise). IPv6 sends only IFA_ADDRESS.
      const local = a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS);
      if (!local) return;
      const info: AddrInfo = {
        family: fam === AF_INET ? 'inet' : 'inet6',
        local: ipText(fam, local),
        prefixlen: ifa.ifa_prefixlen,
        scope: ((s) => (s === 'UNIVERSE' ? 'global' : s?.toLowerCase() ?? String(ifa.ifa_scope)))(SCOPE.get(ifa.ifa_scope)),
      };
      if (a.has(IFA_BROADCAST)) info.broadcast = ipText(fam, a.get(IFA_BROADCAST)!);
      if (a.has(IFA_LABEL)) info.label = cstr(a.get(IFA_LABEL)!);
      links.get(ifa.ifa_index)?.addr_info.push(info);
    });

    const all = [...links.values()].sort((x, y) => x.ifindex - y.ifindex);
    if (json) {
      // ip's key order, addr_info last
      console.log(JSON.stringify(all.map(({ addr_info, ...l }) => ({ ...l, addr_info }))));
      return;
    }
    for (const l of all) {
      console.log(`${l.ifindex}: ${l.ifname}: <${l.flags.join(',')}> mtu ${l.mtu ?? '?'}${l.qdisc ? ` qdisc ${l.qdisc}` : ''}`);
      if (l.address !== undefined) console.log(`    link/${l.link_type} ${l.address}${l.broadcast ? ` brd ${l.broadcast}` : ''}`);
      for (const i of l.addr_info) {
        const brd = i.broadcast ? ` brd ${i.broadcast}` : '';
        console.log(`    ${i.family} ${i.local}/${i.prefixlen}${brd} scope ${i.scope}${i.label ? ` ${i.label}` : ''}`);
      }
    }
  } finally {
    close(fd);
  }
}

try {
  main();
} catch (e) {
  console.error(`netlink-addrs: ${e instanceof SocketError ? `${e.syscall}: ${e.message}` : (e as Error).message}`);
  exit(1);
}
