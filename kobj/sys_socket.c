/* The socket calls, with Zircon's check order (lib/syscalls/socket.cc). */
#include <zircon/syscalls/policy.h>

#include "kobj/policy.h"
#include "kobj/socket.h"
#include "kobj/sysutil.h"
#include "kobj/task.h"
#include "sys-decls.h"

/* The guest's buffer, for kobj/mbuf.c. */
struct user_buf {
  struct kcall* c;
  zum_uaddr_t base;
};

static zx_status_t user_in(void* ctx, size_t off, void* k, size_t len) {
  struct user_buf* u = ctx;
  return kcall_copy_in(u->c, k, u->base + off, len);
}

static zx_status_t user_out(void* ctx, size_t off, const void* k, size_t len) {
  struct user_buf* u = ctx;
  return kcall_copy_out(u->c, u->base + off, k, len);
}

int64_t sys_socket_create(struct kcall* c, uint32_t options, zum_uaddr_t out0, zum_uaddr_t out1) {
  int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_SOCKET);
  if (pol != ZX_OK) return pol;
  struct kobj *a, *b;
  zx_status_t s = ksocket_create(options, c->proc->job, &a, &b);
  if (s != ZX_OK) return s;
  return kcall_out_pair(c, a, b, ZX_DEFAULT_SOCKET_RIGHTS, out0, out1);
}

/* The count, when the call succeeded and the caller asked for it. */
static int64_t put_actual(struct kcall* c, zx_status_t s, zum_uaddr_t actual, size_t n) {
  if (s == ZX_OK && actual && kcall_copy_out(c, actual, &n, sizeof(n)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  return s;
}

int64_t sys_socket_write(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t buffer,
                         size_t buffer_size, zum_uaddr_t actual) {
  if (buffer_size > 0 && !buffer) return ZX_ERR_INVALID_ARGS;
  if (options) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_SOCKET, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  struct user_buf ub = {c, buffer};
  struct kmbuf_user u = {user_in, user_out, &ub};
  size_t n = 0;
  s = ksocket_write(to_ksocket(o), &u, buffer_size, &n);
  return put_actual(c, s, actual, n);
}

int64_t sys_socket_read(struct kcall* c, zx_handle_t handle, uint32_t options, zum_uaddr_t buffer,
                        size_t buffer_size, zum_uaddr_t actual) {
  if (!buffer && buffer_size > 0) return ZX_ERR_INVALID_ARGS;
  if (options & ~ZX_SOCKET_PEEK) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_SOCKET, ZX_RIGHT_READ, &o);
  if (s != ZX_OK) return s;
  struct user_buf ub = {c, buffer};
  struct kmbuf_user u = {user_in, user_out, &ub};
  size_t n = 0;
  s = ksocket_read(to_ksocket(o), &u, buffer_size, options & ZX_SOCKET_PEEK, &n);
  return put_actual(c, s, actual, n);
}

static bool disposition_known(uint32_t d) {
  return d == 0 || d == ZX_SOCKET_DISPOSITION_WRITE_DISABLED ||
         d == ZX_SOCKET_DISPOSITION_WRITE_ENABLED;
}

int64_t sys_socket_set_disposition(struct kcall* c, zx_handle_t handle, uint32_t disposition,
                                   uint32_t disposition_peer) {
  /* Both values before the handle, as Zircon. */
  if (!disposition_known(disposition) || !disposition_known(disposition_peer))
    return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_SOCKET, ZX_RIGHT_MANAGE_SOCKET, &o);
  if (s != ZX_OK) return s;
  return ksocket_set_disposition(to_ksocket(o), disposition, disposition_peer);
}

/* Older Zircon's call (Fuchsia SDKs of 2020 import it); current Zircon replaced it with
 * zx_socket_set_disposition. Its right was WRITE. */
int64_t sys_socket_shutdown(struct kcall* c, zx_handle_t handle, uint32_t options) {
  if (options & ~ZX_SOCKET_SHUTDOWN_MASK) return ZX_ERR_INVALID_ARGS;
  struct kobj* o;
  zx_status_t s = kcall_object(c, handle, ZX_OBJ_TYPE_SOCKET, ZX_RIGHT_WRITE, &o);
  if (s != ZX_OK) return s;
  return ksocket_shutdown(to_ksocket(o), options);
}
