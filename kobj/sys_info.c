/* zx_object_get_info: the topics of handles, tasks and VMARs.
 *
 * Check order and statuses follow Zircon's kernel (lib/syscalls/object.cc, current):
 *  - each topic looks its handle up with the rights it needs: BAD_HANDLE, then WRONG_TYPE for a
 *    typed topic, then ACCESS_DENIED (kcall_object);
 *  - single-record topics write the record if buffer_size holds it (a faulting buffer is
 *    INVALID_ARGS), then *actual (1 or 0) and *avail (1) when those pointers are not NULL, and
 *    return BUFFER_TOO_SMALL if the record did not fit;
 *  - array topics write min(records, buffer_size / record size) records, then *actual (records
 *    written) and *avail (records existing); a short buffer is not an error;
 *  - a faulting *actual or *avail is INVALID_ARGS (after the buffer was written, as in Zircon);
 *  - an unknown topic, or one this emulator does not serve, is NOT_SUPPORTED.
 *
 * Versioned topics: ZX_INFO_PROCESS is the current 0x10000003 (zx_info_process_t with start_time
 * and flags). The bare number 3 (ZX_INFO_PROCESS_V1, the pre-2021 topic with three bools) is no
 * longer accepted by current Zircon, which returns NOT_SUPPORTED; zum still answers it with the
 * V1 layout, as the kernel did during the V1 -> V2 transition, so older binaries keep working.
 * This is a deliberate compatibility extension, not a divergence on a topic current Zircon
 * serves. ZX_INFO_TASK_STATS_V1 (12) and ZX_INFO_TASK_STATS (0x1000000c) are both served, as in
 * current Zircon.
 *
 * ZX_INFO_STREAM takes its record from the stream (kobj/stream.h).
 *
 * ZX_INFO_TIMER takes its record from the timer object (kobj/timer.h).
 *
 * ZX_INFO_VMO (and its V1-V3 topics) takes its record from the VMO object (kobj/vmo.h).
 *
 * ZX_INFO_VMAR answers for every VMAR, destroyed ones included; VMAR_MAPS, PROCESS_MAPS (V1, V2)
 * and PROCESS_VMOS (V1-V3) are kobj/vmar_info.c.
 *
 * Not served here (NOT_SUPPORTED until their owners add them): ZX_INFO_SOCKET, STREAM,
 * THREAD_EXCEPTION_REPORT (the exception work), TASK_RUNTIME, HANDLE_TABLE, and the
 * resource-gated system topics (CPU_STATS, KMEM_STATS...), for which zum has no resources. */
#include <string.h>
#include <zircon/syscalls/object.h>

#include "kobj/resource.h"
#include "kobj/socket.h"
#include "kobj/stream.h"
#include "kobj/sysutil.h"
#include "kobj/timer.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "sys-decls.h"

/* The pre-2021 ZX_INFO_PROCESS record (topic 3). */
typedef struct {
  int64_t return_code;
  bool started;
  bool exited;
  bool debugger_attached;
  uint8_t padding1[5];
} kinfo_process_v1_t;
_Static_assert(sizeof(kinfo_process_v1_t) == 16, "zx_info_process_v1_t is 16 bytes");
#define KINFO_PROCESS_V1 ((uint32_t)3u)

/* Where the results of one call go. */
struct info_out {
  struct kcall* c;
  zum_uaddr_t buffer;
  size_t buffer_size;
  zum_uaddr_t actual;
  zum_uaddr_t avail;
};

static zx_status_t put_actual_avail(const struct info_out* o, size_t actual, size_t avail) {
  if (o->actual && kcall_copy_out(o->c, o->actual, &actual, sizeof(actual)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  if (o->avail && kcall_copy_out(o->c, o->avail, &avail, sizeof(avail)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

static zx_status_t single_record(const struct info_out* o, const void* rec, size_t size) {
  size_t actual = 0;
  if (o->buffer_size >= size) {
    if (kcall_copy_out(o->c, o->buffer, rec, size) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    actual = 1;
  }
  zx_status_t s = put_actual_avail(o, actual, 1);
  if (s != ZX_OK) return s;
  return actual ? ZX_OK : ZX_ERR_BUFFER_TOO_SMALL;
}

/* Collects koids for an array topic: the first `max` are written as they come. */
struct koid_list {
  const struct info_out* o;
  size_t max;
  size_t count;
  size_t avail;
  zx_status_t status;
};

static void koid_list_add(struct koid_list* l, zx_koid_t koid) {
  l->avail++;
  if (l->status != ZX_OK || l->count >= l->max) return;
  if (kcall_copy_out(l->o->c, l->o->buffer + l->count * sizeof(zx_koid_t), &koid,
                     sizeof(koid)) != ZX_OK) {
    l->status = ZX_ERR_INVALID_ARGS;
    return;
  }
  l->count++;
}

static zx_status_t koid_list_finish(struct koid_list* l) {
  if (l->status != ZX_OK) return l->status;
  return put_actual_avail(l->o, l->count, l->avail);
}

/* ---- process, job, thread records */

static void process_record(const struct kproc* p, zx_info_process_t* info) {
  memset(info, 0, sizeof(*info));
  info->return_code = p->return_code;
  info->start_time = p->start_time;
  switch (p->state) {
    case KPROC_DYING:
    case KPROC_DEAD:
      info->flags |= ZX_INFO_PROCESS_FLAG_EXITED;
      /* fall through */
    case KPROC_RUNNING:
      info->flags |= ZX_INFO_PROCESS_FLAG_STARTED;
      break;
    case KPROC_INITIAL:
      info->start_time = 0; /* only valid once started */
      break;
  }
}

static void job_record(const struct kjob* j, zx_info_job_t* info) {
  memset(info, 0, sizeof(*info));
  info->return_code = j->return_code;
  /* Zircon: exited as soon as the job is killed, though children may still be dying. */
  info->exited = j->state != KJOB_ALIVE;
  info->kill_on_oom = j->kill_on_oom;
  info->debugger_attached = false;
}

static zx_thread_state_t thread_state(const struct kthread* t) {
  switch (t->state) {
    case KTHREAD_NEW:
      return ZX_THREAD_STATE_NEW;
    case KTHREAD_DYING:
      return ZX_THREAD_STATE_DYING;
    case KTHREAD_DEAD:
      return ZX_THREAD_STATE_DEAD;
    case KTHREAD_RUNNING:
      break;
  }
  /* A killed process's threads are being torn down (Zircon kills them on the way to DEAD). */
  if (t->proc && (t->proc->state == KPROC_DYING || t->proc->state == KPROC_DEAD))
    return ZX_THREAD_STATE_DYING;
  /* Suspended once its stub has reported (kobj/suspend.c); a call it was blocked in before
   * stays parked and goes on after the resume. */
  if (t->suspended_call) return ZX_THREAD_STATE_SUSPENDED;
  if (t->blocked_state) return t->blocked_state;
  return ZX_THREAD_STATE_RUNNING;
}

static int host_thread_info(const struct kthread* t, struct platform_thread_info* hi) {
  struct kproc* p = t->proc;
  memset(hi, 0, sizeof(*hi));
  if (!p || !p->host_ops || !p->host_ops->thread_info) return -1;
  return p->host_ops->thread_info(p->host, t->tid, hi);
}

static void thread_record(const struct kthread* t, zx_info_thread_t* info) {
  memset(info, 0, sizeof(*info));
  info->state = thread_state(t);
  info->wait_exception_channel_type = ZX_EXCEPTION_CHANNEL_TYPE_NONE;
  /* As in Zircon, a thread that has exited keeps a zero mask. */
  if (t->state == KTHREAD_DEAD) return;
  struct platform_thread_info hi;
  if (host_thread_info(t, &hi) == 0) {
    _Static_assert(sizeof(hi.cpu_mask) <= sizeof(info->cpu_affinity_mask.mask), "mask fits");
    memcpy(info->cpu_affinity_mask.mask, hi.cpu_mask, sizeof(hi.cpu_mask));
  }
}

static zx_status_t thread_stats(const struct kthread* t, zx_info_thread_stats_t* info) {
  memset(info, 0, sizeof(*info));
  if (t->state == KTHREAD_DEAD) return ZX_ERR_BAD_STATE;
  struct kproc* p = t->proc;
  if (!p || !p->host_ops || !p->host_ops->thread_info) {
    info->last_scheduled_cpu = ZX_INFO_INVALID_CPU;
    return ZX_OK;
  }
  struct platform_thread_info hi;
  if (host_thread_info(t, &hi) != 0) return ZX_ERR_BAD_STATE; /* the Linux thread is gone */
  info->total_runtime = hi.runtime_ns;
  info->last_scheduled_cpu = hi.last_cpu;
  return ZX_OK;
}

/* Memory statistics from the host. Linux cannot cheaply say how many processes share each
 * page, so the scaled share is reported as the whole shared amount (an upper bound). */
static zx_status_t task_stats(struct kproc* p, zx_info_task_stats_t* info) {
  memset(info, 0, sizeof(*info));
  if (p->state == KPROC_DEAD) return ZX_ERR_BAD_STATE;
  uint64_t mapped = 0, priv = 0, shared = 0;
  if (!p->host_ops || !p->host_ops->mem_stats ||
      p->host_ops->mem_stats(p->host, &mapped, &priv, &shared) != 0)
    return ZX_ERR_BAD_STATE; /* the Linux process is already gone */
  info->mem_mapped_bytes = mapped;
  info->mem_private_bytes = priv;
  info->mem_shared_bytes = shared;
  info->mem_scaled_shared_bytes = shared;
  info->mem_fractional_scaled_shared_bytes = 0;
  return ZX_OK;
}

static void sync_threads(struct kproc* p) {
  if (p->state != KPROC_DEAD && p->host_ops && p->host_ops->sync_threads)
    p->host_ops->sync_threads(p->host);
}

/* ---- topics */

static zx_status_t info_handle_basic(const struct info_out* o, zx_handle_t handle) {
  struct khandle* h;
  zx_status_t s = kcall_handle(o->c, handle, &h);
  if (s != ZX_OK) return s;
  struct kobj* obj = h->obj;
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  info.koid = obj->koid;
  info.rights = h->rights;
  info.type = obj->ops->type;
  info.related_koid = obj->ops->related_koid ? obj->ops->related_koid(obj) : 0;
  info.reserved = 0;
  return single_record(o, &info, sizeof(info));
}

static zx_status_t info_process_threads(const struct info_out* o, zx_handle_t handle) {
  struct kobj* obj;
  zx_status_t s = kcall_object(o->c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_ENUMERATE, &obj);
  if (s != ZX_OK) return s;
  struct kproc* p = to_kproc(obj);
  sync_threads(p);
  struct koid_list l = {o, o->buffer_size / sizeof(zx_koid_t), 0, 0, ZX_OK};
  struct list_node* pos;
  list_for_each(pos, &p->threads) {
    koid_list_add(&l, list_entry(pos, struct kthread, proc_node)->base.koid);
  }
  return koid_list_finish(&l);
}

static zx_status_t info_job_children(const struct info_out* o, zx_handle_t handle, bool jobs) {
  struct kobj* obj;
  zx_status_t s = kcall_object(o->c, handle, ZX_OBJ_TYPE_JOB, ZX_RIGHT_ENUMERATE, &obj);
  if (s != ZX_OK) return s;
  struct kjob* j = to_kjob(obj);
  struct koid_list l = {o, o->buffer_size / sizeof(zx_koid_t), 0, 0, ZX_OK};
  struct list_node* pos;
  if (jobs) {
    list_for_each(pos, &j->children) {
      koid_list_add(&l, list_entry(pos, struct kjob, node)->base.koid);
    }
  } else {
    list_for_each(pos, &j->procs) {
      struct kproc* p = list_entry(pos, struct kproc, job_node);
      /* Zircon hides a process still being created (INITIAL with no handle yet). */
      if (p->state == KPROC_INITIAL && p->base.handle_count == 0) continue;
      koid_list_add(&l, p->base.koid);
    }
  }
  return koid_list_finish(&l);
}

static zx_status_t info_process_handle_stats(const struct info_out* o, struct kproc* p) {
  zx_info_process_handle_stats_t info;
  memset(&info, 0, sizeof(info));
  struct list_node* pos;
  list_for_each(pos, &p->table->handles) {
    struct khandle* h = list_entry(pos, struct khandle, node);
    zx_obj_type_t type = h->obj->ops->type;
    if (type < ZX_OBJ_TYPE_UPPER_BOUND) info.handle_count[type]++;
  }
  return single_record(o, &info, sizeof(info));
}

int64_t sys_object_get_info(struct kcall* c, zx_handle_t handle, uint32_t topic,
                            zum_uaddr_t buffer, size_t buffer_size, zum_uaddr_t actual,
                            zum_uaddr_t avail) {
  const struct info_out o = {c, buffer, buffer_size, actual, avail};
  struct kobj* obj;
  zx_status_t s;

  switch (topic) {
    case ZX_INFO_HANDLE_VALID: {
      /* No buffer, no rights: only whether the handle exists (exempt from the bad-handle
       * policy in Zircon). */
      return khandle_lookup(kcall_table_of(c), handle) ? ZX_OK : ZX_ERR_BAD_HANDLE;
    }
    case ZX_INFO_HANDLE_BASIC:
      return info_handle_basic(&o, handle);

    case ZX_INFO_HANDLE_COUNT: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_handle_count_t info = {.handle_count = obj->handle_count};
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_PROCESS: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_process_t info;
      process_record(to_kproc(obj), &info);
      return single_record(&o, &info, sizeof(info));
    }
    case KINFO_PROCESS_V1: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_process_t cur;
      process_record(to_kproc(obj), &cur);
      kinfo_process_v1_t info;
      memset(&info, 0, sizeof(info));
      info.return_code = cur.return_code;
      info.started = (cur.flags & ZX_INFO_PROCESS_FLAG_STARTED) != 0;
      info.exited = (cur.flags & ZX_INFO_PROCESS_FLAG_EXITED) != 0;
      info.debugger_attached = (cur.flags & ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED) != 0;
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_PROCESS_THREADS:
      return info_process_threads(&o, handle);
    case ZX_INFO_JOB_CHILDREN:
    case ZX_INFO_JOB_PROCESSES:
      return info_job_children(&o, handle, topic == ZX_INFO_JOB_CHILDREN);

    case ZX_INFO_THREAD: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_THREAD, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_thread_t info;
      thread_record(to_kthread(obj), &info);
      return single_record(&o, &info, sizeof(info));
    }
    case ZX_INFO_THREAD_STATS: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_THREAD, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_thread_stats_t info;
      s = thread_stats(to_kthread(obj), &info);
      if (s != ZX_OK) return s;
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_TASK_STATS:
    case ZX_INFO_TASK_STATS_V1: {
      /* Processes only, as in Zircon. */
      s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_task_stats_t info;
      s = task_stats(to_kproc(obj), &info);
      if (s != ZX_OK) return s;
      if (topic == ZX_INFO_TASK_STATS) return single_record(&o, &info, sizeof(info));
      zx_info_task_stats_v1_t v1 = {
          .mem_mapped_bytes = info.mem_mapped_bytes,
          .mem_private_bytes = info.mem_private_bytes,
          .mem_shared_bytes = info.mem_shared_bytes,
          .mem_scaled_shared_bytes = info.mem_scaled_shared_bytes,
      };
      return single_record(&o, &v1, sizeof(v1));
    }

    case ZX_INFO_PROCESS_HANDLE_STATS:
      s = kcall_object(c, handle, ZX_OBJ_TYPE_PROCESS, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      return info_process_handle_stats(&o, to_kproc(obj));

    case ZX_INFO_JOB: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_JOB, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_job_t info;
      job_record(to_kjob(obj), &info);
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_SOCKET: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_SOCKET, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_socket_t info;
      ksocket_info(to_ksocket(obj), &info);
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_STREAM: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_STREAM, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_stream_t info;
      kstream_info(to_kstream(obj), &info);
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_RESOURCE: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_RESOURCE, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_resource_t info;
      kresource_info(to_kresource(obj), &info);
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_TIMER: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_TIMER, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      zx_info_timer_t info;
      memset(&info, 0, sizeof(info));
      ktimer_get_info(obj, &info);
      return single_record(&o, &info, sizeof(info));
    }

    case ZX_INFO_VMO:
    case ZX_INFO_VMO_V1:
    case ZX_INFO_VMO_V2:
    case ZX_INFO_VMO_V3: {
      /* No rights needed; the older topics get the prefix of the current record. */
      struct khandle* h;
      s = kcall_object_h(c, handle, ZX_OBJ_TYPE_VMO, ZX_RIGHT_NONE, &h);
      if (s != ZX_OK) return s;
      zx_info_vmo_t info;
      kvmo_get_info(to_kvmo(h->obj), ZX_INFO_VMO_VIA_HANDLE, h->rights, &info);
      size_t size = topic == ZX_INFO_VMO_V1   ? sizeof(zx_info_vmo_v1_t)
                    : topic == ZX_INFO_VMO_V2 ? sizeof(zx_info_vmo_v2_t)
                    : topic == ZX_INFO_VMO_V3 ? sizeof(zx_info_vmo_v3_t)
                                              : sizeof(zx_info_vmo_t);
      return single_record(&o, &info, size);
    }

    case ZX_INFO_VMAR_MAPS:
    case ZX_INFO_PROCESS_MAPS:
    case ZX_INFO_PROCESS_MAPS_V1:
    case ZX_INFO_PROCESS_MAPS_V2:
    case ZX_INFO_PROCESS_VMOS:
    case ZX_INFO_PROCESS_VMOS_V1:
    case ZX_INFO_PROCESS_VMOS_V2:
    case ZX_INFO_PROCESS_VMOS_V3:
      return kvmar_get_info(c, handle, topic, buffer, buffer_size, actual, avail);

    case ZX_INFO_VMAR: {
      s = kcall_object(c, handle, ZX_OBJ_TYPE_VMAR, ZX_RIGHT_INSPECT, &obj);
      if (s != ZX_OK) return s;
      struct kvmar* v = (struct kvmar*)obj;
      zx_info_vmar_t info = {.base = (uintptr_t)v->addr, .len = (size_t)v->size};
      return single_record(&o, &info, sizeof(info));
    }

    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}
