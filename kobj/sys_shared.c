/* zx_process_create_shared (kobj/share.h): a new process sharing another's shared region,
 * handle table and futex context, with a private restricted region. Check order as the
 * kernel's sys_process_create_shared + ProcessDispatcher::CreateShared (lib/syscalls/task.cc,
 * object/process_dispatcher.cc): options, the caller's ZX_POL_NEW_PROCESS, the name, the
 * handle (MANAGE_PROCESS | GET_PROPERTY), "not created shared", "every sharer is dead", the
 * job. */
#include <stdlib.h>
#include <zum/abi-private.h>

#include "host/platform.h"
#include "kobj/kmm.h"
#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "kobj/vmar.h"
#include "sys-decls.h"

/* The restricted VMAR's handle: as a root VMAR's (CAN_MAP_SPECIFIC and READ/WRITE/EXECUTE). */
#define RESTRICTED_VMAR_RIGHTS \
  (ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

int64_t sys_process_create_shared(struct kcall* c, zx_handle_t shared_proc, uint32_t options,
                                  zum_uaddr_t name, size_t name_size, zum_uaddr_t proc_handle,
                                  zum_uaddr_t restricted_vmar_handle) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  /* Against the caller's own policy, as zx_process_create (Zircon notes the choice of policy
   * here is still open). */
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_PROCESS);
  if (pol != ZX_OK) return pol;
  char buf[ZX_MAX_NAME_LEN];
  zx_status_t s = kcall_copy_name(c, name, name_size, buf);
  if (s != ZX_OK) return s;
  struct kobj* o;
  s = kcall_object(c, shared_proc, ZX_OBJ_TYPE_PROCESS,
                   ZX_RIGHT_MANAGE_PROCESS | ZX_RIGHT_GET_PROPERTY, &o);
  if (s != ZX_OK) return s;
  struct kproc* src = to_kproc(o);
  /* Only a ZX_PROCESS_SHARED process (or one of its sharers) has the shared region as its
   * normal address space. */
  if (!src->share) return ZX_ERR_INVALID_ARGS;
  struct kshare* group = src->share;
  if (group->live == 0) return ZX_ERR_BAD_STATE;
  /* The new process joins shared_proc's job; a dead job takes no children. */
  if (src->job->state != KJOB_ALIVE) return ZX_ERR_BAD_STATE;
  struct kproc* p;
  s = kproc_spawn_pure(src->job, buf, &p);
  if (s != ZX_OK) return s;
  struct kvmar* rv = kvmar_create_root(ZUM_USER_BASE, ZUM_RESTRICTED_TOP - ZUM_USER_BASE);
  s = rv ? kshare_join(group, p, rv) : ZX_ERR_NO_MEMORY;
  if (s != ZX_OK) {
    if (rv) kobj_unref(&rv->base);
    kproc_kill(p, ZX_TASK_RETCODE_SYSCALL_KILL);
    kobj_unref(&p->base);
    return s;
  }
  /* Every mapping the shared region already has goes into the new Linux process before anything
   * else can reach it (its work queue is in order, and it cannot start before this call
   * returns): computed before the handles are handed out, sent after. */
  zum_work_op_t* ops;
  size_t n = kshare_replica_ops(group, &ops);
  struct kobj* objs[2] = {&p->base, &rv->base};
  zx_rights_t rights[2] = {ZX_DEFAULT_PROCESS_RIGHTS, RESTRICTED_VMAR_RIGHTS};
  zum_uaddr_t outs[2] = {proc_handle, restricted_vmar_handle};
  s = n == SIZE_MAX ? ZX_ERR_NO_MEMORY : kcall_out_handles(c, 2, objs, rights, outs);
  int64_t r = s;
  /* This process alone: the others have these mappings already. */
  if (s == ZX_OK) r = kcall_mm_apply_one(c, p, ops, n, ZX_OK);
  /* On failure the handles are gone, and a never-started process with no handles goes away. */
  if (s != ZX_OK && p->state == KPROC_INITIAL) kproc_kill(p, ZX_TASK_RETCODE_SYSCALL_KILL);
  free(ops);
  kobj_unref(&p->base);
  return r;
}
