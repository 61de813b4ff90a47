/**
 * Test-peer helpers: compile the independent C peers in test/peers/c, locate
 * the Python peers in test/peers/py, and discover ephemeral ports.
 *
 * Peers (see the header comment of each source file for the full contract):
 *   seed_server PORT              lecture "server" twin (exit 1 on errors)
 *   seed_client HOST PORT         lecture "client" twin (exit 0 on errors)
 *   echo_server PORT [MAXCLIENTS] bounded echo server on 127.0.0.1
 *   echo_client IP WORD [PORT]    TCPEchoClient4 twin (C only)
 * Servers started with PORT 0 print "listening on N\n" to stderr.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type CPeerName = 'seed_server' | 'seed_client' | 'echo_server' | 'echo_client';
export type CPeers = Record<CPeerName, string>;

const C_PEERS: readonly CPeerName[] = ['seed_server', 'seed_client', 'echo_server', 'echo_client'];

const cSourceDir = fileURLToPath(new URL('./c/', import.meta.url));
const pySourceDir = fileURLToPath(new URL('./py/', import.meta.url));

/** Absolute paths of the Python peers (run them as `python3 <path> ...`). */
export const pyPeers = {
  seed_server: join(pySourceDir, 'seed_server.py'),
  seed_client: join(pySourceDir, 'seed_client.py'),
  echo_server: join(pySourceDir, 'echo_server.py'),
} as const;

let buildDir: string | undefined;
let building: Promise<CPeers> | undefined;

/**
 * Compile every C peer once per process (memoised) with
 * `cc -O1 -Wall -Wextra -Werror` into one mkdtemp directory under os.tmpdir().
 * Resolves with absolute paths of the executables.
 */
export function buildCPeers(): Promise<CPeers> {
  if (!building) {
    building = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berkeley-sockets-peers-'));
      buildDir = dir;
      const entries = await Promise.all(
        C_PEERS.map(async (name): Promise<[CPeerName, string]> => {
          const out = join(dir, name);
          const src = join(cSourceDir, `${name}.c`);
          try {
            await execFileAsync('cc', ['-O1', '-Wall', '-Wextra', '-Werror', '-o', out, src]);
          } catch (err) {
            const e = err as Error & { stderr?: string };
            throw new Error(`compiling ${src} failed: ${e.stderr || e.message}`);
          }
          return [name, out];
        }),
      );
      return Object.fromEntries(entries) as CPeers;
    })();
    // Let a failed build be retried rather than cached forever.
    building.catch(() => {
      building = undefined;
    });
  }
  return building;
}

/** Remove the compiled peers' directory; a later buildCPeers() rebuilds. */
export function cleanupPeers(): void {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  buildDir = undefined;
  building = undefined;
}

/**
 * Resolve with the port from the child's `listening on N` stderr line
 * (the child must be spawned with a piped stderr and PORT 0). Rejects on
 * timeout or if the child exits first. Only watches stderr: attach your own
 * stderr collector BEFORE calling this if the test also needs the other
 * stderr output (this helper does not buffer it for you).
 */
export function waitForListening(child: ChildProcess, timeoutMs = 5000): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const stderr = child.stderr;
    if (!stderr) {
      reject(new Error('waitForListening: child stderr is not piped'));
      return;
    }
    let seen = '';
    const cleanup = () => {
      clearTimeout(timer);
      stderr.off('data', onData);
      child.off('close', onExit);
      child.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      const m = /^listening on (\d+)\r?\n/m.exec(seen);
      if (m) {
        cleanup();
        resolve(Number(m[1]));
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(
        new Error(
          `peer exited (code ${code}, signal ${signal}) before listening; stderr: ${JSON.stringify(seen)}`,
        ),
      );
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(`peer not listening after ${timeoutMs} ms; stderr so far: ${JSON.stringify(seen)}`),
      );
    }, timeoutMs);
    stderr.on('data', onData);
    // 'close' (not 'exit'): fires after stderr is drained, so no line is missed.
    child.once('close', onExit);
    child.once('error', onError);
  });
}
