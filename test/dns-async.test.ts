// getaddrinfoAsync / getnameinfoAsync: the same C calls on the libuv thread pool. Results
// equal the sync forms', failures reject with the same AddrInfoError, the JS thread keeps
// running meanwhile, AbortSignal and timeout settle the Promise early, and it all works in
// a worker_thread (including one terminated while its lookups are still queued).
// Only names this machine answers locally (/etc/hosts, /etc/services, numeric forms).
import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { libUrl, scratchFiles, startWorker, tsxApi, type WorkerRun } from './worker-harness.js';
import * as bs from '../lib/index.js';
import { AbortError } from '../lib/errors.js';
import { native } from '../lib/native.js';

/** What a result is, comparable with toEqual (struct class, text form and raw bytes). */
function shape(list: bs.addrinfo[]): unknown[] {
  return list.map((ai, i) => ({
    ai_flags: ai.ai_flags,
    ai_family: ai.ai_family,
    ai_socktype: ai.ai_socktype,
    ai_protocol: ai.ai_protocol,
    ai_addrlen: ai.ai_addrlen,
    ai_canonname: ai.ai_canonname,
    cls: ai.ai_addr.constructor.name,
    text: String(ai.ai_addr),
    bytes: Buffer.from(ai.ai_addr.bytes.buffer, ai.ai_addr.bytes.byteOffset, ai.ai_addr.addrlen).toString('hex'),
    next: ai.ai_next === (list[i + 1] ?? null),
  }));
}

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the Promise to reject');
}

/** Keeps every libuv pool thread busy for about `ms`; resolves when they are all free again. */
const poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
function occupyThreadPool(ms: number): Promise<void> {
  // Calibrate: how many PBKDF2 iterations take `ms` on this machine.
  const probe = 20_000;
  const t0 = performance.now();
  pbkdf2Sync('p', 's', probe, 16, 'sha256');
  const iterations = Math.max(probe, Math.round((probe * ms) / Math.max(0.5, performance.now() - t0)));
  const jobs = Array.from(
    { length: poolSize },
    () => new Promise<void>((resolve, reject) => pbkdf2('p', 's', iterations, 16, 'sha256', (e) => (e ? reject(e) : resolve()))),
  );
  return Promise.all(jobs).then(() => undefined);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('getaddrinfoAsync', () => {
  const cases: [string, string | null, string | null, bs.AddrinfoHints | null][] = [
    ["'localhost', '80', SOCK_STREAM", 'localhost', '80', { ai_socktype: bs.SOCK_STREAM }],
    ["'localhost', no hints", 'localhost', null, null],
    ['numeric IPv4 with AI_NUMERICHOST', '127.0.0.1', '443', { ai_flags: bs.AI_NUMERICHOST, ai_socktype: bs.SOCK_STREAM }],
    ['numeric IPv6 with AI_NUMERICHOST', '::1', '53', { ai_flags: bs.AI_NUMERICHOST, ai_socktype: bs.SOCK_DGRAM }],
    ['null node with AI_PASSIVE', null, '8080', { ai_flags: bs.AI_PASSIVE, ai_family: bs.AF_INET, ai_socktype: bs.SOCK_STREAM }],
    ['AI_CANONNAME', '127.0.0.1', null, { ai_flags: bs.AI_CANONNAME | bs.AI_NUMERICHOST }],
  ];
  it.each(cases)('%s: the same list as getaddrinfo()', async (_name, node, service, hints) => {
    const sync = bs.getaddrinfo(node, service, hints);
    const p = bs.getaddrinfoAsync(node, service, hints);
    expect(p).toBeInstanceOf(Promise);
    const res = await p;
    expect(res.length).toBeGreaterThan(0);
    expect(shape(res)).toEqual(shape(sync));
    for (const ai of res) {
      expect(ai.ai_addr).toBeInstanceOf(ai.ai_family === bs.AF_INET6 ? bs.sockaddr_in6 : bs.sockaddr_in);
    }
  });

  it('omitted service and hints are null, as in the sync form', async () => {
    expect(shape(await bs.getaddrinfoAsync('127.0.0.1'))).toEqual(shape(bs.getaddrinfo('127.0.0.1')));
  });

  it('a name with AI_NUMERICHOST rejects with AddrInfoError EAI_NONAME, like the sync form throws', async () => {
    let syncErr: unknown;
    try {
      bs.getaddrinfo('localhost', '443', { ai_flags: bs.AI_NUMERICHOST });
    } catch (e) {
      syncErr = e;
    }
    const e = await rejection(bs.getaddrinfoAsync('localhost', '443', { ai_flags: bs.AI_NUMERICHOST }));
    expect(e).toBeInstanceOf(bs.AddrInfoError);
    expect(e.code).toBe('EAI_NONAME');
    expect(e.eai).toBe(bs.EAI_NONAME);
    expect(e.syscall).toBe('getaddrinfo');
    expect(e.hostname).toBe('localhost');
    expect(e.message).toBe((syncErr as Error).message);
  });

  it("'nonexistent.invalid' rejects with EAI_NONAME (EAI_AGAIN if the resolver cannot be reached)", async () => {
    const e = await rejection(bs.getaddrinfoAsync('nonexistent.invalid', '80', { ai_socktype: bs.SOCK_STREAM }));
    expect(e).toBeInstanceOf(bs.AddrInfoError);
    expect(['EAI_NONAME', 'EAI_AGAIN']).toContain(e.code);
    expect(e.hostname).toBe('nonexistent.invalid');
  });

  it('other EAI_* failures are the sync ones', async () => {
    const code = async (p: Promise<unknown>) => (await rejection(p)).code;
    expect(await code(bs.getaddrinfoAsync(null, null))).toBe('EAI_NONAME');
    expect(await code(bs.getaddrinfoAsync('127.0.0.1', '80', { ai_socktype: 9999 }))).toBe('EAI_SOCKTYPE');
    expect(await code(bs.getaddrinfoAsync('127.0.0.1', '80', { ai_family: 9999 }))).toBe('EAI_FAMILY');
    expect(await code(bs.getaddrinfoAsync('127.0.0.1', 'no-such-service-name', { ai_flags: bs.AI_NUMERICHOST }))).toBe(
      'EAI_SERVICE',
    );
  });

  it('bad arguments reject (no throw) with the sync TypeError / RangeError, before any work starts', async () => {
    const spy = vi.spyOn(native, 'getaddrinfoAsync');
    const bad: [() => Promise<unknown>, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor][] = [
      [() => bs.getaddrinfoAsync(123 as unknown as string), TypeError],
      [() => bs.getaddrinfoAsync('a\0b'), TypeError],
      [() => bs.getaddrinfoAsync('localhost', 80 as unknown as string), TypeError],
      [() => bs.getaddrinfoAsync('localhost', null, 'x' as unknown as bs.AddrinfoHints), TypeError],
      [() => bs.getaddrinfoAsync('localhost', null, { ai_family: 1.5 }), RangeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, 'x' as unknown as bs.LookupOptions), TypeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { timeout: -1 }), RangeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { timeout: Number.NaN }), RangeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { timeout: Infinity }), RangeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { timeout: 2 ** 31 }), RangeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { timeout: '5' as unknown as number }), TypeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { signal: {} as AbortSignal }), TypeError],
      [() => bs.getaddrinfoAsync('localhost', null, null, { signal: null as unknown as AbortSignal }), TypeError],
    ];
    for (const [call, cls] of bad) {
      let p: Promise<unknown> | undefined;
      expect(() => (p = call())).not.toThrow();
      expect(await rejection(p!)).toBeInstanceOf(cls);
    }
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('getnameinfoAsync', () => {
  it('the same { host, serv } as getnameinfo()', async () => {
    const cases: [bs.SockaddrBase | ArrayBufferView, number][] = [
      [new bs.sockaddr_in('127.0.0.1', 80), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV],
      [new bs.sockaddr_in('127.0.0.1', 80), 0],
      [new bs.sockaddr_in('127.0.0.1', 53), bs.NI_DGRAM],
      [new bs.sockaddr_in6('::1', 443), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV],
      [Buffer.from(new bs.sockaddr_in('127.0.0.1', 22).bytes), bs.NI_NUMERICHOST],
    ];
    for (const [addr, flags] of cases) {
      expect(await bs.getnameinfoAsync(addr, flags)).toEqual(bs.getnameinfo(addr, flags));
    }
    expect(await bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 80))).toEqual(bs.getnameinfo(new bs.sockaddr_in('127.0.0.1', 80)));
  });

  it('the address is copied when the call starts: the buffer may be reused at once', async () => {
    const buf = Buffer.from(new bs.sockaddr_in('127.0.0.1', 8080).bytes);
    const p = bs.getnameinfoAsync(buf, bs.NI_NUMERICHOST | bs.NI_NUMERICSERV);
    buf.fill(0xff);
    expect(await p).toEqual({ host: '127.0.0.1', serv: '8080' });
  });

  it('a family it cannot handle rejects with AddrInfoError EAI_FAMILY', async () => {
    const ss = new bs.sockaddr_storage();
    ss.ss_family = 9999;
    const e = await rejection(bs.getnameinfoAsync(ss, bs.NI_NUMERICHOST));
    expect(e).toBeInstanceOf(bs.AddrInfoError);
    expect(e.code).toBe('EAI_FAMILY');
    expect(e.syscall).toBe('getnameinfo');
  });

  it('bad arguments reject with TypeError', async () => {
    expect(await rejection(bs.getnameinfoAsync('127.0.0.1' as unknown as ArrayBufferView))).toBeInstanceOf(TypeError);
    expect(await rejection(bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 1), 0, { signal: 1 as unknown as AbortSignal }))).toBeInstanceOf(
      TypeError,
    );
  });
});

describe('off the JS thread', () => {
  it('the event loop keeps turning while lookups are pending (queued behind a busy thread pool)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const busy = occupyThreadPool(300);
      let done = false;
      const p = bs.getaddrinfoAsync('localhost', '80', { ai_socktype: bs.SOCK_STREAM }).finally(() => (done = true));
      // The lookup can only start once a pool thread is free; meanwhile timers fire.
      await new Promise((r) => setTimeout(r, 100));
      expect(done).toBe(false);
      expect(ticks).toBeGreaterThanOrEqual(3);
      expect(shape(await p)).toEqual(shape(bs.getaddrinfo('localhost', '80', { ai_socktype: bs.SOCK_STREAM })));
      await busy;
    } finally {
      clearInterval(timer);
    }
  });

  it('timers fire between back-to-back awaited lookups (each one settles from the event loop)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      for (let i = 0; i < 5000 && ticks < 3; i++) await bs.getaddrinfoAsync('localhost', null);
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(timer);
    }
  });

  it('never settles synchronously', async () => {
    let settled = false;
    const p = bs.getaddrinfoAsync('127.0.0.1', null, { ai_flags: bs.AI_NUMERICHOST }).then(() => (settled = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(false);
    await p;
    expect(settled).toBe(true);
  });

  it('50 concurrent lookups of localhost all resolve to the sync result', async () => {
    const want = shape(bs.getaddrinfo('localhost', '443', { ai_socktype: bs.SOCK_STREAM }));
    const all = await Promise.all(
      Array.from({ length: 50 }, () => bs.getaddrinfoAsync('localhost', '443', { ai_socktype: bs.SOCK_STREAM })),
    );
    expect(all).toHaveLength(50);
    for (const res of all) expect(shape(res)).toEqual(want);
    const names = await Promise.all(
      Array.from({ length: 50 }, (_, i) => bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 1000 + i), bs.NI_NUMERICSERV)),
    );
    expect(names.map((n) => n.serv)).toEqual(Array.from({ length: 50 }, (_, i) => String(1000 + i)));
  });
});

describe('AbortSignal and timeout', () => {
  it('new AbortError(reason): name AbortError, code ABORT_ERR, cause = reason', () => {
    const reason = new Error('why');
    const e = new AbortError(reason) as Error & { code: string };
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AbortError');
    expect(e.code).toBe('ABORT_ERR');
    expect(e.cause).toBe(reason);
    expect('cause' in new AbortError()).toBe(false);
  });

  it('a signal already aborted rejects before any work starts', async () => {
    const spy = vi.spyOn(native, 'getaddrinfoAsync');
    const spy2 = vi.spyOn(native, 'getnameinfoAsync');
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    const e = await rejection(bs.getaddrinfoAsync('localhost', null, null, { signal }));
    expect(e.name).toBe('AbortError');
    expect(e.code).toBe('ABORT_ERR');
    expect(e.cause).toBe(reason);
    const e2 = await rejection(bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 1), 0, { signal, timeout: 1000 }));
    expect(e2.name).toBe('AbortError');
    expect(e2.cause).toBe(reason);
    expect(spy).not.toHaveBeenCalled();
    expect(spy2).not.toHaveBeenCalled();
  });

  it('abort after the start rejects at once; the late result is ignored', async () => {
    const spy = vi.spyOn(native, 'getaddrinfoAsync');
    const ac = new AbortController();
    const p = bs.getaddrinfoAsync('localhost', '80', null, { signal: ac.signal });
    expect(spy).toHaveBeenCalledTimes(1);
    ac.abort();
    const e = await rejection(p);
    expect(e.name).toBe('AbortError');
    expect(e.code).toBe('ABORT_ERR');
    expect(e.cause).toBe(ac.signal.reason); // the default DOMException
    // The native result still arrives later and is dropped (no second settle, no error).
    await new Promise((r) => setTimeout(r, 50));
    expect(await bs.getaddrinfoAsync('127.0.0.1')).toHaveLength(bs.getaddrinfo('127.0.0.1').length);
  });

  it('abort after the lookup settled changes nothing', async () => {
    const ac = new AbortController();
    const res = await bs.getaddrinfoAsync('127.0.0.1', '80', null, { signal: ac.signal, timeout: 10_000 });
    ac.abort();
    expect(shape(res)).toEqual(shape(bs.getaddrinfo('127.0.0.1', '80')));
  });

  it('timeout 0 rejects with SocketError ETIMEDOUT, without starting work', async () => {
    const spy = vi.spyOn(native, 'getaddrinfoAsync');
    const e = await rejection(bs.getaddrinfoAsync('localhost', null, null, { timeout: 0 }));
    expect(e).toBeInstanceOf(bs.SocketError);
    expect(e.errno).toBe(bs.ETIMEDOUT);
    expect(e.code).toBe('ETIMEDOUT');
    expect(e.syscall).toBe('getaddrinfo');
    const e2 = await rejection(bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 1), 0, { timeout: 0 }));
    expect(e2).toBeInstanceOf(bs.SocketError);
    expect(e2.code).toBe('ETIMEDOUT');
    expect(e2.syscall).toBe('getnameinfo');
    expect(spy).not.toHaveBeenCalled();
  });

  it('a timeout that passes while the lookup is queued rejects ETIMEDOUT; the late result is ignored', async () => {
    let free = false;
    const busy = occupyThreadPool(300).then(() => (free = true));
    const e = await rejection(bs.getaddrinfoAsync('localhost', null, null, { timeout: 20 }));
    expect(free).toBe(false); // rejected while the lookup could not even have started
    expect(e).toBeInstanceOf(bs.SocketError);
    expect(e.code).toBe('ETIMEDOUT');
    await busy;
    // The dropped lookup has had its turn on the pool by now; everything still works.
    expect(await bs.getaddrinfoAsync('127.0.0.1', null, null, { timeout: 5000 })).toHaveLength(bs.getaddrinfo('127.0.0.1').length);
  });

  it('a generous timeout does not get in the way', async () => {
    const res = await bs.getaddrinfoAsync('localhost', '80', null, { timeout: 5000 });
    expect(shape(res)).toEqual(shape(bs.getaddrinfo('localhost', '80')));
    expect(await bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 80), 0, { timeout: 5000 })).toEqual(
      bs.getnameinfo(new bs.sockaddr_in('127.0.0.1', 80), 0),
    );
  });
});

// ---------------------------------------------------------------------------------------
// worker_threads (loads lib/ through tsx's tsImport, as test/workers.test.ts does)

const lib = libUrl();

const WORKER_SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
const { tsImport } = await import(workerData.tsxApi);
const bs = await tsImport(workerData.lib, import.meta.url);

const describe = (list) => list.map((ai) => [ai.ai_family, ai.ai_socktype, ai.ai_addr.constructor.name, String(ai.ai_addr)]);

if (workerData.mode === 'lookups') {
  const res = await bs.getaddrinfoAsync('localhost', '80', { ai_socktype: bs.SOCK_STREAM });
  const many = await Promise.all(Array.from({ length: 20 }, () => bs.getaddrinfoAsync('localhost', '80', { ai_socktype: bs.SOCK_STREAM })));
  const name = await bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 80), bs.NI_NUMERICHOST | bs.NI_NUMERICSERV);
  let failure = null;
  try {
    await bs.getaddrinfoAsync('localhost', null, { ai_flags: bs.AI_NUMERICHOST });
  } catch (e) {
    failure = { isAddrInfoError: e instanceof bs.AddrInfoError, code: e.code };
  }
  let aborted = null;
  try {
    const ac = new AbortController();
    const p = bs.getaddrinfoAsync('localhost', null, null, { signal: ac.signal });
    ac.abort();
    await p;
  } catch (e) {
    aborted = e.name;
  }
  parentPort.postMessage({
    res: describe(res),
    sameMany: many.every((r) => JSON.stringify(describe(r)) === JSON.stringify(describe(res))),
    name,
    failure,
    aborted,
  });
} else if (workerData.mode === 'queued') {
  // On 'go' (sent once the main thread has made the pool busy), queue lookups that cannot
  // start yet; the main thread then terminate()s this worker.
  parentPort.once('message', () => {
    for (let i = 0; i < 10; i++) bs.getaddrinfoAsync('localhost', null).then(() => parentPort.postMessage('resolved'));
    bs.getnameinfoAsync(new bs.sockaddr_in('127.0.0.1', 80), 0);
    parentPort.postMessage('queued');
  });
  parentPort.postMessage('ready');
  setInterval(() => {}, 1000);
}
`;

let scratch: ReturnType<typeof scratchFiles>;
beforeAll(() => {
  scratch = scratchFiles('bsock-dns-async-', { 'worker.mjs': WORKER_SOURCE });
});
afterAll(() => scratch.cleanup());

function start(mode: string): WorkerRun<unknown> {
  return startWorker<unknown>(scratch.url('worker.mjs'), { mode, lib, tsxApi });
}

describe('in a worker_thread', () => {
  it('resolves, fails and aborts as on the main thread, then exits cleanly', async () => {
    const run = start('lookups');
    const m = (await run.message) as Record<string, unknown>;
    const want = bs
      .getaddrinfo('localhost', '80', { ai_socktype: bs.SOCK_STREAM })
      .map((ai) => [ai.ai_family, ai.ai_socktype, ai.ai_addr.constructor.name, String(ai.ai_addr)]);
    expect(m.res).toEqual(want);
    expect(m.sameMany).toBe(true);
    expect(m.name).toEqual({ host: '127.0.0.1', serv: '80' });
    expect(m.failure).toEqual({ isAddrInfoError: true, code: 'EAI_NONAME' });
    expect(m.aborted).toBe('AbortError');
    expect(await run.exit).toBe(0);
  });

  it('terminate() while its lookups are still queued: the process survives, lookups keep working', async () => {
    const run = start('queued');
    expect(await run.message).toBe('ready');
    const busy = occupyThreadPool(300);
    const queued = new Promise((resolve) => run.worker.once('message', resolve));
    run.worker.postMessage('go');
    expect(await queued).toBe('queued');
    // terminate() waits for the queued work to run; its results reach an environment that
    // can no longer run JS and are dropped.
    await run.worker.terminate();
    expect(await run.exit).toBe(1);
    await busy;
    expect(shape(await bs.getaddrinfoAsync('localhost', '80'))).toEqual(shape(bs.getaddrinfo('localhost', '80')));
  });
});
