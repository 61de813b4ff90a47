// syn: a half-open ("SYN") port probe with a hand-built IPv4 + TCP packet, ported to
// TypeScript in the manner of the classic C raw-socket programs.
// usage: syn.ts [-w WAIT] HOST PORT
//
// The packet, IP header included, is composed here: socket(AF_INET, SOCK_RAW, IPPROTO_RAW)
// with IP_HDRINCL sends it as it is. The answer is read on a second raw socket,
// socket(AF_INET, SOCK_RAW, IPPROTO_TCP), which receives a copy of every TCP segment that
// arrives at this host: a SYN-ACK means the port is open, a RST that it is closed. Our
// kernel knows nothing of the probe and answers the SYN-ACK with a RST itself, so no
// connection is ever left open.
//
//   8080 open
//   8081 closed
//
// The source port is reserved for the duration with a bound (not listening) TCP socket, so
// no other connection can be using it. Exit status: 0 on an answer (open or closed), 1 when
// nothing came back within WAIT seconds ("PORT filtered"), 2 on errors.
import { exit } from 'node:process';
import {
  AF_INET, IPPROTO_IP, IPPROTO_RAW, IPPROTO_TCP, IP_DF, IP_HDRINCL, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SocketError,
  bind, close, connect, fprintf, getsockname, htonl, htons, in_cksum, iphdr, ntohs, perror, printf, setsockopt,
  sockaddr_in, socket, stderr, tcp4_checksum, tcphdr,
} from '../lib/index.js';
import { getaddrinfo, recvfrom, sendto } from '../lib/promises.js';

const TCPOPT_MAXSEG = 2;
const TCPOLEN_MAXSEG = 4;

function usage(): never {
  fprintf(stderr, 'Usage: syn [-w wait] host port\n');
  exit(2);
}

async function main(argc: number, argv: string[]): Promise<number> {
  let waittime = 3;
  const args = argv.slice(1, argc);
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-w') {
      waittime = Number(args[++i]);
      if (!Number.isFinite(waittime) || waittime <= 0) usage();
    } else operands.push(args[i]!);
  }
  if (operands.length !== 2) usage();
  const [host, portText] = operands as [string, string];
  const dport = Number(portText);
  if (!Number.isInteger(dport) || dport < 1 || dport > 65535) {
    fprintf(stderr, 'syn: bad port %s\n', portText);
    exit(2);
  }

  let res;
  try {
    res = await getaddrinfo(host, null, { ai_family: AF_INET, ai_socktype: SOCK_STREAM }, { timeout: 10_000 });
  } catch (e) {
    const text = /\(([^)]*)\)$/.exec((e as Error).message)?.[1] ?? (e as Error).message;
    fprintf(stderr, 'syn: %s: %s\n', host, text);
    exit(2);
  }
  const dst = new sockaddr_in((res[0]!.ai_addr as sockaddr_in).address, 0);

  // Our source address for that destination: the one a connected UDP socket gets.
  let src: sockaddr_in;
  const probe = socket(AF_INET, SOCK_DGRAM, 0);
  try {
    connect(probe, new sockaddr_in(dst.address, dport));
    src = getsockname(probe) as sockaddr_in;
  } catch {
    perror('syn: connect');
    exit(2);
  } finally {
    close(probe);
  }

  // Reserve a source port: bound, never listening, so the kernel resets what comes to it.
  const reserve = socket(AF_INET, SOCK_STREAM, 0);
  bind(reserve, new sockaddr_in(src.address, 0));
  const sport = (getsockname(reserve) as sockaddr_in).port;

  let sock: number, rsock: number;
  try {
    sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    rsock = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
  } catch {
    perror('syn: socket');
    exit(2);
  }
  // Implied by IPPROTO_RAW; set anyway, as the C programs do.
  setsockopt(sock, IPPROTO_IP, IP_HDRINCL, 1);

  // The datagram: IP header, TCP header, one option (MSS).
  const optlen = TCPOLEN_MAXSEG;
  const tot_len = iphdr.size + tcphdr.size + optlen;
  const datagram = Buffer.alloc(tot_len);
  const iph = new iphdr(datagram);
  const tcph = new tcphdr(datagram, iphdr.size);
  const isn = Math.floor(Math.random() * 0x100000000);

  iph.ihl = 5;
  iph.version = 4;
  iph.tos = 0;
  iph.tot_len = htons(tot_len);
  iph.id = htons(Math.floor(Math.random() * 0x10000));
  iph.frag_off = htons(IP_DF);
  iph.ttl = 64;
  iph.protocol = IPPROTO_TCP;
  iph.check = 0;
  iph.saddr = src.sin_addr.s_addr;
  iph.daddr = dst.sin_addr.s_addr;

  tcph.source = htons(sport);
  tcph.dest = htons(dport);
  tcph.seq = htonl(isn);
  tcph.ack_seq = 0;
  tcph.doff = (tcphdr.size + optlen) / 4;
  tcph.syn = 1;
  tcph.window = htons(1024);
  tcph.check = 0;
  tcph.urg_ptr = 0;
  const opt = iphdr.size + tcphdr.size;
  datagram[opt] = TCPOPT_MAXSEG;
  datagram[opt + 1] = TCPOLEN_MAXSEG;
  datagram.writeUInt16BE(1460, opt + 2);

  tcph.check = tcp4_checksum(iph.saddr, iph.daddr, datagram.subarray(iphdr.size), tcphdr.size + optlen);
  iph.check = in_cksum(iph, iphdr.size);

  try {
    await sendto(sock, datagram, tot_len, 0, dst, undefined, { timeout: 5000 });
  } catch {
    perror('syn: sendto');
    exit(2);
  }

  // The answer: a segment from dst:dport to src:sport that acknowledges our SYN.
  const packet = Buffer.alloc(65536);
  const from = new sockaddr_in();
  const deadline = performance.now() + waittime * 1000;
  let verdict: 'open' | 'closed' | 'filtered' = 'filtered';
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    let cc: number;
    try {
      cc = await recvfrom(rsock, packet, packet.length, 0, from, undefined, { timeout: Math.max(1, Math.ceil(left)) });
    } catch (e) {
      if (e instanceof SocketError && e.code === 'ETIMEDOUT') break;
      throw e;
    }
    if (cc < iphdr.size) continue;
    const ip = new iphdr(packet);
    const hlen = ip.ihl << 2;
    if (ip.protocol !== IPPROTO_TCP || ip.saddr !== dst.sin_addr.s_addr || cc < hlen + tcphdr.size) continue;
    const tp = new tcphdr(packet, hlen);
    if (ntohs(tp.source) !== dport || ntohs(tp.dest) !== sport) continue; // not the answer (or our own SYN, on loopback)
    if (tp.syn && tp.ack) verdict = 'open';
    else if (tp.rst) verdict = 'closed';
    else continue;
    break;
  }
  printf('%d %s\n', dport, verdict);
  close(sock);
  close(rsock);
  close(reserve);
  return verdict === 'filtered' ? 1 : 0;
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
main(argv.length, argv).then((code) => exit(code), (e: unknown) => {
  fprintf(stderr, 'syn: %s\n', e instanceof Error ? e.message : String(e));
  exit(2);
});
