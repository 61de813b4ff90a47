// Privileges (reliability.md §1 D item 56). This machine runs the tests as root with
// CAP_NET_RAW, so raw sockets work in-process; the unprivileged behaviour is shown by
// child processes that drop the capability (setpriv/capsh) and report the SocketError.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as bs from '../lib/index.js';
import { closeAll, hasRaw } from './helpers.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const libUrl = pathToFileURL(join(repo, 'lib', 'index.ts')).href;

// The child: tries each privileged call and prints what happened as JSON.
const CHILD = `
import * as bs from ${JSON.stringify(libUrl)};
const out = { uid: process.getuid() };
function attempt(name, fn) {
  let fd = -1;
  try {
    fd = fn();
    out[name] = { ok: true };
  } catch (e) {
    out[name] = e instanceof bs.SocketError
      ? { code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port }
      : { other: String(e) };
  } finally {
    if (fd >= 0) bs.close(fd);
  }
}
attempt('raw', () => bs.socket(bs.AF_INET, bs.SOCK_RAW, bs.IPPROTO_ICMP));
attempt('packet', () => bs.socket(bs.AF_PACKET, bs.SOCK_RAW, 0));
attempt('icmpDgram', () => bs.socket(bs.AF_INET, bs.SOCK_DGRAM, bs.IPPROTO_ICMP));
attempt('bind80', () => {
  const fd = bs.socket(bs.AF_INET, bs.SOCK_STREAM, 0);
  try {
    bs.bind(fd, new bs.sockaddr_in('127.0.0.1', 80));
  } catch (e) {
    bs.close(fd);
    throw e;
  }
  return fd;
});
// Options that need CAP_NET_ADMIN or CAP_NET_RAW (socket(7), ip(7)).
function withOption(level, name, value) {
  return () => {
    const fd = bs.socket(bs.AF_INET, bs.SOCK_DGRAM, 0);
    try {
      bs.setsockopt(fd, level, name, value);
    } catch (e) {
      bs.close(fd);
      throw e;
    }
    return fd;
  };
}
attempt('transparent', withOption(bs.SOL_IP, bs.IP_TRANSPARENT, 1));
attempt('mark', withOption(bs.SOL_SOCKET, bs.SO_MARK, 7));
attempt('priority7', withOption(bs.SOL_SOCKET, bs.SO_PRIORITY, 7));
process.stdout.write(JSON.stringify(out));
`;

interface Outcome {
  ok?: true;
  code?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  other?: string;
}
type Report = { uid: number } & Record<'raw' | 'packet' | 'icmpDgram' | 'bind80' | 'transparent' | 'mark' | 'priority7', Outcome>;

// A world-readable copy of the child script (mkdtemp makes 0700 dirs; the child may be nobody).
const scratch = mkdtempSync(join(tmpdir(), 'bsock-priv-'));
chmodSync(scratch, 0o755);
const script = join(scratch, 'child.mts');
writeFileSync(script, CHILD);
chmodSync(script, 0o644);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: tmpdir() };
delete childEnv.NODE_OPTIONS;

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}
const isRoot = process.getuid?.() === 0;
const hasSetpriv = has('setpriv', ['--version']);
const hasCapsh = has('capsh', ['--print']);

/** Runs the child under `wrapper` (setpriv/capsh argv, ending where node's argv begins). */
function runChild(wrapper: string[], viaShell = false): Report {
  const node = [process.execPath, '--import', 'tsx', script];
  const argv = viaShell ? [...wrapper, node.map((a) => `'${a}'`).join(' ')] : [...wrapper, ...node];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: repo, env: childEnv, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/** Why the unprivileged child cannot run here, or null when it can. */
const nobodySkip: string | null = (() => {
  if (!isRoot) return 'not running as root (cannot switch to uid 65534)';
  if (!hasSetpriv) return 'setpriv is not installed';
  const probe = spawnSync(NOBODY[0]!, [...NOBODY.slice(1), process.execPath, '-e',
    `require('fs').accessSync(${JSON.stringify(join(repo, 'lib', 'index.ts'))}, 4);` +
    `require('fs').accessSync(${JSON.stringify(script)}, 4);` +
    `require('fs').accessSync(${JSON.stringify(join(repo, 'node_modules', 'tsx', 'package.json'))}, 4);`],
    { cwd: repo, env: childEnv, encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) return `uid 65534 cannot read the repository (${probe.stderr.trim().split('\n')[0]})`;
  return null;
})();

const pingRange = existsSync('/proc/sys/net/ipv4/ping_group_range')
  ? readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number)
  : null;
/** Whether gid `g` may open ICMP datagram ("ping") sockets. */
const pingAllowed = (g: number): boolean => pingRange !== null && g >= pingRange[0]! && g <= pingRange[1]!;

function expectFailure(o: Outcome, code: string, syscall: string): void {
  expect(o, JSON.stringify(o)).toMatchObject({ code, syscall });
  expect(o.errno).toBe((bs as unknown as Record<string, number>)[code]);
}

describe('privileged sockets in this process', () => {
  it.skipIf(!hasRaw)('root with CAP_NET_RAW opens raw ICMP and AF_PACKET sockets', () => {
    const raw = bs.socket(bs.AF_INET, bs.SOCK_RAW, bs.IPPROTO_ICMP);
    const pkt = bs.socket(bs.AF_PACKET, bs.SOCK_RAW, 0);
    try {
      expect(bs.getsockopt(raw, bs.SOL_SOCKET, bs.SO_TYPE)).toBe(bs.SOCK_RAW);
      expect(bs.getsockopt(raw, bs.SOL_SOCKET, bs.SO_PROTOCOL)).toBe(bs.IPPROTO_ICMP);
      expect(bs.getsockopt(pkt, bs.SOL_SOCKET, bs.SO_DOMAIN)).toBe(bs.AF_PACKET);
    } finally {
      closeAll(raw, pkt);
    }
  });
});

describe('unprivileged (uid 65534, no capabilities)', () => {
  if (nobodySkip !== null) it.skip(`skipped: ${nobodySkip}`, () => {});

  it.skipIf(nobodySkip !== null)('raw and packet sockets → EPERM; bind to port 80 → EACCES', () => {
    const r = runChild(NOBODY);
    expect(r.uid).toBe(65534);
    expectFailure(r.raw, 'EPERM', 'socket');
    expect(r.raw.errno).toBe(bs.EPERM);
    expectFailure(r.packet, 'EPERM', 'socket');
    expectFailure(r.bind80, 'EACCES', 'bind');
    expectFailure(r.transparent, 'EPERM', 'setsockopt');
    expectFailure(r.mark, 'EPERM', 'setsockopt');
    expectFailure(r.priority7, 'EPERM', 'setsockopt');
    expect(r.bind80.address).toBe('127.0.0.1');
    expect(r.bind80.port).toBe(80);
    // ICMP datagram sockets depend on net.ipv4.ping_group_range ("1 0" = nobody may).
    if (pingAllowed(65534)) expect(r.icmpDgram).toEqual({ ok: true });
    else expectFailure(r.icmpDgram, 'EACCES', 'socket');
  });
});

describe('root without one capability', () => {
  it.skipIf(!isRoot || !hasSetpriv)('without CAP_NET_RAW: raw and packet → EPERM, port 80 still allowed', () => {
    const r = runChild(['setpriv', '--inh-caps=-net_raw', '--bounding-set=-net_raw']);
    expect(r.uid).toBe(0);
    expectFailure(r.raw, 'EPERM', 'socket');
    expectFailure(r.packet, 'EPERM', 'socket');
    // CAP_NET_BIND_SERVICE is kept (another program may own :80 here, hence EADDRINUSE).
    expect(r.bind80.code === undefined || r.bind80.code === 'EADDRINUSE', JSON.stringify(r.bind80)).toBe(true);
  });

  it.skipIf(!isRoot || !hasSetpriv)('without CAP_NET_BIND_SERVICE: port 80 → EACCES, raw still allowed', () => {
    const r = runChild(['setpriv', '--inh-caps=-net_bind_service', '--bounding-set=-net_bind_service']);
    expect(r.uid).toBe(0);
    expectFailure(r.bind80, 'EACCES', 'bind');
    expect(r.bind80.port).toBe(80);
    expect(r.raw).toEqual({ ok: true });
  });

  it.skipIf(!isRoot || !hasSetpriv)('without CAP_NET_ADMIN and CAP_NET_RAW: IP_TRANSPARENT, SO_MARK, SO_PRIORITY 7 → EPERM', () => {
    const drop = '-net_admin,-net_raw';
    const r = runChild(['setpriv', `--inh-caps=${drop}`, `--bounding-set=${drop}`]);
    expect(r.uid).toBe(0);
    expectFailure(r.transparent, 'EPERM', 'setsockopt');
    expectFailure(r.mark, 'EPERM', 'setsockopt');
    expectFailure(r.priority7, 'EPERM', 'setsockopt');
  });

  it.skipIf(!isRoot || !hasSetpriv)('with CAP_NET_ADMIN alone (no CAP_NET_RAW): the options are allowed', () => {
    const r = runChild(['setpriv', '--inh-caps=-net_raw', '--bounding-set=-net_raw']);
    expect(r.transparent).toEqual({ ok: true });
    expect(r.mark).toEqual({ ok: true });
    expect(r.priority7).toEqual({ ok: true });
  });

  it.skipIf(!isRoot || !hasCapsh)('capsh --drop=cap_net_raw gives the same EPERM', () => {
    const r = runChild(['capsh', '--drop=cap_net_raw', '--', '-c'], true);
    expect(r.uid).toBe(0);
    expectFailure(r.raw, 'EPERM', 'socket');
  });
});
