// A TCP echo server on 127.0.0.1 that serves many clients at once, written with the Socket
// class and its Promise methods: one event loop, no threads, nothing ever blocks.
//
//   usage: async-echo-server.ts PORT [MAXCLIENTS]
//
// PORT 0 binds an ephemeral port and writes "listening on N\n" to stderr after listen().
// Each client gets everything it sends echoed back until it shuts down its side (EOF); the
// server then closes that connection. What happens is printed on stdout. With MAXCLIENTS,
// the server stops accepting after that many clients, waits for them to finish and exits 0;
// without it, it serves until interrupted. Bounded: a client idle for IDLE_MS is dropped,
// and with MAXCLIENTS a wait of ACCEPT_MS for the next client exits 2.
import { exit } from 'node:process';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, Socket, SocketError, atoi, fprintf, sockaddr_in, stderr,
  type SocketAddress,
} from '../lib/index.js';

const IDLE_MS = 30_000;
const ACCEPT_MS = 60_000;

const argv = process.argv.slice(1);
if (argv.length < 2 || argv.length > 3) {
  fprintf(stderr, "usage: %s PORT [MAXCLIENTS]\n", argv[0]);
  exit(1);
}
const port = atoi(argv[1]!);
const maxClients = argv.length === 3 ? Math.max(1, atoi(argv[2]!)) : Infinity;

/** Echoes one client until EOF; returns the bytes echoed. */
async function serve(client: Socket): Promise<number> {
  let total = 0;
  for await (const chunk of client.chunks({ timeout: IDLE_MS })) {
    for (let off = 0; off < chunk.length;) off += await client.send(chunk.subarray(off), undefined, 0, { timeout: IDLE_MS });
    total += chunk.length;
  }
  return total;
}

const listener = new Socket(AF_INET, SOCK_STREAM);
try {
  listener.setOption(SOL_SOCKET, SO_REUSEADDR, 1).bind(new sockaddr_in('127.0.0.1', port & 0xffff)).listen(128);
} catch (e) {
  fprintf(stderr, "%s\n", (e as Error).message);
  exit(1);
}
const bound = listener.localAddress as sockaddr_in;
if (port === 0) fprintf(stderr, "listening on %d\n", bound.port);
console.log(`echo server on ${bound}${maxClients === Infinity ? '' : `, for ${maxClients} client(s)`}`);

const running = new Set<Promise<void>>();
for (let id = 1; id <= maxClients; id++) {
  let client: Socket;
  try {
    client = await listener.accept(null, undefined, maxClients === Infinity ? undefined : { timeout: ACCEPT_MS });
  } catch (e) {
    fprintf(stderr, "accept: %s\n", (e as Error).message);
    exit(2);
  }
  let peer = '?';
  try {
    peer = String(client.remoteAddress as SocketAddress);
  } catch {
    // the client has gone already (ENOTCONN)
  }
  console.log(`client ${id} connected from ${peer} (${running.size + 1} active)`);
  const done: Promise<void> = serve(client).then(
    (n) => console.log(`client ${id}: echoed ${n} bytes, closing`),
    (e: unknown) => console.log(`client ${id}: ${e instanceof SocketError ? e.code : String(e)}, dropping`),
  ).finally(() => {
    client.close();
    running.delete(done);
  });
  running.add(done);
}
listener.close();
await Promise.all(running);
console.log(`served ${maxClients} client(s), exiting`);
exit(0);
