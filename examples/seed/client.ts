// The lecture's client, ported line by line. usage: client.ts HOSTNAME PORT (the message on stdin)
import { exit } from 'node:process';
import {
  AF_INET, SOCK_STREAM, atoi, bcopy, bzero, connect, fgets, fprintf, gethostbyname, htons, perror,
  printf, read, sizeof, sockaddr_in, socket, stderr, stdin, strlen, write, type hostent,
} from '../../lib/index.js';

function error(msg: string): never {
  perror(msg);
  exit(0); // sic: the lecture's client exits 0 even on errors
}

function main(argc: number, argv: string[]): number {
  let sockfd: number, portno: number, n: number;
  const serv_addr = new sockaddr_in();
  let server: hostent | null;

  const buffer = Buffer.alloc(256);
  if (argc < 3) {
    fprintf(stderr, "usage %s hostname port\n", argv[0]);
    exit(0);
  }
  portno = atoi(argv[2]!);
  // C tests `if (sockfd < 0)`; here a failed call throws SocketError and sets errno.
  try {
    sockfd = socket(AF_INET, SOCK_STREAM, 0);
  } catch {
    error("ERROR opening socket");
  }
  server = gethostbyname(argv[1]!);
  if (server == null) {
    fprintf(stderr, "ERROR, no such host\n");
    exit(0);
  }
  bzero(serv_addr, sizeof(serv_addr));
  serv_addr.sin_family = AF_INET;
  bcopy(server.h_addr,
        serv_addr.sin_addr,
        server.h_length);
  serv_addr.sin_port = htons(portno & 0xffff); // htons() takes a uint16_t: C truncates the int the same way
  try {
    connect(sockfd, serv_addr, sizeof(serv_addr));
  } catch {
    error("ERROR connecting");
  }
  printf("Please enter the message: ");
  bzero(buffer, 256);
  fgets(buffer, 255, stdin);
  try {
    n = write(sockfd, buffer, strlen(buffer));
  } catch {
    error("ERROR writing to socket");
  }
  bzero(buffer, 256);
  try {
    n = read(sockfd, buffer, 255);
  } catch {
    error("ERROR reading from socket");
  }
  printf("%s\n", buffer);
  return 0;
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
exit(main(argv.length, argv));
