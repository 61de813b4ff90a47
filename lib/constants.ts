// Grouped, frozen views of the host's constants by C prefix (AF.INET === AF_INET), the
// TypeScript counterpart of CPython's IntEnum groups. The flat names are in
// constants.generated.ts; both come from the system headers at build time.
import { native } from './native.js';

function group(prefix: string, except: readonly string[] = []): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(native.constants)) {
    if (name.startsWith(prefix) && !except.some((p) => name.startsWith(p))) out[name.slice(prefix.length)] = value;
  }
  return Object.freeze(out);
}

/** Address families: AF.INET, AF.INET6, AF.UNIX, AF.PACKET… */
export const AF = group('AF_');
/** Protocol families (PF.INET…). */
export const PF = group('PF_');
/** Socket types and creation flags: SOCK.STREAM, SOCK.NONBLOCK… */
export const SOCK = group('SOCK_');
/** Protocols: IPPROTO.TCP, IPPROTO.ICMP… */
export const IPPROTO = group('IPPROTO_');
/** Option levels: SOL.SOCKET… */
export const SOL = group('SOL_');
/** Socket-level options: SO.REUSEADDR… */
export const SO = group('SO_');
/** IPv4 options: IP.TTL, IP.HDRINCL… */
export const IP = group('IP_');
/** IPv6 options: IPV6.V6ONLY… */
export const IPV6 = group('IPV6_');
/** TCP options: TCP.NODELAY… */
export const TCP = group('TCP_');
/** Message flags: MSG.PEEK, MSG.DONTWAIT… */
export const MSG = group('MSG_');
/** shutdown() directions. */
export const SHUT = group('SHUT_');
/** IPv4 special addresses (host byte order). */
export const INADDR = group('INADDR_');
/** getaddrinfo flags. */
export const AI = group('AI_');
/** getnameinfo flags. */
export const NI = group('NI_');
/** getaddrinfo error codes (EAI.NONAME === EAI_NONAME). */
export const EAI: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(Object.entries(native.eais).map(([k, val]) => [k.slice('EAI_'.length), val])),
);
/** errno values by name (E.CONNREFUSED === ECONNREFUSED). */
export const E: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(Object.entries(native.errnos).map(([k, val]) => [k.slice(1), val])),
);
/** Every constant of this host by its C name. */
export const constants: Readonly<Record<string, number>> = Object.freeze({ ...native.constants });
