// The data calls' side of the native contract: send, recv, sendto, recvfrom, read and write
// take their numbers through the addon's ioArgs cells and only their buffers as arguments
// (see native/io.cc), and leave their result in a cell: that saves a Node-API call per
// number on every call. These wrappers keep the plain (fd, buf, len, flags, …) shape for
// the sync and Promise layers; the cells are written right before each call and read right
// after it, with no JavaScript in between.
import { native } from './native.js';

const A = native.ioArgs;
const FD = 0, LEN = 1, FLAGS = 2, ALEN = 3, RESULT = 5;
const { send: nSend, recv: nRecv, sendto: nSendto, recvfrom: nRecvfrom, read: nRead, write: nWrite } = native;

function cells(fd: number, len: number, flags: number, addrlen: number): void {
  A[FD] = fd;
  A[LEN] = len;
  A[FLAGS] = flags;
  A[ALEN] = addrlen;
}

export function send(fd: number, buf: ArrayBufferView, len: number, flags: number): number {
  cells(fd, len, flags, -1);
  nSend(buf);
  return A[RESULT]!;
}

export function recv(fd: number, buf: ArrayBufferView, len: number, flags: number): number {
  cells(fd, len, flags, -1);
  nRecv(buf);
  return A[RESULT]!;
}

export function read(fd: number, buf: ArrayBufferView, len: number): number {
  cells(fd, len, 0, -1);
  nRead(buf);
  return A[RESULT]!;
}

export function write(fd: number, buf: ArrayBufferView, len: number): number {
  cells(fd, len, 0, -1);
  nWrite(buf);
  return A[RESULT]!;
}

/** `addr` of `addrlen` bytes, or null on a connected socket. */
export function sendto(fd: number, buf: ArrayBufferView, len: number, flags: number, addr: Uint8Array | null, addrlen: number): number {
  if (addr === null) {
    cells(fd, len, flags, -1);
    nSendto(buf);
    return A[RESULT]!;
  }
  cells(fd, len, flags, addrlen);
  nSendto(buf, addr);
  return A[RESULT]!;
}

/** The sender goes into `addr` (all of its bytes are room), its length to addrLen[0]. */
export function recvfrom(fd: number, buf: ArrayBufferView, len: number, flags: number, addr: Uint8Array | null): number {
  if (addr === null) {
    cells(fd, len, flags, -1);
    nRecvfrom(buf);
    return A[RESULT]!;
  }
  cells(fd, len, flags, addr.length);
  nRecvfrom(buf, addr);
  return A[RESULT]!;
}
