/* Address-space work (zum_work_t) in a pure process. */
#include <asm/prctl.h>
#include <linux/mman.h>

#include "host/guest/runtime/cow.h"
#include "host/guest/runtime/workfd.h"

#include "host/guest/stub/private.h"

int stub_work_channel;

static void take_work_fds(zum_work_t* w) { zum_take_work_fds(stub_work_channel ? WORK_FD : -1, w); }

/* ---------------------------------------------------------------- address-space work */
static int linux_prot(uint32_t zx) {
  int p = PROT_NONE;
  if (zx & ZX_VM_PERM_READ) p |= PROT_READ;
  if (zx & ZX_VM_PERM_WRITE) p |= PROT_WRITE;
  if (zx & ZX_VM_PERM_EXECUTE) p |= PROT_EXEC;
  return p;
}

static int map_op(void* arg) {
  const zum_work_op_t* op = arg;
  long r = sys6(__NR_mmap, (long)op->addr, (long)op->len, linux_prot(op->prot),
                MAP_SHARED | MAP_FIXED, op->fd, (long)op->offset);
  return r < 0 && r > -4096 ? (int)-r : 0;
}

/* A pure process has no reservation to keep (nothing here maps without MAP_FIXED), so an
 * unmapped range is simply unmapped: leaving PROT_NONE mappings behind would pile up until
 * vm.max_map_count. */
static int unmap_op(void* arg) {
  const zum_work_op_t* op = arg;
  long r = sys2(__NR_munmap, (long)op->addr, (long)op->len);
  return r < 0 ? (int)-r : 0;
}

/* The same operations as the hosted runtime (host/guest/libzum/work.c), confined to the Zircon user
 * range so that no work can touch the stub. The fd of a MAP or FAULT_SOURCE op is always taken:
 * a MAP's is closed, a FAULT_SOURCE's kept by the fault source until it is forgotten (MAP and
 * RESERVE forget the sources of their range). */
int stub_run_op(zum_work_op_t* op) {
  int in_range = op->addr >= ZUM_USER_BASE && op->addr < ZUM_USER_TOP &&
                 op->len <= ZUM_USER_TOP - op->addr;
  long r;
  switch (op->kind) {
    case ZUM_WORK_MAP:
      r = in_range ? -(long)zum_cow_remap(op->addr, op->len, op->flags & (ZUM_MAP_UFFD | ZUM_MAP_WP),
                                          map_op, op)
                   : -EINVAL;
      sys1(__NR_close, op->fd);
      break;
    case ZUM_WORK_RESERVE:
      r = in_range ? -(long)zum_cow_remap(op->addr, op->len, 0, unmap_op, op) : -EINVAL;
      break;
    case ZUM_WORK_FAULT_SOURCE:
      if (!in_range) {
        sys1(__NR_close, op->fd);
        r = -EINVAL;
        break;
      }
      r = -(long)zum_cow_add_source(op->addr, op->len, op->fd, op->offset, op->src_len);
      break;
    case ZUM_WORK_PROTECT:
      r = in_range ? sys3(__NR_mprotect, op->addr, op->len, linux_prot(op->prot)) : -EINVAL;
      break;
    case ZUM_WORK_POPULATE:
      /* Pages only a copy-on-write fault brings are copied in first (MADV_POPULATE_* fails on
       * them: the userfaultfd is in SIGBUS mode). */
      r = !in_range ? -EINVAL : -(long)zum_cow_fill(op->addr, op->len);
      if (r == 0)
        r = sys3(__NR_madvise, op->addr, op->len,
                 (op->prot & ZX_VM_PERM_WRITE) ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
      break;
    case ZUM_WORK_SET_FS:
    case ZUM_WORK_SET_GS:
      /* Zircon's ZX_PROP_REGISTER_FS/GS on the caller's own thread; the supervisor checked the
       * value is a canonical user address. */
      r = op->addr < ZUM_USER_TOP
              ? sys2(__NR_arch_prctl, op->kind == ZUM_WORK_SET_FS ? ARCH_SET_FS : ARCH_SET_GS,
                     (long)op->addr)
              : -EINVAL;
      break;
    case ZUM_WORK_GET_FS:
    case ZUM_WORK_GET_GS: {
      unsigned long base = 0;
      r = in_range && op->addr + 8 <= ZUM_USER_TOP
              ? sys2(__NR_arch_prctl, op->kind == ZUM_WORK_GET_FS ? ARCH_GET_FS : ARCH_GET_GS,
                     (long)&base)
              : -EINVAL;
      if (r == 0) *(volatile uint64_t*)(uintptr_t)op->addr = base;
      break;
    }
    default:
      /* An unknown op with an fd cannot carry one (zum_work_op_has_fd): nothing to close. */
      return EINVAL;
  }
  return r < 0 && r > -4096 ? (int)-r : 0;
}

/* The zum page's do_work hook, called by the vDSO on a guest thread. */
void stub_do_work(zum_work_t* w) {
  w->error = 0;
  take_work_fds(w);
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  for (uint32_t i = 0; i < n; i++) {
    int e = stub_run_op(&w->ops[i]);
    if (e && !w->error) w->error = e;
  }
}
