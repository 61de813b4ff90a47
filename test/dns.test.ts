// Name resolution as in C: getaddrinfo() results are sockaddr structs ready for connect(),
// linked by ai_next; failures carry EAI_* codes; getnameinfo, gethostbyname, if_nametoindex.
// Only names this machine answers locally (/etc/hosts, /etc/services, numeric forms).
import { describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, hasIPv6, tcpListener } from './helpers.js';

function gaiCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof bs.AddrInfoError) return e.code;
    throw e;
  }
  throw new Error('expected an AddrInfoError');
}

describe('getaddrinfo', () => {
  it("('localhost', '80', SOCK_STREAM) gives sockaddr_in / sockaddr_in6 structs with port 80", () => {
    const res = bs.getaddrinfo('localhost', '80', { ai_socktype: bs.SOCK_STREAM });
    expect(res.length).toBeGreaterThan(0);
    for (const ai of res) {
      expect(ai.ai_socktype).toBe(bs.SOCK_STREAM);
      expect(ai.ai_protocol).toBe(bs.IPPROTO_TCP);
      expect([bs.AF_INET, bs.AF_INET6]).toContain(ai.ai_family);
      if (ai.ai_family === bs.AF_INET) {
        expect(ai.ai_addr).toBeInstanceOf(bs.sockaddr_in);
        expect(ai.ai_addrlen).toBe(bs.sockaddr_in.size);
        const sin = ai.ai_addr as bs.sockaddr_in;
        expect(sin.sin_family).toBe(bs.AF_INET);
        expect(sin.port).toBe(80);
        expect(sin.sin_port).toBe(bs.htons(80)); // network byte order, as in C
        expect(sin.address).toBe('127.0.0.1');
      } else {
        expect(ai.ai_addr).toBeInstanceOf(bs.sockaddr_in6);
        expect(ai.ai_addrlen).toBe(bs.sockaddr_in6.size);
        expect((ai.ai_addr as bs.sockaddr_in6).port).toBe(80);
        expect((ai.ai_addr as bs.sockaddr_in6).address).toBe('::1');
      }
      expect(ai.ai_addr.addrlen).toBe(ai.ai_addrlen);
    }
    expect(res.some((ai) => ai.ai_family === bs.AF_INET)).toBe(true);
  });

  it('results connect to a local listener exactly as the classic C loop does', () => {
    const l = tcpListener();
    const port = (l.addr as bs.sockaddr_in).port;
    let fd = -1;
    let server = -1;
    try {
      const res = bs.getaddrinfo('localhost', String(port), { ai_family: bs.AF_UNSPEC, ai_socktype: bs.SOCK_STREAM });
      // for (p = res; p != NULL; p = p->ai_next) { socket(); connect() or close(); }
      for (let p: bs.addrinfo | null = res[0] ?? null; p !== null; p = p.ai_next) {
        const s = bs.socket(p.ai_family, p.ai_socktype, p.ai_protocol);
        try {
          bs.connect(s, p.ai_addr, p.ai_addrlen);
          fd = s;
          break;
        } catch (e) {
          bs.close(s);
          if (!(e instanceof bs.SocketError)) throw e;
        }
      }
      bs.freeaddrinfo(res);
      expect(fd).toBeGreaterThanOrEqual(0);
      server = bs.accept(l.fd);
      expect(bs.send(fd, 'via getaddrinfo')).toBe(15);
      const b = Buffer.alloc(32);
      expect(bs.recv(server, b)).toBe(15);
      expect(b.toString('utf8', 0, 15)).toBe('via getaddrinfo');
    } finally {
      closeAll(fd, server, l.fd);
    }
  });

  it('numeric hosts with AI_NUMERICHOST; a name with AI_NUMERICHOST → EAI_NONAME', () => {
    const v4 = bs.getaddrinfo('127.0.0.1', '443', { ai_flags: bs.AI_NUMERICHOST, ai_socktype: bs.SOCK_STREAM });
    expect(v4.length).toBe(1);
    expect(v4[0]!.ai_family).toBe(bs.AF_INET);
    expect(String(v4[0]!.ai_addr)).toBe('127.0.0.1:443');
    const v6 = bs.getaddrinfo('::1', '443', { ai_flags: bs.AI_NUMERICHOST, ai_socktype: bs.SOCK_DGRAM });
    expect(v6.length).toBe(1);
    expect(v6[0]!.ai_family).toBe(bs.AF_INET6);
    expect(v6[0]!.ai_protocol).toBe(bs.IPPROTO_UDP);
    expect(v6[0]!.ai_addr).toBeInstanceOf(bs.sockaddr_in6);
    expect(String(v6[0]!.ai_addr)).toBe('[::1]:443');
    expect(gaiCode(() => bs.getaddrinfo('localhost', '443', { ai_flags: bs.AI_NUMERICHOST }))).toBe('EAI_NONAME');
    expect(gaiCode(() => bs.getaddrinfo('300.1.1.1', '443', { ai_flags: bs.AI_NUMERICHOST }))).toBe('EAI_NONAME');
  });

  it('a null node with AI_PASSIVE gives the wildcard addresses for bind()', () => {
    const res = bs.getaddrinfo(null, '8080', { ai_flags: bs.AI_PASSIVE, ai_socktype: bs.SOCK_STREAM });
    const text = res.map((ai) => String(ai.ai_addr));
    expect(text).toContain('0.0.0.0:8080');
    if (res.some((ai) => ai.ai_family === bs.AF_INET6)) expect(text).toContain('[::]:8080');
    // Without AI_PASSIVE, a null node means loopback.
    const lo = bs.getaddrinfo(null, '8080', { ai_socktype: bs.SOCK_STREAM, ai_family: bs.AF_INET });
    expect(lo.map((ai) => String(ai.ai_addr))).toEqual(['127.0.0.1:8080']);
    // And the passive result binds.
    const first = res.find((ai) => ai.ai_family === bs.AF_INET)!;
    const fd = bs.socket(first.ai_family, first.ai_socktype, first.ai_protocol);
    try {
      const sin = first.ai_addr as bs.sockaddr_in;
      sin.port = 0; // do not depend on 8080 being free
      bs.bind(fd, sin);
      expect((bs.getsockname(fd) as bs.sockaddr_in).address).toBe('0.0.0.0');
    } finally {
      closeAll(fd);
    }
  });

  it("service names come from /etc/services ('http' → 80); AI_NUMERICSERV refuses them", () => {
    const res = bs.getaddrinfo('127.0.0.1', 'http', { ai_flags: bs.AI_NUMERICHOST, ai_socktype: bs.SOCK_STREAM });
    expect((res[0]!.ai_addr as bs.sockaddr_in).port).toBe(80);
    const ssh = bs.getaddrinfo('127.0.0.1', 'ssh', { ai_flags: bs.AI_NUMERICHOST, ai_socktype: bs.SOCK_STREAM });
    expect((ssh[0]!.ai_addr as bs.sockaddr_in).port).toBe(22);
    expect(gaiCode(() => bs.getaddrinfo('127.0.0.1', 'http', { ai_flags: bs.AI_NUMERICHOST | bs.AI_NUMERICSERV }))).toBe('EAI_NONAME');
    expect(gaiCode(() => bs.getaddrinfo('127.0.0.1', 'no-such-service-name', { ai_flags: bs.AI_NUMERICHOST }))).toBe('EAI_SERVICE');
  });

  it('without hints every socket type comes back, linked in order by ai_next', () => {
    const res = bs.getaddrinfo('127.0.0.1', '7', { ai_flags: bs.AI_NUMERICHOST });
    const types = res.map((ai) => ai.ai_socktype);
    expect(types).toEqual(expect.arrayContaining([bs.SOCK_STREAM, bs.SOCK_DGRAM, bs.SOCK_RAW]));
    for (let i = 0; i < res.length; i++) expect(res[i]!.ai_next).toBe(i + 1 < res.length ? res[i + 1] : null);
    let n = 0;
    for (let p: bs.addrinfo | null = res[0]!; p; p = p.ai_next) n++;
    expect(n).toBe(res.length);
  });

  it('AI_CANONNAME fills ai_canonname on the first result only', () => {
    const res = bs.getaddrinfo('localhost', null, { ai_flags: bs.AI_CANONNAME, ai_socktype: bs.SOCK_STREAM });
    expect(res[0]!.ai_canonname).toBe('localhost');
    for (const ai of res.slice(1)) expect(ai.ai_canonname).toBeNull();
  });

  it('failures: EAI_NONAME, EAI_SERVICE, EAI_SOCKTYPE, EAI_FAMILY, EAI_BADFLAGS', () => {
    expect(gaiCode(() => bs.getaddrinfo(null, null))).toBe('EAI_NONAME');
    expect(gaiCode(() => bs.getaddrinfo('127.0.0.1', '80', { ai_socktype: 9999 }))).toBe('EAI_SOCKTYPE');
    expect(gaiCode(() => bs.getaddrinfo('127.0.0.1', '80', { ai_family: 9999 }))).toBe('EAI_FAMILY');
    expect(gaiCode(() => bs.getaddrinfo(null, '80', { ai_flags: bs.AI_CANONNAME }))).toBe('EAI_BADFLAGS');
  });

  it("'nonexistent.invalid' → EAI_NONAME (EAI_AGAIN if the resolver cannot be reached)", () => {
    // /etc/hosts does not know it, so glibc asks the configured resolver. With no network the
    // answer may be a temporary failure (EAI_AGAIN) instead of NXDOMAIN; both are correct C.
    const t0 = performance.now();
    let err: unknown;
    try {
      bs.getaddrinfo('nonexistent.invalid', '80', { ai_socktype: bs.SOCK_STREAM });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(bs.AddrInfoError);
    const e = err as bs.AddrInfoError;
    expect(['EAI_NONAME', 'EAI_AGAIN']).toContain(e.code);
    expect(e.eai).toBe(e.code === 'EAI_NONAME' ? bs.EAI_NONAME : bs.EAI_AGAIN);
    expect(e.hostname).toBe('nonexistent.invalid');
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it('hints and names are validated before the call', () => {
    expect(() => bs.getaddrinfo(42 as unknown as string)).toThrow(TypeError);
    expect(() => bs.getaddrinfo('local\0host')).toThrow(TypeError);
    expect(() => bs.getaddrinfo('localhost', 80 as unknown as string)).toThrow(TypeError);
    expect(() => bs.getaddrinfo('localhost', '80', 'x' as unknown as bs.AddrinfoHints)).toThrow(TypeError);
    expect(() => bs.getaddrinfo('localhost', '80', { ai_family: 1.5 })).toThrow(RangeError);
    expect(() => bs.getaddrinfo('localhost', '80', { ai_socktype: '1' as unknown as number })).toThrow(TypeError);
  });
});

describe('getnameinfo', () => {
  it('NI_NUMERICHOST | NI_NUMERICSERV gives the numeric forms', () => {
    expect(bs.getnameinfo(new bs.sockaddr_in('127.0.0.1', 80), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV))
      .toEqual({ host: '127.0.0.1', serv: '80' });
    expect(bs.getnameinfo(new bs.sockaddr_in6('::1', 443), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV))
      .toEqual({ host: '::1', serv: '443' });
  });

  it('names from /etc/hosts and /etc/services without the NUMERIC flags', () => {
    expect(bs.getnameinfo(new bs.sockaddr_in('127.0.0.1', 80), 0)).toEqual({ host: 'localhost', serv: 'http' });
    expect(bs.getnameinfo(new bs.sockaddr_in('127.0.0.1', 80), bs.NI_NUMERICSERV).serv).toBe('80');
  });

  it('round-trips an address from getsockname', () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 0));
      const a = bs.getsockname(fd) as bs.sockaddr_in;
      expect(bs.getnameinfo(a, bs.NI_NUMERICHOST | bs.NI_NUMERICSERV | bs.NI_DGRAM))
        .toEqual({ host: '127.0.0.1', serv: String(a.port) });
    } finally {
      closeAll(fd);
    }
  });

  it('a family it cannot handle → EAI_FAMILY', () => {
    const ss = new bs.sockaddr_storage();
    ss.ss_family = 9999;
    expect(gaiCode(() => bs.getnameinfo(ss, bs.NI_NUMERICHOST))).toBe('EAI_FAMILY');
    // Too short for the family it claims.
    expect(gaiCode(() => bs.getnameinfo(new bs.sockaddr_in('127.0.0.1', 1).bytes.subarray(0, 4), bs.NI_NUMERICHOST))).toBe('EAI_FAMILY');
  });
});

describe('gethostbyname', () => {
  it("'localhost' fills a hostent", () => {
    const he = bs.gethostbyname('localhost');
    expect(he).not.toBeNull();
    expect(he!.h_name).toBe('localhost');
    expect(he!.h_addrtype).toBe(bs.AF_INET);
    expect(he!.h_length).toBe(4);
    expect(he!.h_addr_list.length).toBeGreaterThan(0);
    expect(he!.h_addr.equals(he!.h_addr_list[0]!)).toBe(true);
    expect([...he!.h_addr]).toEqual([127, 0, 0, 1]);
    expect(bs.inet_ntop(bs.AF_INET, he!.h_addr)).toBe('127.0.0.1');
    expect(Array.isArray(he!.h_aliases)).toBe(true);
  });

  it('a numeric address is its own answer', () => {
    const he = bs.gethostbyname('10.1.2.3');
    expect(he).not.toBeNull();
    expect([...he!.h_addr]).toEqual([10, 1, 2, 3]);
  });

  it('a bad name → null with h_errno set (HOST_NOT_FOUND, or TRY_AGAIN with no resolver)', () => {
    const he = bs.gethostbyname('nonexistent.invalid');
    expect(he).toBeNull();
    expect([bs.HOST_NOT_FOUND, bs.TRY_AGAIN]).toContain(bs.h_errno);
    expect(bs.hstrerror(bs.h_errno).length).toBeGreaterThan(0);
    // A name with a NUL can never resolve.
    expect(bs.gethostbyname('local\0host')).toBeNull();
    expect(bs.h_errno).toBe(bs.HOST_NOT_FOUND);
    expect(() => bs.gethostbyname(7 as unknown as string)).toThrow(TypeError);
  });
});

describe('interfaces', () => {
  it("if_nametoindex('lo') and back", () => {
    const idx = bs.if_nametoindex('lo');
    expect(idx).toBeGreaterThan(0);
    expect(bs.if_indextoname(idx)).toBe('lo');
  });

  it('unknown names and indexes are SocketErrors (ENODEV / ENXIO)', () => {
    let e: unknown;
    try {
      bs.if_nametoindex('no-such-if0');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(bs.SocketError);
    expect((e as bs.SocketError).code).toBe('ENODEV');
    expect((e as bs.SocketError).syscall).toBe('if_nametoindex');
    try {
      bs.if_indextoname(2 ** 31);
      e = undefined;
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(bs.SocketError);
    expect((e as bs.SocketError).code).toBe('ENXIO');
    expect((e as bs.SocketError).errno).toBe(bs.ENXIO);
  });

  it.skipIf(!hasIPv6)('a %zone in an IPv6 address resolves through if_nametoindex', () => {
    const sin6 = new bs.sockaddr_in6('fe80::1%lo', 1);
    expect(sin6.sin6_scope_id).toBe(bs.if_nametoindex('lo'));
  });
});
