/* The kernel's debuglog (Zircon's DLog, lib/debuglog) and debuglog objects (LogDispatcher). */
#ifndef ZUM_KOBJ_DEBUGLOG_H_
#define ZUM_KOBJ_DEBUGLOG_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/syscalls/log.h>

#include "kobj/object.h"

/* Zircon's sizes: a 128 KiB ring of records, each a 40-byte header and at most 216 bytes of
 * data, padded to 4 bytes. */
#define KDLOG_SIZE (128u * 1024u)
#define KDLOG_MAX_RECORD 256u
#define KDLOG_HEADER 40u
#define KDLOG_MAX_DATA (KDLOG_MAX_RECORD - KDLOG_HEADER)

/* One record as read out: zx_log_record_t's header and its data. */
struct kdlog_record {
  zx_log_record_t hdr;
  char data[KDLOG_MAX_DATA];
};

/* Appends a record (data cut to KDLOG_MAX_DATA), dropping the oldest ones to make room, and
 * marks every readable debuglog object READABLE. pid and tid are koids (0: the kernel). */
void kdlog_write(uint8_t severity, uint8_t flags, const void* data, size_t len, uint64_t pid,
                 uint64_t tid, int64_t timestamp);
/* The next record for a reader whose position is *tail: ZX_OK, or SHOULD_WAIT when it has read
 * everything. A reader that was lapped starts again at the oldest record. */
zx_status_t kdlog_read(uint64_t* tail, struct kdlog_record* rec);
/* The position of the oldest record: where a new reader starts. */
uint64_t kdlog_oldest(void);
/* For tests: forgets every record. */
void kdlog_reset(void);

struct kdebuglog {
  struct kobj base;
  bool readable;
  uint64_t tail;         /* the reader's position */
  struct list_node node; /* in the readers' list, when readable */
};

static inline struct kdebuglog* to_kdebuglog(struct kobj* o) { return (struct kdebuglog*)o; }

/* A debuglog object; a readable one reads from the oldest record on. */
struct kdebuglog* kdebuglog_create(bool readable);

#endif
