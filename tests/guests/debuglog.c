/* The debuglog through the real trap: creation's resource rule, write's truncation and options,
 * read's record layout and READABLE. Write-only logs need no resource; the readable part runs
 * when the root resource is among the startup handles (tests/privileged.sh). */
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/log.h>

#include "guest_test.h"

static zx_signals_t sig(zx_handle_t h) {
  zx_signals_t s = 0;
  zx_object_wait_one(h, ZX_SIGNAL_NONE, 0, &s);
  return s & ZX_LOG_READABLE;
}

int main(void) {
  zx_handle_t log, ev;
  CHECK_EQ(zx_event_create(0, &ev), ZX_OK);
  /* No resource: write-only only. */
  CHECK_EQ(zx_debuglog_create(ZX_HANDLE_INVALID, ZX_LOG_FLAG_READABLE, &log), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_debuglog_create(ZX_HANDLE_INVALID, 1, &log), ZX_ERR_BAD_HANDLE);
  CHECK_EQ(zx_debuglog_create(ev, 0, &log), ZX_ERR_WRONG_TYPE);
  CHECK_EQ(zx_debuglog_create(ZX_HANDLE_INVALID, 0, &log), ZX_OK);
  zx_info_handle_basic_t info;
  CHECK_EQ(zx_object_get_info(log, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL), ZX_OK);
  CHECK_EQ(info.type, ZX_OBJ_TYPE_DEBUGLOG);
  CHECK_EQ(info.rights, ZX_DEFAULT_LOG_RIGHTS);
  CHECK_EQ(zx_debuglog_write(log, 0, "debuglog guest: hello\n", 22), ZX_OK);
  CHECK_EQ(zx_debuglog_write(log, ZX_LOG_LOCAL, "debuglog guest: local", 21), ZX_OK);
  CHECK_EQ(zx_debuglog_write(log, 1, "x", 1), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_debuglog_write(log, 0, (const void*)8, 4), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_debuglog_write(ev, 0, "x", 1), ZX_ERR_WRONG_TYPE);
  char rec[ZX_LOG_RECORD_MAX];
  CHECK_EQ(zx_debuglog_read(log, 0, rec, sizeof(rec)), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_debuglog_read(log, 1, rec, sizeof(rec)), ZX_ERR_INVALID_ARGS);
  zx_handle_t ro;
  CHECK_EQ(zx_handle_duplicate(log, ZX_RIGHT_READ, &ro), ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_handle_duplicate(log, ZX_RIGHT_TRANSFER, &ro), ZX_OK);
  CHECK_EQ(zx_debuglog_write(ro, 0, "x", 1), ZX_ERR_ACCESS_DENIED);
  CHECK_EQ(zx_handle_close(ro), ZX_OK);

  zx_handle_t root = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
  if (root != ZX_HANDLE_INVALID) {
    zx_handle_t rd;
    CHECK_EQ(zx_debuglog_create(root, 0x2, &rd), ZX_ERR_INVALID_ARGS);
    CHECK_EQ(zx_debuglog_create(root, ZX_LOG_FLAG_READABLE, &rd), ZX_OK);
    CHECK_EQ(zx_object_get_info(rd, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL),
             ZX_OK);
    CHECK_EQ(info.rights, ZX_DEFAULT_LOG_RIGHTS | ZX_RIGHT_READ);
    /* A new reader starts at the oldest record: it reads what was written above. */
    CHECK_EQ(sig(rd), ZX_LOG_READABLE);
    zx_log_record_t* r = (zx_log_record_t*)rec;
    uint64_t seq = 0;
    int found = 0;
    for (;;) {
      zx_status_t n = zx_debuglog_read(rd, 0, rec, sizeof(rec));
      if (n == ZX_ERR_SHOULD_WAIT) break;
      CHECK(n >= (zx_status_t)sizeof(zx_log_record_t));
      if (n < (zx_status_t)sizeof(zx_log_record_t)) break;
      if (found) CHECK_EQ(r->sequence, seq + 1);
      seq = r->sequence;
      if (r->datalen == 22 && memcmp(r->data, "debuglog guest: hello\n", 22) == 0) {
        found++;
        CHECK_EQ(n, (zx_status_t)sizeof(zx_log_record_t) + 22);
        CHECK_EQ(r->severity, ZX_LOG_INFO);
        CHECK_EQ(r->flags, 0);
        zx_info_handle_basic_t self;
        CHECK_EQ(zx_object_get_info(zx_process_self(), ZX_INFO_HANDLE_BASIC, &self,
                                    sizeof(self), NULL, NULL),
                 ZX_OK);
        CHECK_EQ(r->pid, self.koid);
        CHECK(r->timestamp > 0 && r->timestamp <= zx_clock_get_monotonic());
      } else if (r->datalen == 21 && memcmp(r->data, "debuglog guest: local", 21) == 0) {
        found++;
        CHECK_EQ(r->flags, ZX_LOG_LOCAL);
      }
    }
    CHECK_EQ(found, 2);
    CHECK_EQ(sig(rd), 0);
    /* A write makes it readable again; a short buffer gets the start of the record. */
    char big[400];
    memset(big, 'z', sizeof(big));
    CHECK_EQ(zx_debuglog_write(log, 0, big, sizeof(big)), ZX_OK);
    CHECK_EQ(sig(rd), ZX_LOG_READABLE);
    CHECK_EQ(zx_debuglog_read(rd, 0, rec, sizeof(rec)), ZX_LOG_RECORD_MAX);
    CHECK_EQ(r->datalen, ZX_LOG_RECORD_DATA_MAX);
    CHECK_EQ(zx_debuglog_write(log, 0, "tail", 4), ZX_OK);
    CHECK_EQ(zx_debuglog_read(rd, 0, rec, 10), 10);
    CHECK_EQ(zx_debuglog_read(rd, 0, rec, sizeof(rec)), ZX_ERR_SHOULD_WAIT);
    CHECK_EQ(zx_debuglog_read(rd, 0, (void*)8, sizeof(rec)), ZX_ERR_SHOULD_WAIT);
    CHECK_EQ(zx_debuglog_write(log, 0, "again", 5), ZX_OK);
    CHECK_EQ(zx_debuglog_read(rd, 0, (void*)8, sizeof(rec)), ZX_ERR_INVALID_ARGS);
    CHECK_EQ(zx_handle_close(rd), ZX_OK);
  }
  CHECK_EQ(zx_handle_close(log), ZX_OK);
  CHECK_EQ(zx_handle_close(ev), ZX_OK);
  return GUEST_RESULT();
}
