// A UDP server bound to 0.0.0.0 that answers each datagram FROM the address it was sent
// to, whatever the local addresses: IP_PKTINFO tells recvmsg() the destination address of
// each datagram, and the same cmsg on sendmsg() picks the reply's source (ipi_spec_dst).
// Without it, a multi-homed host may answer from another address and the client drops it.
//
//   usage: pktinfo-server.ts PORT [MAXDATAGRAMS]
//
// PORT 0 binds an ephemeral port; "listening on N" goes to stderr once bound. With
// MAXDATAGRAMS the server exits 0 after answering that many.
import {
  AF_INET, IPPROTO_IP, IP_PKTINFO, SOCK_DGRAM, bind, close, getsockname, in_pktinfo, ipPktinfo, recvmsg, sendmsg,
  setsockopt, sockaddr_in, socket, type Msghdr,
} from '../lib/index.js';

const port = Number(process.argv[2] ?? '0');
const max = process.argv[3] === undefined ? Infinity : Number(process.argv[3]);
const fd = socket(AF_INET, SOCK_DGRAM);
setsockopt(fd, IPPROTO_IP, IP_PKTINFO, 1);
bind(fd, new sockaddr_in('0.0.0.0', port));
process.stderr.write(`listening on ${(getsockname(fd) as sockaddr_in).port}\n`);

const buf = Buffer.alloc(65_535);
const from = new sockaddr_in();
const reply = new in_pktinfo();
for (let n = 0; n < max; n++) {
  const msg: Msghdr = { msg_iov: buf, msg_name: from, msg_controllen: 64 };
  const r = recvmsg(fd, msg);
  const pi = r.cmsgs.find((c) => c.cmsg_level === IPPROTO_IP && c.cmsg_type === IP_PKTINFO)?.value as in_pktinfo | undefined;
  const to = pi?.ipi_addr.address ?? '?';
  process.stdout.write(`${r.bytes} bytes from ${from} to ${to}\n`);
  // Answer from the address the client used; ifindex 0 lets routing pick the interface.
  reply.ipi_ifindex = 0;
  if (pi) reply.ipi_spec_dst = pi.ipi_addr;
  sendmsg(fd, { msg_iov: buf.subarray(0, r.bytes), msg_name: from, msg_control: pi ? [ipPktinfo(reply)] : null });
}
close(fd);
