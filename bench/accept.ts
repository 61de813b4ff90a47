// Accept rate: a server that accepts each connection and closes it at once, driven by one
// separate client process (bench/accept-client.ts) keeping a fixed number of connections in
// flight. The client's completed-connection rate is what is reported: it is the same
// client for both servers, so the difference is the server side. The CPU time the server
// process spends per connection is measured too.
// Ours: a loop of `await accept(lfd)` + close(fd) (Promise API). Node's: net.createServer
// with a 'connection' listener that calls socket.destroy().
import net from 'node:net';
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unixPath, type Measurement, type Settings } from './common.js';
import { promises as p, sockets } from './lib.js';
import type { Family } from './stream.js';

const {
  AF_INET, AF_UNIX, ECANCELED, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR,
  bind, close, getsockname, listen, setsockopt, sockaddr_in, sockaddr_un, socket,
} = sockets;

const CLIENT = fileURLToPath(new URL('./accept-client.ts', import.meta.url));

interface ClientReport {
  connections: number;
  total: number;
  seconds: number;
  rate: number;
}

/**
 * Runs the client process against `target` (a TCP port on 127.0.0.1, or a Unix socket
 * path); resolves with its rate, and the CPU time this (server) process spent meanwhile
 * per connection made.
 */
async function drive(target: number | string, s: Settings, accepted: () => number): Promise<Measurement> {
  const cpu0 = process.cpuUsage();
  const report = await new Promise<ClientReport>((resolve, reject) => {
    // process.execArgv carries tsx's loader when the benchmark runs under tsx.
    const args = [CLIENT, target, s.acceptConcurrency, s.clientThreads, s.warmup, s.duration].map(String);
    const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), s.warmup + s.duration + 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`accept client exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(out.trim()) as ClientReport);
      } catch (e) {
        reject(e);
      }
    });
  });
  // The last accepts may still be queued behind the client's exit.
  for (let i = 0; i < 100 && accepted() < report.total; i++) await new Promise((r) => setTimeout(r, 10));
  if (accepted() !== report.total) throw new Error(`accept: client made ${report.total} connections, server accepted ${accepted()}`);
  const cpu = process.cpuUsage(cpu0);
  return { rate: report.rate, cpuUs: (cpu.user + cpu.system) / report.total };
}

export async function oursAccept(family: Family, s: Settings): Promise<Measurement> {
  const path = family === 'unix' ? unixPath('accept') : undefined;
  const lfd = socket(family === 'tcp' ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  let open = true;
  try {
    let target: number | string;
    if (path === undefined) {
      setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1); // as libuv does for Node's listening socket
      bind(lfd, new sockaddr_in('127.0.0.1', 0));
      const addr = new sockaddr_in();
      getsockname(lfd, addr);
      target = addr.port;
    } else {
      rmSync(path, { force: true });
      bind(lfd, new sockaddr_un(path));
      target = path;
    }
    listen(lfd, 511);
    let accepted = 0;
    const server = (async () => {
      try {
        for (;;) {
          const fd = await p.accept(lfd);
          close(fd);
          accepted++;
        }
      } catch (e) {
        if ((e as { errno?: number }).errno !== ECANCELED) throw e; // close(lfd) ends the loop
      }
    })();
    const m = await drive(target, s, () => accepted);
    open = false;
    close(lfd);
    await server;
    return m;
  } finally {
    if (open) close(lfd);
    if (path !== undefined) rmSync(path, { force: true });
  }
}

export async function nodeAccept(family: Family, s: Settings): Promise<Measurement> {
  const path = family === 'unix' ? unixPath('accept') : undefined;
  if (path !== undefined) rmSync(path, { force: true });
  let accepted = 0;
  const server = net.createServer((c) => {
    accepted++;
    c.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (path !== undefined) server.listen(path, 511, resolve);
    else server.listen(0, '127.0.0.1', 511, resolve);
  });
  try {
    return await drive(path ?? (server.address() as net.AddressInfo).port, s, () => accepted);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (path !== undefined) rmSync(path, { force: true });
  }
}
