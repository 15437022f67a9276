/* The debuglog calls, with Zircon's check order (lib/syscalls/object.cc's debuglog_create,
 * debug.cc's debuglog_write and debuglog_read). What guests write also goes to zum's console
 * (stderr, or `zum run --debuglog-file=PATH`), one line a record, headed the way Zircon's
 * debuglog dumper heads it ([seconds.millis] pid:tid>) with the process's name added, so a
 * person can tell whose line it is. */
#include <stdio.h>
#include <string.h>

#include "kobj/debuglog.h"
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

int64_t sys_debuglog_create(struct kcall* c, zx_handle_t resource, uint32_t options,
                            zum_uaddr_t out) {
  /* A write-only log needs no resource (ld.so logs before it has any handle); a resource given,
   * or a readable log, needs the debuglog system resource or the root resource. */
  if (resource != ZX_HANDLE_INVALID || options != 0) {
    zx_status_t s =
        kcall_resource_kind_base(c, resource, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUGLOG_BASE);
    if (s != ZX_OK) return s;
  }
  if ((options & ZX_LOG_FLAG_READABLE) != options) return ZX_ERR_INVALID_ARGS;
  bool readable = (options & ZX_LOG_FLAG_READABLE) != 0;
  struct kdebuglog* l = kdebuglog_create(readable);
  if (!l) return ZX_ERR_NO_MEMORY;
  /* Write-only by default: READ only for a readable log. */
  zx_rights_t rights = ZX_DEFAULT_LOG_RIGHTS | (readable ? ZX_RIGHT_READ : 0);
  zx_status_t s = kcall_out_handle(c, &l->base, rights, out);
  kobj_unref(&l->base);
  return s;
}

/* One console line for a record. */
static void echo(const struct kcall* c, const char* data, size_t len, int64_t ts, uint64_t pid,
                 uint64_t tid) {
  if (len > 0 && data[len - 1] == '\n') len--;
  char line[KDLOG_MAX_DATA + 128];
  int n = snprintf(line, sizeof(line), "[%05d.%03d] %05llu:%05llu %s> %.*s\n",
                   (int)(ts / 1000000000), (int)((ts / 1000000) % 1000), (unsigned long long)pid,
                   (unsigned long long)tid, c->proc->base.name, (int)len, data);
  if (n <= 0) return;
  size_t m = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
  if (platform->debuglog_write) platform->debuglog_write(line, m);
  else platform->debug_write(line, m);
}

int64_t sys_debuglog_write(struct kcall* c, zx_handle_t handle, uint32_t options,
                           zum_uaddr_t buffer, size_t buffer_size) {
  /* Longer writes are cut to one record's data, silently, as Zircon does. */
  size_t len = buffer_size > KDLOG_MAX_DATA ? KDLOG_MAX_DATA : buffer_size;
  if (options & ~(uint32_t)ZX_LOG_FLAGS_MASK) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_DEBUGLOG, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  char buf[KDLOG_MAX_DATA];
  if (len && kcall_copy_in(c, buf, buffer, len) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  int64_t ts = kobj_now();
  uint64_t pid = c->proc->base.koid, tid = c->thread ? c->thread->base.koid : 0;
  kdlog_write(ZX_LOG_INFO, (uint8_t)options, buf, len, pid, tid, ts);
  echo(c, buf, len, ts, pid, tid);
  return ZX_OK;
}

int64_t sys_debuglog_read(struct kcall* c, zx_handle_t handle, uint32_t options,
                          zum_uaddr_t buffer, size_t buffer_size) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_DEBUGLOG, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  struct kdebuglog* l = to_kdebuglog(o);
  struct kdlog_record rec;
  s = kdlog_read(&l->tail, &rec);
  if (s == ZX_ERR_SHOULD_WAIT) {
    /* Nothing left: READABLE goes until the next write. */
    kobj_signal(&l->base, ZX_LOG_READABLE, 0);
    return s;
  }
  /* As much of the record as fits; the answer is the number of bytes copied. */
  size_t total = KDLOG_HEADER + rec.hdr.datalen;
  size_t n = buffer_size < total ? buffer_size : total;
  if (n && kcall_copy_out(c, buffer, &rec, n) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  return (int64_t)n;
}
