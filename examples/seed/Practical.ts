// Practical.ts: the helpers from Donahoo & Calvert's "TCP/IP Sockets in C" (Practical.h and
// DieWithMessage.c) that TCPEchoClient4.ts uses.
import { exit } from 'node:process';
import { fputc, fputs, perror, stderr } from '../../lib/index.js';

/** Size of the I/O buffer. */
export const BUFSIZE = 512;

/** Handle error with user msg: prints `msg: detail` and a newline to stderr, exits 1. */
export function DieWithUserMessage(msg: string, detail: string): never {
  fputs(msg, stderr);
  fputs(": ", stderr);
  fputs(detail, stderr);
  fputc('\n', stderr);
  exit(1);
}

/** Handle error with sys msg: perror(msg) (the text of the library's errno), exits 1. */
export function DieWithSystemMessage(msg: string): never {
  perror(msg);
  exit(1);
}
