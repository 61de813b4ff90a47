// multicast-sender: sends numbered datagrams to a multicast group.
//
//   usage: multicast-sender.ts GROUP PORT [-i IFADDR | -I IF] [-c COUNT] [-t TTL] [-L] [-6]
//
// IPv4: IP_MULTICAST_IF picks the outgoing interface, by its address (-i, an in_addr) or
// by its index (-I, a struct ip_mreqn with imr_ifindex; a name is looked up with
// if_nametoindex); IP_MULTICAST_TTL sets the TTL (-t, default 1: this link only);
// IP_MULTICAST_LOOP (on unless -L) delivers a copy to this host's own members of the group.
// IPv6 (-6, or a GROUP with a colon): IPV6_MULTICAST_IF (an interface index, -I),
// IPV6_MULTICAST_HOPS (-t) and IPV6_MULTICAST_LOOP; the destination's sin6_scope_id is the
// interface too, which a link-local group such as ff12::1234 needs.
//
// It sends COUNT datagrams (-c, default 1) "message N of COUNT", 100 ms apart, printing
// "sent N bytes to GROUP:PORT" for each, and exits 0.
import { exit } from 'node:process';
import {
  AF_INET, AF_INET6, SOCK_DGRAM, close, fprintf, getopt, in_addr, inet_pton, ip_mreqn, printf,
  setOption, sockaddr_in, sockaddr_in6, socket, stderr,
} from '../lib/index.js';
import { sendto } from '../lib/promises.js';
import { cli } from './cli.js';

const { usage, badOption, number, ifindexOf } = cli('multicast-sender', 'usage: multicast-sender.ts GROUP PORT [-i IFADDR | -I IF] [-c COUNT] [-t TTL] [-L] [-6]');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(argv: string[]): Promise<void> {
  const { opts, operands } = getopt(argv, 'i:I:c:t:L6h', badOption);
  let ifaddr: string | undefined;
  let ifindex = 0;
  let count = 1;
  let ttl = 1;
  let loop = true;
  let v6 = false;
  for (const [c, arg] of opts) {
    switch (c) {
      case 'i': ifaddr = arg!; break;
      case 'I': ifindex = ifindexOf(arg!); break;
      case 'c': count = number(arg!, 'count', 1, 2 ** 31 - 1); break;
      case 't': ttl = number(arg!, 'ttl', 0, 255); break;
      case 'L': loop = false; break;
      case '6': v6 = true; break;
      default: usage();
    }
  }
  if (operands.length !== 2) usage();
  const [group, portText] = operands as [string, string];
  const port = number(portText, 'port', 1, 65535);
  if (group.includes(':')) v6 = true;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, group, Buffer.alloc(16)) !== 1) {
    fprintf(stderr, 'multicast-sender: %s is not an IPv%s address\n', group, v6 ? '6' : '4');
    exit(2);
  }
  if (v6 && ifaddr !== undefined) {
    fprintf(stderr, 'multicast-sender: IPv6 chooses the interface by index: use -I\n');
    exit(2);
  }

  const fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM);
  let to: sockaddr_in | sockaddr_in6;
  try {
    if (v6) {
      if (ifindex) setOption(fd, 'IPV6_MULTICAST_IF', ifindex);
      setOption(fd, 'IPV6_MULTICAST_HOPS', ttl);
      setOption(fd, 'IPV6_MULTICAST_LOOP', loop);
      to = new sockaddr_in6(group, port, 0, ifindex);
    } else {
      if (ifindex) setOption(fd, 'IP_MULTICAST_IF', new ip_mreqn({ multiaddr: '0.0.0.0', ifindex }));
      else if (ifaddr !== undefined) {
        const a = new in_addr();
        a.address = ifaddr;
        setOption(fd, 'IP_MULTICAST_IF', a);
      }
      setOption(fd, 'IP_MULTICAST_TTL', ttl);
      setOption(fd, 'IP_MULTICAST_LOOP', loop);
      to = new sockaddr_in(group, port);
    }
  } catch (e) {
    fprintf(stderr, 'multicast-sender: %s\n', (e as Error).message);
    close(fd);
    exit(1);
  }

  let status = 0;
  try {
    for (let n = 1; n <= count; n++) {
      if (n > 1) await sleep(100);
      const sent = await sendto(fd, `message ${n} of ${count}`, undefined, 0, to, undefined, { timeout: 5000 });
      printf('sent %d bytes to %s\n', sent, String(to));
    }
  } catch (e) {
    fprintf(stderr, 'multicast-sender: %s\n', (e as Error).message);
    status = 1;
  } finally {
    close(fd);
  }
  exit(status);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  fprintf(stderr, 'multicast-sender: %s\n', e instanceof Error ? e.message : String(e));
  exit(1);
});
