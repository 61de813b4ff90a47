// Passing a LISTENING socket to another process with SCM_RIGHTS: the parent binds and
// listens, forks itself as a child connected by a Unix socketpair, sends the listening fd
// in a control message, and closes its own copy. The child accepts one connection on the
// fd it received; the parent connects and prints what the child said.
//
//   usage: pass-fd.ts            (the child runs as: pass-fd.ts --child, with the socketpair as fd 3)
import { spawn } from 'node:child_process';
import {
  AF_INET, AF_UNIX, SCM_RIGHTS, SOCK_STREAM, SOL_SOCKET, CMSG_SPACE, accept, bind, close, connect, getsockname,
  listen, recv, recvmsg, scmRights, send, sendmsg, sockaddr_in, socket, socketpair,
} from '../lib/index.js';

if (process.argv[2] === '--child') {
  // fd 3 is our end of the socketpair.
  const r = recvmsg(3, { msg_iov: Buffer.alloc(16), msg_controllen: CMSG_SPACE(4) });
  const rights = r.cmsgs.find((c) => c.cmsg_level === SOL_SOCKET && c.cmsg_type === SCM_RIGHTS);
  const fds = (rights?.value ?? []) as number[];
  if (fds.length !== 1) {
    process.stderr.write(`child: expected one fd, got ${fds.length}\n`);
    process.exit(1);
  }
  const lfd = fds[0]!;
  process.stdout.write(`child ${process.pid} received listening fd ${lfd}\n`);
  send(3, 'ready');
  const conn = accept(lfd);
  send(conn, `hello from child ${process.pid} on the passed socket`);
  close(conn);
  close(lfd);
  close(3);
} else {
  const lfd = socket(AF_INET, SOCK_STREAM);
  bind(lfd, new sockaddr_in('127.0.0.1', 0));
  listen(lfd, 8);
  const addr = getsockname(lfd);
  const [mine, theirs] = socketpair(AF_UNIX, SOCK_STREAM);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--child'], {
    stdio: ['ignore', 'inherit', 'inherit', theirs],
  });
  close(theirs);
  sendmsg(mine, { msg_iov: 'fd', msg_control: [scmRights([lfd])] });
  close(lfd); // the child holds the only copy now
  const buf = Buffer.alloc(256);
  recv(mine, buf); // "ready": the child has the fd
  const c = socket(AF_INET, SOCK_STREAM);
  connect(c, addr);
  const n = recv(c, buf);
  process.stdout.write(`parent got: ${buf.subarray(0, n).toString()}\n`);
  close(c);
  close(mine);
  child.on('exit', (code) => process.exit(code ?? 1));
}
