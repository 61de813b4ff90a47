// Entry point: each syscall family registers its own functions.
#include "common.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  bsock::InitConstants(env, exports);
  bsock::InitLifecycle(env, exports);
  bsock::InitIo(env, exports);
  bsock::InitOptions(env, exports);
  bsock::InitAddresses(env, exports);
  bsock::InitNetdb(env, exports);
  bsock::InitPoller(env, exports);
  bsock::InitPacket(env, exports);
  bsock::InitNetlink(env, exports);
  bsock::InitOptStructs(env, exports);
  bsock::InitMessages(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(berkeley_sockets, Init)
