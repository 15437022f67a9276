/* job_create, task_kill, process_exit. */
#include "kobj/sysutil.h"
#include "sys-decls.h"

/* Zircon limits the job tree's height: the root job's max_height is 32, each child's is its
 * parent's minus one, and a job whose max_height is 0 cannot have children (OUT_OF_RANGE). So a
 * chain holds the root and 32 jobs below it. */
#define KJOB_MAX_HEIGHT 32

static int job_depth(struct kjob* j) {
  int d = 0;
  for (; j; j = j->parent) d++;
  return d;
}

int64_t sys_job_create(struct kcall* c, zx_handle_t parent_job, uint32_t options, zum_uaddr_t out) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, parent_job, ZX_OBJ_TYPE_JOB, ZX_RIGHT_MANAGE_JOB, &o);
  if (s != ZX_OK) return s;
  struct kjob* parent = to_kjob(o);
  if (parent->state != KJOB_ALIVE) return ZX_ERR_BAD_STATE;
  if (job_depth(parent) > KJOB_MAX_HEIGHT) return ZX_ERR_OUT_OF_RANGE;
  struct kjob* j = kjob_create(parent);
  if (!j) return ZX_ERR_NO_MEMORY;
  s = kcall_out_handle(c, &j->base, ZX_DEFAULT_JOB_RIGHTS, out);
  kobj_unref(&j->base);
  return s;
}

/* Rights are checked on the generic handle first, then the type: only jobs and processes can be
 * killed (threads end themselves). */
int64_t sys_task_kill(struct kcall* c, zx_handle_t handle) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_DESTROY, &o);
  if (s != ZX_OK) return s;
  switch (o->ops->type) {
    case ZX_OBJ_TYPE_JOB:
      kjob_kill(to_kjob(o), ZX_TASK_RETCODE_SYSCALL_KILL);
      return ZX_OK;
    case ZX_OBJ_TYPE_PROCESS:
      kproc_kill(to_kproc(o), ZX_TASK_RETCODE_SYSCALL_KILL);
      return ZX_OK;
    default:
      return ZX_ERR_WRONG_TYPE;
  }
}

/* Records the return code and ends the process; the call never returns to the guest. */
int64_t sys_process_exit(struct kcall* c, int64_t retcode) {
  struct kproc* p = c->proc;
  if (!p->return_code_set) {
    p->return_code = retcode;
    p->return_code_set = true;
  }
  kproc_kill(p, retcode);
  return KCALL_NOREPLY;
}
