/* TCPEchoClient4.c

*/
// Ported line by line. usage: TCPEchoClient4.ts <Server Address> <Echo Word> [<Server Port>]
import { exit } from 'node:process';
import {
  AF_INET, IPPROTO_TCP, SOCK_STREAM, atoi, close, connect, fputc, fputs, htons, inet_pton, memset,
  recv, send, sizeof, sockaddr_in, socket, stdout, strlen,
} from '../../lib/index.js';
import { BUFSIZE, DieWithSystemMessage, DieWithUserMessage } from './Practical.js';

function main(argc: number, argv: string[]): never {

  if (argc < 3 || argc > 4) // Test for correct number of arguments
    DieWithUserMessage("Parameter(s)",
        "<Server Address> <Echo Word> [<Server Port>]");

  const servIP = argv[1]!; // First arg: server IP address (dotted quad)
  const echoString = argv[2]!; // Second arg: string to echo

  // Third arg (optional): server port (numeric). 7 is well-known echo port
  // in_port_t is a uint16_t: assigning atoi()'s int truncates it to 16 bits in C, so here too.
  const servPort = ((argc == 4) ? atoi(argv[3]!) : 7) & 0xffff;

  // Create a reliable, stream socket using TCP
  // C tests `if (sock < 0)`; here a failed call throws SocketError and sets errno.
  let sock: number;
  try {
    sock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  } catch {
    DieWithSystemMessage("socket() failed");
  }

  // Construct the server address structure
  const servAddr = new sockaddr_in(); // Server address
  memset(servAddr, 0, sizeof(servAddr)); // Zero out structure
  servAddr.sin_family = AF_INET; // IPv4 address family
  // Convert address
  const rtnVal = inet_pton(AF_INET, servIP, servAddr.sin_addr);
  if (rtnVal == 0)
    DieWithUserMessage("inet_pton() failed", "invalid address string");
  else if (rtnVal < 0)
    DieWithSystemMessage("inet_pton() failed");
  servAddr.sin_port = htons(servPort); // Server port

  // Establish the connection to the echo server
  try {
    connect(sock, servAddr, sizeof(servAddr));
  } catch {
    DieWithSystemMessage("connect() failed");
  }

  const echoStringLen = strlen(echoString); // Determine input length

  // Send the string to the server
  let numBytes: number;
  try {
    numBytes = send(sock, echoString, echoStringLen, 0);
  } catch {
    DieWithSystemMessage("send() failed");
  }
  if (numBytes != echoStringLen)
    DieWithUserMessage("send()", "sent unexpected number of bytes");

  // Receive the same string back from the server
  let totalBytesRcvd = 0; // Count of total bytes received
  fputs("Received: ", stdout); // Setup to print the echoed string
  while (totalBytesRcvd < echoStringLen) {
    const buffer = Buffer.alloc(BUFSIZE); // I/O buffer
    /* Receive up to the buffer size (minus 1 to leave space for
    a null terminator) bytes from the sender */
    try {
      numBytes = recv(sock, buffer, BUFSIZE - 1, 0);
    } catch {
      DieWithSystemMessage("recv() failed");
    }
    if (numBytes == 0)
      DieWithUserMessage("recv()", "connection closed prematurely");
    totalBytesRcvd += numBytes; // Keep tally of total bytes
    buffer[numBytes] = 0; // Terminate the string!
    fputs(buffer, stdout); // Print the echo buffer
  }

  fputc('\n', stdout); // Print a final linefeed

  close(sock);
  exit(0);
}

const argv = process.argv.slice(1); // argv[0] is this script, as C's is the program
main(argv.length, argv);
