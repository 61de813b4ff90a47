// The manifest (lib/manifest.generated.ts, docs/manifest.md) written by tools/gen-manifest.mjs
// from the built addon: every exported constant with its value, every struct with the
// compiler's sizes, and the looked-for names this host lacks.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as root from '../lib/index.js';
import { hasConstant, manifest } from '../lib/index.js';
import { has, isAbsent } from '../lib/manifest.js';
import { native } from '../lib/native.js';

const docs = fileURLToPath(new URL('../docs/manifest.md', import.meta.url));
const wanted = fileURLToPath(new URL('../tools/wanted-names.txt', import.meta.url));

describe('manifest', () => {
  it('lists every exported constant with its value and a group', () => {
    const names = Object.keys(native.constants);
    expect(names.length).toBeGreaterThan(1000);
    for (const n of names) {
      expect(manifest.constants[n], n).toBeDefined();
      expect(manifest.constants[n]!.value, n).toBe(native.constants[n]);
      expect(manifest.constants[n]!.group, n).toMatch(/^[A-Za-z0-9_]+$/);
      // and the flat export from the package root is the same value
      expect((root as unknown as Record<string, number>)[n], n).toBe(native.constants[n]);
    }
    expect(Object.keys(manifest.constants).sort()).toEqual(names.sort());
    expect(manifest.constants.AF_INET!.group).toBe('AF');
    expect(manifest.constants.NLM_F_DUMP!.group).toBe('NLM_F');
    expect(manifest.constants.IFLA_IFNAME!.group).toBe('IFLA');
    expect(manifest.constants.RT_SCOPE_HOST!.group).toBe('RT_SCOPE');
    expect(manifest.constants.ECONNREFUSED!.group).toBe('ERRNO');
    for (const [g, members] of Object.entries(manifest.groups)) {
      for (const n of members) expect(manifest.constants[n]!.group).toBe(g);
    }
    expect(manifest.errnos).toEqual(Object.keys(native.errnos));
    expect(manifest.eais).toEqual(Object.keys(native.eais));
  });

  it('has(): present names true, looked-for absent names false and listed', () => {
    expect(hasConstant('AF_INET')).toBe(true);
    expect(has('AF_INET')).toBe(true);
    expect(hasConstant('NETLINK_ROUTE')).toBe(true);
    expect(hasConstant('SO_NOSIGPIPE')).toBe(false);
    expect(manifest.absent).toContain('SO_NOSIGPIPE');
    expect(isAbsent('SO_NOSIGPIPE')).toBe(true);
    expect(manifest.wanted).toContain('SO_NOSIGPIPE');
    expect(hasConstant('toString')).toBe(false);
    expect(hasConstant('')).toBe(false);
    // absent = wanted and not exported
    const listed = readFileSync(wanted, 'utf8').split('\n').map((l) => l.split('#')[0]!.trim()).filter(Boolean);
    expect([...manifest.wanted].sort()).toEqual([...new Set(listed)].sort());
    expect(manifest.absent).toEqual(manifest.wanted.filter((n) => !(n in native.constants)));
    for (const n of manifest.absent) expect((root as Record<string, unknown>)[n], n).toBeUndefined();
    // present on Linux, so looked for and found
    expect(manifest.wanted).toContain('MSG_NOSIGNAL');
    expect(manifest.absent).not.toContain('MSG_NOSIGNAL');
  });

  it('structs match the compiler (sizeof, offsetof, bitfields)', () => {
    expect(Object.keys(manifest.structs).sort()).toEqual(Object.keys(native.layouts).sort());
    for (const [name, s] of Object.entries(manifest.structs)) {
      const l = native.layouts[name]!;
      expect(s.size, name).toBe(l.size);
      expect(s.align, name).toBe(l.align);
      for (const [f, v] of Object.entries(s.fields)) expect([v.offset, v.size, v.signed], `${name}.${f}`).toEqual(l[f]);
      for (const [f, v] of Object.entries(s.bits ?? {})) expect([v.bit, v.width], `${name}.${f}`).toEqual(l.bits![f]);
    }
    expect(manifest.structs.sockaddr_in!.size).toBe(root.sockaddr_in.size);
    expect(manifest.structs.sockaddr_nl!.size).toBe(root.sockaddr_nl.size);
    expect(manifest.structs.nlmsghdr!.fields.nlmsg_len).toEqual({ offset: 0, size: 4, signed: false });
    expect(manifest.structs.tcphdr!.bits?.syn?.width).toBe(1);
    expect(manifest.structs.sockaddr_in!.header).toBe('netinet/in.h');
  });

  it('docs/manifest.md exists and links names to their man pages', () => {
    expect(existsSync(docs)).toBe(true);
    const md = readFileSync(docs, 'utf8');
    expect(md).toMatch(/\[AF_INET\]\(https:\/\/man7\.org\/linux\/man-pages\/man(7\/address_families\.7|2\/socket\.2)\.html\)/);
    expect(md).toContain('[SO_REUSEADDR](https://man7.org/linux/man-pages/man7/socket.7.html)');
    expect(md).toContain('[TCP_NODELAY](https://man7.org/linux/man-pages/man7/tcp.7.html)');
    expect(md).toContain('[RTM_GETLINK](https://man7.org/linux/man-pages/man7/rtnetlink.7.html)');
    expect(md).toContain('[ECONNREFUSED](https://man7.org/linux/man-pages/man3/errno.3.html)');
    expect(md).toContain('### struct sockaddr_nl');
    expect(md).toMatch(/`SO_NOSIGPIPE`/);
  });
});
