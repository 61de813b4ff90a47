// Argument checks, made before any syscall. No coercion: '3', 3.5, NaN and objects with
// valueOf are rejected, never converted (a value checked here is the value the C sees).

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor?.name ? `an instance of ${v.constructor.name}` : 'an object';
  if (typeof v === 'string') return `type string (${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)})`;
  return `type ${typeof v} (${String(v)})`;
}

export function typeError(name: string, expected: string, got: unknown): TypeError {
  const e = new TypeError(`The "${name}" argument must be ${expected}. Received ${describe(got)}`);
  (e as TypeError & { code: string }).code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

export function rangeError(name: string, expected: string, got: unknown): RangeError {
  const e = new RangeError(`The value of "${name}" is out of range. It must be ${expected}. Received ${String(got)}`);
  (e as RangeError & { code: string }).code = 'ERR_OUT_OF_RANGE';
  return e;
}

/** An integer in [min, max]: TypeError for a non-number or non-integer, RangeError outside. */
export function int(v: unknown, name: string, min: number, max: number): number {
  // Small enough for the optimising compiler to inline into every I/O call; the reasons
  // for a refusal are worked out out of line.
  if (typeof v === 'number' && v >= min && v <= max && Number.isInteger(v)) return v;
  return badInt(v, name, min, max);
}

function badInt(v: unknown, name: string, min: number, max: number): never {
  if (typeof v !== 'number') throw typeError(name, 'of type number', v);
  if (!Number.isInteger(v)) {
    if (Number.isNaN(v) || !Number.isFinite(v)) throw rangeError(name, `an integer >= ${min} and <= ${max}`, v);
    throw rangeError(name, 'an integer', v);
  }
  throw rangeError(name, `>= ${min} and <= ${max}`, v);
}

export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;
export const UINT32_MAX = 0xffffffff;

/** A file descriptor: an integer 0..INT_MAX. */
export function fd(v: unknown, name = 'fd'): number {
  return int(v, name, 0, INT32_MAX);
}

/** A C `int` argument (domain, type, level, optname…). */
export function cint(v: unknown, name: string): number {
  return int(v, name, INT32_MIN, INT32_MAX);
}

/** A flags word: any 32-bit pattern (MSG_CMSG_CLOEXEC sets bit 30), passed as a C int. */
export function flags(v: unknown, name = 'flags'): number {
  if (v === undefined) return 0;
  return int(v, name, INT32_MIN, UINT32_MAX) | 0;
}

export type Data = string | ArrayBufferView;

/** Bytes to send: strings are UTF-8; any ArrayBufferView is used in place, never copied. */
export function data(v: unknown, name = 'buf'): ArrayBufferView {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (ArrayBuffer.isView(v)) return v;
  throw typeError(name, 'a string, Buffer, TypedArray or DataView', v);
}

/** A caller-owned buffer to receive into. */
export function view(v: unknown, name = 'buf'): ArrayBufferView {
  if (ArrayBuffer.isView(v)) return v;
  throw typeError(name, 'a Buffer, TypedArray or DataView', v);
}

/**
 * A length within a buffer of `byteLength` bytes: defaults to all of it; past its end is a
 * RangeError.
 */
export function length(v: unknown, byteLength: number, name = 'len'): number {
  if (v === undefined) return byteLength;
  return int(v, name, 0, byteLength);
}

/**
 * `b.byteLength`, read as `length` where that is the same: V8 11 (Node 20) inlines a typed
 * array's `length` but calls a builtin through the inline cache for `byteLength` (about
 * 10 ns, several times per I/O call).
 */
export function byteLength(b: ArrayBufferView): number {
  return b instanceof Uint8Array ? b.length : b.byteLength;
}

/** A boolean argument. */
export function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw typeError(name, 'of type boolean', v);
  return v;
}

/** A string argument with no embedded NUL (C would see a shorter string). */
export function cstring(v: unknown, name: string): string {
  if (typeof v !== 'string') throw typeError(name, 'of type string', v);
  if (v.includes('\0')) throw typeError(name, 'a string without null bytes', v);
  return v;
}
