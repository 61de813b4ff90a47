// sniff: a packet sniffer on an AF_PACKET socket, printing one line per frame in the manner
// of `tcpdump -n -S`, with tcpdump's command line.
// usage: sniff.ts [-p] [-c COUNT] [[-i] IFACE]
//
// The program itself is lib/cli/sniff.ts (also `berkeley-sockets sniff`):
//
//   12:00:00.000000 IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 5
//   12:00:00.000100 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64
//
// Like tcpdump, "listening on …" goes to stderr once the socket is ready, and the count
// ("N packets captured") goes to stderr at the end: after COUNT frames, or on SIGINT/SIGTERM.
// Exit status 1 when the capture cannot start, 2 on bad arguments.
import { exit } from 'node:process';
import { fprintf, getopt, stderr } from '../lib/index.js';
import { sniff, type SniffOptions } from '../lib/cli/sniff.js';
import { runTool } from './cli.js';

function usage(): never {
  fprintf(stderr, 'Usage: sniff [-p] [-c count] [[-i] interface]\n');
  exit(2);
}

function main(argc: number, argv: string[]): Promise<number> {
  const o: SniffOptions = {};
  const { opts, operands } = getopt(argv.slice(1, argc), 'c:i:p', usage);
  for (const [c, arg] of opts) {
    switch (c) {
      case 'c':
        o.count = Number(arg);
        if (!Number.isInteger(o.count) || o.count < 1) {
          fprintf(stderr, 'sniff: invalid packet count %s\n', arg);
          exit(2);
        }
        break;
      case 'i': o.device = arg; break;
      case 'p': o.promisc = false; break;
      default: usage();
    }
  }
  if (operands.length > 1 || (operands.length === 1 && o.device !== undefined)) usage();
  o.device ??= operands[0];
  return sniff(o);
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
runTool('sniff', 1, () => main(argv.length, argv));
