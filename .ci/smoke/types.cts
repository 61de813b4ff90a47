// require() of the ESM package from a CommonJS file: typed under nodenext (TS >= 5.8 models
// Node's require(esm)); node16 models a Node without it and rejects this, as Node 16 would.
import bs = require('berkeley-sockets');
import P = require('berkeley-sockets/promises');

const fd: number = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
const pending: Promise<number> = P.recv(fd, Buffer.alloc(1));
void pending;
bs.close(fd);
