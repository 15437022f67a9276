/* zx_object_get_property and zx_object_set_property.
 *
 * Check order and statuses follow current Zircon (lib/syscalls/object.cc):
 *  1. a NULL value pointer is INVALID_ARGS, before the handle is looked at;
 *  2. the handle needs ZX_RIGHT_GET_PROPERTY / ZX_RIGHT_SET_PROPERTY (BAD_HANDLE, ACCESS_DENIED);
 *  3. per property: a value_size too small for it is BUFFER_TOO_SMALL, then an object of the
 *     wrong type is WRONG_TYPE, then the value is copied (a fault is INVALID_ARGS);
 *  4. an unknown property is NOT_SUPPORTED. (Zircon before ~2023 said INVALID_ARGS; the current
 *     kernel says NOT_SUPPORTED, and zum follows the kernel.)
 *
 * ZX_PROP_NAME: processes, threads, jobs and VMOs have names; on any other object both calls
 * are WRONG_TYPE, as in current Zircon. get needs a buffer of ZX_MAX_NAME_LEN bytes and writes
 * all 32 (NUL-padded); set takes at most ZX_MAX_NAME_LEN - 1 bytes of the value, cut at the
 * first NUL. The Linux comm of a hosted process is not renamed (Linux lets only the process
 * itself change it).
 *
 * ZX_PROP_REGISTER_FS / GS: as in Zircon the handle must be a thread (WRONG_TYPE) and the
 * caller's own thread (ACCESS_DENIED), and a set value must be canonical (INVALID_ARGS). Past
 * those checks a pure process's thread reads or sets its own base through address-space work
 * (its stub runs arch_prctl on the way back from the call). Hosted threads get NOT_SUPPORTED:
 * their FS base is glibc's thread pointer, and changing it under glibc would break the program.
 *
 * ZX_PROP_VMO_CONTENT_SIZE is the VMO's content (stream) size (kobj/vmo.h).
 *
 * ZX_PROP_STREAM_MODE_APPEND is a stream's append mode (kobj/stream.h): one byte, any nonzero
 * value sets it.
 *
 * Properties of objects zum does not have yet (exceptions)
 * keep Zircon's size and type checks; since no such object exists the type check always fails.
 * Their owners replace the marked branches when the objects arrive. */
#include <string.h>
#include <zircon/syscalls/object.h>
#include <zum/abi-private.h>

#include "kobj/kmm.h"
#include "kobj/socket.h"
#include "kobj/stream.h"
#include "kobj/sysutil.h"
#include "kobj/vmo.h"
#include "sys-decls.h"

static bool has_name(const struct kobj* o) {
  switch (o->ops->type) {
    case ZX_OBJ_TYPE_PROCESS:
    case ZX_OBJ_TYPE_THREAD:
    case ZX_OBJ_TYPE_JOB:
    case ZX_OBJ_TYPE_VMO:
    case ZX_OBJ_TYPE_CLOCK: /* newer Zircon names clocks too */
      return true;
    default:
      return false;
  }
}

static bool is_canonical(uint64_t addr) {
  /* x86-64, 48-bit virtual addresses: bits 63..47 all equal. */
  uint64_t top = addr >> 47;
  return top == 0 || top == 0x1ffff;
}

/* Zircon's RequireCurrentThread. */
static zx_status_t require_current_thread(struct kcall* c, struct kobj* o) {
  if (o->ops->type != ZX_OBJ_TYPE_THREAD) return ZX_ERR_WRONG_TYPE;
  if (!c->thread || &c->thread->base != o) return ZX_ERR_ACCESS_DENIED;
  return ZX_OK;
}

/* The branch for a property of an object type zum does not implement yet: its size was
 * checked, and the type check fails for every object that exists today. */
static zx_status_t other_type_property(struct kobj* o, zx_obj_type_t type) {
  if (o->ops->type != type) return ZX_ERR_WRONG_TYPE;
  /* Unreachable today (no exception object exists, so the type check above fails); the work
   * that adds that object type replaces this branch. */
  return ZX_ERR_NOT_SUPPORTED;
}

int64_t sys_object_get_property(struct kcall* c, zx_handle_t handle, uint32_t property,
                                zum_uaddr_t value, size_t value_size) {
  if (!value) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_GET_PROPERTY, &o);
  if (s != ZX_OK) return s;

  switch (property) {
    case ZX_PROP_NAME: {
      if (value_size < ZX_MAX_NAME_LEN) return ZX_ERR_BUFFER_TOO_SMALL;
      if (!has_name(o)) return ZX_ERR_WRONG_TYPE;
      char name[ZX_MAX_NAME_LEN];
      memset(name, 0, sizeof(name));
      memcpy(name, o->name, strnlen(o->name, ZX_MAX_NAME_LEN - 1));
      if (kcall_copy_out(c, value, name, sizeof(name)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      return ZX_OK;
    }
    case ZX_PROP_PROCESS_DEBUG_ADDR:
    case ZX_PROP_PROCESS_BREAK_ON_LOAD:
    case ZX_PROP_PROCESS_VDSO_BASE_ADDRESS: {
      if (value_size < sizeof(uintptr_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_PROCESS) return ZX_ERR_WRONG_TYPE;
      struct kproc* p = to_kproc(o);
      uintptr_t v = property == ZX_PROP_PROCESS_DEBUG_ADDR      ? p->debug_addr
                    : property == ZX_PROP_PROCESS_BREAK_ON_LOAD ? p->dyn_break_on_load
                                                                : p->vdso_base;
      return kcall_copy_out(c, value, &v, sizeof(v));
    }
    case ZX_PROP_PROCESS_HW_TRACE_CONTEXT_ID:
      /* Zircon serves it only with the debugging syscalls enabled, which zum never is. */
      return ZX_ERR_NOT_SUPPORTED;
    case ZX_PROP_SOCKET_RX_THRESHOLD:
    case ZX_PROP_SOCKET_TX_THRESHOLD: {
      if (value_size < sizeof(size_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_SOCKET) return ZX_ERR_WRONG_TYPE;
      struct ksocket* sk = to_ksocket(o);
      size_t v = property == ZX_PROP_SOCKET_RX_THRESHOLD ? sk->read_threshold : sk->write_threshold;
      return kcall_copy_out(c, value, &v, sizeof(v));
    }
    case ZX_PROP_EXCEPTION_STATE:
    case ZX_PROP_EXCEPTION_STRATEGY:
      if (value_size < sizeof(uint32_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      return other_type_property(o, ZX_OBJ_TYPE_EXCEPTION);
    case ZX_PROP_VMO_CONTENT_SIZE: {
      if (value_size < sizeof(uint64_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_VMO) return ZX_ERR_WRONG_TYPE;
      uint64_t v = kvmo_stream_size(to_kvmo(o)); /* as zx_vmo_get_stream_size */
      return kcall_copy_out(c, value, &v, sizeof(v));
    }
    case ZX_PROP_STREAM_MODE_APPEND: {
      if (value_size < sizeof(uint8_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_STREAM) return ZX_ERR_WRONG_TYPE;
      uint8_t v = kstream_append_mode(to_kstream(o));
      if (kcall_copy_out(c, value, &v, sizeof(v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      return ZX_OK;
    }
    case ZX_PROP_REGISTER_FS:
    case ZX_PROP_REGISTER_GS:
      if (value_size < sizeof(uintptr_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      s = require_current_thread(c, o);
      if (s != ZX_OK) return s;
      if (!c->proc->pure || !c->work_addr) return ZX_ERR_NOT_SUPPORTED; /* see the top */
      {
        /* The runtime stores the base itself; make sure the destination takes a write. */
        uint64_t zero = 0;
        if (kcall_copy_out(c, value, &zero, sizeof(zero)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
        zum_work_op_t op = {.kind = property == ZX_PROP_REGISTER_FS ? ZUM_WORK_GET_FS
                                                                    : ZUM_WORK_GET_GS,
                            .addr = value, .len = sizeof(uint64_t), .fd = -1};
        return kcall_mm_apply(c, c->proc, &op, 1, ZX_OK);
      }
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}

int64_t sys_object_set_property(struct kcall* c, zx_handle_t handle, uint32_t property,
                                zum_uaddr_t value, size_t value_size) {
  if (!value) return ZX_ERR_INVALID_ARGS;
  struct khandle* h;
  zx_status_t s = kcall_object_h(c, handle, ZX_OBJ_TYPE_NONE, ZX_RIGHT_SET_PROPERTY, &h);
  if (s != ZX_OK) return s;
  struct kobj* o = h->obj;

  switch (property) {
    case ZX_PROP_NAME: {
      if (value_size >= ZX_MAX_NAME_LEN) value_size = ZX_MAX_NAME_LEN - 1;
      char name[ZX_MAX_NAME_LEN];
      memset(name, 0, sizeof(name));
      if (kcall_copy_in(c, name, value, value_size) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      if (!has_name(o)) return ZX_ERR_WRONG_TYPE;
      kobj_set_name(o, name, value_size);
      return ZX_OK;
    }
    case ZX_PROP_REGISTER_FS:
    case ZX_PROP_REGISTER_GS: {
      if (value_size < sizeof(uintptr_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      s = require_current_thread(c, o);
      if (s != ZX_OK) return s;
      uint64_t addr;
      if (kcall_copy_in(c, &addr, value, sizeof(addr)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      /* A user address: canonical and in the lower half (the kernel half is not the guest's). */
      if (!is_canonical(addr) || addr >= ZUM_USER_TOP) return ZX_ERR_INVALID_ARGS;
      if (!c->proc->pure || !c->work_addr) return ZX_ERR_NOT_SUPPORTED; /* see the top */
      zum_work_op_t op = {.kind = property == ZX_PROP_REGISTER_FS ? ZUM_WORK_SET_FS
                                                                  : ZUM_WORK_SET_GS,
                          .addr = addr, .fd = -1};
      return kcall_mm_apply(c, c->proc, &op, 1, ZX_OK);
    }
    case ZX_PROP_PROCESS_DEBUG_ADDR:
    case ZX_PROP_PROCESS_BREAK_ON_LOAD: {
      if (value_size < sizeof(uintptr_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_PROCESS) return ZX_ERR_WRONG_TYPE;
      uintptr_t v;
      if (kcall_copy_in(c, &v, value, sizeof(v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      struct kproc* p = to_kproc(o);
      if (property == ZX_PROP_PROCESS_DEBUG_ADDR) p->debug_addr = v;
      else p->dyn_break_on_load = v;
      return ZX_OK;
    }
    case ZX_PROP_SOCKET_RX_THRESHOLD:
    case ZX_PROP_SOCKET_TX_THRESHOLD: {
      if (value_size < sizeof(size_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_SOCKET) return ZX_ERR_WRONG_TYPE;
      size_t v;
      if (kcall_copy_in(c, &v, value, sizeof(v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      return property == ZX_PROP_SOCKET_RX_THRESHOLD
                 ? ksocket_set_read_threshold(to_ksocket(o), v)
                 : ksocket_set_write_threshold(to_ksocket(o), v);
    }
    case ZX_PROP_JOB_KILL_ON_OOM: {
      /* Zircon checks no size here: it always reads a size_t. */
      if (o->ops->type != ZX_OBJ_TYPE_JOB) return ZX_ERR_WRONG_TYPE;
      size_t v;
      if (kcall_copy_in(c, &v, value, sizeof(v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      if (v > 1) return ZX_ERR_INVALID_ARGS;
      to_kjob(o)->kill_on_oom = v == 1;
      return ZX_OK;
    }
    case ZX_PROP_EXCEPTION_STATE:
    case ZX_PROP_EXCEPTION_STRATEGY:
      if (value_size < sizeof(uint32_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      return other_type_property(o, ZX_OBJ_TYPE_EXCEPTION);
    case ZX_PROP_VMO_CONTENT_SIZE: {
      /* Current Zircon checks WRITE on the handle first. */
      if (!(h->rights & ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
      if (value_size < sizeof(uint64_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_VMO) return ZX_ERR_WRONG_TYPE;
      uint64_t v;
      if (kcall_copy_in(c, &v, value, sizeof(v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      return kvmo_set_content_size(to_kvmo(o), v); /* the legacy setter: see mm/vmo.c */
    }
    case ZX_PROP_STREAM_MODE_APPEND: {
      if (value_size < sizeof(uint8_t)) return ZX_ERR_BUFFER_TOO_SMALL;
      if (o->ops->type != ZX_OBJ_TYPE_STREAM) return ZX_ERR_WRONG_TYPE;
      uint8_t v;
      if (kcall_copy_in(c, &v, value, sizeof(v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
      kstream_set_append_mode(to_kstream(o), v != 0); /* any nonzero byte turns it on */
      return ZX_OK;
    }
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
}
