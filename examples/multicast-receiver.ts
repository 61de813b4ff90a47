// multicast-receiver: joins a multicast group and prints each datagram sent to it.
//
//   usage: multicast-receiver.ts GROUP PORT [-i IFADDR | -I IF] [-c COUNT] [-w SECONDS] [-6]
//
// IPv4: IP_ADD_MEMBERSHIP with a struct ip_mreqn: the interface is chosen by its address
// (-i, imr_address) or its index (-I, imr_ifindex; a name is looked up with
// if_nametoindex), or left to the routing table (neither). IPv6 (-6, or a GROUP with a
// colon): IPV6_JOIN_GROUP with a struct ipv6_mreq, the interface by index only (-I);
// a link-local group such as ff12::1234 needs one.
//
// The socket is bound to the group address itself (not INADDR_ANY), so that it sees only
// datagrams sent to that group, whatever other groups the host has joined. Once joined it
// writes "joined GROUP on INTERFACE, port PORT" to stderr; then for each datagram:
//
//   from ADDR:PORT: MESSAGE
//
// It exits 0 after COUNT datagrams (-c; default: never), or 1 when -w SECONDS pass
// without one. The membership is dropped (IP_DROP_MEMBERSHIP / IPV6_LEAVE_GROUP) on exit.
import { exit } from 'node:process';
import {
  AF_INET, AF_INET6, ETIMEDOUT, SOCK_DGRAM, SO_REUSEADDR, SOL_SOCKET, SocketError, bind, close, fprintf, getopt,
  inet_pton, ip_mreqn, ipv6_mreq, printf, setOption, setsockopt, sockaddr_in, sockaddr_in6, socket, stderr,
  type SocketAddress,
} from '../lib/index.js';
import { recvfrom } from '../lib/promises.js';
import { cli } from './cli.js';

const { usage, badOption, number, ifindexOf } = cli('multicast-receiver', 'usage: multicast-receiver.ts GROUP PORT [-i IFADDR | -I IF] [-c COUNT] [-w SECONDS] [-6]');

async function main(argv: string[]): Promise<void> {
  const { opts, operands } = getopt(argv, 'i:I:c:w:6h', badOption);
  let ifaddr: string | undefined;
  let ifindex = 0;
  let count = Infinity;
  let waitMs = 0;
  let v6 = false;
  for (const [c, arg] of opts) {
    switch (c) {
      case 'i': ifaddr = arg!; break;
      case 'I': ifindex = ifindexOf(arg!); break;
      case 'c': count = number(arg!, 'count', 1, 2 ** 31 - 1); break;
      case 'w': waitMs = number(arg!, 'wait', 1, 2 ** 31 / 1000) * 1000; break;
      case '6': v6 = true; break;
      default: usage();
    }
  }
  if (operands.length !== 2) usage();
  const [group, portText] = operands as [string, string];
  const port = number(portText, 'port', 1, 65535);
  if (group.includes(':')) v6 = true;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, group, Buffer.alloc(16)) !== 1) {
    fprintf(stderr, 'multicast-receiver: %s is not an IPv%s address\n', group, v6 ? '6' : '4');
    exit(2);
  }
  if (v6 && ifaddr !== undefined) {
    fprintf(stderr, 'multicast-receiver: IPv6 chooses the interface by index: use -I\n');
    exit(2);
  }

  const fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM);
  let leave: () => void;
  try {
    // Several receivers of one group on one host each bind the same port.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (v6) {
      bind(fd, new sockaddr_in6(group, port, 0, ifindex));
      const mreq = new ipv6_mreq();
      mreq.ipv6mr_multiaddr.address = group;
      mreq.ipv6mr_interface = ifindex;
      setOption(fd, 'IPV6_JOIN_GROUP', mreq);
      leave = () => setOption(fd, 'IPV6_LEAVE_GROUP', mreq);
    } else {
      bind(fd, new sockaddr_in(group, port));
      const mreq = new ip_mreqn({ multiaddr: group, address: ifaddr ?? '0.0.0.0', ifindex });
      setOption(fd, 'IP_ADD_MEMBERSHIP', mreq);
      leave = () => setOption(fd, 'IP_DROP_MEMBERSHIP', mreq);
    }
  } catch (e) {
    fprintf(stderr, 'multicast-receiver: %s\n', (e as Error).message);
    exit(1);
  }
  const where = ifindex ? `interface ${ifindex}` : ifaddr ?? 'the default interface';
  fprintf(stderr, 'joined %s on %s, port %d\n', group, where, port);

  const buf = Buffer.alloc(65_535);
  let status = 0;
  try {
    for (let n = 0; n < count; n++) {
      const from: SocketAddress = v6 ? new sockaddr_in6() : new sockaddr_in();
      let len: number;
      try {
        len = await recvfrom(fd, buf, buf.length, 0, from, undefined, waitMs ? { timeout: waitMs } : undefined);
      } catch (e) {
        if (!(e instanceof SocketError && e.errno === ETIMEDOUT)) throw e;
        fprintf(stderr, 'multicast-receiver: nothing received for %d s\n', waitMs / 1000);
        status = 1;
        break;
      }
      printf('from %s: %s\n', String(from), buf.toString('utf8', 0, len));
    }
  } finally {
    try {
      leave();
    } catch {
      // the membership went with the interface
    }
    close(fd);
  }
  exit(status);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  fprintf(stderr, 'multicast-receiver: %s\n', e instanceof Error ? e.message : String(e));
  exit(1);
});
