/* A simple server in the internet domain using TCP
   The port number is passed as an argument */
// The lecture's server (examples/seed/server.ts) ported to the Promise API: the same calls
// with the same C names, awaited, so one process serves many clients at once. Clients are
// accepted in a loop; each one's message is read, printed ("Here is the message: ..."), and
// answered with "I got your message".
//
//   usage: async-seed-server.ts PORT [MAXCLIENTS]
//
// PORT 0 binds an ephemeral port and writes "listening on N\n" to stderr (stdout is as the
// C's). With MAXCLIENTS the server exits 0 once that many clients have been answered;
// without it, it serves until interrupted. Unlike the C, a client whose read or write fails
// is dropped (perror) instead of ending the server. Bounded: a client that sends nothing
// for READ_MS is dropped, and with MAXCLIENTS waiting ACCEPT_MS for one exits 1.
import { exit } from 'node:process';
import {
  AF_INET, INADDR_ANY, SOCK_STREAM, atoi, bind, bzero, close, fprintf, getsockname, htons, listen,
  ntohs, perror, printf, sizeof, sockaddr_in, socket, stderr,
} from '../lib/index.js';
import { accept, read, write } from '../lib/promises.js';

const READ_MS = 30_000;
const ACCEPT_MS = 60_000;

function error(msg: string): never {
  perror(msg);
  exit(1);
}

/** One client, as the C's main() after accept(): read, print, answer. Then close it. */
async function serve(newsockfd: number): Promise<void> {
  const buffer = Buffer.alloc(256);
  let n: number;
  try {
    bzero(buffer, 256);
    try {
      n = await read(newsockfd, buffer, 255, { timeout: READ_MS });
    } catch {
      perror("ERROR reading from socket");
      return;
    }
    printf("Here is the message: %s\n", buffer);
    try {
      n = await write(newsockfd, "I got your message", 18);
    } catch {
      perror("ERROR writing to socket");
      return;
    }
  } finally {
    close(newsockfd);
  }
  void n;
}

async function main(argc: number, argv: string[]): Promise<number> {
  let sockfd: number, newsockfd: number, portno: number, clilen: number;
  const serv_addr = new sockaddr_in(), cli_addr = new sockaddr_in();
  if (argc < 2) {
    fprintf(stderr, "ERROR, no port provided\n");
    exit(1);
  }
  const maxclients = argc > 2 ? Math.max(1, atoi(argv[2]!)) : Infinity;
  try {
    sockfd = socket(AF_INET, SOCK_STREAM, 0);
  } catch {
    error("ERROR opening socket");
  }
  bzero(serv_addr, sizeof(serv_addr));
  portno = atoi(argv[1]!);
  serv_addr.sin_family = AF_INET;
  serv_addr.sin_addr.s_addr = INADDR_ANY;
  serv_addr.sin_port = htons(portno & 0xffff);
  try {
    bind(sockfd, serv_addr, sizeof(serv_addr));
  } catch {
    error("ERROR on binding");
  }
  try {
    listen(sockfd, 5);
  } catch {
    // the C ignores listen()'s result
  }
  if (portno === 0) {
    const bound = new sockaddr_in();
    getsockname(sockfd, bound);
    fprintf(stderr, "listening on %d\n", ntohs(bound.sin_port));
  }
  const clients: Promise<void>[] = [];
  for (let served = 0; served < maxclients; served++) {
    clilen = sizeof(cli_addr);
    try {
      newsockfd = await accept(sockfd, cli_addr, clilen, maxclients === Infinity ? undefined : { timeout: ACCEPT_MS });
    } catch {
      error("ERROR on accept");
    }
    clients.push(serve(newsockfd)); // not awaited: the next accept() runs while it is served
  }
  await Promise.all(clients);
  close(sockfd);
  return 0;
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
exit(await main(argv.length, argv));
