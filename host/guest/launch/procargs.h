/* Writing processargs bootstrap messages (<zircon/processargs.h>). */
#ifndef ZUM_LAUNCH_PROCARGS_H_
#define ZUM_LAUNCH_PROCARGS_H_

#include <stddef.h>
#include <stdint.h>

/* A message with `nhandles` handle-info words, the `argc` arguments and the `nenv` environment
 * entries (NUL-terminated strings, in order), malloc'd; its size in *len. NULL when it would not
 * fit in a channel message (ZX_CHANNEL_MAX_MSG_BYTES) or memory is short. */
uint8_t* procargs_build(const uint32_t* info, uint32_t nhandles, int argc, char* const* argv,
                        size_t nenv, char* const* env, size_t* len);

#endif
