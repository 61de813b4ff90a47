// A Unix-domain SOCK_SEQPACKET echo server: connection-oriented like a stream, but every
// send is one message whose boundaries the reader sees, in order and reliably. Node's net
// module cannot open this kind of socket; here it is the Socket class, iterated with
// `for await`, one message per chunk, each sent back as one message.
//
//   usage: seqpacket-server.ts PATH [MAXCLIENTS]
//
// Binds PATH (a filesystem path; a leading '@' means a Linux abstract name), writes
// "listening on PATH\n" to stderr after listen(), and prints each message on stdout. Clients
// are served at once. With MAXCLIENTS the server exits 0 after that many clients have
// finished (and removes PATH); without it, it serves until interrupted. Bounded: a client
// idle for IDLE_MS is dropped, and with MAXCLIENTS waiting ACCEPT_MS for one exits 2.
import { unlinkSync } from 'node:fs';
import { exit } from 'node:process';
import {
  AF_UNIX, SOCK_SEQPACKET, Socket, SocketError, atoi, fprintf, sockaddr_un, stderr,
} from '../lib/index.js';

const IDLE_MS = 30_000;
const ACCEPT_MS = 60_000;
/** The largest message this server takes: a longer one would be truncated to this. */
const MAX_MESSAGE = 65_536;

const argv = process.argv.slice(1);
if (argv.length < 2 || argv.length > 3) {
  fprintf(stderr, "usage: %s PATH [MAXCLIENTS]\n", argv[0]);
  exit(1);
}
const path = argv[1]!.startsWith('@') ? `\0${argv[1]!.slice(1)}` : argv[1]!;
const maxClients = argv.length === 3 ? Math.max(1, atoi(argv[2]!)) : Infinity;
const abstract = path.startsWith('\0');
const shown = abstract ? `@${path.slice(1)}` : path;

const listener = new Socket(AF_UNIX, SOCK_SEQPACKET);
try {
  listener.bind(new sockaddr_un(path)).listen(64);
} catch (e) {
  fprintf(stderr, "%s\n", (e as Error).message);
  exit(1);
}
const cleanup = (): void => {
  listener.close();
  if (!abstract) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
};
process.once('SIGINT', () => {
  cleanup();
  exit(130);
});
fprintf(stderr, "listening on %s\n", shown);
console.log(`seqpacket echo server on ${shown}${maxClients === Infinity ? '' : `, for ${maxClients} client(s)`}`);

/** Echoes each message back as one message, until the client closes; returns the count. */
async function serve(id: number, client: Socket): Promise<number> {
  let count = 0;
  for await (const msg of client.chunks({ size: MAX_MESSAGE, timeout: IDLE_MS })) {
    count++;
    console.log(`client ${id} message ${count}: ${msg.length} bytes ${JSON.stringify(msg.toString())}`);
    await client.send(msg, msg.length, 0, { timeout: IDLE_MS });
  }
  return count;
}

const running = new Set<Promise<void>>();
for (let id = 1; id <= maxClients; id++) {
  let client: Socket;
  try {
    client = await listener.accept(null, undefined, maxClients === Infinity ? undefined : { timeout: ACCEPT_MS });
  } catch (e) {
    fprintf(stderr, "accept: %s\n", (e as Error).message);
    cleanup();
    exit(2);
  }
  console.log(`client ${id} connected`);
  const done: Promise<void> = serve(id, client).then(
    (n) => console.log(`client ${id}: echoed ${n} message(s), closing`),
    (e: unknown) => console.log(`client ${id}: ${e instanceof SocketError ? e.code : String(e)}, dropping`),
  ).finally(() => {
    client.close();
    running.delete(done);
  });
  running.add(done);
}
await Promise.all(running);
cleanup();
console.log(`served ${maxClients} client(s), exiting`);
exit(0);
