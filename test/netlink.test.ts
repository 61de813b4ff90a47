// netlink(7)/rtnetlink(7): the struct layouts, the bounded message and attribute iterators
// (malformed lengths end the walk with an error, never a read past the buffer), sockaddr_nl
// from getsockname, and examples/netlink-addrs.ts checked against `ip -j link` / `ip -j addr`
// inside a network namespace this test creates (its own veth pair and addresses).
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AF_NETLINK, NETLINK_ROUTE, NLMSG_ALIGNTO, NLMSG_DONE, NLMSG_HDRLEN, RTA_ALIGNTO, SOCK_RAW, IFA_LOCAL,
  NLMSG_ALIGN, NLMSG_LENGTH, NLMSG_SPACE, RTA_ALIGN, RTA_LENGTH, RTA_SPACE, NetlinkParseError,
  bind, close, getsockname, ifaddrmsg, ifinfomsg, nlmsg, nlmsgerr, nlmsghdr, nlmsgs, rta, rtattr, rtattrMap, rtattrs,
  sockaddr_nl, socket,
} from '../lib/index.js';
import { native } from '../lib/native.js';
import { TSX_LOADER, childEnv, example, netnsSkip, repo, sh } from './netns.js';

describe('netlink structs and macros', () => {
  it('layouts come from the compiler and match <linux/netlink.h>', () => {
    expect(sockaddr_nl.size).toBe(native.layouts.sockaddr_nl!.size);
    expect(sockaddr_nl.size).toBe(12);
    expect(nlmsghdr.size).toBe(16);
    expect(nlmsgerr.size).toBe(20);
    expect(ifinfomsg.size).toBe(16);
    expect(ifaddrmsg.size).toBe(8);
    expect(rtattr.size).toBe(4);
    expect(NLMSG_ALIGNTO).toBe(4);
    expect(RTA_ALIGNTO).toBe(4);
    expect(NLMSG_HDRLEN).toBe(16);
  });

  it('length macros', () => {
    expect(NLMSG_ALIGN(0)).toBe(0);
    expect(NLMSG_ALIGN(1)).toBe(4);
    expect(NLMSG_ALIGN(16)).toBe(16);
    expect(NLMSG_LENGTH(5)).toBe(21);
    expect(NLMSG_SPACE(5)).toBe(24);
    expect(RTA_ALIGN(5)).toBe(8);
    expect(RTA_LENGTH(3)).toBe(7);
    expect(RTA_SPACE(3)).toBe(8);
  });

  it('sockaddr_nl: fields, and getsockname decodes AF_NETLINK', () => {
    const a = new sockaddr_nl(0, 5);
    expect(a.nl_family).toBe(AF_NETLINK);
    expect(a.nl_groups).toBe(5);
    const fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    try {
      bind(fd, new sockaddr_nl());
      const me = getsockname(fd);
      expect(me).toBeInstanceOf(sockaddr_nl);
      expect((me as sockaddr_nl).nl_family).toBe(AF_NETLINK);
      expect((me as sockaddr_nl).nl_pid).toBeGreaterThan(0);
    } finally {
      close(fd);
    }
  });
});

describe('nlmsgs / rtattrs', () => {
  const two = Buffer.concat([
    nlmsg({ nlmsg_type: 20, nlmsg_seq: 1 }, new ifaddrmsg({ ifa_family: 2, ifa_prefixlen: 24 }), rta(IFA_LOCAL, Buffer.from([10, 0, 0, 1]))),
    nlmsg({ nlmsg_type: NLMSG_DONE, nlmsg_seq: 1 }, Buffer.from([0, 0, 0, 0, 0])),
  ]);

  it('walks well-formed messages and attributes', () => {
    const ms = [...nlmsgs(two)];
    expect(ms.map((m) => m.nlmsg_type)).toEqual([20, NLMSG_DONE]);
    expect(ms[0]!.payload.length).toBe(ifaddrmsg.size + RTA_SPACE(4));
    expect(ms[1]!.payload.length).toBe(5); // unpadded length, padded stride
    expect(new ifaddrmsg(ms[0]!.payload).ifa_prefixlen).toBe(24);
    const attrs = [...rtattrs(ms[0]!.payload.subarray(ifaddrmsg.size))];
    expect(attrs).toHaveLength(1);
    expect(attrs[0]!.rta_type).toBe(IFA_LOCAL);
    expect([...attrs[0]!.data]).toEqual([10, 0, 0, 1]);
    expect([...rtattrMap(ms[0]!.payload, ifaddrmsg.size).get(IFA_LOCAL)!]).toEqual([10, 0, 0, 1]);
    // the last message needs no trailing padding
    expect([...nlmsgs(two, two.length - 3)].length).toBe(2);
    expect([...nlmsgs(Buffer.alloc(0))]).toEqual([]);
  });

  function walk(buf: Buffer, len?: number): { types: number[]; error?: unknown } {
    const types: number[] = [];
    try {
      for (const m of nlmsgs(buf, len)) types.push(m.nlmsg_type);
    } catch (e) {
      return { types, error: e };
    }
    return { types };
  }

  it('nlmsg_len past the buffer stops with an error after the good messages', () => {
    const b = Buffer.from(two);
    new nlmsghdr(b.subarray(NLMSG_SPACE(ifaddrmsg.size + RTA_SPACE(4)))).nlmsg_len = 1000;
    const r = walk(b);
    expect(r.types).toEqual([20]);
    expect(r.error).toBeInstanceOf(NetlinkParseError);
    expect((r.error as NetlinkParseError).code).toBe('ERR_NETLINK_MALFORMED');
  });

  it('nlmsg_len below the header (0 would loop for ever) is an error', () => {
    const b = Buffer.from(two);
    new nlmsghdr(b).nlmsg_len = 0;
    expect(walk(b).error).toBeInstanceOf(NetlinkParseError);
    new nlmsghdr(b).nlmsg_len = 15;
    expect(walk(b).error).toBeInstanceOf(NetlinkParseError);
  });

  it('a truncated header is an error; len bounds the walk', () => {
    expect(walk(two.subarray(0, 10)).error).toBeInstanceOf(NetlinkParseError);
    expect(walk(two, two.length - 10).error).toBeInstanceOf(NetlinkParseError);
    expect(() => [...nlmsgs(two, two.length + 1)]).toThrow(RangeError);
  });

  it('rtattrs: rta_len below 4 or past the end is an error', () => {
    const a = Buffer.concat([rta(1, 7), rta(2, 8)]);
    expect([...rtattrs(a)].map((x) => x.rta_type)).toEqual([1, 2]);
    const bad = Buffer.from(a);
    new rtattr(bad.subarray(8)).rta_len = 100;
    const got: number[] = [];
    expect(() => {
      for (const x of rtattrs(bad)) got.push(x.rta_type);
    }).toThrow(NetlinkParseError);
    expect(got).toEqual([1]);
    const zero = Buffer.from(a);
    new rtattr(zero).rta_len = 0;
    expect(() => [...rtattrs(zero)]).toThrow(NetlinkParseError);
    expect(() => [...rtattrs(a.subarray(0, 2))]).toThrow(NetlinkParseError);
  });
});

// ---------------------------------------------------------------------------------------
// the example against iproute2, in a namespace of our own

type IpLink = { ifindex: number; ifname: string; mtu: number; address?: string };
type IpAddr = IpLink & { addr_info: { family: string; local: string; prefixlen: number }[] };

describe.skipIf(netnsSkip !== null)('examples/netlink-addrs.ts --json vs ip -j', () => {
  const ns = `bsock-nl-${process.pid}`;
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 10_000 });
  });

  it('lists the same links and addresses as `ip -j link` / `ip -j addr`', () => {
    try {
      sh('ip', ['netns', 'add', ns]);
      const ip = (...a: string[]): string => sh('ip', ['-n', ns, ...a]);
      ip('link', 'set', 'lo', 'up');
      ip('link', 'add', 'nlA', 'type', 'veth', 'peer', 'name', 'nlB');
      // no automatic IPv6 link-local addresses: the two snapshots must see the same set
      ip('link', 'set', 'nlA', 'addrgenmode', 'none');
      ip('link', 'set', 'nlB', 'addrgenmode', 'none');
      ip('link', 'set', 'nlA', 'mtu', '1400', 'address', '02:00:00:c9:00:01');
      ip('addr', 'add', '10.201.0.1/24', 'dev', 'nlA');
      ip('addr', 'add', '10.201.1.1/16', 'dev', 'nlA');
      ip('addr', 'add', 'fd00:201::1/64', 'dev', 'nlA', 'nodad');
      ip('addr', 'add', '10.201.0.2/24', 'dev', 'nlB');
      ip('link', 'set', 'nlA', 'up');
      ip('link', 'set', 'nlB', 'up');

      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', TSX_LOADER, example('netlink-addrs'), '--json'], {
        cwd: repo, env: childEnv(), encoding: 'utf8', timeout: 20_000,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const ours = JSON.parse(r.stdout) as IpAddr[];
      const links = JSON.parse(ip('-j', 'link')) as IpLink[];
      const addrs = JSON.parse(ip('-j', 'addr')) as IpAddr[];

      const linkKey = (l: IpLink) => ({ ifindex: l.ifindex, ifname: l.ifname, mtu: l.mtu, address: l.address });
      expect(ours.map(linkKey)).toEqual(links.map(linkKey));
      const addrKey = (l: IpAddr) => ({
        ifindex: l.ifindex,
        addrs: l.addr_info.map((a) => `${a.family} ${a.local}/${a.prefixlen}`).sort(),
      });
      expect(ours.map(addrKey)).toEqual(addrs.map(addrKey));

      const a = ours.find((l) => l.ifname === 'nlA')!;
      expect(a.mtu).toBe(1400);
      expect(a.address).toBe('02:00:00:c9:00:01');
      expect(a.addr_info.map((x) => `${x.local}/${x.prefixlen}`).sort()).toEqual(['10.201.0.1/24', '10.201.1.1/16', 'fd00:201::1/64']);
    } finally {
      spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 10_000 });
    }
  });
});
