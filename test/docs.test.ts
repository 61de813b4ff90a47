// The API reference as `npm run docs` builds it: TypeDoc converts lib/ with no warning, every
// exported function (and Socket method) links the man page of its C call, every struct names
// its header, and every errno a function says it throws is a name this host defines.
import { beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typedoc = await import('typedoc').catch(() => null);

// A man7.org page, or for pure computations (checksums) the RFC that defines them.
const MAN = /https:\/\/man7\.org\/linux\/man-pages\/man(\d)\/[\w.]+\.\1\w*\.html/;
const REFERENCE = new RegExp(`${MAN.source}|https://www\\.rfc-editor\\.org/rfc/rfc\\d+`);
const HEADER = /`<[\w/]+\.h>`/;

interface Part { text: string }
interface Comment { summary: Part[]; blockTags?: { tag: string; content: Part[] }[] }
interface Node {
  name: string;
  kind: number;
  flags: { isInherited?: boolean };
  comment?: Comment;
  signatures?: Node[];
  children?: Node[];
  inheritedFrom?: unknown;
}

const text = (c?: Comment): string =>
  c ? [...c.summary, ...(c.blockTags ?? []).flatMap((t) => t.content)].map((p) => p.text).join('') : '';
const throwsText = (c?: Comment): string =>
  (c?.blockTags ?? []).filter((t) => t.tag === '@throws').flatMap((t) => t.content).map((p) => p.text).join('');

describe.skipIf(!typedoc)('API reference (TypeDoc)', () => {
  let modules: Node[] = [];
  const warnings: string[] = [];

  // One conversion for every check below, as `npm run docs` makes it (typedoc.json).
  beforeAll(async () => {
    const { Application, LogLevel, ReflectionKind } = typedoc!;
    // Type errors are npm run typecheck's business; skipping them here halves the time.
    const app = await Application.bootstrapWithPlugins({ options: join(root, 'typedoc.json'), skipErrorChecking: true });
    app.logger.log = (message: string, level: number) => {
      if (level >= LogLevel.Warn) warnings.push(stripVTControlCharacters(message));
    };
    const project = await app.convert();
    if (!project) return;
    app.validate(project);
    const json = app.serializer.projectToObject(project, root as Parameters<typeof app.serializer.projectToObject>[1]) as unknown as Node;
    modules = (json.children ?? []).filter((m) => m.kind === ReflectionKind.Module);
  }, 120_000);

  it('converts lib/index.ts and lib/promises.ts with no warning or error', () => {
    expect(warnings).toEqual([]);
    expect(modules.map((m) => m.name).sort()).toEqual(['berkeley-sockets', 'berkeley-sockets/promises']);
  });

  const FUNCTION = 64, CLASS = 128, METHOD = 2048, CONSTRUCTOR = 512, VARIABLE = 32;
  const callables = (): [string, Node][] => {
    const out: [string, Node][] = [];
    for (const m of modules) {
      for (const c of m.children ?? []) {
        if (c.kind === FUNCTION) out.push([`${m.name}.${c.name}`, c]);
        if (c.kind === CLASS && c.name === 'Socket') {
          for (const k of c.children ?? []) {
            if ((k.kind === METHOD || k.kind === CONSTRUCTOR) && !k.flags.isInherited) out.push([`Socket.${k.name}`, k]);
          }
        }
      }
    }
    return out;
  };

  it('every exported function and Socket method links its man page', () => {
    const all = callables();
    expect(all.length).toBeGreaterThan(100);
    const missing = all.filter(([, f]) => !(f.signatures ?? []).some((s) => REFERENCE.test(text(s.comment))));
    expect(missing.map(([n]) => n)).toEqual([]);
  });

  it('every errno a function says it throws is defined on this host', () => {
    const names = new Set(modules.flatMap((m) => (m.children ?? []).filter((c) => c.kind === VARIABLE).map((c) => c.name)));
    let checked = 0;
    for (const [name, f] of callables()) {
      for (const s of f.signatures ?? []) {
        const t = throwsText(s.comment);
        if (!t.includes('SocketError')) continue;
        const codes = [...t.matchAll(/`(E[A-Z0-9]+)`/g)].map((x) => x[1]!);
        expect(codes.length, `${name}: @throws SocketError names no errno`).toBeGreaterThan(0);
        for (const code of codes) expect(names.has(code), `${name}: ${code}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('every struct names its header', () => {
    const structs = modules.flatMap((m) => m.children ?? []).filter((c) => /`struct \w+`/.test(text(c.comment)));
    expect(structs.length).toBeGreaterThan(40);
    expect(structs.filter((c) => !HEADER.test(text(c.comment))).map((c) => c.name)).toEqual([]);
  });
});
