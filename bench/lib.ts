// The library under test, as users get it: the compiled package (dist/, what
// `berkeley-sockets` and `berkeley-sockets/promises` export), built by `npm run build:ts`.
// BENCH_LIB=src measures lib/*.ts as tsx runs them instead (tsx compiles with esbuild's
// keepNames, which costs an Object.defineProperty per closure created: slower);
// BENCH_LIB=/abs/path/dist measures another compiled copy (e.g. a snapshot of the package).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Sync from '../lib/index.js';
import type * as Async from '../lib/promises.js';
import type * as Native from '../lib/native.js';

const env = process.env.BENCH_LIB ?? '';
export const source = env === 'src' ? 'src' : env.startsWith('/') ? env : 'dist';

if (source === 'dist') {
  const lib = fileURLToPath(new URL('../lib/', import.meta.url));
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const mtime = (f: string): number => (existsSync(f) ? statSync(f).mtimeMs : 0);
  const stale = readdirSync(lib).filter((f) => f.endsWith('.ts') && mtime(lib + f) > mtime(dist + f.replace(/\.ts$/, '.js')));
  if (stale.length > 0) {
    process.stderr.write(`bench: dist/ is missing or older than lib/${stale[0]}: run \`npm run build:ts\` first ` +
      '(`npm run bench` does), or set BENCH_LIB=src to run lib/*.ts through tsx\n');
    process.exit(2);
  }
}

const base = source === 'src' ? '../lib/' : source === 'dist' ? '../dist/' : `file://${source.replace(/\/?$/, '/')}`;
// Child processes (the accept client) load the same copy, checked once, here.
if (source === 'dist') process.env.BENCH_LIB = fileURLToPath(new URL(base, import.meta.url));
export const sockets = (await import(`${base}index.js`)) as typeof Sync;
export const promises = (await import(`${base}promises.js`)) as typeof Async;
/** The addon itself, for the floor rows (the library's private contract, lib/native.ts). */
export const { native } = (await import(`${base}native.js`)) as typeof Native;
