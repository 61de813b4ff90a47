// berkeley-sockets: the Berkeley sockets API for Node.js, with C names and C semantics.
export * from './constants.generated.js';
export { AF, PF, SOCK, IPPROTO, SOL, SO, IP, IPV6, TCP, MSG, SHUT, INADDR, AI, NI, EAI, E, constants } from './constants.js';
export { SocketError, AddrInfoError, AbortError, errno, setErrno, errnoName, type ErrorAddress } from './errors.js';
export { detach, type OpOptions } from './registry.js';
export * from './structs.js';
export * from './netlink.js';
export { manifest, hasConstant, type Manifest } from './manifest.js';
export * from './headers.js';
export * from './sockets.js';
export * from './messages.js';
export * from './sockopt.js';
export * from './netdb.js';
export * from './porting.js';
export { Socket, type ChunkOptions } from './socket.js';
