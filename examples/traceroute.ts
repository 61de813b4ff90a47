// traceroute: the route packets take to a host, in the manner of Van Jacobson's
// traceroute(8), with its classic command line.
// usage: traceroute.ts [-n] [-f FIRST_TTL] [-m MAXHOPS] [-q QUERIES] [-w WAIT] [-p PORT] HOST [PACKETLEN]
//
// The program itself is lib/cli/traceroute.ts (also `berkeley-sockets traceroute`): UDP probes
// with an increasing IP_TTL, answers read on a raw ICMP socket, one line per hop:
//
//   traceroute to 10.0.0.2 (10.0.0.2), 30 hops max, 60 byte packets
//    1  10.0.0.1  0.123 ms  0.100 ms  0.090 ms
//    2  10.0.0.2  0.200 ms  0.150 ms  0.140 ms
//
// IPv4 only. Needs a raw socket (root or CAP_NET_RAW). Exit status 2 on any error.
import { exit } from 'node:process';
import { fprintf, getopt, stderr } from '../lib/index.js';
import { MAXPACKET, traceroute, type TracerouteOptions } from '../lib/cli/traceroute.js';
import { runTool } from './cli.js';

function usage(): never {
  fprintf(stderr, 'Usage: traceroute [-n] [-f first_ttl] [-m max_ttl] [-q nqueries] [-w waittime] [-p port] host [packetlen]\n');
  exit(2);
}

function number(text: string, what: string, min: number, max: number): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
    fprintf(stderr, 'traceroute: %s must be >= %d and <= %d (got \'%s\')\n', what, min, max, text);
    exit(2);
  }
  return v;
}

function main(argc: number, argv: string[]): Promise<number> {
  const o: Partial<TracerouteOptions> = {};
  const { opts, operands } = getopt(argv.slice(1, argc), 'nf:m:q:w:p:', usage);
  for (const [c, arg] of opts) {
    switch (c) {
      case 'n': o.numeric = true; break;
      case 'f': o.firstTtl = number(arg!, 'first ttl', 1, 255); break;
      case 'm': o.maxTtl = number(arg!, 'max ttl', 1, 255); break;
      case 'q': o.queries = number(arg!, 'nprobes', 1, 10); break;
      case 'w': o.wait = number(arg!, 'wait time', 0.001, 86400); break;
      case 'p': o.port = number(arg!, 'port', 1, 65535); break;
      default: usage();
    }
  }
  if (operands.length < 1 || operands.length > 2) usage();
  if (operands[1] !== undefined) o.packetLength = number(operands[1], 'packet length', 28, MAXPACKET + 28);
  return traceroute({ ...o, host: operands[0]! });
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
runTool('traceroute', 2, () => main(argv.length, argv));
