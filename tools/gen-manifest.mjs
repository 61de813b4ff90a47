// Writes lib/manifest.generated.ts and docs/manifest.md from the BUILT addon: every
// constant this host exports (name, value, group), the errno and EAI names, every struct in
// native.layouts (size, align, fields, bitfields), and the names tools/wanted-names.txt
// looks for that this host does not have. Run by `npm run build:ts` after
// gen-constants-ts.mjs; nothing here is typed by hand except the man-page and header maps.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const native = require('node-gyp-build')(root);

// ---------------------------------------------------------------------------------------
// groups: from native/constants_list.h ("// GROUP (n)" then its BS_* lines); names the
// addon adds outside the list (enum members, kernel-only macros) by their prefix.

const listText = readFileSync(join(root, 'native', 'constants_list.h'), 'utf8');
const listed = new Map();
const groupOrder = [];
{
  let g = null;
  for (const line of listText.split('\n')) {
    const h = /^\/\/ (\S+) \(\d+\)$/.exec(line);
    if (h) {
      g = h[1];
      groupOrder.push(g);
      continue;
    }
    const m = /^BS_(?:CONSTANT|ERRNO|EAI)\((\w+)\)$/.exec(line);
    if (m && g) listed.set(m[1], g);
  }
}
// Prefixes of extra names whose group is not the text before their first underscore.
const EXTRA_PREFIXES = [['RT_SCOPE_', 'RT_SCOPE'], ['IFA_F_', 'IFA_F'], ['NLM_F_', 'NLM_F'], ['ETH_P_', 'ETH_P']];
// First-underscore prefix -> group, learned from the list (ICMP_ -> ICMP, ARPOP_ -> ARPHRD…).
const prefixGroup = new Map();
for (const [name, g] of listed) {
  const i = name.indexOf('_');
  if (i <= 0 || g === 'ERRNO') continue;
  const p = name.slice(0, i + 1);
  // A group named after the prefix wins (IFA_ -> IFA, not IFA_F).
  if (!prefixGroup.has(p) || g === p.slice(0, -1)) prefixGroup.set(p, g);
}
function groupOf(name) {
  if (listed.has(name)) return listed.get(name);
  if (Object.hasOwn(native.errnos, name)) return 'ERRNO';
  for (const [p, g] of EXTRA_PREFIXES) if (name.startsWith(p)) return g;
  const i = name.indexOf('_');
  if (i > 0) {
    const p = name.slice(0, i + 1);
    if (prefixGroup.has(p)) return prefixGroup.get(p);
    return name.slice(0, i);
  }
  return 'MISC';
}

// ---------------------------------------------------------------------------------------
// documentation maps (text only)

const man = (page) => {
  const m = /^(.+)\((\d)\)$/.exec(page);
  return `https://man7.org/linux/man-pages/man${m[2]}/${m[1]}.${m[2]}.html`;
};
/** group -> the man page that documents its names. */
const GROUP_MAN = {
  AF: 'address_families(7)', PF: 'address_families(7)', SOCK: 'socket(2)', SOL: 'getsockopt(2)',
  SO: 'socket(7)', SCM: 'socket(7)', MSG: 'send(2)', SHUT: 'shutdown(2)', IPPROTO: 'ip(7)',
  INADDR: 'ip(7)', IP: 'ip(7)', IPV6: 'ipv6(7)', IPTOS: 'ip(7)', IPOPT: 'ip(7)', TCP: 'tcp(7)',
  TH: 'tcp(7)', UDP: 'udp(7)', ICMP: 'icmp(7)', ICMP6: 'ipv6(7)', ND: 'ipv6(7)', ETH_P: 'packet(7)',
  PACKET: 'packet(7)', IFF: 'netdevice(7)', ARPHRD: 'netdevice(7)', NETLINK: 'netlink(7)',
  NLM_F: 'netlink(7)', NLMSG: 'netlink(7)', RTM: 'rtnetlink(7)', RTMGRP: 'rtnetlink(7)',
  RTNLGRP: 'rtnetlink(7)', IFLA: 'rtnetlink(7)', IFA_F: 'rtnetlink(7)', IFA: 'rtnetlink(7)',
  RTA: 'rtnetlink(7)', RT_SCOPE: 'rtnetlink(7)', RTN: 'rtnetlink(7)', AI: 'getaddrinfo(3)',
  NI: 'getnameinfo(3)', EAI: 'getaddrinfo(3)', ERRNO: 'errno(3)', FCNTL: 'fcntl(2)',
  H_ERRNO: 'gethostbyname(3)', POLL: 'poll(2)', MISC: 'netdevice(7)', SOF: 'socket(7)',
  BPF: 'socket(7)', SKF: 'socket(7)', MCAST: 'ip(7)', IOV: 'readv(2)',
};
/** Exceptions to the group's page. */
const NAME_MAN = {
  SCM_RIGHTS: 'unix(7)', SCM_CREDENTIALS: 'unix(7)', SO_PEERCRED: 'unix(7)', SO_PASSCRED: 'unix(7)',
  MSG_PEEK: 'recv(2)', MSG_WAITALL: 'recv(2)', MSG_TRUNC: 'recv(2)', MSG_CTRUNC: 'recv(2)',
  MSG_ERRQUEUE: 'recv(2)', MSG_CMSG_CLOEXEC: 'recv(2)', MSG_WAITFORONE: 'recvmmsg(2)',
  SOCK_NONBLOCK: 'socket(2)', SOCK_CLOEXEC: 'socket(2)', SOMAXCONN: 'listen(2)',
  INET_ADDRSTRLEN: 'inet_ntop(3)', INET6_ADDRSTRLEN: 'inet_ntop(3)', IPPROTO_IPV6: 'ipv6(7)',
  IPPROTO_TCP: 'tcp(7)', IPPROTO_UDP: 'udp(7)', IPPROTO_ICMP: 'icmp(7)', IPPROTO_RAW: 'raw(7)',
  ICMP_FILTER: 'raw(7)', SOL_SOCKET: 'socket(7)', SOL_IP: 'ip(7)', SOL_TCP: 'tcp(7)', SOL_UDP: 'udp(7)',
  SOL_IPV6: 'ipv6(7)', SOL_PACKET: 'packet(7)', SOL_RAW: 'raw(7)', SOL_NETLINK: 'netlink(7)',
  AF_NETLINK: 'netlink(7)', AF_PACKET: 'packet(7)', AF_UNIX: 'unix(7)', AF_LOCAL: 'unix(7)',
  O_NONBLOCK: 'fcntl(2)', NETDB_INTERNAL: 'gethostbyname(3)',
};
const manFor = (name, group) => NAME_MAN[name] ?? GROUP_MAN[group] ?? 'socket(7)';

/** struct -> the header that declares it (as this project includes it). */
const STRUCT_HEADER = {
  sockaddr: 'sys/socket.h', sockaddr_storage: 'sys/socket.h', linger: 'sys/socket.h', ucred: 'sys/socket.h',
  msghdr: 'sys/socket.h', cmsghdr: 'sys/socket.h', mmsghdr: 'sys/socket.h', iovec: 'sys/uio.h',
  in_addr: 'netinet/in.h', in6_addr: 'netinet/in.h', sockaddr_in: 'netinet/in.h', sockaddr_in6: 'netinet/in.h',
  ip_mreq: 'netinet/in.h', ip_mreqn: 'netinet/in.h', ipv6_mreq: 'netinet/in.h', ip_mreq_source: 'netinet/in.h',
  ip_msfilter: 'netinet/in.h', group_req: 'netinet/in.h', group_source_req: 'netinet/in.h',
  in_pktinfo: 'netinet/in.h', in6_pktinfo: 'netinet/in.h', sockaddr_un: 'sys/un.h', timeval: 'sys/time.h',
  timespec: 'time.h', sockaddr_ll: 'linux/if_packet.h', packet_mreq: 'linux/if_packet.h',
  ethhdr: 'linux/if_ether.h', iphdr: 'netinet/ip.h', ip6_hdr: 'netinet/ip6.h', icmphdr: 'netinet/ip_icmp.h',
  icmp6_hdr: 'netinet/icmp6.h', udphdr: 'netinet/udp.h', tcphdr: 'netinet/tcp.h', tcp_info: 'netinet/tcp.h',
  icmp_filter: 'linux/icmp.h', sock_filter: 'linux/filter.h', sock_fprog: 'linux/filter.h',
  sock_extended_err: 'linux/errqueue.h', sockaddr_nl: 'linux/netlink.h', nlmsghdr: 'linux/netlink.h',
  nlmsgerr: 'linux/netlink.h', ifinfomsg: 'linux/rtnetlink.h', rtmsg: 'linux/rtnetlink.h',
  rtattr: 'linux/rtnetlink.h', ifaddrmsg: 'linux/if_addr.h', ifa_cacheinfo: 'linux/if_addr.h',
};
// POSIX headers have man7.org pages (section 0p); the kernel's uapi headers are linked to
// their source; the rest are named without a link.
const POSIX_HEADERS = new Set(['sys/socket.h', 'sys/uio.h', 'netinet/in.h', 'netinet/tcp.h', 'sys/un.h', 'sys/time.h',
  'time.h', 'arpa/inet.h', 'netdb.h', 'net/if.h', 'poll.h', 'fcntl.h', 'errno.h']);
function headerLink(h) {
  if (!h) return '(unknown header)';
  if (POSIX_HEADERS.has(h)) return `[<${h}>](https://man7.org/linux/man-pages/man0/${h.replace(/\//g, '_')}.0p.html)`;
  if (h.startsWith('linux/')) return `[<${h}>](https://github.com/torvalds/linux/blob/master/include/uapi/${h})`;
  return `<${h}>`;
}

// ---------------------------------------------------------------------------------------
// the manifest

const constants = {};
const groups = {};
for (const name of Object.keys(native.constants).sort()) {
  const group = groupOf(name);
  constants[name] = { value: native.constants[name], group };
  (groups[group] ??= []).push(name);
}
const orderedGroups = [...groupOrder.filter((g) => groups[g]), ...Object.keys(groups).filter((g) => !groupOrder.includes(g)).sort()];

const structs = {};
for (const sname of Object.keys(native.layouts).sort()) {
  const l = native.layouts[sname];
  const fields = {};
  for (const [k, v] of Object.entries(l)) {
    if (Array.isArray(v)) fields[k] = { offset: v[0], size: v[1], signed: v[2] };
  }
  const s = { size: l.size, align: l.align, header: STRUCT_HEADER[sname] ?? null, fields };
  if (l.bits) s.bits = Object.fromEntries(Object.entries(l.bits).map(([k, [bit, width]]) => [k, { bit, width }]));
  structs[sname] = s;
}

const wantedNotes = {};
for (const raw of readFileSync(join(root, 'tools', 'wanted-names.txt'), 'utf8').split('\n')) {
  const [lhs, ...rest] = raw.split('#');
  const name = lhs.trim();
  if (!name) continue;
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new Error(`tools/wanted-names.txt: bad name ${JSON.stringify(name)}`);
  wantedNotes[name] = rest.join('#').trim();
}
const wanted = Object.keys(wantedNotes).sort();
const absent = wanted.filter((n) => !Object.hasOwn(native.constants, n));

const data = {
  platform: process.platform,
  arch: process.arch,
  constants,
  groups: Object.fromEntries(orderedGroups.map((g) => [g, groups[g]])),
  errnos: Object.keys(native.errnos),
  eais: Object.keys(native.eais),
  structs,
  wanted,
  absent,
};

const ts = [
  '// Generated by tools/gen-manifest.mjs from the built addon: do not edit.',
  "import type { ManifestData } from './manifest.js';",
  '',
  `export const data: ManifestData = ${JSON.stringify(data, null, 1)};`,
  '',
];
writeFileSync(join(root, 'lib', 'manifest.generated.ts'), ts.join('\n'));

// ---------------------------------------------------------------------------------------
// docs/manifest.md

const hex = (v) => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);
const anchor = (s) => s.toLowerCase().replace(/[^a-z0-9_-]/g, '');
const md = [];
md.push('# What this build exports', '');
md.push(`Generated by \`tools/gen-manifest.mjs\` from the addon built on this host (${process.platform}/${process.arch}): `
  + 'every name below is the value of the C name of the same name in this host\'s headers. '
  + 'A program can test for a name with `hasConstant(name)`; the same data is `manifest` in TypeScript. '
  + 'Do not edit: `npm run build:ts` rewrites it.', '');
md.push(`- ${Object.keys(constants).length} constants in ${orderedGroups.length} groups`);
md.push(`- ${data.errnos.length} errno names, ${data.eais.length} getaddrinfo error codes`);
md.push(`- ${Object.keys(structs).length} structs`);
md.push(`- ${absent.length} of ${wanted.length} [looked-for names](#absent-names) are absent here`, '');
md.push('## Groups', '');
md.push(orderedGroups.map((g) => `[${g}](#${anchor(`group-${g}`)}) (${groups[g].length})`).join(' · '), '');
for (const g of orderedGroups) {
  md.push(`### Group ${g}`, '');
  md.push(`Documented in [${GROUP_MAN[g] ?? 'socket(7)'}](${man(GROUP_MAN[g] ?? 'socket(7)')}) unless noted.`, '');
  const isErrno = g === 'ERRNO';
  md.push(isErrno ? '| Name | Value | Meaning | Man page |' : '| Name | Value | Hex | Man page |');
  md.push(isErrno ? '|---|---:|---|---|' : '|---|---:|---:|---|');
  for (const n of groups[g]) {
    const v = constants[n].value;
    const page = manFor(n, g);
    const link = `[${n}](${man(page)})`;
    const third = isErrno ? native.strerror(v).replace(/\|/g, '\\|') : hex(v);
    md.push(`| ${link} | ${v} | ${third} | ${page} |`);
  }
  md.push('');
}
md.push('## Structs', '');
md.push('Sizes, alignments and offsets in bytes as this compiler lays them out (`sizeof`, `alignof`, `offsetof`); '
  + 'bitfields as [first bit, width] from the struct\'s start, least significant bit of each byte first.', '');
for (const [sname, s] of Object.entries(structs)) {
  md.push(`### struct ${sname}`, '');
  md.push(`Declared in ${headerLink(s.header)}. sizeof ${s.size}, alignof ${s.align}.`, '');
  md.push('| Field | Offset | Size | Signed |', '|---|---:|---:|---|');
  for (const [f, v] of Object.entries(s.fields)) md.push(`| \`${f}\` | ${v.offset} | ${v.size} | ${v.signed ? 'yes' : 'no'} |`);
  if (s.bits) {
    md.push('', '| Bitfield | First bit | Width |', '|---|---:|---:|');
    for (const [f, v] of Object.entries(s.bits)) md.push(`| \`${f}\` | ${v.bit} | ${v.width} |`);
  }
  md.push('');
}
md.push('## Absent names', '');
md.push('Names from other platforms and kernel versions that `tools/wanted-names.txt` looks for and this host\'s '
  + 'headers do not define: `hasConstant(name)` is false for each, and none is exported.', '');
md.push('| Name | Note |', '|---|---|');
for (const n of absent) md.push(`| \`${n}\` | ${wantedNotes[n].replace(/\|/g, '\\|')} |`);
md.push('');
const present = wanted.filter((n) => !absent.includes(n));
md.push(`Looked for and present here: ${present.map((n) => `\`${n}\``).join(', ') || '(none)'}.`, '');
mkdirSync(join(root, 'docs'), { recursive: true });
writeFileSync(join(root, 'docs', 'manifest.md'), md.join('\n'));

console.log(`lib/manifest.generated.ts, docs/manifest.md: ${Object.keys(constants).length} constants, `
  + `${Object.keys(structs).length} structs, ${absent.length}/${wanted.length} wanted names absent`);
