/* Unit tests: shared processes (kobj/share.c, kobj/sys_shared.c and ZX_PROCESS_SHARED in
 * kobj/sys_process.c) over a fake host that spawns pure processes and records, per process,
 * every Linux operation it is asked to apply: create_shared's checks in the kernel's order, the
 * layouts, the shared handle table, the fan-out of shared-region changes to every live member
 * (queued for every member at once through kobj/workq.h, and one member after the other on a
 * host that applies work at once), the replication of existing mappings into a new member,
 * restricted regions staying private, the vDSO facts and the group's lifetime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/policy.h>
#include <zum/abi-private.h>
#include <zum/sysno.h>

#include "kobj/handle.h"
#include "kobj/share.h"
#include "kobj/sysutil.h"
#include "kobj/vdso.h"
#include "kobj/vmar.h"
#include "kobj/vmo.h"
#include "kobj/workq.h"
#include "mm/vmar.h"
#include "tests/unit/fake_host.h"

#define PG 4096ull
#define ROOT_RIGHTS (ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)
#define SHARED_SIZE (ZUM_USER_TOP - ZUM_SHARED_BASE)
#define RESTRICTED_SIZE (ZUM_RESTRICTED_TOP - ZUM_USER_BASE)

/* ---- a host that spawns pure processes and records what each is asked to apply */

struct fhost {
  int id;
  bool killed;
  struct kproc* p; /* the host's reference, dropped when the process is reaped */
};
#define MAXP 40
static struct fhost HOSTS[MAXP];
static int NHOSTS;

/* Operations go to the recording host (fake_recs), tagged with the process's fhost (NULL: the
 * caller). */
static bool QUEUED; /* new processes carry work through agents (fake_agent_ops' transport) */
static struct platform_proc_ops queue_ops;

static void h_kill(void* host) {
  if (host) ((struct fhost*)host)->killed = true;
}
static const struct platform_proc_ops host_ops = {.read = fake_mem_read,
                                               .write = fake_mem_write,
                                               .kill = h_kill,
                                               .mem_stats = fake_zero_stats,
                                               .mm_apply = fake_rec_mm_apply};

static zx_status_t h_spawn_pure(const char* name, void** host,
                                const struct platform_proc_ops** ops) {
  if (NHOSTS == MAXP) return ZX_ERR_NO_RESOURCES;
  struct fhost* h = &HOSTS[NHOSTS];
  h->id = NHOSTS;
  h->killed = false;
  *host = h;
  *ops = QUEUED ? &queue_ops : &host_ops;
  return ZX_OK;
}
/* The process object exists: the host keeps kproc_create's reference until the death. */
static zx_status_t h_adopt(void* host, void* kproc) {
  struct fhost* h = host;
  h->p = kproc;
  NHOSTS++;
  return ZX_OK;
}
static struct platform_ops platform_plain;

/* The Linux process of host h is gone (as the supervisor reports a death). */
static void die(struct fhost* h, int64_t code) {
  if (!h->p) return;
  fake_end(h->p, code);
  h->p = NULL;
}

/* Every process killed since the last call dies now. */
static void reap(void) {
  for (int i = 0; i < NHOSTS; i++)
    if (HOSTS[i].killed) die(&HOSTS[i], ZX_TASK_RETCODE_SYSCALL_KILL);
}

/* The members' agents answer everything sent to them (kept in order). */
static void answer_all(void) {
  bool any;
  do {
    any = false;
    for (int i = 0; i < NHOSTS; i++)
      if (HOSTS[i].p && fake_agent_answer(HOSTS[i].p, 0)) any = true;
  } while (any);
}

static uint64_t ino_of(int fd) {
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  return st.st_ino;
}

static struct kproc* P; /* the caller: an ordinary (hosted) process */
static struct kthread* T;
static zx_handle_t JOB;

static int setup(void** state) {
  fake_boot();
  platform_plain = fake_platform;
  platform_plain.spawn_pure = h_spawn_pure;
  platform_plain.adopt = h_adopt;
  platform_plain.random_fill = fake_random;
  platform = &platform_plain;
  NHOSTS = 0;
  fake_rec_reset();
  queue_ops = host_ops;
  queue_ops.mm_apply = NULL;
  queue_ops.work_send = fake_agent_ops.work_send;
  queue_ops.work_agent = fake_agent_ops.work_agent;
  QUEUED = true;
  fake_settle = answer_all;
  zx_status_t s;
  P = kproc_create(kroot_job, "caller", 6, NULL, &host_ops, &s);
  T = fake_thread(P);
  JOB = khandle_attach(P->table, khandle_create(&kroot_job->base, ZX_DEFAULT_JOB_RIGHTS));
  return 0;
}

static int teardown(void** state) {
  for (int i = 0; i < NHOSTS; i++) die(&HOSTS[i], 0);
  fake_end(P, 0);
  kvdso_set(NULL, 0, 0);
  assert_int_equal(khandle_live_count(), 0);
  return 0;
}

static struct khandle* hnd(zx_handle_t h) {
  struct khandle* k = khandle_lookup(P->table, h);
  assert_non_null(k);
  return k;
}
static struct kproc* proc_of(zx_handle_t h) { return to_kproc(hnd(h)->obj); }
static struct fhost* host_of(zx_handle_t h) { return proc_of(h)->host; }
/* A handle in process q's table to the object of P's handle h. */
static zx_handle_t give_to(struct kproc* q, zx_handle_t h) {
  struct khandle* k = hnd(h);
  return khandle_attach(q->table, khandle_create(k->obj, k->rights));
}

static void new_shared(zx_handle_t* p, zx_handle_t* v) {
  assert_int_equal(FAKE(T, process_create, JOB, U("grp"), 3, ZX_PROCESS_SHARED, U(p), U(v)), ZX_OK);
}
static void new_member(zx_handle_t src, zx_handle_t* p, zx_handle_t* v) {
  assert_int_equal(FAKE(T, process_create_shared, src, 0, U("mem"), 3, U(p), U(v)), ZX_OK);
}
static zx_handle_t make_vmo(uint64_t size) {
  zx_handle_t h = 0;
  assert_int_equal(FAKE(T, vmo_create, size, 0, U(&h)), ZX_OK);
  return h;
}
static uint64_t map_ok(zx_handle_t vmar, uint32_t opts, uint64_t off, zx_handle_t vmo,
                       uint64_t voff, uint64_t len) {
  uint64_t a = 0;
  assert_int_equal(FAKE(T, vmar_map, vmar, opts, off, vmo, voff, len, U(&a)), ZX_OK);
  return a;
}
static void vmar_range(zx_handle_t v, uint64_t base, uint64_t len) {
  zx_info_vmar_t vi;
  assert_int_equal(FAKE(T, object_get_info, v, ZX_INFO_VMAR, U(&vi), sizeof(vi), 0, 0), ZX_OK);
  assert_int_equal(vi.base, base);
  assert_int_equal(vi.len, len);
}

/* The host id of the process recorded operation i was for (-1: the caller). */
static int rec_id(size_t i) {
  return fake_recs[i].host ? ((struct fhost*)fake_recs[i].host)->id : -1;
}

/* How many recorded operations of `kind` at addr went to host id. */
static int count(int id, uint32_t kind, uint64_t addr) {
  int n = 0;
  for (size_t i = 0; i < fake_nrec; i++)
    if (rec_id(i) == id && fake_recs[i].op.kind == kind && fake_recs[i].op.addr == addr) n++;
  return n;
}

/* ---- layouts */

static void test_layouts(void** state) {
  zx_handle_t p, v, m, r;
  new_shared(&p, &v);
  assert_int_equal(hnd(v)->rights, ROOT_RIGHTS);
  vmar_range(v, ZUM_SHARED_BASE, SHARED_SIZE);
  struct kproc* kp = proc_of(p);
  assert_non_null(kp->share);
  assert_true(kp->pure);
  assert_int_equal(kp->state, KPROC_INITIAL);
  assert_null(kp->restricted_vmar);
  new_member(p, &m, &r);
  assert_int_equal(hnd(m)->rights, ZX_DEFAULT_PROCESS_RIGHTS);
  assert_int_equal(hnd(r)->rights, ROOT_RIGHTS);
  vmar_range(r, ZUM_USER_BASE, RESTRICTED_SIZE);
  struct kproc* km = proc_of(m);
  /* Same group, job, shared region and handle table; a restricted region of its own. */
  assert_ptr_equal(km->share, kp->share);
  assert_ptr_equal(km->job, kp->job);
  assert_ptr_equal(km->root_vmar, kp->root_vmar);
  assert_ptr_equal(km->table, kp->table);
  assert_ptr_equal(km->restricted_vmar, hnd(r)->obj);
  assert_int_equal(kp->share->live, 2);
  assert_int_equal(km->state, KPROC_INITIAL);
  /* A plain pure process has the whole user range and no group. */
  zx_handle_t q, qv;
  assert_int_equal(FAKE(T, process_create, JOB, U("plain"), 5, 0, U(&q), U(&qv)), ZX_OK);
  vmar_range(qv, ZUM_USER_BASE, ZUM_USER_TOP - ZUM_USER_BASE);
  assert_null(proc_of(q)->share);
  /* Nothing was asked of Linux for any of it. */
  assert_int_equal(fake_nrec, 0);
  FAKE(T, handle_close, qv);
  FAKE(T, handle_close, q);
  FAKE(T, handle_close, r);
  FAKE(T, handle_close, m);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
  reap(); /* never started, no handles: killed */
  assert_int_equal(NHOSTS, 3);
  for (int i = 0; i < NHOSTS; i++) assert_null(HOSTS[i].p);
}

/* ---- create_shared's checks, in the kernel's order */

static void test_errors_in_order(void** state) {
  zx_handle_t p, v, np = 0, nv = 0;
  new_shared(&p, &v);
  int hosts = NHOSTS;
  /* options, before anything */
  assert_int_equal(FAKE(T, process_create_shared, 0x1234, 1, 0, 0, U(&np), U(&nv)),
                   ZX_ERR_INVALID_ARGS);
  /* the caller's NEW_PROCESS policy, before the name and the handle */
  P->policy.action[ZX_POL_NEW_PROCESS] = ZX_POL_ACTION_DENY;
  assert_int_equal(FAKE(T, process_create_shared, 0x1234, 0, 0, 0, U(&np), U(&nv)),
                   ZX_ERR_ACCESS_DENIED);
  assert_int_equal(FAKE(T, process_create_shared, p, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_ACCESS_DENIED);
  P->policy.action[ZX_POL_NEW_PROCESS] = ZX_POL_ACTION_ALLOW;
  /* the name (a NULL pointer even with size 0; an unreadable one), before the handle */
  assert_int_equal(FAKE(T, process_create_shared, 0x1234, 0, 0, 0, U(&np), U(&nv)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, process_create_shared, 0x1234, 0, 8, 1, U(&np), U(&nv)),
                   ZX_ERR_INVALID_ARGS);
  /* the handle: bad, wrong type, rights */
  assert_int_equal(FAKE(T, process_create_shared, 0x1234, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_BAD_HANDLE);
  assert_int_equal(FAKE(T, process_create_shared, v, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_WRONG_TYPE);
  assert_int_equal(FAKE(T, process_create_shared, JOB, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_WRONG_TYPE);
  zx_handle_t weak = 0;
  assert_int_equal(FAKE(T, handle_duplicate, p, ZX_RIGHT_MANAGE_PROCESS, U(&weak)), ZX_OK);
  assert_int_equal(FAKE(T, process_create_shared, weak, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_ACCESS_DENIED);
  FAKE(T, handle_close, weak);
  assert_int_equal(FAKE(T, handle_duplicate, p, ZX_RIGHT_GET_PROPERTY, U(&weak)), ZX_OK);
  assert_int_equal(FAKE(T, process_create_shared, weak, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_ACCESS_DENIED);
  FAKE(T, handle_close, weak);
  assert_int_equal(FAKE(T, handle_duplicate, p, ZX_RIGHT_MANAGE_PROCESS | ZX_RIGHT_GET_PROPERTY,
                        U(&weak)),
                   ZX_OK);
  /* not created shared: a plain pure process, the (hosted) caller itself */
  zx_handle_t q, qv;
  assert_int_equal(FAKE(T, process_create, JOB, U("plain"), 5, 0, U(&q), U(&qv)), ZX_OK);
  assert_int_equal(FAKE(T, process_create_shared, q, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_INVALID_ARGS);
  zx_handle_t self = khandle_attach(P->table, khandle_create(&P->base, ZX_DEFAULT_PROCESS_RIGHTS));
  assert_int_equal(FAKE(T, process_create_shared, self, 0, U("x"), 1, U(&np), U(&nv)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(NHOSTS, hosts + 1); /* nothing spawned but q */
  /* The exact rights are enough. */
  assert_int_equal(FAKE(T, process_create_shared, weak, 0, U("x"), 1, U(&np), U(&nv)), ZX_OK);
  FAKE(T, handle_close, nv);
  FAKE(T, handle_close, np);
  reap();
  /* Out pointers that fault: INVALID_ARGS, no handle kept, the new process gone. */
  uint32_t before = khandle_live_count();
  assert_int_equal(FAKE(T, process_create_shared, p, 0, U("x"), 1, 8, U(&nv)),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(FAKE(T, process_create_shared, p, 0, U("x"), 1, U(&np), 0),
                   ZX_ERR_INVALID_ARGS);
  assert_int_equal(khandle_live_count(), before);
  assert_true(HOSTS[NHOSTS - 1].killed && HOSTS[NHOSTS - 2].killed);
  reap();
  assert_int_equal(proc_of(p)->share->live, 1);
  /* A name longer than ZX_MAX_NAME_LEN: cut to 31 characters. */
  const char* longname = "0123456789012345678901234567890123456789";
  assert_int_equal(FAKE(T, process_create_shared, p, 0, U(longname), 40, U(&np), U(&nv)), ZX_OK);
  assert_int_equal(strlen(proc_of(np)->base.name), 31);
  assert_memory_equal(proc_of(np)->base.name, longname, 31);
  /* The group's job is dead: BAD_STATE. (Killing the job kills every member first, so the
   * share count is what says it.) */
  struct kjob* j = kjob_create(kroot_job);
  zx_handle_t jh = khandle_attach(P->table, khandle_create(&j->base, ZX_DEFAULT_JOB_RIGHTS));
  kobj_unref(&j->base);
  zx_handle_t jp, jv, jm, jr;
  assert_int_equal(FAKE(T, process_create, jh, U("j"), 1, ZX_PROCESS_SHARED, U(&jp), U(&jv)), ZX_OK);
  assert_int_equal(FAKE(T, task_kill, jh), ZX_OK);
  reap();
  assert_int_equal(FAKE(T, process_create_shared, jp, 0, U("x"), 1, U(&jm), U(&jr)),
                   ZX_ERR_BAD_STATE);
  FAKE(T, handle_close, jv);
  FAKE(T, handle_close, jp);
  FAKE(T, handle_close, jh);
  FAKE(T, handle_close, nv);
  FAKE(T, handle_close, np);
  FAKE(T, handle_close, self);
  FAKE(T, handle_close, qv);
  FAKE(T, handle_close, q);
  FAKE(T, handle_close, weak);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
}

/* ---- lifetime: BAD_STATE only once every sharer has died */

static void test_lifetime(void** state) {
  zx_handle_t p, v, m1, r1, m2, r2, m3, r3;
  new_shared(&p, &v);
  new_member(p, &m1, &r1);
  struct kshare* sh = proc_of(p)->share;
  zx_handle_t vmo = make_vmo(PG);
  /* The first process dies: the group lives on, changes go to the others. */
  die(host_of(p), 0);
  assert_int_equal(sh->live, 1);
  assert_int_equal(proc_of(p)->state, KPROC_DEAD);
  fake_nrec = 0;
  uint64_t a = map_ok(v, ZX_VM_PERM_READ, 0, vmo, 0, PG);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(count(host_of(m1)->id, ZUM_WORK_MAP, a), 1);
  /* Joining through the dead first process still works while a sharer lives, and the new one
   * gets the mapping made meanwhile. */
  fake_nrec = 0;
  new_member(p, &m2, &r2);
  assert_int_equal(count(host_of(m2)->id, ZUM_WORK_MAP, a), 1);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(sh->live, 2);
  die(host_of(m1), 0);
  die(host_of(m2), 0);
  assert_int_equal(sh->live, 0);
  assert_int_equal(FAKE(T, process_create_shared, p, 0, U("x"), 1, U(&m3), U(&r3)),
                   ZX_ERR_BAD_STATE);
  assert_int_equal(FAKE(T, process_create_shared, m2, 0, U("x"), 1, U(&m3), U(&r3)),
                   ZX_ERR_BAD_STATE);
  /* The shared region went with the last of them. */
  uint64_t b;
  assert_int_equal(FAKE(T, vmar_map, v, ZX_VM_PERM_READ, 0, vmo, 0, PG, U(&b)), ZX_ERR_BAD_STATE);
  zx_info_vmo_t info;
  assert_int_equal(FAKE(T, object_get_info, vmo, ZX_INFO_VMO, U(&info), sizeof(info), 0, 0), ZX_OK);
  assert_int_equal(info.num_mappings, 0);
  FAKE(T, handle_close, vmo);
  FAKE(T, handle_close, r2);
  FAKE(T, handle_close, m2);
  FAKE(T, handle_close, r1);
  FAKE(T, handle_close, m1);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
}

/* ---- one handle table for the group */

static void test_shared_table(void** state) {
  zx_handle_t p, v, m1, r1, m2, r2;
  new_shared(&p, &v);
  new_member(p, &m1, &r1);
  new_member(p, &m2, &r2);
  struct kproc* k1 = proc_of(m1);
  struct kproc* k2 = proc_of(m2);
  struct kthread* t1 = fake_thread(k1);
  struct kthread* t2 = fake_thread(k2);
  /* A handle made by one member's call is the other's too. */
  zx_handle_t ev = 0;
  assert_int_equal(FAKE(t1, event_create, 0, U(&ev)), ZX_OK);
  assert_int_equal(FAKE(t2, object_signal, ev, 0, ZX_USER_SIGNAL_0), ZX_OK);
  struct khandle* kev = khandle_lookup(k1->table, ev);
  assert_non_null(kev);
  struct kobj* evo = kev->obj;
  kobj_ref(evo);
  assert_true(evo->signals & ZX_USER_SIGNAL_0);
  /* ZX_INFO_PROCESS_HANDLE_STATS counts the same table. */
  zx_info_process_handle_stats_t s1, s2;
  assert_int_equal(FAKE(T, object_get_info, m1, ZX_INFO_PROCESS_HANDLE_STATS, U(&s1), sizeof(s1), 0,
                        0),
                   ZX_OK);
  assert_int_equal(FAKE(T, object_get_info, m2, ZX_INFO_PROCESS_HANDLE_STATS, U(&s2), sizeof(s2), 0,
                        0),
                   ZX_OK);
  assert_memory_equal(&s1, &s2, sizeof(s1));
  assert_int_equal(s1.handle_count[ZX_OBJ_TYPE_EVENT], 1);
  /* One member dying closes nothing; the other still uses the handle. */
  die(host_of(m1), 0);
  assert_int_equal(FAKE(t2, object_signal, ev, ZX_USER_SIGNAL_0, 0), ZX_OK);
  assert_int_equal(evo->handle_count, 1);
  assert_ptr_not_equal(k1->table, k2->table); /* the dead one has an empty table of its own */
  die(host_of(m2), 0);
  assert_int_equal(evo->handle_count, 1); /* the first process still lives */
  die(host_of(p), 0);
  assert_int_equal(evo->handle_count, 0); /* closed with the last sharer */
  kobj_unref(evo);
  FAKE(T, handle_close, r2);
  FAKE(T, handle_close, m2);
  FAKE(T, handle_close, r1);
  FAKE(T, handle_close, m1);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
}

/* ---- fan-out */

static void fanout(bool many) {
  QUEUED = many;
  fake_settle = many ? answer_all : NULL;
  zx_handle_t p, v, m1, r1, m2, r2;
  new_shared(&p, &v);
  new_member(p, &m1, &r1);
  new_member(p, &m2, &r2);
  int ip = host_of(p)->id, i1 = host_of(m1)->id, i2 = host_of(m2)->id;
  zx_handle_t vmo = make_vmo(4 * PG);
  fake_nrec = 0;
  fake_nsent = 0;
  /* A map by a third process reaches every member, the same op at the same address. */
  uint64_t a = map_ok(v, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, PG, 2 * PG);
  assert_true(a >= ZUM_SHARED_BASE);
  assert_int_equal(fake_nrec, 3);
  int ids[3] = {ip, i1, i2};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(count(ids[i], ZUM_WORK_MAP, a), 1);
    assert_int_equal(fake_recs[i].op.len, 2 * PG);
    assert_int_equal(fake_recs[i].op.offset, PG);
    assert_int_equal(fake_recs[i].op.prot, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE);
    assert_int_equal(fake_recs[i].ino, ino_of(kvmo_fd(to_kvmo(hnd(vmo)->obj))));
  }
  /* Queued: one message to each member's agent, all sent before any answered. */
  assert_int_equal(fake_nsent, many ? 3 : 0);
  /* A member's own call: the same (itself and the others). */
  struct kthread* t1 = fake_thread(proc_of(m1));
  zx_handle_t v1 = give_to(proc_of(m1), v);
  fake_nrec = 0;
  assert_int_equal(FAKE(t1, vmar_protect, v1, ZX_VM_PERM_READ, a, PG), ZX_OK);
  assert_int_equal(fake_nrec, 3);
  for (int i = 0; i < 3; i++) assert_int_equal(count(ids[i], ZUM_WORK_PROTECT, a), 1);
  /* A dead member is left out. */
  die(host_of(m2), 0);
  fake_nrec = 0;
  assert_int_equal(FAKE(t1, vmar_unmap, v1, a, 2 * PG), ZX_OK);
  assert_int_equal(fake_nrec, 2);
  assert_int_equal(count(ip, ZUM_WORK_RESERVE, a), 1);
  assert_int_equal(count(i1, ZUM_WORK_RESERVE, a), 1);
  /* Restricted regions are private: only their process hears of them, the same address in two
   * processes is two mappings. */
  fake_nrec = 0;
  uint64_t ra = map_ok(r1, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x100000, vmo, 0, PG);
  assert_int_equal(ra, ZUM_USER_BASE + 0x100000);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(count(i1, ZUM_WORK_MAP, ra), 1);
  /* Register work for the caller itself never fans out (ZX_PROP_REGISTER_FS of a member). */
  zum_work_op_t fs = {.kind = ZUM_WORK_SET_FS, .addr = ZUM_SHARED_BASE + PG, .fd = -1};
  fake_nrec = 0;
  struct kcall* c = fake_call(t1, ZUM_SYS_object_get_property, NULL, 0);
  assert_int_equal(kcall_mm_apply(c, proc_of(m1), &fs, 1, ZX_OK), ZX_OK);
  free(c);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(rec_id(0), i1);
  /* The creator gone, changes still reach the living. */
  die(host_of(p), 0);
  fake_nrec = 0;
  uint64_t b = map_ok(v, ZX_VM_PERM_READ, 0, vmo, 0, PG);
  assert_int_equal(fake_nrec, 1);
  assert_int_equal(count(i1, ZUM_WORK_MAP, b), 1);
  FAKE(t1, handle_close, v1);
  FAKE(T, handle_close, vmo);
  FAKE(T, handle_close, r2);
  FAKE(T, handle_close, m2);
  FAKE(T, handle_close, r1);
  FAKE(T, handle_close, m1);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
}

static void test_fanout_many(void** state) { fanout(true); }

/* A change of a shared region waits for every member; one member that never answers (stopped,
 * its stub broken) is killed once kworkq_deadline has passed, and the change's call returns. */
static void test_fanout_deadline(void** state) {
  zx_handle_t p, v, m, r;
  new_shared(&p, &v);
  new_member(p, &m, &r);
  zx_handle_t vmo = make_vmo(PG);
  fake_settle = NULL;
  uint64_t a = 0;
  struct kcall* c;
  const uint64_t args[] = {v, ZX_VM_PERM_READ, 0, vmo, 0, PG, U(&a)};
  assert_int_equal(fake_run(T, ZUM_SYS_vmar_map, args, 7, &c), KCALL_PARKED);
  assert_true(fake_agent_answer(proc_of(p), 0));
  fake_advance(kworkq_deadline - 1);
  assert_false(fake_completed(c, NULL));
  assert_false(host_of(m)->killed);
  fake_advance(1);
  assert_true(host_of(m)->killed);
  assert_false(host_of(p)->killed);
  assert_int_equal(proc_of(m)->return_code, ZX_TASK_RETCODE_EXCEPTION_KILL);
  int64_t res = KCALL_PARKED;
  assert_true(fake_completed(c, &res));
  assert_int_equal(res, ZX_OK);
  fake_settle = answer_all;
  reap();
  FAKE(T, handle_close, vmo);
}

static void test_fanout_one_by_one(void** state) { fanout(false); }

/* ---- a new member gets the shared region as it is */

static void test_replica(void** state) {
  zx_handle_t p, v, m, r, m0, r0;
  new_shared(&p, &v);
  new_member(p, &m0, &r0);
  zx_handle_t vmo = make_vmo(8 * PG);
  uint64_t a = map_ok(v, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 2 * PG, 3 * PG);
  /* Part of it read-only: two pieces. */
  assert_int_equal(FAKE(T, vmar_protect, v, ZX_VM_PERM_READ, a + PG, PG), ZX_OK);
  /* One in a sub-VMAR. */
  zx_handle_t sub = 0;
  uint64_t sa = 0;
  assert_int_equal(FAKE(T, vmar_allocate, v, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_SPECIFIC, 0,
                        16 * PG, U(&sub), U(&sa)),
                   ZX_OK);
  uint64_t b = map_ok(sub, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 4 * PG, vmo, 0, PG);
  /* And one in m0's restricted region, which no one else gets. */
  map_ok(r0, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vmo, 0, PG);
  fake_nrec = 0;
  new_member(p, &m, &r);
  int im = host_of(m)->id;
  /* Address order, one MAP per protection piece, only for the new member. */
  struct {
    uint64_t addr, len, offset;
    uint32_t prot;
  } want[4] = {{a, PG, 2 * PG, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE},
               {a + PG, PG, 3 * PG, ZX_VM_PERM_READ},
               {a + 2 * PG, PG, 4 * PG, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE},
               {b, PG, 0, ZX_VM_PERM_READ}};
  if (b < a) {
    /* b comes first */
    memmove(&want[1], &want[0], 3 * sizeof(want[0]));
    want[0].addr = b;
    want[0].len = PG;
    want[0].offset = 0;
    want[0].prot = ZX_VM_PERM_READ;
  }
  assert_int_equal(fake_nrec, 4);
  for (int i = 0; i < 4; i++) {
    assert_int_equal(rec_id(i), im);
    assert_int_equal(fake_recs[i].op.kind, ZUM_WORK_MAP);
    assert_int_equal(fake_recs[i].op.addr, want[i].addr);
    assert_int_equal(fake_recs[i].op.len, want[i].len);
    assert_int_equal(fake_recs[i].op.offset, want[i].offset);
    assert_int_equal(fake_recs[i].op.prot, want[i].prot);
    assert_int_equal(fake_recs[i].ino, ino_of(kvmo_fd(to_kvmo(hnd(vmo)->obj))));
  }
  /* PROCESS_MAPS of a member: its restricted region first (here empty), then the shared one,
   * each an address-space record (depth 0) and its root VMAR (depth 1) before what it holds. */
  zx_info_maps_t maps[16];
  size_t actual = 0, avail = 0;
  assert_int_equal(FAKE(T, object_get_info, m, ZX_INFO_PROCESS_MAPS, U(maps), sizeof(maps),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(maps[0].type, ZX_INFO_MAPS_TYPE_ASPACE);
  assert_int_equal(maps[0].base, ZUM_USER_BASE);
  assert_int_equal(maps[0].size, RESTRICTED_SIZE);
  assert_int_equal(maps[0].depth, 0);
  char want_name[ZX_MAX_NAME_LEN];
  snprintf(want_name, sizeof(want_name), "proc(restricted):%llu",
           (unsigned long long)proc_of(m)->base.koid);
  assert_string_equal(maps[0].name, want_name);
  assert_int_equal(maps[1].type, ZX_INFO_MAPS_TYPE_VMAR);
  assert_int_equal(maps[1].base, ZUM_USER_BASE);
  assert_int_equal(maps[1].depth, 1);
  assert_int_equal(maps[2].type, ZX_INFO_MAPS_TYPE_ASPACE);
  assert_int_equal(maps[2].base, ZUM_SHARED_BASE);
  assert_int_equal(maps[2].size, SHARED_SIZE);
  assert_int_equal(maps[2].depth, 0);
  snprintf(want_name, sizeof(want_name), "proc:%llu", (unsigned long long)proc_of(p)->base.koid);
  assert_string_equal(maps[2].name, want_name);
  assert_int_equal(maps[3].type, ZX_INFO_MAPS_TYPE_VMAR);
  assert_int_equal(maps[3].base, ZUM_SHARED_BASE);
  /* shared: the 3 pieces of a, the sub-VMAR and b */
  assert_int_equal(actual, 2 + 2 + 3 + 2);
  assert_int_equal(avail, actual);
  /* m0's: its own restricted mapping too. */
  assert_int_equal(FAKE(T, object_get_info, m0, ZX_INFO_PROCESS_MAPS, U(maps), sizeof(maps),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 3 + 2 + 3 + 2);
  assert_int_equal(maps[2].type, ZX_INFO_MAPS_TYPE_MAPPING);
  assert_int_equal(maps[2].base, ZUM_USER_BASE);
  assert_int_equal(maps[2].depth, 2);
  assert_int_equal(maps[3].type, ZX_INFO_MAPS_TYPE_ASPACE);
  /* A short buffer: what fits, everything counted. */
  assert_int_equal(FAKE(T, object_get_info, m0, ZX_INFO_PROCESS_MAPS, U(maps), 2 * sizeof(maps[0]),
                        U(&actual), U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 2);
  assert_int_equal(avail, 10);
  assert_int_equal(FAKE(T, object_get_info, m0, ZX_INFO_PROCESS_MAPS, U(maps), 0, U(&actual),
                        U(&avail)),
                   ZX_OK);
  assert_int_equal(actual, 0);
  assert_int_equal(avail, 10);
  /* PROCESS_VMOS (of a running process): the group table's VMO handles (none: the caller's VMO
   * handle is in P's table), the shared region's mappings, then the restricted region's. */
  zx_info_vmo_t vmos[8];
  proc_of(m0)->state = KPROC_RUNNING;
  assert_int_equal(FAKE(T, object_get_info, m0, ZX_INFO_PROCESS_VMOS, U(vmos), sizeof(vmos),
                        U(&actual), U(&avail)),
                   ZX_OK);
  proc_of(m0)->state = KPROC_INITIAL;
  assert_int_equal(actual, 3);
  assert_int_equal(avail, 3);
  /* read/write_memory pick the region by address. */
  uint64_t x = 0x1234, y = 0;
  size_t n = 0;
  assert_int_equal(FAKE(T, process_write_memory, m0, ZUM_USER_BASE, U(&x), 8, U(&n)), ZX_OK);
  assert_int_equal(FAKE(T, process_read_memory, m0, ZUM_USER_BASE, U(&y), 8, U(&n)), ZX_OK);
  assert_int_equal(y, 0x1234);
  assert_int_equal(FAKE(T, process_read_memory, m, ZUM_USER_BASE, U(&y), 8, U(&n)),
                   ZX_ERR_NO_MEMORY);
  y = 0;
  assert_int_equal(FAKE(T, process_read_memory, m, b, U(&y), 8, U(&n)), ZX_OK);
  assert_int_equal(y, 0x1234); /* b and the restricted mapping show VMO offset 0 */
  FAKE(T, handle_close, sub);
  FAKE(T, handle_close, vmo);
  FAKE(T, handle_close, r);
  FAKE(T, handle_close, m);
  FAKE(T, handle_close, r0);
  FAKE(T, handle_close, m0);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
}

/* ---- the vDSO facts come from the shared region */

static void test_vdso(void** state) {
  (void)state;
  zx_handle_t v0 = make_vmo(8 * PG);
  struct kobj* vo = hnd(v0)->obj;
  kvdso_set(to_kvmo(vo), 2 * PG, 3 * PG);
  zx_handle_t vd = khandle_attach(P->table, khandle_create(vo, KVDSO_RIGHTS));
  zx_handle_t p, v, m1, r1, m2, r2;
  new_shared(&p, &v);
  new_member(p, &m1, &r1);
  uint32_t rx = ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE;
  /* In a member's restricted region it does not count. */
  uint64_t rcode = map_ok(r1, rx, 0, vd, 2 * PG, 3 * PG);
  assert_int_equal(proc_of(m1)->vdso_code_start, 0);
  assert_int_equal(proc_of(m1)->vdso_base, 0);
  assert_true(rcode < ZUM_RESTRICTED_TOP);
  /* In the shared region it is every member's, and later members'. */
  uint64_t code = map_ok(v, rx, 0, vd, 2 * PG, 3 * PG);
  struct kproc* ks[2] = {proc_of(p), proc_of(m1)};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(ks[i]->vdso_code_start, code);
    assert_int_equal(ks[i]->vdso_code_end, code + 3 * PG);
    assert_int_equal(ks[i]->vdso_base, code - 2 * PG);
  }
  new_member(p, &m2, &r2);
  assert_int_equal(proc_of(m2)->vdso_code_start, code);
  assert_int_equal(proc_of(m2)->vdso_base, code - 2 * PG);
  uintptr_t prop = 0;
  assert_int_equal(FAKE(T, object_get_property, m2, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, U(&prop),
                        sizeof(prop)),
                   ZX_OK);
  assert_int_equal(prop, code - 2 * PG);
  /* Once per address space: the shared region has it now. */
  uint64_t a;
  assert_int_equal(FAKE(T, vmar_map, v, rx, 0, vd, 2 * PG, 3 * PG, U(&a)), ZX_ERR_ACCESS_DENIED);
  kvdso_set(NULL, 0, 0);
  FAKE(T, handle_close, r2);
  FAKE(T, handle_close, m2);
  FAKE(T, handle_close, r1);
  FAKE(T, handle_close, m1);
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
  FAKE(T, handle_close, vd);
  FAKE(T, handle_close, v0);
}

/* ---- many members */

static void test_sixteen(void** state) {
  zx_handle_t p, v, m[15], r[15];
  new_shared(&p, &v);
  for (int i = 0; i < 15; i++) new_member(p, &m[i], &r[i]);
  assert_int_equal(proc_of(p)->share->live, 16);
  zx_handle_t vmo = make_vmo(PG);
  fake_nrec = 0;
  fake_nsent = 0;
  uint64_t a = map_ok(v, ZX_VM_PERM_READ, 0, vmo, 0, PG);
  assert_int_equal(FAKE(T, vmar_unmap, v, a, PG), ZX_OK);
  assert_int_equal(fake_nsent, 32);
  assert_int_equal(fake_nrec, 32);
  for (int i = 0; i < NHOSTS; i++) {
    assert_int_equal(count(HOSTS[i].id, ZUM_WORK_MAP, a), 1);
    assert_int_equal(count(HOSTS[i].id, ZUM_WORK_RESERVE, a), 1);
  }
  FAKE(T, handle_close, vmo);
  for (int i = 0; i < 15; i++) {
    FAKE(T, handle_close, r[i]);
    FAKE(T, handle_close, m[i]);
  }
  FAKE(T, handle_close, v);
  FAKE(T, handle_close, p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lifetime, setup, teardown),
      cmocka_unit_test_setup_teardown(test_shared_table, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fanout_many, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fanout_deadline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fanout_one_by_one, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replica, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vdso, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sixteen, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
