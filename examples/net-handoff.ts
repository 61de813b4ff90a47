// Handing a socket from this library to Node: a connected TCP socket made with the Socket
// class is detached and given to `new net.Socket({ fd })`, then used with Node's stream
// API (write, 'data', end), talking to an echo server written with this library.
//
//   usage: net-handoff.ts
//
// Everything runs on 127.0.0.1 in this one process and is printed on stdout; exits 0 when
// the echoed text came back through the net.Socket, 1 otherwise (or after TIMEOUT_MS).
import net from 'node:net';
import { once } from 'node:events';
import { AF_INET, SOCK_STREAM, Socket, sockaddr_in } from '../lib/index.js';

const TIMEOUT_MS = 10_000;
const TEXT = 'hello from a net.Socket over a berkeley-sockets fd\n';
const guard = setTimeout(() => {
  console.log('timed out');
  process.exit(1);
}, TIMEOUT_MS);

// The server: this library's Socket class, echoing one client until it shuts down its side.
const listener = new Socket(AF_INET, SOCK_STREAM).bind(new sockaddr_in('127.0.0.1', 0)).listen();
console.log(`library echo server listening on ${listener.localAddress}`);
const served = (async () => {
  const conn = await listener.accept();
  for await (const chunk of conn) await conn.send(chunk);
  conn.close();
  console.log('server: client finished, connection closed');
})();

// The client: connected with this library...
const client = await new Socket(AF_INET, SOCK_STREAM).connect(listener.localAddress);
console.log(`library socket fd ${client.fd} connected from ${client.localAddress}`);

// ...then handed over. detach() cancels nothing here (nothing pending), restores blocking
// mode if the Promise API had changed it, and makes the Socket forget the fd, which from
// now on belongs to the net.Socket (destroying it closes the fd).
const fd = client.detach();
const stream = new net.Socket({ fd, readable: true, writable: true });
console.log(`net.Socket took fd ${fd}: remote ${stream.remoteAddress}:${stream.remotePort}`);

let echoed = '';
stream.setEncoding('utf8');
stream.on('data', (s: string) => {
  echoed += s;
});
stream.end(TEXT); // write, then shutdown(SHUT_WR): the server sees EOF after the text
await once(stream, 'end');
stream.destroy();
await served;
listener.close();
clearTimeout(guard);

console.log(`net.Socket read back: ${JSON.stringify(echoed)}`);
const ok = echoed === TEXT;
console.log(ok ? 'round trip OK' : 'round trip FAILED');
process.exit(ok ? 0 : 1);
