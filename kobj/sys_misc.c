/* debug_write, cprng_draw_once (behind the vDSO's zx_cprng_draw), cprng_add_entropy. */
#include <string.h>

#include "host/platform.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* Zircon copies at most 256 bytes per debug_write (kDebugWriteMaxLen, the rest is dropped
 * silently there); zum writes everything the caller passed, in bounded pieces. */
int64_t sys_debug_write(struct kcall* c, zum_uaddr_t buffer, size_t buffer_size) {
  char buf[4096];
  size_t done = 0;
  if (buffer_size > (1u << 20)) return ZX_ERR_INVALID_ARGS;
  while (done < buffer_size) {
    size_t n = buffer_size - done < sizeof(buf) ? buffer_size - done : sizeof(buf);
    if (kcall_copy_in(c, buf, buffer + done, n) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    platform->debug_write(buf, n);
    done += n;
  }
  return ZX_OK;
}

int64_t sys_cprng_draw_once(struct kcall* c, zum_uaddr_t buffer, size_t buffer_size) {
  unsigned char buf[ZX_CPRNG_DRAW_MAX_LEN];
  if (buffer_size > ZX_CPRNG_DRAW_MAX_LEN) return ZX_ERR_INVALID_ARGS;
  if (platform->random_fill(buf, buffer_size) != 0) return ZX_ERR_INTERNAL;
  zx_status_t s = kcall_copy_out(c, buffer, buf, buffer_size);
  memset(buf, 0, sizeof(buf));
  return s;
}

/* The host kernel's pool is not ours to stir; the bytes are validated and discarded. */
int64_t sys_cprng_add_entropy(struct kcall* c, zum_uaddr_t buffer, size_t buffer_size) {
  unsigned char buf[ZX_CPRNG_ADD_ENTROPY_MAX_LEN];
  if (buffer_size > ZX_CPRNG_ADD_ENTROPY_MAX_LEN) return ZX_ERR_INVALID_ARGS;
  return kcall_copy_in(c, buf, buffer, buffer_size);
}

/* A hardware fault or a forbidden system call in a pure process, reported by its stub. Until
 * exception channels exist every exception is unhandled, and an unhandled exception kills the
 * process (ZX_TASK_RETCODE_EXCEPTION_KILL), as on Zircon. */
int64_t sys_fault(struct kcall* c, uint32_t signo, uint32_t code, uint64_t addr, uint64_t pc) {
  if (platform->report_fault)
    platform->report_fault(c->proc->base.name, c->proc->base.koid,
                           c->thread ? c->thread->base.koid : 0, signo, code, addr, pc);
  kproc_kill(c->proc, ZX_TASK_RETCODE_EXCEPTION_KILL);
  return KCALL_NOREPLY;
}
