// The smoke test run against the installed tarball, the same for import and require():
// `bs` is the package, `P` its /promises entry, `how` names the way it was loaded.
'use strict';
const assert = require('node:assert/strict');

module.exports = async function check(bs, P, how) {
  // A real socketpair: bytes one way through send/recv, back through the Promise API.
  const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  try {
    assert.equal(bs.send(a, 'ping'), 4);
    const buf = Buffer.alloc(16);
    assert.equal(bs.recv(b, buf), 4);
    assert.equal(buf.toString('utf8', 0, 4), 'ping');
    const sent = P.send(b, 'pong');
    assert.equal(await P.recv(a, buf, undefined, 0, { timeout: 5000 }), 4);
    assert.equal(await sent, 4);
    assert.equal(buf.toString('utf8', 0, 4), 'pong');
  } finally {
    bs.close(a);
    bs.close(b);
  }
  // Constants: the headers' values, and the manifest agrees with the loaded addon.
  assert.equal(bs.AF_UNIX, 1);
  assert.equal(bs.SOCK_STREAM, 1);
  assert.equal(bs.manifest.constants.SOMAXCONN.value, bs.SOMAXCONN);
  // A SocketError with errno, code and syscall: connect to a path that does not exist.
  const fd = bs.socket(bs.AF_UNIX, bs.SOCK_STREAM, 0);
  try {
    assert.throws(() => bs.connect(fd, new bs.sockaddr_un('/nonexistent/berkeley-sockets-smoke')), (e) => {
      assert.ok(e instanceof bs.SocketError);
      assert.equal(e.errno, bs.ENOENT);
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.syscall, 'connect');
      return true;
    });
    assert.equal(bs.errno, bs.ENOENT);
  } finally {
    bs.close(fd);
  }
  console.log(`${how}: ok`);
};
