// Struct layouts from the compiler (native.layouts): lookups shared by structs.ts and
// headers.ts, failing loudly if the addon and this file ever disagree.
import { native, type BitLayout, type FieldLayout, type StructLayout } from './native.js';

const L = native.layouts as Readonly<Record<string, StructLayout>>;

export function layout(name: string): StructLayout {
  const l = L[name];
  if (!l) throw new Error(`internal: no layout for struct ${name}`);
  return l;
}

export function field(l: StructLayout, name: string): FieldLayout {
  const f = l[name] as FieldLayout | undefined;
  if (!Array.isArray(f)) throw new Error(`internal: no field ${name}`);
  return f;
}

export function bitfield(l: StructLayout, name: string): BitLayout {
  const b = l.bits?.[name];
  if (!b) throw new Error(`internal: no bitfield ${name}`);
  return b;
}
