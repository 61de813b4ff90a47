// A TCP echo server on 127.0.0.1 that serves many clients at once, written with the Socket
// class and its Promise methods: one event loop, no threads, nothing ever blocks.
//
//   usage: async-echo-server.ts PORT [MAXCLIENTS]
//
// The server itself is lib/cli/echo.ts (also `berkeley-sockets echo-server`, which adds
// --unix and --host). PORT 0 binds an ephemeral port and writes "listening on N\n" to stderr
// after listen(). Each client gets everything it sends echoed back until it shuts down its
// side (EOF); the server then closes that connection. What happens is printed on stdout.
// With MAXCLIENTS, the server stops accepting after that many clients, waits for them to
// finish and exits 0; without it, it serves until interrupted. Bounded: a client idle for
// 30 s is dropped, and with MAXCLIENTS a wait of 60 s for the next client exits 1.
import { exit } from 'node:process';
import { atoi, fprintf, stderr } from '../lib/index.js';
import { echoServer } from '../lib/cli/echo.js';
import { runTool } from './cli.js';

const argv = process.argv.slice(1);
if (argv.length < 2 || argv.length > 3) {
  fprintf(stderr, "usage: %s PORT [MAXCLIENTS]\n", argv[0]);
  exit(1);
}
const port = atoi(argv[1]!) & 0xffff;
const maxClients = argv.length === 3 ? Math.max(1, atoi(argv[2]!)) : Infinity;
runTool('async-echo-server', 1, () => echoServer({ port, maxClients }));
