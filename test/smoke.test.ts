import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { expectSocketError, tcpPair, closeAll } from './helpers.js';

describe('smoke', () => {
  it('sends and receives over a loopback TCP pair', () => {
    const [c, s] = tcpPair();
    try {
      expect(bs.send(c, 'hi')).toBe(2);
      const b = Buffer.alloc(8);
      expect(bs.recv(s, b)).toBe(2);
      expect(b.subarray(0, 2).toString()).toBe('hi');
    } finally {
      closeAll(c, s);
    }
  });
  it('reports EBADF for a closed fd', () => {
    const [c, s] = tcpPair();
    closeAll(c, s);
    expectSocketError(() => bs.send(c, 'x'), 'EBADF', 'send');
  });
});
