/* Profiles and the scheduling calls (lib/syscalls/profile.cc, ProfileDispatcher::Create,
 * thread.cc's legacy_yield). Linux schedules every zum thread. A profile is validated and kept
 * as Zircon's is; applying one to a thread gives its Linux thread what maps onto Linux without
 * privilege: a priority becomes a nice value (16, Zircon's default, is nice 0; 0 is +19; 31 is
 * -17), which Linux applies when it raises the nice value and refuses, leaving the thread as it
 * was, when lowering it would need CAP_SYS_NICE; a CPU mask becomes the thread's affinity.
 * Deadline parameters have no unprivileged equivalent (SCHED_DEADLINE needs CAP_SYS_NICE) and
 * are accepted and kept only. Memory priorities are accepted: zum never reclaims pages. */
#include <stdlib.h>
#include <zircon/syscalls/profile.h>

#include "kobj/policy.h"
#include "kobj/resource.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

struct kprofile {
  struct kobj base;
  zx_profile_info_t info;
};

static void profile_destroy(struct kobj* o) { free(o); }

static struct kprofile* to_kprofile(struct kobj* o) { return (struct kprofile*)o; }

/* See the top of this file. A thread not running (not started, or gone) has no Linux thread. */
static void apply_to_thread(const struct kprofile* p, const struct kthread* t) {
  const zx_profile_info_t* i = &p->info;
  const struct platform_proc_ops* ops = t->proc->host_ops;
  if (!ops || !ops->thread_sched || t->state != KTHREAD_RUNNING || t->tid <= 0) return;
  bool set_nice = (i->flags & ZX_PROFILE_INFO_FLAG_PRIORITY) != 0;
  int nice = set_nice ? (ZX_PRIORITY_DEFAULT - i->priority) * 19 / 16 : 0;
  bool has_mask = (i->flags & ZX_PROFILE_INFO_FLAG_CPU_MASK) != 0;
  ops->thread_sched(t->proc->host, t->tid, set_nice, nice, has_mask ? i->cpu_affinity_mask.mask : NULL,
                    has_mask ? ZX_CPU_SET_MAX_CPUS / ZX_CPU_SET_BITS_PER_WORD : 0);
}

static const struct kobj_ops kprofile_ops = {
    .type = ZX_OBJ_TYPE_PROFILE,
    .name = "profile",
    .default_rights = ZX_DEFAULT_PROFILE_RIGHTS,
    .not_waitable = true,
    .destroy = profile_destroy,
};

/* ProfileDispatcher::Create's rules. */
static zx_status_t check_info(const zx_profile_info_t* i) {
  const uint32_t sched = ZX_PROFILE_INFO_FLAG_PRIORITY | ZX_PROFILE_INFO_FLAG_DEADLINE;
  const uint32_t thread = sched | ZX_PROFILE_INFO_FLAG_CPU_MASK;
  const uint32_t memory = ZX_PROFILE_INFO_FLAG_MEMORY_PRIORITY;
  if ((i->flags & (thread | memory)) == 0) return ZX_ERR_INVALID_ARGS;
  if ((i->flags & memory) && (i->flags & thread)) return ZX_ERR_INVALID_ARGS;
  if (i->flags & sched) {
    const uint32_t all = thread | ZX_PROFILE_INFO_FLAG_NO_INHERIT;
    if (i->flags & ~all) return ZX_ERR_INVALID_ARGS;
    uint32_t discipline = i->flags & sched;
    if (discipline != ZX_PROFILE_INFO_FLAG_PRIORITY && discipline != ZX_PROFILE_INFO_FLAG_DEADLINE)
      return ZX_ERR_INVALID_ARGS;
    bool inheritable = !(i->flags & ZX_PROFILE_INFO_FLAG_NO_INHERIT);
    if (discipline == ZX_PROFILE_INFO_FLAG_PRIORITY &&
        (i->priority < ZX_PRIORITY_LOWEST || i->priority > ZX_PRIORITY_HIGHEST))
      return ZX_ERR_INVALID_ARGS;
    if (discipline == ZX_PROFILE_INFO_FLAG_DEADLINE) {
      const zx_sched_deadline_params_t* d = &i->deadline_params;
      if (!(d->capacity > 0 && d->capacity <= d->relative_deadline &&
            d->relative_deadline <= d->period && inheritable))
        return ZX_ERR_INVALID_ARGS;
    }
  }
  if ((i->flags & memory) && i->priority != ZX_PRIORITY_HIGH && i->priority != ZX_PRIORITY_DEFAULT)
    return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

int64_t sys_profile_create(struct kcall* c, zx_handle_t profile_rsrc, uint32_t options,
                           zum_uaddr_t profile, zum_uaddr_t out) {
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_PROFILE);
  if (pol != ZX_OK) return pol;
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  /* Newer Zircon asks for the profile system resource (older: the root job). */
  zx_status_t s = kcall_resource_system(c, profile_rsrc, ZX_RSRC_SYSTEM_PROFILE_BASE);
  if (s != ZX_OK) return s;
  zx_profile_info_t info;
  if (kcall_copy_in(c, &info, profile, sizeof(info)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  s = check_info(&info);
  if (s != ZX_OK) return s;
  struct kprofile* p = calloc(1, sizeof(*p));
  if (!p) return ZX_ERR_NO_MEMORY;
  kobj_init(&p->base, &kprofile_ops, 0);
  p->info = info;
  s = kcall_out_handle(c, &p->base, ZX_DEFAULT_PROFILE_RIGHTS, out);
  kobj_unref(&p->base);
  return s;
}

int64_t sys_object_set_profile(struct kcall* c, zx_handle_t handle, zx_handle_t profile,
                               uint32_t options) {
  (void)options; /* Zircon reads no option bits */
  struct kobj* p;
  zx_status_t s = kcall_object(c, profile, ZX_OBJ_TYPE_PROFILE, ZX_RIGHT_APPLY_PROFILE, &p);
  if (s != ZX_OK) return s;
  struct khandle* h;
  s = kcall_object_h(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_NONE, &h);
  if (s != ZX_OK) return s;
  switch (h->obj->ops->type) {
    case ZX_OBJ_TYPE_THREAD:
      if (!(h->rights & ZX_RIGHT_MANAGE_THREAD)) return ZX_ERR_ACCESS_DENIED;
      apply_to_thread(to_kprofile(p), to_kthread(h->obj));
      return ZX_OK;
    case ZX_OBJ_TYPE_VMAR:
      /* A memory priority: zum never reclaims pages, so every priority behaves alike. */
      return (h->rights & ZX_RIGHT_OP_CHILDREN) ? ZX_OK : ZX_ERR_ACCESS_DENIED;
    default:
      return ZX_ERR_WRONG_TYPE;
  }
}

int64_t sys_thread_legacy_yield(struct kcall* c, uint32_t options) {
  (void)c;
  /* The trap itself gave Linux its chance to run something else. */
  return options != 0 ? ZX_ERR_INVALID_ARGS : ZX_OK;
}
