/* Writing processargs messages (procargs.h). */
#include "host/guest/launch/procargs.h"

#include <stdlib.h>
#include <string.h>
#include <zircon/processargs.h>
#include <zircon/types.h>

/* Appends strings to m at *off (m NULL: only counts). */
static size_t put_strings(uint8_t* m, size_t off, size_t n, char* const* s) {
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(s[i]) + 1;
    if (m) memcpy(m + off, s[i], l);
    off += l;
    if (off > ZX_CHANNEL_MAX_MSG_BYTES) return SIZE_MAX / 2; /* too long: stop counting */
  }
  return off;
}

uint8_t* procargs_build(const uint32_t* info, uint32_t nhandles, int argc, char* const* argv,
                        size_t nenv, char* const* env, size_t* len) {
  size_t info_off = sizeof(zx_proc_args_t);
  size_t args_off = info_off + nhandles * sizeof(uint32_t);
  size_t env_off = put_strings(NULL, args_off, (size_t)argc, argv);
  size_t total = env_off > ZX_CHANNEL_MAX_MSG_BYTES ? env_off : put_strings(NULL, env_off, nenv, env);
  if (total > ZX_CHANNEL_MAX_MSG_BYTES) return NULL;
  uint8_t* m = calloc(1, total);
  if (!m) return NULL;
  zx_proc_args_t h = {
      .protocol = ZX_PROCARGS_PROTOCOL,
      .version = ZX_PROCARGS_VERSION,
      .handle_info_off = (uint32_t)info_off,
      .args_off = (uint32_t)args_off,
      .args_num = (uint32_t)argc,
      .environ_off = (uint32_t)env_off,
      .environ_num = (uint32_t)nenv,
      .names_off = (uint32_t)total,
      .names_num = 0,
  };
  memcpy(m, &h, sizeof(h));
  memcpy(m + info_off, info, nhandles * sizeof(uint32_t));
  put_strings(m, args_off, (size_t)argc, argv);
  put_strings(m, env_off, nenv, env);
  *len = total;
  return m;
}
