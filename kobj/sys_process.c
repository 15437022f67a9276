/* process_create, thread_create, process_start, thread_start, thread_exit: pure Zircon
 * processes. Check orders follow the kernel's task.cc (and its notes where docs disagree). */
#include <string.h>
#include <zum/abi-private.h>

#include "host/platform.h"
#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "kobj/vmar.h"
#include "kobj/workq.h"
#include "sys-decls.h"

/* The root VMAR of a pure process: the whole x86-64 user address space; the kernel hands its
 * handle out with the default VMAR rights plus READ, WRITE and EXECUTE (0x20801f). */
#define ROOT_VMAR_RIGHTS (ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

/* Zircon's copy_user_string: a NULL pointer is INVALID_ARGS even for size 0; sizes above
 * ZX_MAX_NAME_LEN are clamped silently; a full-length name loses its last byte to the NUL. */
static zx_status_t copy_name(struct kcall* c, zum_uaddr_t name, size_t size, char* buf) {
  memset(buf, 0, ZX_MAX_NAME_LEN);
  if (name == 0) return ZX_ERR_INVALID_ARGS;
  if (size > ZX_MAX_NAME_LEN) size = ZX_MAX_NAME_LEN;
  if (kcall_copy_in(c, buf, name, size) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  buf[size == ZX_MAX_NAME_LEN ? size - 1 : size] = 0;
  return ZX_OK;
}

int64_t sys_process_create(struct kcall* c, zx_handle_t job, zum_uaddr_t name, size_t name_size,
                           uint32_t options, zum_uaddr_t proc_handle, zum_uaddr_t vmar_handle) {
  /* An equality test: a process is shared or not. */
  if (options != 0 && options != ZX_PROCESS_SHARED) return ZX_ERR_INVALID_ARGS;
  /* ZX_POL_NEW_PROCESS, against the calling process's own policy (not the target job's: the
   * job handle's rights govern that), before anything else is looked at. */
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_PROCESS);
  if (pol != ZX_OK) return pol;
  char buf[ZX_MAX_NAME_LEN];
  zx_status_t s = copy_name(c, name, name_size, buf);
  if (s != ZX_OK) return s;
  struct kobj* jo;
  /* The docs ask for WRITE; the kernel checks MANAGE_PROCESS (older kernels fell back to WRITE). */
  s = kcall_object(c, job, ZX_OBJ_TYPE_JOB, ZX_RIGHT_MANAGE_PROCESS, &jo);
  if (s != ZX_OK) return s;
  if (to_kjob(jo)->state != KJOB_ALIVE) return ZX_ERR_BAD_STATE;
  struct kproc* p;
  s = kproc_spawn_pure(to_kjob(jo), buf, &p);
  if (s != ZX_OK) return s;
  /* The root VMAR covers the whole user address space; for ZX_PROCESS_SHARED only the shared
   * region, which later processes can share (kobj/share.h). */
  if (options & ZX_PROCESS_SHARED) {
    s = kshare_create(p);
  } else {
    struct kvmar* v = kvmar_create_root(ZUM_USER_BASE, ZUM_USER_TOP - ZUM_USER_BASE);
    if (v) {
      p->root_vmar = &v->base;
      kvmar_bind_process(v, p);
    }
    s = v ? ZX_OK : ZX_ERR_NO_MEMORY;
  }
  if (s != ZX_OK) {
    kproc_kill(p, ZX_TASK_RETCODE_SYSCALL_KILL);
    kobj_unref(&p->base);
    return s;
  }
  struct kobj* objs[2] = {&p->base, p->root_vmar};
  zx_rights_t rights[2] = {ZX_DEFAULT_PROCESS_RIGHTS, ROOT_VMAR_RIGHTS};
  zum_uaddr_t outs[2] = {proc_handle, vmar_handle};
  s = kcall_out_handles(c, 2, objs, rights, outs);
  /* On failure the handles are gone; a never-started process with no handles goes away. */
  kobj_unref(&p->base);
  return s;
}

int64_t sys_thread_create(struct kcall* c, zx_handle_t process, zum_uaddr_t name, size_t name_size,
                          uint32_t options, zum_uaddr_t out) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  char buf[ZX_MAX_NAME_LEN];
  zx_status_t s = copy_name(c, name, name_size, buf);
  if (s != ZX_OK) return s;
  struct kobj* po;
  s = kcall_object(c, process, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_MANAGE_THREAD, &po);
  if (s != ZX_OK) return s;
  struct kproc* p = to_kproc(po);
  if (p->state == KPROC_DYING || p->state == KPROC_DEAD) return ZX_ERR_BAD_STATE;
  /* Hosted processes run Linux threads made by their own libc; zum cannot start a Zircon thread
   * in them. */
  if (!p->pure) return ZX_ERR_NOT_SUPPORTED;
  struct kthread* t = kthread_create(p, 0, buf, strlen(buf), &s);
  if (!t) return s;
  t->state = KTHREAD_NEW;
  kobj_signal(&t->base, ZX_THREAD_RUNNING, 0);
  return kcall_out_handle(c, &t->base, ZX_DEFAULT_THREAD_RIGHTS, out);
}

static bool user_address(uint64_t a) { return a >= ZUM_USER_BASE && a < ZUM_USER_TOP; }

static int64_t start(struct kcall* c, struct kthread* t, const struct kthread_regs* regs,
                     bool first) {
  struct kproc* p = t->proc;
  /* Zircon takes any stack pointer; one below the user base faults at the first push. Below
   * 0x200000 lies zum's stub, which a guest must never write: start such a thread with sp 0 so
   * it faults the same way instead. */
  struct kthread_regs r = *regs;
  if (r.sp < ZUM_USER_BASE) r.sp = 0;
  regs = &r;
  return kworkq_start_thread(c, t, regs, first, p->vdso_code_start, p->vdso_code_end);
}

int64_t sys_process_start(struct kcall* c, zx_handle_t handle, zx_handle_t thread,
                          zx_vaddr_t entry, zx_vaddr_t stack, zx_handle_t arg1, uintptr_t arg2) {
  struct kobj *po, *to;
  /* arg1 always leaves the caller: on lookup failures it is simply closed. */
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_WRITE, &po);
  if (s == ZX_OK) s = kcall_object(c, thread, ZX_OBJ_TYPE_THREAD, ZX_RIGHT_WRITE, &to);
  struct khandle* ah = arg1 ? khandle_lookup(kcall_table_of(c), arg1) : NULL;
  if (s != ZX_OK) {
    if (ah) khandle_destroy(ah);
    return s;
  }
  if (ah) khandle_detach(ah);
  struct kproc* p = to_kproc(po);
  struct kthread* t = to_kthread(to);
  if (t->proc != p) {
    if (ah) khandle_destroy(ah);
    return ZX_ERR_ACCESS_DENIED;
  }
  if (ah && !(ah->rights & ZX_RIGHT_TRANSFER)) {
    khandle_destroy(ah);
    return ZX_ERR_ACCESS_DENIED;
  }
  /* Zircon quirk kept: a nonzero but invalid arg1 only trips the bad-handle policy and the
   * process starts with 0 in rdi. */
  if (!p->pure || p->state != KPROC_INITIAL || t->state != KTHREAD_NEW || entry == 0 ||
      !user_address(entry)) {
    /* A hosted process is running from the start: like any started process, BAD_STATE. */
    s = (p->state != KPROC_INITIAL || t->state != KTHREAD_NEW) ? ZX_ERR_BAD_STATE
        : !p->pure                                             ? ZX_ERR_NOT_SUPPORTED
                                                               : ZX_ERR_INVALID_ARGS;
    if (ah) khandle_destroy(ah);
    return s;
  }
  zx_handle_t value = ah ? khandle_attach(p->table, ah) : ZX_HANDLE_INVALID;
  struct kthread_regs regs = {.pc = entry, .sp = stack, .arg1 = value, .arg2 = arg2};
  p->state = KPROC_RUNNING;
  p->start_time = kobj_now();
  t->state = KTHREAD_RUNNING;
  kobj_signal(&t->base, 0, ZX_THREAD_RUNNING);
  int64_t r = start(c, t, &regs, true);
  if (r != KCALL_PARKED && r != ZX_OK) {
    /* The start failed: take the handle back out of the target, as the kernel does. */
    struct khandle* back = value ? khandle_lookup(p->table, value) : NULL;
    if (back) khandle_destroy(back);
  }
  return r;
}

int64_t sys_thread_start(struct kcall* c, zx_handle_t handle, zx_vaddr_t thread_entry,
                         zx_vaddr_t stack, uintptr_t arg1, uintptr_t arg2) {
  struct kobj* to;
  /* The kernel checks MANAGE_THREAD (the docs' error list says WRITE). */
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_THREAD, ZX_RIGHT_MANAGE_THREAD, &to);
  if (s != ZX_OK) return s;
  struct kthread* t = to_kthread(to);
  struct kproc* p = t->proc;
  /* Only the first thread starts through process_start; later ones need a running process.
   * (A hosted program's threads are its running pthreads: BAD_STATE too.) */
  if (p->state != KPROC_RUNNING || t->state != KTHREAD_NEW) return ZX_ERR_BAD_STATE;
  if (!p->pure) return ZX_ERR_NOT_SUPPORTED;
  if (thread_entry == 0 || !user_address(thread_entry)) return ZX_ERR_INVALID_ARGS;
  struct kthread_regs regs = {.pc = thread_entry, .sp = stack, .arg1 = arg1, .arg2 = arg2};
  t->state = KTHREAD_RUNNING;
  kobj_signal(&t->base, 0, ZX_THREAD_RUNNING);
  return start(c, t, &regs, false);
}

/* The vDSO's zx_thread_exit: the thread is dying; the guest runtime then ends the Linux thread,
 * whose exit the supervisor sees through its thread pidfd. */
int64_t sys_thread_exiting(struct kcall* c) {
  if (c->thread) c->thread->state = KTHREAD_DYING;
  return ZX_OK;
}
