/* zx_object_get_child: a handle to a job's child job or process, or a process's thread, by koid.
 *
 * As in Zircon (lib/syscalls/object.cc): the handle may be of any type (BAD_HANDLE only), it
 * needs ZX_RIGHT_ENUMERATE (ACCESS_DENIED), and the requested rights must be
 * ZX_RIGHT_SAME_RIGHTS (the parent handle's rights, whatever the child's type) or a subset of
 * the parent handle's rights (else ACCESS_DENIED, not INVALID_ARGS as handle_duplicate says).
 * Only then is the type looked at: processes are searched for a thread, jobs for a direct child
 * job and then a direct child process (NOT_FOUND), and any other object is WRONG_TYPE. */
#include "kobj/sysutil.h"
#include "sys-decls.h"

static struct kobj* find_thread(struct kproc* p, zx_koid_t koid) {
  /* Hosted threads get their kthread on their first call: meet the others now. */
  if (p->state != KPROC_DEAD && p->host_ops && p->host_ops->sync_threads)
    p->host_ops->sync_threads(p->host);
  struct list_node* pos;
  list_for_each(pos, &p->threads) {
    struct kthread* t = list_entry(pos, struct kthread, proc_node);
    if (t->base.koid == koid) return &t->base;
  }
  return NULL;
}

static struct kobj* find_job_child(struct kjob* j, zx_koid_t koid) {
  struct list_node* pos;
  list_for_each(pos, &j->children) {
    struct kjob* child = list_entry(pos, struct kjob, node);
    if (child->base.koid == koid) return &child->base;
  }
  list_for_each(pos, &j->procs) {
    struct kproc* p = list_entry(pos, struct kproc, job_node);
    if (p->base.koid == koid) return &p->base;
  }
  return NULL;
}

int64_t sys_object_get_child(struct kcall* c, zx_handle_t handle, uint64_t koid,
                             zx_rights_t rights, zum_uaddr_t out) {
  struct khandle* h;
  zx_status_t s = kcall_handle(c, handle, &h);
  if (s != ZX_OK) return s;
  zx_rights_t parent_rights = h->rights;
  if (!(parent_rights & ZX_RIGHT_ENUMERATE)) return ZX_ERR_ACCESS_DENIED;
  if (rights == ZX_RIGHT_SAME_RIGHTS) rights = parent_rights;
  else if ((parent_rights & rights) != rights) return ZX_ERR_ACCESS_DENIED;

  struct kobj* o = h->obj;
  struct kobj* child;
  switch (o->ops->type) {
    case ZX_OBJ_TYPE_PROCESS:
      child = find_thread(to_kproc(o), koid);
      break;
    case ZX_OBJ_TYPE_JOB:
      child = find_job_child(to_kjob(o), koid);
      break;
    default:
      return ZX_ERR_WRONG_TYPE;
  }
  if (!child) return ZX_ERR_NOT_FOUND;
  return kcall_out_handle(c, child, rights, out);
}
