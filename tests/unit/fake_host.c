#include "tests/unit/fake_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "host/sv/memfd.h"
#include "kobj/deadline.h"
#include "kobj/handle.h"
#include "kobj/kcall_table.h"
#include "kobj/kmm.h"
#include "kobj/workq.h"

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
static int64_t fake_mm_apply(void* host, struct platform_call* c, const zum_work_op_t* ops,
                             size_t n, zx_status_t status) {
  for (size_t i = 0; i < n; i++) {
    if (fake_mm_nops == FAKE_MM_MAX_OPS) {
      memmove(fake_mm_ops, fake_mm_ops + 1, sizeof(fake_mm_ops) - sizeof(fake_mm_ops[0]));
      fake_mm_nops--;
    }
    fake_mm_ops[fake_mm_nops++] = ops[i];
  }
  return status;
}

static const struct platform_proc_ops fake_proc_ops = {.read = fake_mem_read,
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

void fake_rec_reset(void) {
  fake_nrec = 0;
  fake_nuffd = 0;
  fake_uffd_err = 0;
  fake_nsent = 0;
  fake_settle = NULL;
}

static uint64_t ino_of(int fd) {
  struct stat st;
  return fd >= 0 && fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

void fake_rec_add(void* host, const zum_work_op_t* ops, size_t n) {
  for (size_t i = 0; i < n; i++) {
    assert_true(fake_nrec < FAKE_REC_MAX);
    fake_recs[fake_nrec].host = host;
    fake_recs[fake_nrec].op = ops[i];
    fake_recs[fake_nrec].ino = zum_work_op_has_fd(ops[i].kind) ? ino_of(ops[i].fd) : 0;
    int fl = zum_work_op_has_fd(ops[i].kind) ? fcntl(ops[i].fd, F_GETFL) : -1;
    fake_recs[fake_nrec].accmode = fl < 0 ? -1 : (fl & O_ACCMODE);
    fake_nrec++;
  }
}

int64_t fake_rec_mm_apply(void* host, struct platform_call* c, const zum_work_op_t* ops, size_t n,
                          zx_status_t status) {
  (void)c;
  fake_rec_add(host, ops, n);
  return status;
}

static int rec_uffd_wp(void* host, uint64_t addr, uint64_t len, bool missing) {
  (void)host;
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

const struct platform_proc_ops fake_rec_ops = {.read = fake_mem_read,
                                            .write = fake_mem_write,
                                            .kill = fake_no_kill,
                                            .mem_stats = fake_zero_stats,
                                            .mm_apply = fake_rec_mm_apply};
const struct platform_proc_ops fake_rec_uffd_ops = {.read = fake_mem_read,
                                                 .write = fake_mem_write,
                                                 .kill = fake_no_kill,
                                                 .mem_stats = fake_zero_stats,
                                                 .mm_apply = fake_rec_mm_apply,
                                                 .uffd_wp = rec_uffd_wp,
                                                 .uffd_release = rec_uffd_release};

struct fake_sent fake_sent[FAKE_SENT_MAX];
size_t fake_nsent;
void (*fake_settle)(void);

static int agent_send(void* host, const zum_agent_msg_t* m, const int* fds, size_t nfds) {
  assert_true(fake_nsent < FAKE_SENT_MAX);
  fake_sent[fake_nsent++] = (struct fake_sent){host, *m, false};
  if (m->kind == ZUM_AGENT_WORK) {
    zum_work_op_t ops[ZUM_WORK_MAX_OPS];
    size_t k = 0;
    for (uint32_t i = 0; i < m->u.work.num_ops; i++) {
      ops[i] = m->u.work.ops[i];
      if (zum_work_op_has_fd(ops[i].kind)) ops[i].fd = k < nfds ? fds[k++] : -1;
    }
    fake_rec_add(host, ops, m->u.work.num_ops);
  }
  return 0;
}
static bool agent_present(void* host) {
  (void)host;
  return true;
}

bool fake_agent_answer(struct kproc* p, int error) {
  for (size_t i = 0; i < fake_nsent; i++) {
    if (fake_sent[i].host != p->host || fake_sent[i].answered) continue;
    fake_sent[i].answered = true;
    kworkq_reply(p, fake_sent[i].m.token, error, 0);
    return true;
  }
  return false;
}

const struct platform_proc_ops fake_agent_ops = {.read = fake_mem_read,
                                              .write = fake_mem_write,
                                              .kill = fake_no_kill,
                                              .mem_stats = fake_zero_stats,
                                              .work_send = agent_send,
                                              .work_agent = agent_present,
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

static zx_status_t fake_spawn(const char* path, char* const argv[], void** host,
                              const struct platform_proc_ops** ops) {
  *host = NULL;
  *ops = &fake_proc_ops;
  return ZX_OK;
}
void fake_debug_write(const char* buf, size_t len) {}
int fake_random(void* buf, size_t len) {
  memset(buf, 0x5a, len);
  return 0;
}
const struct platform_ops fake_platform = {.now = now_fn,
                                           .spawn_hosted = fake_spawn,
                                           .debug_write = fake_debug_write,
                                           .random_fill = fake_random,
                                           .mem = &host_memfd_mem_ops};

static void fake_complete(struct platform_call* c) { c->done = true; }
static void fake_release(struct platform_call* c) { c->done = true; }
static const struct platform_transport fake_transport = {fake_complete, fake_release};

void fake_boot(void) {
  platform = &fake_platform;
  if (!kroot_job) kroot_job = kjob_create(NULL);
}

struct kproc* fake_process(struct kjob* job) {
  zx_status_t s;
  struct kproc* p = kproc_create(job ? job : kroot_job, "test", 4, NULL, &fake_proc_ops, &s);
  return p;
}

struct kthread* fake_thread(struct kproc* p) {
  static pid_t next = 1000;
  return kthread_create(p, next++, "t", 1, NULL);
}

struct kcall* fake_call(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs) {
  static uint64_t next_tag = 1ull << 40; /* far from tags tests choose */
  return fake_call_tagged(t, sysno, args, nargs, next_tag++);
}

struct kcall* fake_call_tagged(struct kthread* t, uint32_t sysno, const uint64_t* args,
                               unsigned nargs, uint64_t tag) {
  struct platform_call* f = calloc(1, sizeof(*f));
  f->k.transport = &fake_transport;
  f->k.ref = f;
  f->k.proc = t->proc;
  f->k.thread = t;
  f->k.nr = sysno - ZUM_SYSCALL_BASE;
  for (unsigned i = 0; i < nargs && i < 8; i++) f->k.args[i] = args[i];
  /* As the vDSO passes them: the tag in the sixth register (six values whose first two are
   * 32 bits wide: those two in the first), or, for other calls of six values or more (W calls
   * count their hidden work block too), values 6..8 and the tag in a block. */
  const struct kcall_desc* d = &kcall_table[f->k.nr];
  unsigned total = d->nargs + ((d->flags & KCALL_WORK) ? 1u : 0u);
  if (d->flags & KCALL_PACKED) {
    f->k.args[0] = (uint32_t)f->k.args[0] | (uint64_t)(uint32_t)f->k.args[1] << 32;
    memmove(&f->k.args[1], &f->k.args[2], 4 * sizeof(uint64_t));
    f->k.args[5] = tag;
  } else if (total > 5) {
    /* One block for every call, as a guest's repeated trap passes the same one (the block's
     * address is a register the supervisor compares); it is read only when the call is
     * dispatched, so a call must be dispatched before the next is made. */
    static uint64_t block[4];
    memset(block, 0, sizeof(block));
    memcpy(block, &f->k.args[5], 3 * sizeof(uint64_t));
    block[total - 5] = tag;
    f->k.args[5] = (uint64_t)(uintptr_t)block;
  } else {
    f->k.args[5] = tag;
  }
  memcpy(f->k.regs, f->k.args, sizeof(f->k.regs));
  return &f->k;
}

int64_t fake_run(struct kthread* t, uint32_t sysno, const uint64_t* args, unsigned nargs,
                 struct kcall** parked) {
  struct kcall* c = fake_call(t, sysno, args, nargs);
  int64_t r = kcall_dispatch(c);
  kobj_run_deferred();
  if (fake_settle) fake_settle();
  if (r == KCALL_PARKED && ((struct platform_call*)c)->done) r = c->result;
  else if (r == KCALL_PARKED) {
    if (parked) *parked = c;
    return r;
  }
  free(c);
  return r;
}

bool fake_completed(struct kcall* c, int64_t* result) {
  struct platform_call* f = (struct platform_call*)c;
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

struct kproc* fake_p;
struct kthread* fake_t;
static uint32_t fixture_live;

int fake_fixture_start(void** state) {
  (void)state;
  fake_boot();
  fixture_live = khandle_live_count();
  fake_p = fake_process(NULL);
  fake_t = fake_thread(fake_p);
  return 0;
}

int fake_fixture_end(void** state) {
  (void)state;
  kproc_on_exit(fake_p, 0);
  kobj_unref(&fake_p->base);
  kobj_run_deferred();
  assert_int_equal(khandle_live_count(), fixture_live);
  return 0;
}
