// What this build exports, as data: every constant (value and group), the errno and EAI
// names, every struct layout, and the names looked for (tools/wanted-names.txt) but absent
// on this host. Generated from the built addon by tools/gen-manifest.mjs; docs/manifest.md
// is the same data as text.
import { data } from './manifest.generated.js';

export interface ManifestConstant {
  readonly value: number;
  /** Its group (the C prefix family: AF, SO, IP, ERRNO, RTM…). */
  readonly group: string;
}
export interface ManifestField {
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
}
export interface ManifestStruct {
  readonly size: number;
  readonly align: number;
  /** The header that declares it, e.g. "netinet/in.h" (null when not recorded). */
  readonly header: string | null;
  readonly fields: Readonly<Record<string, ManifestField>>;
  readonly bits?: Readonly<Record<string, { readonly bit: number; readonly width: number }>>;
}
export interface ManifestData {
  readonly platform: string;
  readonly arch: string;
  readonly constants: Readonly<Record<string, ManifestConstant>>;
  /** Group -> its names, sorted. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** errno names, canonical names before their aliases. */
  readonly errnos: readonly string[];
  readonly eais: readonly string[];
  readonly structs: Readonly<Record<string, ManifestStruct>>;
  /** Every name tools/wanted-names.txt looks for. */
  readonly wanted: readonly string[];
  /** The wanted names this host does not export. */
  readonly absent: readonly string[];
}
/** The manifest of this host: constants with their values and groups, errno names, struct sizes and field offsets, wanted names absent here. */
export type Manifest = ManifestData;

/** What this build exports (see docs/manifest.md). */
export const manifest: Manifest = data;

/**
 * True when this build exports the constant `name` (e.g. hasConstant('SO_REUSEPORT')).
 *
 * No syscall: looks `name` up in the manifest of this host's headers (the constants [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html), [ip(7)](https://man7.org/linux/man-pages/man7/ip.7.html)… name).
 */
export function hasConstant(name: string): boolean {
  return typeof name === 'string' && Object.hasOwn(manifest.constants, name);
}
/** Alias of hasConstant. */
export const has = hasConstant;

/**
 * True when `name` was looked for and this host lacks it (e.g. 'SO_NOSIGPIPE' on Linux).
 *
 * No syscall: looks `name` up in the manifest's list of wanted names that this host's
 * headers do not define (the options of [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html) and the other pages the manifest covers).
 */
export function isAbsent(name: string): boolean {
  return manifest.absent.includes(name);
}
