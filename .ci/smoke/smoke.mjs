// ESM entry of the smoke test; also runs the require() one and both inside a worker thread.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import * as bs from 'berkeley-sockets';
import * as P from 'berkeley-sockets/promises';

const require = createRequire(import.meta.url);
const check = require('./checks.cjs');
const inWorker = process.argv[2] === 'worker';
const where = inWorker ? 'worker thread' : 'main thread';

await check(bs, P, `import (${where})`);
// require() of this ESM package: Node's require(esm), unflagged from 20.19 and 22.12.
await check(require('berkeley-sockets'), require('berkeley-sockets/promises'), `require (${where})`);

if (!inWorker) {
  const code = await new Promise((resolve, reject) => {
    new Worker(new URL(import.meta.url), { argv: ['worker'] }).on('error', reject).on('exit', resolve);
  });
  if (code !== 0) throw new Error(`worker exited with ${code}`);
  const { resolve } = require('node-gyp-build');
  console.log(`addon: ${resolve(require.resolve('berkeley-sockets/package.json').replace(/package\.json$/, ''))}`);
}
