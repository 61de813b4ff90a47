// The TypeScript decoders of bytes the kernel fills (issue 7: the codecs that live in
// TypeScript rather than in native/codec.cc, which libFuzzer drives): arbitrary bytes and
// lengths in, and out comes a value whose every part lies inside the bytes given, or the
// decoder's own documented error — never another exception, a hang, or a read past `len`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { parseControl } from '../lib/messages.js';

const SEED = Number(process.env.FC_SEED ?? 0xdec0de);
const RUNS = Number(process.env.FC_RUNS ?? 2000);
const fcOpts = { seed: SEED, numRuns: RUNS, endOnFailure: true };

/** Bytes with a length that may be shorter or longer than them, and an offset into a larger buffer. */
const bytesAndLen = fc
  .tuple(fc.uint8Array({ maxLength: 320 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 7 }))
  .map(([b, len, off]) => {
    const whole = new Uint8Array(b.length + off + 16).fill(0xee); // guard bytes after the view
    whole.set(b, off);
    return { bytes: whole.subarray(off, off + b.length), len };
  });

/** Control bytes built from plausible cmsghdrs (random levels, types and lengths), then mutated. */
const controlBytes = fc
  .array(
    fc.record({
      level: fc.constantFrom(bs.SOL_SOCKET, bs.IPPROTO_IP, bs.IPPROTO_IPV6, bs.SOL_UDP, 0, -1, 0x7fffffff),
      type: fc.constantFrom(bs.SCM_CREDENTIALS, bs.IP_PKTINFO, bs.IP_TTL, bs.IP_TOS, bs.IP_RECVERR, bs.IPV6_PKTINFO,
        bs.IPV6_HOPLIMIT, bs.IPV6_TCLASS, bs.IPV6_RECVERR, bs.SO_TIMESTAMP, bs.SO_TIMESTAMPNS, bs.SCM_TIMESTAMPING,
        bs.UDP_GRO, 0, 99),
      data: fc.uint8Array({ maxLength: 64 }),
      lenDelta: fc.integer({ min: -24, max: 24 }),
    }),
    { maxLength: 6 },
  )
  .map((list) => {
    const chunks: Buffer[] = [];
    for (const m of list) {
      const space = bs.CMSG_SPACE(m.data.length);
      const c = Buffer.alloc(space);
      const len = Math.max(0, bs.CMSG_LEN(m.data.length) + m.lenDelta);
      c.writeBigUInt64LE(BigInt(len), 0); // cmsg_len is a size_t on this host
      c.writeInt32LE(m.level, 8);
      c.writeInt32LE(m.type, 12);
      c.set(m.data, bs.CMSG_LEN(0));
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  });

describe('sockaddrFrom over arbitrary bytes', () => {
  it('returns a struct of the family in the bytes, holding only the first min(len, size) bytes', () => {
    fc.assert(
      fc.property(bytesAndLen, ({ bytes, len }) => {
        const sa = bs.sockaddrFrom(bytes, len);
        const n = Math.min(len, bytes.byteLength);
        const copied = sa.bytes.subarray(0, Math.min(n, sa.bytes.byteLength));
        expect(Buffer.from(copied).equals(Buffer.from(bytes.subarray(0, copied.byteLength)))).toBe(true);
        // Nothing past the view's end reached the struct: the guard bytes (0xee) never appear
        // beyond what was copied, where the struct is zero-filled.
        expect(sa.bytes.subarray(n).every((x) => x === 0)).toBe(true);
        if (n >= 2) expect(sa.bytes[0]! | (sa.bytes[1]! << 8)).toBe(bytes[0]! | (bytes[1]! << 8));
      }),
      fcOpts,
    );
  });
});

describe('received control messages over arbitrary bytes', () => {
  it('every message lies inside controllen; decoding never throws', () => {
    fc.assert(
      fc.property(fc.oneof(controlBytes, fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b))),
        fc.integer({ min: 0, max: 320 }), (buf, cl) => {
          const controllen = Math.min(cl, buf.length);
          const cmsgs = parseControl(buf, controllen, 0, true);
          let used = 0;
          for (const c of cmsgs) {
            expect(c.data.byteLength).toBeLessThanOrEqual(controllen);
            used += bs.CMSG_LEN(0) + c.data.byteLength;
          }
          expect(cmsgs.length * bs.CMSG_LEN(0)).toBeLessThanOrEqual(Math.max(controllen, 0));
          expect(used).toBeLessThanOrEqual(controllen + cmsgs.length * 8);
        }),
      fcOpts,
    );
  });
});

describe('netlink iterators over arbitrary bytes', () => {
  it('nlmsgs and rtattrs yield views inside the buffer or throw NetlinkParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (b) => {
        const buf = Buffer.from(b);
        try {
          let count = 0;
          for (const m of bs.nlmsgs(buf)) {
            expect(++count).toBeLessThanOrEqual(buf.length);
            try {
              for (const a of bs.rtattrs(m.payload)) expect(a.data.byteOffset + a.data.byteLength).toBeLessThanOrEqual(buf.byteOffset + buf.length);
            } catch (e) {
              expect(e).toBeInstanceOf(bs.NetlinkParseError);
            }
          }
        } catch (e) {
          expect(e).toBeInstanceOf(bs.NetlinkParseError);
        }
      }),
      fcOpts,
    );
  });
});
