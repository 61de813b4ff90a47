/* A simple server in the internet domain using TCP
   The port number is passed as an argument */
// The lecture's server, ported line by line. usage: server.ts PORT
import { exit } from 'node:process';
import {
  AF_INET, INADDR_ANY, SOCK_STREAM, accept, atoi, bind, bzero, fprintf, getsockname, htons, listen,
  ntohs, perror, printf, read, sizeof, sockaddr_in, socket, stderr, write,
} from '../../lib/index.js';

function error(msg: string): never {
  perror(msg);
  exit(1);
}

function main(argc: number, argv: string[]): number {
  let sockfd: number, newsockfd: number, portno: number, clilen: number;
  const buffer = Buffer.alloc(256);
  const serv_addr = new sockaddr_in(), cli_addr = new sockaddr_in();
  let n: number;
  if (argc < 2) {
    fprintf(stderr, "ERROR, no port provided\n");
    exit(1);
  }
  // C tests `if (sockfd < 0)`; here a failed call throws SocketError and sets errno.
  try {
    sockfd = socket(AF_INET, SOCK_STREAM, 0);
  } catch {
    error("ERROR opening socket");
  }
  bzero(serv_addr, sizeof(serv_addr));
  portno = atoi(argv[1]!);
  serv_addr.sin_family = AF_INET;
  serv_addr.sin_addr.s_addr = INADDR_ANY;
  serv_addr.sin_port = htons(portno & 0xffff); // htons() takes a uint16_t: C truncates the int the same way
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
  // ---- test hook (not in the C): BSOCK_ANNOUNCE_PORT=1 with port 0 announces the
  // ephemeral port on stderr, like the C/Python test peers. stdout is unchanged. ----
  if (process.env.BSOCK_ANNOUNCE_PORT === '1' && portno === 0) {
    const bound = new sockaddr_in();
    getsockname(sockfd, bound);
    fprintf(stderr, "listening on %d\n", ntohs(bound.sin_port));
  }
  // ---- end of test hook ----
  clilen = sizeof(cli_addr);
  try {
    // C passes &clilen; the kernel's length comes back in cli_addr.addrlen.
    newsockfd = accept(sockfd, cli_addr, clilen);
  } catch {
    error("ERROR on accept");
  }
  bzero(buffer, 256);
  try {
    n = read(newsockfd, buffer, 255);
  } catch {
    error("ERROR reading from socket");
  }
  printf("Here is the message: %s\n", buffer);
  try {
    n = write(newsockfd, "I got your message", 18);
  } catch {
    error("ERROR writing to socket");
  }
  return 0;
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
exit(main(argv.length, argv));
