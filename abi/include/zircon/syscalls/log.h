/* Debuglog records (Zircon's zircon/syscalls/log.h). */
#ifndef ZIRCON_SYSCALLS_LOG_H_
#define ZIRCON_SYSCALLS_LOG_H_

#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct zx_log_record {
  /* One more than the record before it in the debuglog. */
  uint64_t sequence;
  uint8_t padding1[4];
  uint16_t datalen;
  uint8_t severity;
  uint8_t flags;
  zx_time_t timestamp;
  uint64_t pid;
  uint64_t tid;
  char data[];
} zx_log_record_t;

#define ZX_LOG_RECORD_MAX ((size_t)256)
#define ZX_LOG_RECORD_DATA_MAX (ZX_LOG_RECORD_MAX - sizeof(zx_log_record_t))

#define ZX_LOG_TRACE (0x10)
#define ZX_LOG_DEBUG (0x20)
#define ZX_LOG_INFO (0x30)
#define ZX_LOG_WARNING (0x40)
#define ZX_LOG_ERROR (0x50)
#define ZX_LOG_FATAL (0x60)

#define ZX_LOG_LOCAL (0x10)
#define ZX_LOG_FLAGS_MASK (0x10)

#define ZX_LOG_FLAG_READABLE 0x40000000

__END_CDECLS

#endif
