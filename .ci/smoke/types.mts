// Type-checked (not run) under module/moduleResolution node16, nodenext and bundler.
import { socketpair, close, send, SocketError, sockaddr_in, AF_UNIX, SOCK_STREAM, errno } from 'berkeley-sockets';
import { recv } from 'berkeley-sockets/promises';

const [a, b]: [number, number] = socketpair(AF_UNIX, SOCK_STREAM, 0);
try {
  const n: number = send(a, 'x');
  const p: Promise<number> = recv(b, Buffer.alloc(1));
  const addr: sockaddr_in = new sockaddr_in();
  void [n, p, addr];
} catch (err) {
  if (err instanceof SocketError) {
    const detail: [number, string, string, number] = [err.errno, err.code, err.syscall, errno];
    void detail;
  }
} finally {
  close(a);
  close(b);
}
