/* See host/guest/runtime/ops.h. Built without libc for the stub: raw system calls, Linux's uapi
 * headers. */
#include "host/guest/runtime/ops.h"

#include <asm/prctl.h>
#include <asm/unistd.h>
#include <linux/errno.h>
#include <linux/mman.h>
#include <zircon/types.h>

#include "host/guest/runtime/cow.h"
#include "host/common/rawsys.h"
#include "host/guest/runtime/workfd.h"

#define sys2(n, a, b) zum_rawsys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) zum_rawsys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static int err(long r) { return r < 0 && r > -4096 ? (int)-r : 0; }
static void close_fd(int fd) { zum_rawsys6(__NR_close, fd, 0, 0, 0, 0, 0); }

static int linux_prot(uint32_t zx) {
  int p = PROT_NONE;
  if (zx & ZX_VM_PERM_READ) p |= PROT_READ;
  if (zx & ZX_VM_PERM_WRITE) p |= PROT_WRITE;
  if (zx & ZX_VM_PERM_EXECUTE) p |= PROT_EXEC;
  return p;
}

static int map_op(void* arg) {
  const zum_work_op_t* op = arg;
  return err(zum_rawsys6(__NR_mmap, (long)op->addr, (long)op->len, linux_prot(op->prot),
                         MAP_SHARED | MAP_FIXED, op->fd, (long)op->offset));
}

static int unmap_op(void* arg) {
  const zum_work_op_t* op = arg;
  return err(sys2(__NR_munmap, op->addr, op->len));
}

static int reserve_op(void* arg) {
  const zum_work_op_t* op = arg;
  return err(zum_rawsys6(__NR_mmap, (long)op->addr, (long)op->len, PROT_NONE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0));
}

int zum_run_op(zum_work_op_t* op, const zum_ops_policy_t* p) {
  int in_range = op->addr >= p->lo && op->addr < p->hi && op->len <= p->hi - op->addr;
  long r;
  switch (op->kind) {
    case ZUM_WORK_MAP:
      r = in_range ? -(long)zum_cow_remap(op->addr, op->len, op->flags & (ZUM_MAP_UFFD | ZUM_MAP_WP),
                                          map_op, op)
                   : -EINVAL;
      close_fd(op->fd);
      break;
    case ZUM_WORK_RESERVE:
      r = in_range ? -(long)zum_cow_remap(op->addr, op->len, 0,
                                          p->unmap_reserved ? unmap_op : reserve_op, op)
                   : -EINVAL;
      break;
    case ZUM_WORK_FAULT_SOURCE:
      if (!in_range) {
        close_fd(op->fd);
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
      r = p->thread_regs && op->addr < ZUM_USER_TOP
              ? sys2(__NR_arch_prctl, op->kind == ZUM_WORK_SET_FS ? ARCH_SET_FS : ARCH_SET_GS,
                     op->addr)
              : -EINVAL;
      break;
    case ZUM_WORK_GET_FS:
    case ZUM_WORK_GET_GS: {
      unsigned long base = 0;
      r = p->thread_regs && in_range && op->addr + 8 <= p->hi
              ? sys2(__NR_arch_prctl, op->kind == ZUM_WORK_GET_FS ? ARCH_GET_FS : ARCH_GET_GS,
                     &base)
              : -EINVAL;
      if (r == 0) *(volatile uint64_t*)(uintptr_t)op->addr = base;
      break;
    }
    default:
      /* An unknown op with an fd cannot carry one (zum_work_op_has_fd): nothing to close. */
      return EINVAL;
  }
  return err(r);
}

void zum_run_work(zum_work_t* w, int chan, const zum_ops_policy_t* p) {
  w->error = 0;
  zum_take_work_fds(chan, w);
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  for (uint32_t i = 0; i < n; i++) {
    int e = zum_run_op(&w->ops[i], p);
    if (e && !w->error) w->error = e;
  }
}

int zum_run_agent_work(zum_work_t* w, const int* fds, size_t nfds, const zum_ops_policy_t* p) {
  int error = 0;
  size_t used = 0;
  uint32_t n = w->num_ops < ZUM_WORK_MAX_OPS ? w->num_ops : ZUM_WORK_MAX_OPS;
  for (uint32_t i = 0; i < n; i++) {
    zum_work_op_t* op = &w->ops[i];
    if (zum_work_op_has_fd(op->kind)) {
      if (used >= nfds) {
        if (!error) error = EBADF;
        break;
      }
      op->fd = fds[used++];
    }
    int e = zum_run_op(op, p);
    if (e && !error) error = e;
  }
  zum_close_fds(fds + used, nfds - used);
  return error;
}

void zum_close_fds(const int* fds, size_t n) {
  for (size_t i = 0; i < n; i++) close_fd(fds[i]);
}
