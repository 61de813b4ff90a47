// What the command-line tools (the `berkeley-sockets` bin and the examples that run the same
// code) share: how a tool reports a failure, an abort signal tied to SIGINT/SIGTERM, and a
// cache of reverse lookups. Not part of the library's API: nothing in lib/index.ts exports it.
import { NI_NAMEREQD, SocketError, sockaddr_in, sockaddr_in6, strerror, type SocketAddress } from '../index.js';
import { getnameinfo } from '../promises.js';

/**
 * A tool gave up: `what` names the step (a syscall, a host name) and `detail` the reason,
 * printed as perror(3) prints them: `tool: what: detail`. `usage`: the arguments were at
 * fault, not the system (exit status 2 in the bin).
 * @internal
 */
export class ToolError extends Error {
  constructor(
    readonly what: string,
    readonly detail: string,
    readonly cause?: SocketError,
    readonly usage = false,
  ) {
    super(what === '' ? detail : `${what}: ${detail}`);
    this.name = 'ToolError';
  }
}

/** A failed syscall as a ToolError (`socket: Operation not permitted`); anything else rethrown. @internal */
export function syscallFailed(what: string, e: unknown): never {
  if (e instanceof SocketError) throw new ToolError(what, strerror(e.errno), e);
  throw e;
}

/** getaddrinfo(3) failing for `host`: `host: Name or service not known` (gai_strerror's text). @internal */
export function lookupFailed(host: string, e: unknown): never {
  const message = e instanceof Error ? e.message : String(e);
  throw new ToolError(host, /\(([^)]*)\)$/.exec(message)?.[1] ?? message);
}

/** Arguments the tool cannot use (exit status 2). @internal */
export function badUsage(message: string): never {
  throw new ToolError('', message, undefined, true);
}

/**
 * An AbortSignal raised by the first SIGINT or SIGTERM, so a tool can stop waiting and print
 * its summary as its C counterpart does; `dispose()` removes the handlers.
 * @internal
 */
export function interrupted(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Reverse lookups, each address asked once (getnameinfo on the thread pool, NI_NAMEREQD,
 * bounded): `name (address)`, or the bare address when numeric or when it has no name.
 * `always`: `address (address)` for a nameless one, as traceroute prints it.
 * @internal
 */
export class Names {
  readonly #cache = new Map<string, string>();
  constructor(
    public numeric: boolean,
    readonly always = false,
  ) {}

  async of(from: SocketAddress): Promise<string> {
    const addr = from instanceof sockaddr_in || from instanceof sockaddr_in6 ? from.address : String(from);
    if (this.numeric) return addr;
    let name = this.#cache.get(addr);
    if (name === undefined) {
      try {
        name = (await getnameinfo(from, NI_NAMEREQD, { timeout: 2000 })).host;
      } catch {
        name = addr;
      }
      this.#cache.set(addr, name);
    }
    return name === addr && !this.always ? addr : `${name} (${addr})`;
  }
}
