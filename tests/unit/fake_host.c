#include "tests/unit/fake_host.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kobj/kcall_table.h"
#include "kobj/deadline.h"
#include "kobj/handle.h"
#include "kobj/khost.h"
#include "kobj/kmm.h"

int64_t fake_now = 1000000;
static int64_t now_fn(void) { return fake_now; }

uint64_t fake_unreachable_lo, fake_unreachable_hi;
static bool unreachable(uint64_t addr, size_t len) {
  return addr < 4096 || (addr < fake_unreachable_hi && addr + len > fake_unreachable_lo);
}
int fake_mem_read(void* host, uint64_t addr, void* buf, size_t len) {
  (void)host;
  if (unreachable(addr, len)) return -1;
  memcpy(buf, (void*)(uintptr_t)addr, len);
  return 0;
}
int fake_mem_write(void* host, uint64_t addr, const void* buf, size_t len) {
  (void)host;
  if (unreachable(addr, len)) return -1;
  memcpy((void*)(uintptr_t)addr, buf, len);
  return 0;
}
void fake_no_kill(void* host) { (void)host; }
int fake_zero_stats(void* host, uint64_t* mapped, uint64_t* priv, uint64_t* shared) {
  (void)host;
  *mapped = *priv = *shared = 0;
  return 0;
}
static int fake_stats(void* host, uint64_t* m, uint64_t* p, uint64_t* s) {
  *m = 4096;
  *p = 4096;
  *s = 0;
  return 0;
}
zum_work_op_t fake_mm_ops[FAKE_MM_MAX_OPS];
size_t fake_mm_nops;

/* Address-space changes are recorded (the last FAKE_MM_MAX_OPS) and succeed at once. */
static int64_t fake_mm_apply(void* host, struct kcall* c, const zum_work_op_t* ops, size_t n,
                             zx_status_t status) {
  for (size_t i = 0; i < n; i++) {
    if (fake_mm_nops == FAKE_MM_MAX_OPS) {
      memmove(fake_mm_ops, fake_mm_ops + 1, sizeof(fake_mm_ops) - sizeof(fake_mm_ops[0]));
      fake_mm_nops--;
    }
    fake_mm_ops[fake_mm_nops++] = ops[i];
  }
  return status;
}

static const struct kproc_host_ops fake_proc_ops = {.read = fake_mem_read,
                                                    .write = fake_mem_write,
                                                    .kill = fake_no_kill,
                                                    .mem_stats = fake_stats,
                                                    .mm_apply = fake_mm_apply};

/* ---- the recording host */

struct fake_rec fake_recs[FAKE_REC_MAX];
size_t fake_nrec;
struct fake_uffd_call fake_uffd[FAKE_UFFD_MAX];
size_t fake_nuffd;
int fake_uffd_err;
bool fake_uffd_queued;
struct fake_wp_queued fake_wp_queued[FAKE_UFFD_MAX];
size_t fake_nwp_queued;

void fake_rec_reset(void) {
  fake_nrec = 0;
  fake_nuffd = 0;
  fake_uffd_err = 0;
  fake_uffd_queued = false;
  fake_nwp_queued = 0;
}

void fake_rec_add(void* host, const zum_work_op_t* ops, size_t n) {
  for (size_t i = 0; i < n; i++) {
    assert_true(fake_nrec < FAKE_REC_MAX);
    fake_recs[fake_nrec].host = host;
    fake_recs[fake_nrec].op = ops[i];
    fake_nrec++;
  }
}

int64_t fake_rec_mm_apply(void* host, struct kcall* c, const zum_work_op_t* ops, size_t n,
                          zx_status_t status) {
  (void)c;
  fake_rec_add(host, ops, n);
  return status;
}

static int rec_uffd_wp(void* host, uint64_t addr, uint64_t len, bool missing,
                       void (*done)(void* arg, int err), void* arg) {
  (void)host;
  if (fake_uffd_queued) {
    assert_true(fake_nwp_queued < FAKE_UFFD_MAX);
    fake_wp_queued[fake_nwp_queued++] = (struct fake_wp_queued){done, arg};
    return EINPROGRESS;
  }
  assert_true(fake_nuffd < FAKE_UFFD_MAX);
  fake_uffd[fake_nuffd++] = (struct fake_uffd_call){true, missing, addr, len};
  return fake_uffd_err;
}
static int rec_uffd_release(void* host, uint64_t addr, uint64_t len) {
  (void)host;
  assert_true(fake_nuffd < FAKE_UFFD_MAX);
  fake_uffd[fake_nuffd++] = (struct fake_uffd_call){false, false, addr, len};
  return fake_uffd_err;
}

const struct kproc_host_ops fake_rec_ops = {.read = fake_mem_read,
                                            .write = fake_mem_write,
                                            .kill = fake_no_kill,
                                            .mem_stats = fake_zero_stats,
                                            .mm_apply = fake_rec_mm_apply};
const struct kproc_host_ops fake_rec_uffd_ops = {.read = fake_mem_read,
                                                 .write = fake_mem_write,
                                                 .kill = fake_no_kill,
                                                 .mem_stats = fake_zero_stats,
                                                 .mm_apply = fake_rec_mm_apply,
                                                 .uffd_wp = rec_uffd_wp,
                                                 .uffd_release = rec_uffd_release};

void fake_end(struct kproc* p, int64_t code) {
  kproc_on_exit(p, code);
  kobj_unref(&p->base);
}

zx_handle_t fake_give(struct kproc* p, struct kobj* o, zx_rights_t r) {
  struct khandle* h = khandle_create(o, r);
  assert_non_null(h);
  return khandle_attach(p->table, h);
}

static zx_status_t fake_spawn(struct kjob* job, const char* path, char* const argv[],
                              struct kproc** out) {
  zx_status_t s;
  *out = kproc_create(job, path, strlen(path), NULL, &fake_proc_ops, &s);
  return s;
}
void fake_debug_write(const char* buf, size_t len) {}
int fake_random(void* buf, size_t len) {
  memset(buf, 0x5a, len);
  return 0;
}
static const struct khost_ops fake_khost = {
    .spawn_hosted = fake_spawn, .debug_write = fake_debug_write, .random_fill = fake_random};

struct fake_call {
  struct kcall k;
  bool done;
};

static void fake_complete(struct kcall* c) { ((struct fake_call*)c)->done = true; }
static void fake_release(struct kcall* c) { ((struct fake_call*)c)->done = true; }
static const struct kcall_transport fake_transport = {fake_complete, fake_release};

void fake_boot(void) {
  kobj_now = now_fn;
  khost = &fake_khost;
  if (!kroot_job) kroot_job = kjob_create(NULL);
}

struct kproc* fake_process(struct kjob* job) {
  zx_status_t s;
  struct kproc* p = kproc_create(job ? job : kroot_job, "test", 4, NULL, &fake_proc_ops, &s);
  return p;
}

struct kthread* fake_thread(struct kproc* p) {
  static pid_t next = 1000;
  return kthread_create(p, next++, "t", 1);
}

struct kcall* fake_call(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs) {
  struct fake_call* f = calloc(1, sizeof(*f));
  f->k.transport = &fake_transport;
  f->k.proc = t->proc;
  f->k.thread = t;
  f->k.nr = sysno - ZUM_SYSCALL_BASE;
  for (unsigned i = 0; i < nargs && i < 8; i++) f->k.args[i] = args[i];
  /* Calls with more than six arguments take 6..8 from a block, as the vDSO passes them. */
  /* (W calls count their hidden work block too.) */
  const struct kcall_desc* d = &kcall_table[f->k.nr];
  if (d->nargs + ((d->flags & KCALL_WORK) ? 1u : 0u) > 6) {
    uint64_t* extra = malloc(3 * sizeof(uint64_t));
    memcpy(extra, &f->k.args[5], 3 * sizeof(uint64_t));
    f->k.args[5] = (uint64_t)(uintptr_t)extra;
    f->k.park_state = extra; /* freed by fake_run */
  }
  memcpy(f->k.regs, f->k.args, sizeof(f->k.regs));
  return &f->k;
}

int64_t fake_run(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs,
                 struct kcall** parked) {
  struct kcall* c = fake_call(t, sysno, args, nargs);
  void* extra = c->park_state;
  c->park_state = NULL;
  int64_t r = kcall_dispatch(c);
  free(extra);
  kobj_run_deferred();
  if (r == KCALL_PARKED) {
    if (parked) *parked = c;
    return r;
  }
  free(c);
  return r;
}

bool fake_completed(struct kcall* c, int64_t* result) {
  struct fake_call* f = (struct fake_call*)c;
  if (!f->done) return false;
  if (result) *result = c->result;
  free(f);
  return true;
}

void fake_advance(int64_t ns) {
  fake_now += ns;
  kdeadline_run(fake_now);
  kobj_run_deferred();
}
