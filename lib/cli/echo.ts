// An echo server and an echo client over TCP or a Unix stream socket, on the Socket class and
// its Promise methods: one event loop, nothing ever blocks, every wait bounded. The
// `berkeley-sockets echo-server` / `echo-client` subcommands and examples/async-echo-server.ts
// run these.
import { unlinkSync, writeSync } from 'node:fs';
import {
  AF_INET, AF_INET6, AF_UNIX, SHUT_WR, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, Socket, SocketError, fprintf,
  sockaddr_in, sockaddr_in6, sockaddr_un, stderr, type SocketAddress,
} from '../index.js';
import { getaddrinfo } from '../promises.js';
import { ToolError, interrupted, lookupFailed, syscallFailed } from './common.js';

/** @internal */
export interface EchoServerOptions {
  /** TCP port (0: an ephemeral one, announced as `listening on N` on stderr). */
  port?: number;
  /** The address to listen on (default 127.0.0.1; `::1`, `::` and `0.0.0.0` work too). */
  host?: string;
  /** A Unix stream socket at this path instead of TCP (removed on exit). */
  unix?: string;
  /** Stop after this many clients (default: serve until interrupted). */
  maxClients?: number;
  /** A client silent this long is dropped (ms). */
  idleMs?: number;
  /** With maxClients: how long to wait for the next client before giving up (ms). */
  acceptMs?: number;
}

/** Echoes one client until EOF; returns the bytes echoed. */
async function serve(client: Socket, idleMs: number): Promise<number> {
  let total = 0;
  for await (const chunk of client.chunks({ timeout: idleMs })) {
    for (let off = 0; off < chunk.length;) off += await client.send(chunk.subarray(off), undefined, 0, { timeout: idleMs });
    total += chunk.length;
  }
  return total;
}

/**
 * Serves clients at once, each echoed until it shuts down its side (EOF). What happens goes
 * to stdout, one line per event. Resolves to 0 after `maxClients` clients have finished, or
 * on SIGINT/SIGTERM; setup failures throw a ToolError.
 * @internal
 */
export async function echoServer(o: EchoServerOptions): Promise<number> {
  const maxClients = o.maxClients ?? Infinity;
  const idleMs = o.idleMs ?? 30_000;
  const port = o.port ?? 0;
  const host = o.host ?? '127.0.0.1';
  let addr: SocketAddress;
  if (o.unix !== undefined) addr = new sockaddr_un(o.unix);
  else addr = host.includes(':') ? new sockaddr_in6(host, port) : new sockaddr_in(host, port);
  const listener = new Socket(o.unix !== undefined ? AF_UNIX : addr instanceof sockaddr_in6 ? AF_INET6 : AF_INET, SOCK_STREAM);
  const stop = interrupted();
  const running = new Set<Promise<void>>();
  let bound = false;
  let served = 0;
  try {
    try {
      if (o.unix === undefined) listener.setOption(SOL_SOCKET, SO_REUSEADDR, 1);
      listener.bind(addr);
      bound = true;
      listener.listen(128);
    } catch (e) {
      syscallFailed(bound ? 'listen' : 'bind', e);
    }
    const local = listener.localAddress;
    if (o.unix === undefined && port === 0) fprintf(stderr, 'listening on %d\n', (local as sockaddr_in).port);
    console.log(`echo server on ${String(local)}${maxClients === Infinity ? '' : `, for ${maxClients} client(s)`}`);

    while (served < maxClients) {
      let client: Socket;
      try {
        client = await listener.accept(null, undefined, { signal: stop.signal, ...(maxClients === Infinity ? {} : { timeout: o.acceptMs ?? 60_000 }) });
      } catch (e) {
        if (stop.signal.aborted) break;
        syscallFailed('accept', e);
      }
      const id = ++served;
      let peer = '?';
      try {
        peer = String(client.remoteAddress);
      } catch {
        // the client has gone already (ENOTCONN)
      }
      if (o.unix !== undefined) peer = 'a Unix socket';
      console.log(`client ${id} connected from ${peer} (${running.size + 1} active)`);
      const done: Promise<void> = serve(client, idleMs).then(
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
    console.log(`served ${served} client(s), exiting`);
    return 0;
  } finally {
    stop.dispose();
    if (!listener.closed) listener.close();
    if (o.unix !== undefined && bound) {
      try {
        unlinkSync(o.unix);
      } catch {
        // gone already
      }
    }
  }
}

/** @internal */
export interface EchoClientOptions {
  /** The server's host name or address, with `port`. */
  host?: string;
  port?: number;
  /** A Unix stream socket path instead of host and port. */
  unix?: string;
  message: Buffer;
  /** Bound on the connect and on each send and receive (ms). */
  timeoutMs?: number;
}

/** Connects to the first address of `host` that accepts, as a client built on getaddrinfo does. */
async function connectTo(host: string, port: number, timeout: number): Promise<Socket> {
  let res;
  try {
    res = await getaddrinfo(host, String(port), { ai_socktype: SOCK_STREAM }, { timeout });
  } catch (e) {
    lookupFailed(host, e);
  }
  let last: unknown;
  for (const ai of res) {
    const s = new Socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    try {
      return await s.connect(ai.ai_addr, undefined, { timeout });
    } catch (e) {
      s.close();
      last = e;
    }
  }
  syscallFailed('connect', last);
}

/**
 * Sends `o.message`, shuts down its side, and writes what comes back to stdout (then a
 * newline unless the echo ends with one). Resolves to 0 when the whole message came back;
 * throws a ToolError otherwise.
 * @internal
 */
export async function echoClient(o: EchoClientOptions): Promise<number> {
  const timeout = o.timeoutMs ?? 10_000;
  let sock: Socket;
  if (o.unix !== undefined) {
    sock = new Socket(AF_UNIX, SOCK_STREAM);
    try {
      await sock.connect(new sockaddr_un(o.unix), undefined, { timeout });
    } catch (e) {
      sock.close();
      syscallFailed('connect', e);
    }
  } else sock = await connectTo(o.host ?? '127.0.0.1', o.port ?? 7, timeout);
  try {
    let got = 0;
    let last = -1;
    try {
      for (let off = 0; off < o.message.length;) off += await sock.send(o.message.subarray(off), undefined, 0, { timeout });
      sock.shutdown(SHUT_WR);
      for await (const chunk of sock.chunks({ timeout })) {
        for (let off = 0; off < chunk.length;) off += writeSync(1, chunk, off);
        got += chunk.length;
        last = chunk[chunk.length - 1]!;
      }
    } catch (e) {
      syscallFailed('echo', e);
    }
    if (got > 0 && last !== 0x0a) writeSync(1, '\n');
    if (got !== o.message.length) throw new ToolError('recv', `connection closed after ${got} of ${o.message.length} bytes`);
    return 0;
  } finally {
    sock.close();
  }
}
