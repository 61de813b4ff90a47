// berkeley-sockets: the Berkeley sockets API for Node.js, with C names and C semantics.
/**
 * The Berkeley sockets API for Node.js, with C names and C semantics: the synchronous calls
 * (each makes the one syscall it is named after, and its documentation links that call's man
 * page and lists the errno values it can fail with), the C structs (each naming its header),
 * the constants of this host's headers, and the porting kit. Errors are {@link SocketError}s
 * that keep the errno. The Promise forms are in `berkeley-sockets/promises`.
 *
 * @packageDocumentation
 * @module berkeley-sockets
 */
export * from './constants.generated.js';
export { AF, PF, SOCK, IPPROTO, SOL, SO, IP, IPV6, TCP, MSG, SHUT, INADDR, AI, NI, EAI, E, constants } from './constants.js';
export { SocketError, AddrInfoError, AbortError, errno, setErrno, errnoName, type ErrorAddress } from './errors.js';
export { detach, type OpOptions } from './registry.js';
export * from './structs.js';
export * from './netlink.js';
export { manifest, hasConstant, isAbsent, type Manifest } from './manifest.js';
export * from './headers.js';
export * from './sockets.js';
export * from './poll.js';
export * from './messages.js';
export * from './sockopt.js';
export * from './netdb.js';
export * from './porting.js';
export { Socket, type ChunkOptions } from './socket.js';
