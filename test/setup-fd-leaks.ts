// Fails a test file that leaves a socket fd open: every test closes what it opens.
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';

function socketFds(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) out.add(fd);
    } catch {
      // the fd used by readdir itself is gone by now
    }
  }
  return out;
}

let before = new Set<string>();
beforeAll(() => {
  before = socketFds();
});
afterAll(() => {
  const leaked = [...socketFds()].filter((fd) => !before.has(fd));
  if (leaked.length > 0) throw new Error(`socket fds leaked by this file: ${leaked.join(', ')}`);
});
