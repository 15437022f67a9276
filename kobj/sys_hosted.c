/* zum-private calls behind the hosted client library: start-up state, the calling thread's own
 * handle, and starting another hosted program (zum_spawn). */
#include <stdlib.h>
#include <string.h>
#include <zircon/processargs.h>
#include <zum/zum.h>

#include "host/platform.h"
#include "kobj/sysutil.h"
#include "kobj/vdso.h"
#include "kobj/vmar.h"
#include "sys-decls.h"

/* Hosted programs' root VMAR rights: the kernel's root VMAR rights (0x20801f). */
#define HOSTED_ROOT_VMAR_RIGHTS \
  (ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

static zx_handle_t give(struct kcall* c, struct kobj* o, zx_rights_t rights) {
  struct khandle* h = khandle_create_charged(c->proc->job, o, rights);
  return h ? khandle_attach(kcall_table_of(c), h) : ZX_HANDLE_INVALID;
}

/* Once per process: hands out the process's own handles and its startup handles. The guest
 * reserved [vmar_base, vmar_base + vmar_size) as its root VMAR. */
int64_t sys_hosted_init(struct kcall* c, zum_uaddr_t info, uint64_t vmar_base, uint64_t vmar_size) {
  struct kproc* p = c->proc;
  if (p->root_vmar) return ZX_ERR_BAD_STATE;
  if (vmar_base == 0 || vmar_size == 0 || vmar_base + vmar_size < vmar_base ||
      (vmar_base | vmar_size) & (ZX_PAGE_SIZE - 1))
    return ZX_ERR_INVALID_ARGS;
  struct kvmar* v = kvmar_create_root(vmar_base, vmar_size);
  if (!v) return ZX_ERR_NO_MEMORY;
  p->root_vmar = &v->base;
  kvmar_bind_process(v, p);

  zum_hosted_info_t out;
  memset(&out, 0, sizeof(out));
  out.process_self = give(c, &p->base, ZX_DEFAULT_PROCESS_RIGHTS);
  out.vmar_root_self = give(c, &v->base, HOSTED_ROOT_VMAR_RIGHTS);
  if (c->thread) out.thread_self = give(c, &c->thread->base, ZX_DEFAULT_THREAD_RIGHTS);
  for (uint32_t i = 0; i < p->num_startup; i++) {
    struct khandle* h = p->startup[i];
    p->startup[i] = NULL;
    zx_handle_t value = khandle_attach(kcall_table_of(c), h);
    if (p->startup_info[i] == PA_HND(PA_JOB_DEFAULT, 0) && !out.job_default) {
      out.job_default = value;
      continue;
    }
    out.startup_handles[out.num_startup] = value;
    out.startup_info[out.num_startup] = p->startup_info[i];
    out.num_startup++;
  }
  p->num_startup = 0;
  /* Every process can have the vDSO as a VMO, as on Zircon (PA_VMO_VDSO). */
  if (kvdso_vmo() && out.num_startup < ZUM_HOSTED_MAX_STARTUP) {
    zx_handle_t h = give(c, (struct kobj*)kvdso_vmo(), KVDSO_RIGHTS);
    if (h) {
      out.startup_handles[out.num_startup] = h;
      out.startup_info[out.num_startup] = PA_HND(PA_VMO_VDSO, 0);
      out.num_startup++;
    }
  }
  out.agent_fd = platform->attach_agent ? platform->attach_agent(c->ref) : -1;
  if (out.agent_fd < 0) out.agent_fd = -1;
  out.work_fd = platform->attach_work_channel ? platform->attach_work_channel(c->ref) : -1;
  if (out.work_fd < 0) out.work_fd = -1;
  if (kcall_copy_out(c, info, &out, sizeof(out)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  return ZX_OK;
}

int64_t sys_thread_self(struct kcall* c, zum_uaddr_t out) {
  if (!c->thread) return ZX_ERR_BAD_STATE;
  return kcall_out_handle(c, &c->thread->base, ZX_DEFAULT_THREAD_RIGHTS, out);
}

/* Reads a NUL-terminated guest string of at most `max` bytes into a new buffer. */
static zx_status_t copy_string(struct kcall* c, zum_uaddr_t addr, size_t max, char** out,
                               size_t* used) {
  size_t cap = 256, len = 0;
  char* s = malloc(cap);
  if (!s) return ZX_ERR_NO_MEMORY;
  for (;;) {
    if (len == cap) {
      if (cap >= max) {
        free(s);
        return ZX_ERR_OUT_OF_RANGE;
      }
      cap *= 2;
      char* n = realloc(s, cap);
      if (!n) {
        free(s);
        return ZX_ERR_NO_MEMORY;
      }
      s = n;
    }
    /* Byte-wise near page ends would be slow; copy a small chunk that cannot cross a page. */
    size_t chunk = 64 - ((addr + len) & 63);
    if (chunk > cap - len) chunk = cap - len;
    if (kcall_copy_in(c, s + len, addr + len, chunk) != ZX_OK) {
      free(s);
      return ZX_ERR_INVALID_ARGS;
    }
    char* nul = memchr(s + len, 0, chunk);
    if (nul) {
      *used += (size_t)(nul - s) + 1;
      if (*used > max) {
        free(s);
        return ZX_ERR_OUT_OF_RANGE;
      }
      *out = s;
      return ZX_OK;
    }
    len += chunk;
  }
}

static void free_argv(char** argv) {
  if (!argv) return;
  for (char** a = argv; *a; a++) free(*a);
  free(argv);
}

/* zum_spawn: the startup handles are taken from the caller first, whatever happens next, as
 * zx_process_start takes its arg1. It makes a process, so the caller's ZX_POL_NEW_PROCESS
 * policy applies as to zx_process_create (checked once the handles are taken). */
int64_t sys_spawn(struct kcall* c, zx_handle_t job, zum_uaddr_t args_addr, zum_uaddr_t proc_out) {
  zum_spawn_args_t a;
  if (kcall_copy_in(c, &a, args_addr, sizeof(a)) != ZX_OK) return ZX_ERR_INVALID_ARGS;
  if (a.num_handles > ZUM_SPAWN_MAX_HANDLES) return ZX_ERR_OUT_OF_RANGE;
  zx_handle_t values[ZUM_SPAWN_MAX_HANDLES];
  uint32_t infos[ZUM_SPAWN_MAX_HANDLES];
  struct khandle* moved[ZUM_SPAWN_MAX_HANDLES];
  uint32_t n = a.num_handles;
  if (kcall_copy_in(c, values, a.handles, n * sizeof(zx_handle_t)) != ZX_OK ||
      kcall_copy_in(c, infos, a.handle_info, n * sizeof(uint32_t)) != ZX_OK)
    return ZX_ERR_INVALID_ARGS;
  zx_status_t s = ZX_OK;
  uint32_t nmoved = 0;
  for (uint32_t i = 0; i < n; i++) {
    struct khandle* h = khandle_lookup(kcall_table_of(c), values[i]);
    if (!h) {
      s = ZX_ERR_BAD_HANDLE;
      continue;
    }
    if (!(h->rights & ZX_RIGHT_TRANSFER)) {
      khandle_destroy(h);
      if (s == ZX_OK) s = ZX_ERR_ACCESS_DENIED;
      continue;
    }
    khandle_detach(h);
    moved[nmoved] = h;
    infos[nmoved] = infos[i];
    nmoved++;
  }
  if (s == ZX_OK) {
    int64_t pol = kpolicy_enforce(c->proc, ZX_POL_NEW_PROCESS);
    if (pol == KCALL_NOREPLY) {
      for (uint32_t i = 0; i < nmoved; i++) khandle_destroy(moved[i]);
      return pol;
    }
    s = (zx_status_t)pol;
  }
  struct kobj* jo = NULL;
  if (s == ZX_OK) s = kcall_object(c, job, ZX_OBJ_TYPE_JOB, ZX_RIGHT_MANAGE_PROCESS, &jo);
  char* path = NULL;
  char** argv = NULL;
  if (s == ZX_OK) {
    size_t used = 0;
    s = copy_string(c, a.path, 4096, &path, &used);
  }
  if (s == ZX_OK) {
    argv = calloc(ZUM_SPAWN_MAX_ARGS + 1, sizeof(char*));
    if (!argv) s = ZX_ERR_NO_MEMORY;
    size_t used = 0;
    for (uint32_t i = 0; s == ZX_OK; i++) {
      uint64_t ptr;
      if (i == ZUM_SPAWN_MAX_ARGS) {
        s = ZX_ERR_OUT_OF_RANGE;
        break;
      }
      s = kcall_copy_in(c, &ptr, a.argv + i * sizeof(uint64_t), sizeof(ptr));
      if (s != ZX_OK || ptr == 0) break;
      s = copy_string(c, ptr, ZUM_SPAWN_MAX_ARG_BYTES, &argv[i], &used);
    }
  }
  struct kproc* child = NULL;
  if (s == ZX_OK) s = kproc_spawn_hosted(to_kjob(jo), path, argv, &child);
  free(path);
  free_argv(argv);
  if (s != ZX_OK) {
    for (uint32_t i = 0; i < nmoved; i++) khandle_destroy(moved[i]);
    return s;
  }
  for (uint32_t i = 0; i < nmoved; i++) {
    child->startup[i] = moved[i];
    child->startup_info[i] = infos[i];
  }
  child->num_startup = nmoved;
  s = kcall_out_handle(c, &child->base, ZX_DEFAULT_PROCESS_RIGHTS, proc_out);
  /* The caller cannot learn of a child it has no handle to: do not leave it running. */
  if (s != ZX_OK) kproc_kill(child, ZX_TASK_RETCODE_SYSCALL_KILL);
  kobj_unref(&child->base);
  return s;
}
