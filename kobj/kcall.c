#include "kobj/kcall.h"

#include <stdlib.h>
#include <string.h>

#include "host/platform.h"
#include "kobj/cow.h"
#include "kobj/kcall_table.h"
#include "kobj/task.h"

zx_status_t kcall_copy_in(struct kcall* c, void* dst, zum_uaddr_t src, size_t len) {
  if (len == 0) return ZX_OK;
  if (src == 0 || src + len < src) return ZX_ERR_INVALID_ARGS;
  struct kproc* p = c->proc;
  if (p->host_ops->read(p->host, src, dst, len) != 0)
    return kcow_user_copy(p, src, dst, len, false);
  return ZX_OK;
}

zx_status_t kcall_copy_out(struct kcall* c, zum_uaddr_t dst, const void* src, size_t len) {
  if (len == 0) return ZX_OK;
  if (dst == 0 || dst + len < dst) return ZX_ERR_INVALID_ARGS;
  struct kproc* p = c->proc;
  if (p->host_ops->write(p->host, dst, src, len) != 0)
    return kcow_user_copy(p, dst, (uint8_t*)src, len, true);
  return ZX_OK;
}

int64_t kcall_park(struct kcall* c, void (*cancel)(struct kcall*), void* state) {
  c->cancel = cancel;
  c->park_state = state;
  krestart_park(c);
  return KCALL_PARKED;
}

void kcall_complete(struct kcall* c, int64_t result) {
  krestart_unpark(c);
  c->cancel = NULL;
  c->result = result;
  c->transport->complete(c->ref);
}

void kcall_abandon(struct kcall* c) {
  if (c->cancel) c->cancel(c);
  c->cancel = NULL;
  krestart_unpark(c);
  c->transport->release(c->ref);
}

void kcall_rerun(struct kcall* c) {
  c->cancel = NULL;
  c->park_state = NULL;
  krestart_unpark(c);
  int64_t r = kcall_handlers[c->nr](c);
  if (r == KCALL_PARKED) return;
  if (r == KCALL_NOREPLY) {
    c->transport->release(c->ref);
    return;
  }
  kcall_complete(c, r);
}

/* Zircon's answer to a syscall number the caller may not use (sys_invalid_syscall): a
 * ZX_EXCP_POLICY_ERROR exception, code ZX_EXCP_POLICY_CODE_BAD_SYSCALL, and ZX_ERR_BAD_SYSCALL
 * should a handler resume the thread. Without exception channels nothing handles it and the
 * process is killed with ZX_TASK_RETCODE_EXCEPTION_KILL, as for the stub's reports (sys_fault);
 * the status is never seen. zum's private calls are such numbers to the other kind of process:
 * a pure process reaching a hosted-only call (spawn runs a Linux program) must not reach Linux
 * by proxy, whether it found the number in the vDSO or trapped it through any syscall
 * instruction. */
static int64_t bad_syscall(struct kcall* c) {
  struct kproc* p = c->proc;
  if (platform->report_fault)
    platform->report_fault(p->base.name, p->base.koid, c->thread ? c->thread->base.koid : 0, 0,
                           ZUM_SYSCALL_BASE + c->nr, 0, 0);
  kproc_kill(p, ZX_TASK_RETCODE_EXCEPTION_KILL);
  return KCALL_NOREPLY;
}

int64_t kcall_dispatch(struct kcall* c) {
  const struct kcall_desc* d = &kcall_table[c->nr];
  if ((d->flags & KCALL_HOSTED_ONLY && c->proc->pure) ||
      (d->flags & KCALL_PURE_ONLY && !c->proc->pure))
    return bad_syscall(c);
  /* The trap's tag is the sixth register, or (calls with more than six values, and six whose
   * first two do not share a register) the word after the values the vDSO put in the block
   * whose address is the sixth register. */
  unsigned total = d->nargs + ((d->flags & KCALL_WORK) ? 1u : 0u);
  if (d->flags & KCALL_PACKED) {
    c->tag = c->args[5];
    memmove(&c->args[2], &c->args[1], 4 * sizeof(uint64_t));
    c->args[1] = c->args[0] >> 32;
    c->args[0] = (uint32_t)c->args[0];
  } else if (total > 5) {
    uint64_t extra[4];
    size_t n = (total - 5 + 1) * sizeof(uint64_t);
    if (kcall_copy_in(c, extra, c->args[5], n) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    memcpy(&c->args[5], extra, n - sizeof(uint64_t));
    c->tag = extra[total - 5];
  } else {
    c->tag = c->args[5];
    c->args[5] = 0;
  }
  c->tagged = true;
  bool hit;
  int64_t r = krestart_check(c, &hit);
  if (hit || r == KCALL_ADOPTED) return r;
  if (d->flags & KCALL_WORK) {
    c->work_addr = c->args[d->nargs];
    c->args[d->nargs] = 0;
  }
  return kcall_handlers[c->nr](c);
}
