// Constants come from this host's headers through the built addon: every one is an integer,
// names the host lacks are absent (never 0), values agree with Node's and Python's views of
// the same headers, the grouped views are frozen mirrors of the flat names, and no socket
// constant is typed as a number literal in lib/.
import { spawnSync } from 'node:child_process';
import { constants as fsConstants, readFileSync, readdirSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import * as generated from '../lib/constants.generated.js';

const mod = bs as unknown as Record<string, unknown>;
const flat = bs.constants;
const libDir = fileURLToPath(new URL('../lib/', import.meta.url));

describe('every constant', () => {
  it('is an integer number (and a safe one)', () => {
    const names = Object.keys(flat);
    expect(names.length).toBeGreaterThan(500);
    for (const name of names) {
      const v = flat[name];
      expect(typeof v, name).toBe('number');
      expect(Number.isSafeInteger(v), name).toBe(true);
    }
  });

  it('constants.generated.ts is in sync with the built addon, and index re-exports it', () => {
    const gen = generated as unknown as Record<string, unknown>;
    expect(Object.keys(gen).sort()).toEqual(Object.keys(flat).sort());
    for (const [name, v] of Object.entries(flat)) {
      expect(gen[name], name).toBe(v);
      expect(mod[name], name).toBe(v);
    }
  });

  it('the usual names are present with their Linux values', () => {
    // Linux ABI values (the package is linux-only; see package.json "os").
    const linux: Record<string, number> = {
      AF_UNSPEC: 0, AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_PACKET: 17,
      SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_RAW: 3, SOCK_SEQPACKET: 5,
      SOL_SOCKET: 1, IPPROTO_IP: 0, IPPROTO_ICMP: 1, IPPROTO_TCP: 6, IPPROTO_UDP: 17, IPPROTO_IPV6: 41,
      SO_REUSEADDR: 2, SO_TYPE: 3, SO_ERROR: 4, SO_KEEPALIVE: 9, TCP_NODELAY: 1,
      SHUT_RD: 0, SHUT_WR: 1, SHUT_RDWR: 2, MSG_PEEK: 2, MSG_DONTWAIT: 64, MSG_NOSIGNAL: 0x4000,
    };
    for (const [name, v] of Object.entries(linux)) expect(mod[name], name).toBe(v);
    expect(bs.AF_LOCAL).toBe(bs.AF_UNIX);
    expect(bs.PF_INET).toBe(bs.AF_INET);
    expect(bs.EAGAIN).toBe(bs.EWOULDBLOCK);
  });
});

describe('agreement with other views of the same headers', () => {
  it("every errno in os.constants.errno is exported with Node's value", () => {
    const names = Object.keys(osConstants.errno);
    expect(names.length).toBeGreaterThan(50);
    for (const name of names) {
      expect(mod[name], name).toBe((osConstants.errno as Record<string, number>)[name]);
      expect(bs.E[name.slice(1)], name).toBe((osConstants.errno as Record<string, number>)[name]);
    }
    expect(osConstants.errno.ECONNREFUSED).toBe(bs.ECONNREFUSED);
  });

  it('fs.constants and os.constants.signals agree wherever the names overlap', () => {
    let overlap = 0;
    for (const [name, v] of Object.entries({ ...fsConstants, ...osConstants.signals })) {
      if (name in flat) {
        overlap++;
        expect(flat[name], name).toBe(v);
      }
    }
    expect(overlap).toBeGreaterThan(0); // O_NONBLOCK, O_RDWR…
    expect(bs.O_NONBLOCK).toBe(fsConstants.O_NONBLOCK);
  });

  // Python's socket/errno/fcntl/os/select modules read the same C headers.
  const py = spawnSync(
    'python3',
    ['-c', `import json, socket, errno, fcntl, os, select
out = {}
for m in (socket, errno, fcntl, os, select):
    for k in dir(m):
        v = getattr(m, k)
        if k.isupper() and isinstance(v, int) and not isinstance(v, bool):
            out.setdefault(k, int(v))
print(json.dumps(out))`],
    { encoding: 'utf8', timeout: 15_000 },
  );
  it.skipIf(py.status !== 0)("Python's socket module agrees on every shared name", () => {
    const theirs = JSON.parse(py.stdout) as Record<string, number>;
    const shared = Object.keys(theirs).filter((k) => k in flat);
    expect(shared.length).toBeGreaterThan(200);
    const diff = shared.filter((k) => flat[k] !== theirs[k]).map((k) => `${k}: ours ${flat[k]}, python ${theirs[k]}`);
    expect(diff).toEqual([]);
  });
});

describe('absent names are absent, not 0', () => {
  it('a made-up name is not exported anywhere', () => {
    expect('AF_NOT_A_FAMILY' in bs).toBe(false);
    expect('AF_NOT_A_FAMILY' in flat).toBe(false);
    expect(bs.AF.NOT_A_FAMILY).toBeUndefined();
  });

  it('macOS/BSD-only names are missing on Linux', () => {
    for (const name of ['SO_NOSIGPIPE', 'IP_RECVDSTADDR', 'AF_LINK', 'SO_REUSEPORT_LB', 'EAI_NODATA_BSD']) {
      expect(name in bs, name).toBe(false);
      expect(name in flat, name).toBe(false);
      expect(name in generated, name).toBe(false);
    }
    expect(bs.SO.NOSIGPIPE).toBeUndefined();
    // …while their Linux counterparts are there.
    expect('MSG_NOSIGNAL' in bs).toBe(true);
    expect('SO_REUSEPORT' in bs).toBe(true);
  });
});

describe('grouped views', () => {
  it('mirror the flat names', () => {
    expect(bs.AF.INET).toBe(bs.AF_INET);
    expect(bs.PF.INET6).toBe(bs.PF_INET6);
    expect(bs.SOCK.STREAM).toBe(bs.SOCK_STREAM);
    expect(bs.SOCK.NONBLOCK).toBe(bs.SOCK_NONBLOCK);
    expect(bs.IPPROTO.TCP).toBe(bs.IPPROTO_TCP);
    expect(bs.SOL.SOCKET).toBe(bs.SOL_SOCKET);
    expect(bs.SO.REUSEADDR).toBe(bs.SO_REUSEADDR);
    expect(bs.IP.TTL).toBe(bs.IP_TTL);
    expect(bs.IPV6.V6ONLY).toBe(bs.IPV6_V6ONLY);
    expect(bs.TCP.NODELAY).toBe(bs.TCP_NODELAY);
    expect(bs.MSG.DONTWAIT).toBe(bs.MSG_DONTWAIT);
    expect(bs.SHUT.RDWR).toBe(bs.SHUT_RDWR);
    expect(bs.INADDR.LOOPBACK).toBe(bs.INADDR_LOOPBACK);
    expect(bs.INADDR.LOOPBACK).toBe(0x7f000001); // host byte order
    expect(bs.AI.PASSIVE).toBe(bs.AI_PASSIVE);
    expect(bs.NI.NUMERICHOST).toBe(bs.NI_NUMERICHOST);
    expect(bs.E.CONNREFUSED).toBe(bs.ECONNREFUSED);
    expect(bs.E.AGAIN).toBe(bs.EAGAIN);
    expect(bs.EAI.NONAME).toBe(bs.EAI_NONAME);
    expect(bs.EAI.AGAIN).toBe(bs.EAI_AGAIN);
  });

  it('every group entry maps back to the flat constant of the same C name, and covers them all', () => {
    const groups: [string, Readonly<Record<string, number>>][] = [
      ['AF_', bs.AF], ['PF_', bs.PF], ['SOCK_', bs.SOCK], ['IPPROTO_', bs.IPPROTO], ['SOL_', bs.SOL],
      ['SO_', bs.SO], ['IP_', bs.IP], ['IPV6_', bs.IPV6], ['TCP_', bs.TCP], ['MSG_', bs.MSG],
      ['SHUT_', bs.SHUT], ['INADDR_', bs.INADDR], ['AI_', bs.AI], ['NI_', bs.NI], ['EAI_', bs.EAI],
    ];
    for (const [prefix, group] of groups) {
      const entries = Object.entries(group);
      expect(entries.length, prefix).toBeGreaterThan(0);
      for (const [short, v] of entries) expect(flat[prefix + short], prefix + short).toBe(v);
      const flatCount = Object.keys(flat).filter((n) => n.startsWith(prefix)).length;
      expect(entries.length, prefix).toBe(flatCount);
    }
    for (const [short, v] of Object.entries(bs.E)) expect(flat[`E${short}`], `E${short}`).toBe(v);
  });

  it('getaddrinfo codes are the negative glibc values', () => {
    for (const [name, v] of Object.entries(bs.EAI)) expect(v, name).toBeLessThan(0);
  });

  it('are frozen (as is the flat constants object)', () => {
    const all = [bs.AF, bs.PF, bs.SOCK, bs.IPPROTO, bs.SOL, bs.SO, bs.IP, bs.IPV6, bs.TCP, bs.MSG, bs.SHUT,
      bs.INADDR, bs.AI, bs.NI, bs.EAI, bs.E, bs.constants];
    for (const g of all) expect(Object.isFrozen(g)).toBe(true);
    expect(() => { (bs.AF as Record<string, number>).INET = 99; }).toThrow(TypeError);
    expect(() => { (bs.E as Record<string, number>).NEW = 1; }).toThrow(TypeError);
    expect(() => { (bs.constants as Record<string, number>).AF_INET = 99; }).toThrow(TypeError);
    expect(bs.AF.INET).toBe(2);
    // ES module bindings cannot be reassigned from outside either.
    expect(() => { mod.AF_INET = 99; }).toThrow(TypeError);
    expect(bs.AF_INET).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------
// No socket constant typed by hand in lib/.

const PREFIX = /^(?:AF|PF|SOCK|SOL|SO|SCM|MSG|SHUT|IPPROTO|INADDR|IN6ADDR|IP|IPV6|IPTOS|IPOPT|TCP|UDP|ICMP|ICMP6|ND|ETH_P|PACKET|AI|NI|EAI|F|O|FD|POLL|SIOC|HOST|NO)_[A-Z0-9_]+$|^(?:SOMAXCONN|IPDEFTTL|MAXTTL|IPVERSION|POLL[A-Z]+)$/;
const NUM = String.raw`[-+]?\s*(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*(?:\.\d+)?)n?\b`;
/** `NAME = 2`, `const NAME: number = 0x10`, `NAME ??= 3`… */
const ASSIGN = new RegExp(String.raw`\b([A-Z][A-Z0-9_]*)\s*(?::\s*[A-Za-z][\w<>|\s]*?)?\s*(?:\?\?|\|\|)?=(?![=>])\s*(?:<[^>]*>\s*)?(?:\(\s*)*${NUM}`, 'g');
/** `{ NAME: 2 }`, `, NAME: 0x10` in object literals. */
const PROPERTY = new RegExp(String.raw`(?:^|[{,])\s*['"]?([A-Z][A-Z0-9_]*)['"]?\s*:\s*${NUM}`, 'gm');
/** `[AF_INET, 2]` style entry lists. */
const ENTRY = new RegExp(String.raw`\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*,\s*${NUM}`, 'g');

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Names that look like socket constants and are given a number literal in `src`. */
function literalConstants(src: string): string[] {
  const code = stripComments(src);
  const hits: string[] = [];
  for (const re of [ASSIGN, PROPERTY, ENTRY]) {
    for (const m of code.matchAll(re)) {
      const name = m[1]!;
      if (PREFIX.test(name) || name in flat) hits.push(name);
    }
  }
  return hits;
}

describe('no socket constant is a number literal in lib/*.ts', () => {
  it('the scanner catches the patterns it is meant to catch (self-test)', () => {
    const sample = [
      'export const AF_INET = 2;',
      'const SO_NOSIGPIPE: number = 0x1022;',
      'let MSG_NOSIGNAL=0x4000',
      'const table = { SOCK_STREAM: 1, IPPROTO_TCP: 6 };',
      "const list = [['EAI_NONAME', -2]];",
      'export const ECONNREFUSED = 111 as const;',
    ].join('\n');
    expect(literalConstants(sample).sort()).toEqual(
      ['AF_INET', 'ECONNREFUSED', 'EAI_NONAME', 'IPPROTO_TCP', 'MSG_NOSIGNAL', 'SOCK_STREAM', 'SO_NOSIGPIPE'].sort(),
    );
    // …and leaves alone what is not a socket constant, or not a literal.
    const fine = [
      'export const INT32_MAX = 0x7fffffff;',
      'const LE = endianness() === "LE";',
      '// AF_INET = 2 in a comment',
      '/* SOCK_STREAM = 1 */',
      'const AF_INET6_SIZE = layout.size;',
      'if (af === AF_INET6) need = 16;',
      'export const AF_INET: number = c.AF_INET!;',
      'case 2: return x;',
    ].join('\n');
    expect(literalConstants(fine)).toEqual([]);
  });

  it('holds for every hand-written lib file', () => {
    const files = readdirSync(libDir).filter((f) => f.endsWith('.ts') && f !== 'constants.generated.ts');
    expect(files).toContain('sockets.ts');
    const offenders: string[] = [];
    for (const f of files) {
      for (const name of literalConstants(readFileSync(join(libDir, f), 'utf8'))) offenders.push(`${f}: ${name}`);
    }
    expect(offenders).toEqual([]);
  });

  it('constants.generated.ts reads every value from the addon', () => {
    const src = readFileSync(join(libDir, 'constants.generated.ts'), 'utf8');
    const decls = [...src.matchAll(/^export const (\w+)\b.*$/gm)];
    expect(decls.length).toBe(Object.keys(flat).length);
    for (const [line, name] of decls) expect(line).toBe(`export const ${name}: number = c.${name}!;`);
  });
});
