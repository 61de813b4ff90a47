// CommonJS entry of the smoke test: a .cjs file that require()s the package.
'use strict';
const check = require('./checks.cjs');
check(require('berkeley-sockets'), require('berkeley-sockets/promises'), 'require from a .cjs file').catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
