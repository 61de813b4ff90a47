// Buffers are re-checked right before each retried syscall: a buffer detached (transferred
// with structuredClone) while a Promise call waits makes that call reject with RangeError,
// writes nothing, and leaves the fd and the data waiting on it usable. Before, the native
// re-check threw inside the poller's callback: an uncaught exception that killed the process.
import { afterEach, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as P from '../lib/promises.js';
import { closeAll } from './helpers.js';

const fds: number[] = [];
afterEach(() => closeAll(...fds.splice(0)));

function pair(type: number = bs.SOCK_STREAM): [number, number] {
  const p = bs.socketpair(bs.AF_UNIX, type, 0);
  fds.push(...p);
  return p;
}

const detach = (b: ArrayBufferView) => structuredClone(b.buffer, { transfer: [b.buffer as ArrayBuffer] });

type Recv = (fd: number, buf: Buffer) => Promise<unknown>;
const receivers: Record<string, Recv> = {
  recv: (fd, b) => P.recv(fd, b, b.length, 0),
  recvfrom: (fd, b) => P.recvfrom(fd, b, b.length, 0, null),
  read: (fd, b) => P.read(fd, b, b.length),
  recvmsg: (fd, b) => P.recvmsg(fd, { msg_iov: [b] }),
};

describe('a buffer detached while a receive waits', () => {
  for (const [name, call] of Object.entries(receivers)) {
    it(`${name}: rejects with RangeError and the data stays queued`, async () => {
      const [a, b] = pair();
      const buf = Buffer.alloc(64);
      const pending = call(b, buf);
      detach(buf);
      expect(bs.send(a, Buffer.from('hello'), 5, 0)).toBe(5);
      await expect(pending).rejects.toBeInstanceOf(RangeError);
      const out = Buffer.alloc(16);
      expect(bs.recv(b, out, out.length, bs.MSG_DONTWAIT)).toBe(5);
      expect(out.toString('latin1', 0, 5)).toBe('hello');
    });
  }

  it('recvmmsg: a batch whose buffer is detached rejects with RangeError', async () => {
    const [a, b] = pair(bs.SOCK_DGRAM);
    const batch = new bs.MsgBatch(4, 32);
    const pending = P.recvmmsg(b, batch);
    detach(batch.data(0));
    bs.send(a, Buffer.from('x'), 1, 0);
    await expect(pending).rejects.toBeInstanceOf(RangeError);
  });
});

describe('a buffer detached while a send waits', () => {
  for (const name of ['send', 'sendmsg'] as const) {
    it(`${name}: rejects with RangeError once the fd is writable`, async () => {
      const [a, b] = pair();
      // Fill a's send buffer (bounded: the kernel caps it far below this many writes).
      const chunk = Buffer.alloc(1 << 16);
      for (let i = 0; i < 4096; i++) {
        try {
          bs.send(a, chunk, chunk.length, bs.MSG_DONTWAIT);
        } catch (e) {
          expect((e as bs.SocketError).code).toBe('EAGAIN');
          break;
        }
      }
      const buf = Buffer.alloc(1024, 0x61);
      const pending = name === 'send' ? P.send(a, buf, buf.length, 0) : P.sendmsg(a, { msg_iov: [buf] });
      detach(buf);
      const sink = Buffer.alloc(1 << 20);
      for (let i = 0; i < 4096; i++) {
        try {
          bs.recv(b, sink, sink.length, bs.MSG_DONTWAIT);
        } catch {
          break;
        }
      }
      await expect(pending).rejects.toBeInstanceOf(RangeError);
      // Nothing of the detached buffer was sent: the stream holds no 'a' bytes.
      let got = 0;
      try {
        got = bs.recv(b, sink, sink.length, bs.MSG_DONTWAIT);
      } catch (e) {
        expect((e as bs.SocketError).code).toBe('EAGAIN');
      }
      expect(sink.subarray(0, got).includes(0x61)).toBe(false);
    });
  }
});
