/* The channel syscalls: create, read(_etc), write(_etc), call(_etc). Check orders and statuses
 * follow Zircon's lib/syscalls/channel.cc, object/user_handles.cc and object/message_packet.cc.
 *
 * Handles given to write and call are consumed whatever happens (except ZX_HANDLE_OP_DUPLICATE
 * entries of the _etc forms): on an early failure (options, the channel handle, the message) every
 * listed handle is closed, as Zircon's RemoveUserHandles does; once the message is being built,
 * each handle is taken out of the table and either travels in the message or is closed.
 *
 * zx_channel_create enforces job policy ZX_POL_NEW_CHANNEL once its options are checked
 * (kpolicy_enforce, kobj/policy.c). */
#include <stdlib.h>
#include <string.h>

#include "kobj/channel.h"
#include "kobj/deadline.h"
#include "kobj/sysutil.h"
#include "sys-decls.h"

#define MAX_BYTES ZX_CHANNEL_MAX_MSG_BYTES
#define MAX_HANDLES ZX_CHANNEL_MAX_MSG_HANDLES
/* MessagePacket::kIovecChunkSize: up to this many iovecs are all checked before any is copied. */
#define IOVEC_CHUNK 16u

static zum_uaddr_t uaddr(const void* p) { return (zum_uaddr_t)(uintptr_t)p; }

/* ---- consuming handles */

/* Closes the handles listed at `addr` (skipping ZX_HANDLE_OP_DUPLICATE dispositions) when a
 * write or call fails before its handles were looked at, as Zircon's RemoveUserHandles does.
 * Values that name no handle are ignored. Zircon reads the whole list in chunks of 64, however
 * long num says it is, and stops only at the first chunk it cannot read. zum does the same but
 * stops as soon as the table is empty, and reads at most KHANDLE_ARENA_SIZE entries (as
 * handle_close_many's limit): past that, one call naming 2^32 entries over readable memory would
 * keep the single-threaded supervisor, and with it every guest, busy for minutes, while the
 * bound costs at most 4096 reads of 64 entries. Handles listed past entry 256K of a list stay
 * open (a deliberate difference no real program can meet: a table holds fewer handles). */
static void remove_user_handles(struct kcall* c, zum_uaddr_t addr, uint32_t num, bool etc) {
  struct khtable* t = kcall_table_of(c);
  if (num > KHANDLE_ARENA_SIZE) num = KHANDLE_ARENA_SIZE;
  size_t entry = etc ? sizeof(zx_handle_disposition_t) : sizeof(zx_handle_t);
  for (uint32_t done = 0; done < num && t->count > 0; done += MAX_HANDLES) {
    uint32_t n = num - done < MAX_HANDLES ? num - done : MAX_HANDLES;
    zum_uaddr_t at = addr + (zum_uaddr_t)done * entry;
    zx_handle_t values[MAX_HANDLES];
    if (etc) {
      zx_handle_disposition_t d[MAX_HANDLES];
      if (kcall_copy_in(c, d, at, n * sizeof(*d)) != ZX_OK) return;
      for (uint32_t i = 0; i < n; i++)
        values[i] = d[i].operation == ZX_HANDLE_OP_DUPLICATE ? ZX_HANDLE_INVALID : d[i].handle;
    } else if (kcall_copy_in(c, values, at, n * sizeof(zx_handle_t)) != ZX_OK) {
      return;
    }
    for (uint32_t i = 0; i < n; i++) {
      struct khandle* h = values[i] ? khandle_lookup(t, values[i]) : NULL;
      if (h) khandle_destroy(h);
    }
  }
}

/* The checks every handle sent through `channel` passes (common_handle_checks_locked). */
static zx_status_t transfer_checks(const struct khandle* h, const struct kobj* channel,
                                   zx_obj_type_t type, zx_rights_t rights) {
  if (!(h->rights & ZX_RIGHT_TRANSFER)) return ZX_ERR_ACCESS_DENIED;
  if (h->obj == channel) return ZX_ERR_NOT_SUPPORTED; /* an endpoint cannot carry itself */
  if (type != ZX_OBJ_TYPE_NONE && h->obj->ops->type != type) return ZX_ERR_WRONG_TYPE;
  if (rights != ZX_RIGHT_SAME_RIGHTS && (h->rights & rights) != rights) return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

/* Takes h out of its table for the message, with `rights` (SAME_RIGHTS keeps them); closes it on
 * failure. A handle whose rights change is replaced by a new one, as Zircon mints one. */
static zx_status_t move_handle(struct kjob* job, struct khandle* h, const struct kobj* channel,
                               zx_obj_type_t type, zx_rights_t rights, struct khandle** out) {
  khandle_detach(h);
  zx_status_t s = transfer_checks(h, channel, type, rights);
  if (s != ZX_OK) {
    khandle_destroy(h);
    return s;
  }
  if (rights != ZX_RIGHT_SAME_RIGHTS && rights != h->rights) {
    struct khandle* n = khandle_create_charged(job, h->obj, rights);
    khandle_destroy(h);
    if (!n) return ZX_ERR_NO_MEMORY;
    h = n;
  }
  *out = h;
  return ZX_OK;
}

static zx_status_t duplicate_handle(struct kjob* job, struct khandle* h,
                                    const struct kobj* channel, zx_obj_type_t type,
                                    zx_rights_t rights, struct khandle** out) {
  zx_status_t s = transfer_checks(h, channel, type, rights);
  if (s != ZX_OK) return s;
  if (!(h->rights & ZX_RIGHT_DUPLICATE)) return ZX_ERR_ACCESS_DENIED;
  struct khandle* n =
      khandle_create_charged(job, h->obj, rights == ZX_RIGHT_SAME_RIGHTS ? h->rights : rights);
  if (!n) return ZX_ERR_NO_MEMORY;
  *out = n;
  return ZX_OK;
}

/* Zircon's msg_put_handles: fills m's handle slots from the caller's list. Every entry is handled
 * (the first error is the result); for the _etc form each failing entry gets its `result`, and on
 * failure the dispositions are written back. Consumes what it read. */
static zx_status_t put_handles(struct kcall* c, struct kmsg* m, zum_uaddr_t addr, bool etc,
                               const struct kobj* channel) {
  uint32_t n = m->num_handles;
  struct khtable* t = kcall_table_of(c);
  zx_status_t status = ZX_OK;
  if (!etc) {
    zx_handle_t values[MAX_HANDLES];
    if (kcall_copy_in(c, values, addr, n * sizeof(zx_handle_t)) != ZX_OK)
      return ZX_ERR_INVALID_ARGS;
    for (uint32_t i = 0; i < n; i++) {
      struct khandle* h = khandle_lookup(t, values[i]);
      zx_status_t s = h ? move_handle(c->proc->job, h, channel, ZX_OBJ_TYPE_NONE,
                                      ZX_RIGHT_SAME_RIGHTS, &m->handles[i])
                        : ZX_ERR_BAD_HANDLE;
      if (s != ZX_OK && status == ZX_OK) status = s;
    }
    return status;
  }
  zx_handle_disposition_t d[MAX_HANDLES];
  if (kcall_copy_in(c, d, addr, n * sizeof(*d)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  for (uint32_t i = 0; i < n; i++) {
    struct khandle* h = khandle_lookup(t, d[i].handle);
    zx_status_t s;
    if (!h)
      s = ZX_ERR_BAD_HANDLE;
    else if (d[i].operation == ZX_HANDLE_OP_DUPLICATE)
      s = duplicate_handle(c->proc->job, h, channel, d[i].type, d[i].rights, &m->handles[i]);
    else if (d[i].operation == ZX_HANDLE_OP_MOVE)
      s = move_handle(c->proc->job, h, channel, d[i].type, d[i].rights, &m->handles[i]);
    else {
      khandle_destroy(h); /* an unknown operation still consumes the handle */
      s = ZX_ERR_INVALID_ARGS;
    }
    if (s != ZX_OK) {
      d[i].result = s;
      if (status == ZX_OK) status = s;
    }
  }
  if (status != ZX_OK && kcall_copy_out(c, addr, d, n * sizeof(*d)) != ZX_OK)
    status = ZX_ERR_INVALID_ARGS;
  return status;
}

/* ---- building messages (MessagePacket::Create) */

static zx_status_t build_plain(struct kcall* c, zum_uaddr_t bytes, uint32_t num_bytes,
                               uint32_t num_handles, struct kmsg** out) {
  if (num_bytes > MAX_BYTES || num_handles > MAX_HANDLES) return ZX_ERR_OUT_OF_RANGE;
  struct kmsg* m = kmsg_alloc(c->proc->job, num_bytes, num_handles);
  if (!m) return ZX_ERR_NO_MEMORY;
  if (kcall_copy_in(c, m->data, bytes, num_bytes) != ZX_OK) {
    kmsg_free(m);
    return ZX_ERR_INVALID_ARGS;
  }
  *out = m;
  return ZX_OK;
}

static zx_status_t build_iovec(struct kcall* c, zum_uaddr_t iovs, uint32_t num_iovecs,
                               uint32_t num_handles, struct kmsg** out) {
  if (num_iovecs > ZX_CHANNEL_MAX_MSG_IOVECS) return ZX_ERR_OUT_OF_RANGE;
  zx_channel_iovec_t v[IOVEC_CHUNK];
  struct kmsg* m;
  if (num_iovecs <= IOVEC_CHUNK) {
    /* Small lists: every iovec is checked and sized before anything is copied. */
    if (kcall_copy_in(c, v, iovs, num_iovecs * sizeof(*v)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
    uint64_t size = 0;
    for (uint32_t i = 0; i < num_iovecs; i++) {
      if (v[i].reserved != 0) return ZX_ERR_INVALID_ARGS;
      size += v[i].capacity;
    }
    if (size > MAX_BYTES || num_handles > MAX_HANDLES) return ZX_ERR_OUT_OF_RANGE;
    m = kmsg_alloc(c->proc->job, (uint32_t)size, num_handles);
    if (!m) return ZX_ERR_NO_MEMORY;
    uint32_t at = 0;
    for (uint32_t i = 0; i < num_iovecs; i++) {
      if (kcall_copy_in(c, m->data + at, uaddr(v[i].buffer), v[i].capacity) != ZX_OK) {
        kmsg_free(m);
        return ZX_ERR_INVALID_ARGS;
      }
      at += v[i].capacity;
    }
    *out = m;
    return ZX_OK;
  }
  /* Long lists go chunk by chunk, each iovec checked and copied in turn. */
  if (num_handles > MAX_HANDLES) return ZX_ERR_OUT_OF_RANGE;
  uint8_t* buf = malloc(MAX_BYTES);
  if (!buf) return ZX_ERR_NO_MEMORY;
  uint32_t size = 0;
  zx_status_t s = ZX_OK;
  for (uint32_t off = 0; off < num_iovecs && s == ZX_OK;) {
    uint32_t n = num_iovecs - off < IOVEC_CHUNK ? num_iovecs - off : IOVEC_CHUNK;
    if (kcall_copy_in(c, v, iovs + (uint64_t)off * sizeof(*v), n * sizeof(*v)) != ZX_OK) {
      s = ZX_ERR_INVALID_ARGS;
      break;
    }
    for (uint32_t i = 0; i < n; i++) {
      if (v[i].reserved != 0) {
        s = ZX_ERR_INVALID_ARGS;
        break;
      }
      if (v[i].capacity > MAX_BYTES - size) {
        s = ZX_ERR_OUT_OF_RANGE;
        break;
      }
      if (kcall_copy_in(c, buf + size, uaddr(v[i].buffer), v[i].capacity) != ZX_OK) {
        s = ZX_ERR_INVALID_ARGS;
        break;
      }
      size += v[i].capacity;
    }
    off += n;
  }
  if (s == ZX_OK) {
    m = kmsg_alloc(c->proc->job, size, num_handles);
    if (!m) {
      s = ZX_ERR_NO_MEMORY;
    } else {
      memcpy(m->data, buf, size);
      *out = m;
    }
  }
  free(buf);
  return s;
}

static zx_status_t build_msg(struct kcall* c, uint32_t options, zum_uaddr_t bytes,
                             uint32_t num_bytes, uint32_t num_handles, struct kmsg** out) {
  if (options & ZX_CHANNEL_WRITE_USE_IOVEC) return build_iovec(c, bytes, num_bytes, num_handles, out);
  return build_plain(c, bytes, num_bytes, num_handles, out);
}

/* ---- giving handles to a reader (msg_get_handles) */

/* Writes the values (or zx_handle_info_t) of m's handles to `out`, then moves the handles into the
 * caller's table. If the write faults, the handles stay in m (and close with it). */
static zx_status_t give_handles(struct kcall* c, struct kmsg* m, zum_uaddr_t out, bool etc) {
  struct khtable* t = kcall_table_of(c);
  uint32_t n = m->num_handles;
  zx_status_t s;
  if (etc) {
    zx_handle_info_t info[MAX_HANDLES];
    for (uint32_t i = 0; i < n; i++) {
      const struct khandle* h = m->handles[i];
      info[i] = (zx_handle_info_t){khandle_value(t, h), h->obj->ops->type, h->rights, 0};
    }
    s = kcall_copy_out(c, out, info, n * sizeof(*info));
  } else {
    zx_handle_t values[MAX_HANDLES];
    for (uint32_t i = 0; i < n; i++) values[i] = khandle_value(t, m->handles[i]);
    s = kcall_copy_out(c, out, values, n * sizeof(*values));
  }
  if (s != ZX_OK) return s;
  for (uint32_t i = 0; i < n; i++) {
    struct khandle* h = m->handles[i];
    m->handles[i] = NULL;
    /* As Zircon, waits made through the handle before it was sent end now. */
    kobj_cancel_handle_observers(h->obj, h);
    khandle_attach(t, h);
  }
  return ZX_OK;
}

/* ---- create */

int64_t sys_channel_create(struct kcall* c, uint32_t options, zum_uaddr_t out0, zum_uaddr_t out1) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_CHANNEL);
  if (pol != ZX_OK) return pol;
  struct kchannel *a, *b;
  zx_status_t s = kchannel_create(&a, &b);
  if (s != ZX_OK) return s;
  return kcall_out_pair(c, &a->base, &b->base, ZX_DEFAULT_CHANNEL_RIGHTS, out0, out1);
}

/* ---- read */

static int64_t channel_read(struct kcall* c, zx_handle_t handle, uint32_t options,
                            zum_uaddr_t bytes, zum_uaddr_t handles, uint32_t num_bytes,
                            uint32_t num_handles, zum_uaddr_t actual_bytes,
                            zum_uaddr_t actual_handles, bool etc) {
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_CHANNEL, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  if (options & ~ZX_CHANNEL_READ_MAY_DISCARD) return ZX_ERR_NOT_SUPPORTED;
  struct kmsg* m = NULL;
  zx_status_t result = kchannel_read(to_kchannel(o), &num_bytes, &num_handles,
                                     options & ZX_CHANNEL_READ_MAY_DISCARD, &m);
  if (result != ZX_OK && result != ZX_ERR_BUFFER_TOO_SMALL) return result;
  /* From here the message (if dequeued) is ours: a fault loses it, as in Zircon. */
  if (actual_bytes && kcall_copy_out(c, actual_bytes, &num_bytes, sizeof(num_bytes)) != ZX_OK)
    result = ZX_ERR_INVALID_ARGS;
  else if (actual_handles &&
           kcall_copy_out(c, actual_handles, &num_handles, sizeof(num_handles)) != ZX_OK)
    result = ZX_ERR_INVALID_ARGS;
  else if (result == ZX_OK && num_bytes > 0 &&
           kcall_copy_out(c, bytes, m->data, num_bytes) != ZX_OK)
    result = ZX_ERR_INVALID_ARGS; /* bytes are written before handles */
  else if (result == ZX_OK && num_handles > 0)
    result = give_handles(c, m, handles, etc);
  if (m) kmsg_free(m);
  return result;
}

int64_t sys_channel_read(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t bytes,
                         zum_uaddr_t handles, uint32_t num_bytes, uint32_t num_handles,
                         zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles) {
  return channel_read(c, handle, options, bytes, handles, num_bytes, num_handles, actual_bytes,
                      actual_handles, false);
}

int64_t sys_channel_read_etc(struct kcall* c, zx_handle_t handle, uint32_t options,
                             zum_uaddr_t bytes, zum_uaddr_t handles, uint32_t num_bytes,
                             uint32_t num_handles, zum_uaddr_t actual_bytes,
                             zum_uaddr_t actual_handles) {
  return channel_read(c, handle, options, bytes, handles, num_bytes, num_handles, actual_bytes,
                      actual_handles, true);
}

/* ---- write */

/* The common front half of write and call: options, the channel handle, the message and its
 * handles. On failure every listed handle has been consumed. On success *ch holds a reference. */
static zx_status_t prepare(struct kcall* c, zx_handle_t handle, uint32_t options,
                           zx_rights_t rights, zum_uaddr_t bytes, uint32_t num_bytes,
                           zum_uaddr_t handles, uint32_t num_handles, bool etc, bool is_call,
                           struct kchannel** ch, struct kmsg** msg) {
  zx_status_t s = ZX_OK;
  struct kobj* o = NULL;
  struct kmsg* m = NULL;
  if (options & ~ZX_CHANNEL_WRITE_USE_IOVEC) s = ZX_ERR_INVALID_ARGS;
  if (s == ZX_OK) s = kcall_object(c, handle, ZX_OBJ_TYPE_CHANNEL, rights, &o);
  if (s == ZX_OK) s = build_msg(c, options, bytes, num_bytes, num_handles, &m);
  if (s == ZX_OK && is_call && m->num_bytes < sizeof(zx_txid_t)) {
    kmsg_free(m);
    s = ZX_ERR_INVALID_ARGS;
  }
  if (s != ZX_OK) {
    remove_user_handles(c, handles, num_handles, etc);
    return s;
  }
  /* Handles listed may include the last one to this very channel: keep it alive meanwhile. */
  kobj_ref(o);
  if (num_handles > 0) s = put_handles(c, m, handles, etc, o);
  if (s != ZX_OK) {
    kmsg_free(m);
    kobj_unref(o);
    return s;
  }
  *ch = to_kchannel(o);
  *msg = m;
  return ZX_OK;
}

static int64_t channel_write(struct kcall* c, zx_handle_t handle, uint32_t options,
                             zum_uaddr_t bytes, uint32_t num_bytes, zum_uaddr_t handles,
                             uint32_t num_handles, bool etc) {
  struct kchannel* ch;
  struct kmsg* m;
  zx_status_t s = prepare(c, handle, options, ZX_RIGHT_WRITE, bytes, num_bytes, handles,
                          num_handles, etc, false, &ch, &m);
  if (s != ZX_OK) return s;
  s = kchannel_write(ch, m);
  kobj_unref(&ch->base);
  return s;
}

int64_t sys_channel_write(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t bytes,
                          uint32_t num_bytes, zum_uaddr_t handles, uint32_t num_handles) {
  return channel_write(c, handle, options, bytes, num_bytes, handles, num_handles, false);
}

int64_t sys_channel_write_etc(struct kcall* c, zx_handle_t handle, uint32_t options,
                              zum_uaddr_t bytes, uint32_t num_bytes, zum_uaddr_t handles,
                              uint32_t num_handles) {
  return channel_write(c, handle, options, bytes, num_bytes, handles, num_handles, true);
}

/* ---- call */

struct call_wait {
  struct kchannel_waiter w;
  struct kcall* call;
  struct kchannel* ch; /* referenced */
  struct kdeadline deadline;
  bool etc;
  zum_uaddr_t rd_bytes, rd_handles;
  uint32_t rd_num_bytes, rd_num_handles;
  zum_uaddr_t actual_bytes, actual_handles;
};

/* channel_read_out: the reply must fit, else it is dropped with BUFFER_TOO_SMALL (and the actual
 * sizes are not reported, as in Zircon). */
static zx_status_t read_out(struct call_wait* cw, struct kmsg* m) {
  struct kcall* c = cw->call;
  uint32_t nb = m->num_bytes, nh = m->num_handles;
  if (cw->rd_num_bytes < nb || cw->rd_num_handles < nh) return ZX_ERR_BUFFER_TOO_SMALL;
  if (kcall_copy_out(c, cw->actual_bytes, &nb, sizeof(nb)) != ZX_OK ||
      kcall_copy_out(c, cw->actual_handles, &nh, sizeof(nh)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  if (nb > 0 && kcall_copy_out(c, cw->rd_bytes, m->data, nb) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  if (nh > 0) return give_handles(c, m, cw->rd_handles, cw->etc);
  return ZX_OK;
}

static void call_finish(struct call_wait* cw, zx_status_t status) {
  struct kcall* c = cw->call;
  kdeadline_cancel(&cw->deadline);
  kobj_unref(&cw->ch->base);
  free(cw);
  kcall_complete(c, status);
}

static void call_deliver(struct kchannel_waiter* w, struct kmsg* m) {
  struct call_wait* cw = container_of(w, struct call_wait, w);
  zx_status_t s = read_out(cw, m);
  kmsg_free(m);
  call_finish(cw, s);
}

static void call_cancel(struct kchannel_waiter* w, zx_status_t status) {
  call_finish(container_of(w, struct call_wait, w), status);
}

static void call_timeout(struct kdeadline* d) {
  struct call_wait* cw = container_of(d, struct call_wait, deadline);
  /* A reply arriving later is an ordinary message for channel_read. */
  kchannel_call_abandon(&cw->w);
  call_finish(cw, ZX_ERR_TIMED_OUT);
}

/* The caller is gone (thread or process died): forget the wait, no reply. */
static void call_abandon(struct kcall* c) {
  struct call_wait* cw = c->park_state;
  kdeadline_cancel(&cw->deadline);
  kchannel_call_abandon(&cw->w);
  kobj_unref(&cw->ch->base);
  free(cw);
}

static int64_t channel_call(struct kcall* c, zx_handle_t handle, uint32_t options,
                            zx_instant_mono_t deadline, zum_uaddr_t args_addr,
                            zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles, bool etc) {
  /* Both args structs have the same layout; only the element types of the arrays differ. */
  zx_channel_call_args_t args;
  _Static_assert(sizeof(zx_channel_call_args_t) == sizeof(zx_channel_call_etc_args_t),
                 "call args layouts");
  if (kcall_copy_in(c, &args, args_addr, sizeof(args)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  struct kchannel* ch;
  struct kmsg* m;
  zx_status_t s = prepare(c, handle, options, ZX_RIGHT_READ | ZX_RIGHT_WRITE,
                          uaddr(args.wr_bytes), args.wr_num_bytes, uaddr(args.wr_handles),
                          args.wr_num_handles, etc, true, &ch, &m);
  if (s != ZX_OK) return s;
  struct call_wait* cw = calloc(1, sizeof(*cw));
  if (!cw) {
    kmsg_free(m);
    kobj_unref(&ch->base);
    return ZX_ERR_NO_MEMORY;
  }
  cw->call = c;
  cw->ch = ch; /* takes prepare's reference */
  cw->etc = etc;
  cw->rd_bytes = uaddr(args.rd_bytes);
  cw->rd_handles = uaddr(args.rd_handles);
  cw->rd_num_bytes = args.rd_num_bytes;
  cw->rd_num_handles = args.rd_num_handles;
  cw->actual_bytes = actual_bytes;
  cw->actual_handles = actual_handles;
  cw->w.deliver = call_deliver;
  cw->w.cancel = call_cancel;
  kdeadline_init(&cw->deadline, call_timeout);
  bool past = deadline <= kobj_now();
  if (!past && deadline != ZX_TIME_INFINITE && !kdeadline_arm(&cw->deadline, deadline)) {
    kmsg_free(m);
    kobj_unref(&ch->base);
    free(cw);
    return ZX_ERR_NO_MEMORY;
  }
  s = kchannel_call(ch, m, &cw->w);
  if (s != ZX_OK || past) {
    /* A deadline already past still sends the request, then times out at once (Zircon writes,
     * then waits). */
    kdeadline_cancel(&cw->deadline);
    kchannel_call_abandon(&cw->w);
    kobj_unref(&ch->base);
    free(cw);
    return s != ZX_OK ? s : ZX_ERR_TIMED_OUT;
  }
  if (c->thread) c->thread->blocked_state = ZX_THREAD_STATE_BLOCKED_CHANNEL;
  return kcall_park(c, call_abandon, cw);
}

int64_t sys_channel_call(struct kcall* c, zx_handle_t handle, uint32_t options,
                         zx_instant_mono_t deadline, zum_uaddr_t args, zum_uaddr_t actual_bytes,
                         zum_uaddr_t actual_handles) {
  return channel_call(c, handle, options, deadline, args, actual_bytes, actual_handles, false);
}

int64_t sys_channel_call_etc(struct kcall* c, zx_handle_t handle, uint32_t options,
                             zx_instant_mono_t deadline, zum_uaddr_t args,
                             zum_uaddr_t actual_bytes, zum_uaddr_t actual_handles) {
  return channel_call(c, handle, options, deadline, args, actual_bytes, actual_handles, true);
}
