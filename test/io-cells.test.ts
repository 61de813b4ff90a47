// The data calls take their numbers from the addon's ioArgs cells (native/io.cc). The cells
// are reachable from JavaScript, so the addon trusts them for nothing: whatever they hold,
// a call either fits its buffers or throws before the syscall, and never touches memory
// outside them.
import { afterEach, describe, expect, it } from 'vitest';
import { native } from '../lib/native.js';
import * as bs from '../lib/index.js';
import { closeAll } from './helpers.js';

const fds: number[] = [];
afterEach(() => closeAll(...fds.splice(0)));

const A = native.ioArgs;
const [FD, LEN, FLAGS, ALEN, , RESULT] = [0, 1, 2, 3, 4, 5];

function dgramPair(): [number, number] {
  const p = bs.socketpair(bs.AF_UNIX, bs.SOCK_DGRAM, 0);
  fds.push(...p);
  return p;
}

function set(fd: number, len: number, flags: number, alen: number): void {
  A[FD] = fd;
  A[LEN] = len;
  A[FLAGS] = flags;
  A[ALEN] = alen;
}

describe('ioArgs cells', () => {
  it('a length past the buffer, or negative, throws RangeError and sends nothing', () => {
    const [a, b] = dgramPair();
    for (const len of [17, -1, 0x7fffffff, -0x80000000]) {
      set(a, len, 0, -1);
      expect(() => native.send(Buffer.alloc(16))).toThrow(RangeError);
      set(b, len, bs.MSG_DONTWAIT, -1);
      expect(() => native.recv(Buffer.alloc(16))).toThrow(RangeError);
    }
    expect(() => bs.recv(b, Buffer.alloc(16), 16, bs.MSG_DONTWAIT)).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
  });

  it('an address length past the address buffer throws RangeError', () => {
    const [a] = dgramPair();
    set(a, 4, 0, 200);
    expect(() => native.sendto(Buffer.alloc(4), Buffer.alloc(16))).toThrow(RangeError);
    set(a, 4, bs.MSG_DONTWAIT, 17);
    expect(() => native.recvfrom(Buffer.alloc(4), Buffer.alloc(16))).toThrow(RangeError);
  });

  it('address cells without an address argument throw TypeError', () => {
    const [a] = dgramPair();
    set(a, 4, 0, 16);
    expect(() => native.sendto(Buffer.alloc(4))).toThrow(TypeError);
  });

  it('a non-view buffer argument throws TypeError', () => {
    const [a] = dgramPair();
    set(a, 0, 0, -1);
    for (const bad of [undefined, null, 1, 'x', {}, new ArrayBuffer(4)]) {
      expect(() => (native.send as (b: unknown) => void)(bad)).toThrow(TypeError);
    }
  });

  it('the span is within the view, at its own offset (a subarray, a SharedArrayBuffer view)', () => {
    const [a, b] = dgramPair();
    const whole = Buffer.from('0123456789');
    set(a, 3, 0, -1);
    native.send(whole.subarray(4));
    expect(A[RESULT]).toBe(3);
    const shared = new Uint8Array(new SharedArrayBuffer(8), 2, 4);
    set(b, 4, 0, -1);
    native.recv(shared);
    expect(A[RESULT]).toBe(3);
    expect(Buffer.from(shared.subarray(0, 3)).toString()).toBe('456');
  });

  it('a failure leaves -errno in the result cell', () => {
    set(-1, 0, 0, -1);
    native.send(Buffer.alloc(1));
    expect(A[RESULT]).toBe(-bs.EBADF);
  });
});
