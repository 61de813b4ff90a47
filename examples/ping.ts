// ping: ICMP echo, in the manner of iputils ping(8), with iputils' own command line.
// usage: ping.ts [-4|-6] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s PACKETSIZE] [-n] [-v] HOST
//
// The program itself is lib/cli/ping.ts (also `berkeley-sockets ping`): a raw ICMP socket,
// or the unprivileged ICMP datagram socket when a raw one is not permitted; per-reply lines
// and the statistics at the end, as iputils prints them:
//
//   PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
//   64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms
//
//   --- 127.0.0.1 ping statistics ---
//   1 packets transmitted, 1 received, 0% packet loss, time 0ms
//   rtt min/avg/max/mdev = 0.045/0.045/0.045/0.000 ms
//
// Exit status: 0 when replies came, 1 when none did, 2 on any other error (as iputils).
import { exit } from 'node:process';
import { AF_INET, AF_INET6, fprintf, getopt, stderr } from '../lib/index.js';
import { MAXPACKET, ping, type PingOptions } from '../lib/cli/ping.js';
import { runTool } from './cli.js';

function usage(): never {
  fprintf(stderr, '\nUsage\n  ping [options] <destination>\n\nOptions:\n' +
    '  -4             use IPv4\n  -6             use IPv6\n  -c <count>     stop after <count> replies\n' +
    '  -i <interval>  seconds between sending each packet\n  -n             no dns name resolution\n' +
    '  -s <size>      use <size> as number of data bytes to be sent\n  -v             verbose output\n' +
    '  -W <timeout>   time to wait for response\n');
  exit(2);
}

/** getopt()'s errors, worded as iputils ping words them. */
function badOption(kind: 'invalid' | 'missing', c: string): never {
  fprintf(stderr, kind === 'invalid' ? 'ping: invalid option -- \'%s\'\n' : 'ping: option requires an argument -- \'%s\'\n', c);
  usage();
}

function number(text: string, what: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    fprintf(stderr, 'ping: invalid %s: \'%s\'\n', what, text);
    exit(2);
  }
  return v;
}

function main(argc: number, argv: string[]): Promise<number> {
  const o: Partial<PingOptions> = {};
  const { opts, operands } = getopt(argv.slice(1, argc), '46c:i:W:s:nvh', badOption);
  for (const [c, arg] of opts) {
    switch (c) {
      case '4': o.family = AF_INET; break;
      case '6': o.family = AF_INET6; break;
      case 'c': o.count = number(arg!, 'argument', 1, 2 ** 31 - 1); break;
      case 'i': o.interval = Math.round(number(arg!, 'interval', 0.002, 2 ** 31 / 1000) * 1000); break;
      case 'W': o.linger = Math.round(number(arg!, 'timeout', 0.001, 2 ** 31 / 1000) * 1000); break;
      case 's': o.size = number(arg!, 'packet size', 0, MAXPACKET); break;
      case 'n': o.numeric = true; break;
      case 'v': o.verbose = true; break;
      default: usage();
    }
  }
  if (operands.length !== 1) usage();
  return ping({ ...o, host: operands[0]! });
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
runTool('ping', 2, () => main(argv.length, argv));
