#include "kobj/kcall.h"

#include <stdlib.h>
#include <string.h>

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
  if (c->thread) c->thread->parked = c;
  return KCALL_PARKED;
}

void kcall_complete(struct kcall* c, int64_t result) {
  if (c->thread) {
    c->thread->parked = NULL;
    c->thread->blocked_state = 0;
  }
  c->cancel = NULL;
  c->result = result;
  c->transport->complete(c->ref);
}

void kcall_abandon(struct kcall* c) {
  if (c->cancel) c->cancel(c);
  c->cancel = NULL;
  if (c->thread) {
    c->thread->parked = NULL;
    c->thread->blocked_state = 0;
  }
  c->transport->release(c->ref);
}

void kcall_rerun(struct kcall* c) {
  c->cancel = NULL;
  c->park_state = NULL;
  if (c->thread) c->thread->parked = NULL;
  int64_t r = kcall_handlers[c->nr](c);
  if (r == KCALL_PARKED) return;
  if (r == KCALL_NOREPLY) {
    c->transport->release(c->ref);
    return;
  }
  kcall_complete(c, r);
}

int64_t kcall_dispatch(struct kcall* c) {
  const struct kcall_desc* d = &kcall_table[c->nr];
  unsigned total = d->nargs + ((d->flags & KCALL_WORK) ? 1u : 0u);
  if (total > 6) {
    /* The vDSO passes values 6..8 in a block whose address is the sixth register. */
    uint64_t extra[3];
    size_t n = (total - 5) * sizeof(uint64_t);
    if (kcall_copy_in(c, extra, c->args[5], n) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    memcpy(&c->args[5], extra, n);
  }
  if (d->flags & KCALL_WORK) {
    c->work_addr = c->args[d->nargs];
    c->args[d->nargs] = 0;
  }
  return kcall_handlers[c->nr](c);
}
