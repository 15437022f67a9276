/* The syscall fuzzer as a hosted program (the engine is tests/fuzz/fuzz-engine.h).
 *   fuzz-hosted [CALLS [SEED]]      SEED defaults to $FUZZ_SEED, then to the clock
 * Prints the seed first, so any run can be repeated; exits 0 if the supervisor answered
 * correctly after every batch, and kept none of the fuzzing process's descriptors once it was
 * gone. FUZZ_VERBOSE=1: how often each call ran, with each status. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls/resource.h>
#include <zum/trap.h>
#include <zum/zum.h>

#include "fuzz-engine.h"

static void say(const char* s) {
  printf("%s\n", s);
  fflush(stdout);
}

static struct fz f;

/* The hosted-only calls, made as libzum makes them. */
static int64_t raw(uint32_t nr, const uint64_t a[6]) {
  return zum_trap(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* FUZZ_FDS=1: the supervisor's open descriptors after each batch, when they change (every
 * object of a batch is gone by then, so growth is a leak). Under `zum run` it is the parent. */
static int count_fds(void) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/fd", (int)getppid());
  DIR* d = opendir(path);
  if (!d) return -1;
  int n = 0;
  while (readdir(d)) n++;
  closedir(d);
  return n;
}
/* What the supervisor's descriptors are: memfds (VMOs), sockets (listeners, agents), pidfds. */
static void fd_kinds(char* out, size_t size) {
  char path[64], link[256], others[512] = "";
  int memfd = 0, sock = 0, pidfd = 0, other = 0;
  snprintf(path, sizeof(path), "/proc/%d/fd", (int)getppid());
  DIR* d = opendir(path);
  struct dirent* e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[400];
    snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
    ssize_t n = readlink(p, link, sizeof(link) - 1);
    if (n < 0) continue;
    link[n] = 0;
    if (strstr(link, "memfd:")) memfd++;
    else if (strstr(link, "socket:")) sock++;
    else if (strstr(link, "pidfd")) pidfd++;
    else if (++other && strlen(others) + strlen(link) + 2 < sizeof(others)) {
      strcat(others, " ");
      strcat(others, link);
    }
  }
  if (d) closedir(d);
  snprintf(out, size, "%d memfds, %d sockets, %d pidfds, %d others:%s", memfd, sock, pidfd, other,
           others);
}

static void watch_fds(struct fz* fz, uint64_t batch) {
  static int last = -1;
  int n = count_fds();
  zx_info_process_handle_stats_t st;
  uint32_t handles = 0;
  if (zx_object_get_info(zx_process_self(), ZX_INFO_PROCESS_HANDLE_STATS, &st, sizeof(st), NULL,
                         NULL) == ZX_OK)
    for (unsigned i = 0; i < ZX_OBJ_TYPE_UPPER_BOUND; i++) handles += st.handle_count[i];
  if (n != last)
    printf("fuzz-hosted: after batch %" PRIu64 " (call %" PRIu64 "): supervisor has %d fds, "
           "the fuzzer %u handles (%u VMOs)\n",
           batch, fz->calls, n, handles,
           st.handle_count[ZX_OBJ_TYPE_VMO]);
  last = n;
}

/* Resources for the fuzzer, when this run has the root resource (fuzz.sh passes
 * --root-resource): children of every kind zum has, sub-ranges of IRQs and I/O ports and one of
 * each system sub-range, handed to the fuzzing child as PA_USER1 handles. The root resource and
 * the ranged roots are closed here and never reach the fuzzed calls: through them a call could
 * mint a power resource, and zx_system_powerctl(SHUTDOWN) ends every zum process, the harness
 * with them. No resource given can touch the host: zum grants no I/O ports, physical memory,
 * interrupts or virtualization, and the debugging calls are off. */
static uint32_t mint_resources(zx_handle_t* out, uint32_t* info, uint32_t max) {
  zx_handle_t root = zx_take_startup_handle(PA_HND(PA_RESOURCE, 0));
  uint32_t n = 0;
  if (root == ZX_HANDLE_INVALID) return 0;
  static const struct {
    uint32_t kind;
    uint64_t base, size;
  } want[] = {
      {ZX_RSRC_KIND_IRQ, 0, 32},
      {ZX_RSRC_KIND_IOPORT, 0x3f8, 8},
      {ZX_RSRC_KIND_IOPORT | ZX_RSRC_FLAG_EXCLUSIVE, 0x60, 0x10},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUG_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_CPU_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_MEXEC_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_IOMMU_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_PROFILE_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_MSI_BASE, 1},
      {ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_DEBUGLOG_BASE, 1},
  };
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && n < max; i++)
    if (zx_resource_create(root, want[i].kind, want[i].base, want[i].size, "fz", 2, &out[n]) ==
        ZX_OK)
      info[n] = PA_HND(PA_USER1, n), n++;
  zx_handle_close(root);
  static const uint32_t ranged[] = {PA_MMIO_RESOURCE, PA_IRQ_RESOURCE, PA_IOPORT_RESOURCE,
                                    PA_SMC_RESOURCE, PA_SYSTEM_RESOURCE};
  for (size_t i = 0; i < sizeof(ranged) / sizeof(ranged[0]); i++)
    zx_handle_close(zx_take_startup_handle(PA_HND(ranged[i], 0)));
  return n;
}

/* The fuzzing itself, in a process of its own (see main). */
static int fuzz(uint64_t calls, uint64_t seed) {
  f.say = say;
  f.raw = raw;
  if (getenv("FUZZ_FDS")) f.after_batch = watch_fds;
  const char* only = getenv("FUZZ_ONLY"); /* one call's name: draws of any other are skipped */
  for (size_t i = 0; only && i < ZUM_FUZZ_NUM_CALLS; i++)
    if (strcmp(zum_fuzz_calls[i].name, only) == 0) f.only = i + 1;
  fz_protect(&f, zx_process_self());
  f.self = zx_process_self();
  fz_protect(&f, zx_thread_self());
  fz_protect(&f, zx_job_default());
  f.parent_job = zx_job_default();
  for (uint32_t i = 0; i < sizeof(f.rsrc) / sizeof(f.rsrc[0]); i++) {
    zx_handle_t r = zx_take_startup_handle(PA_HND(PA_USER1, i));
    if (r == ZX_HANDLE_INVALID) break;
    fz_protect(&f, r);
    f.rsrc[f.nrsrc++] = r;
  }
  if (!fz_setup(&f, zx_vmar_root_self())) {
    say("fuzz-hosted: FAIL: cannot set up the scratch mapping");
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int r = fz_run(&f, seed, calls);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("fuzz-hosted: %.2f s, %" PRIu64 " calls made (%" PRIu64 " hosted-only ones by trap), %" PRIu64
         " draws skipped\n",
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, f.calls,
         f.raw_calls, f.skipped);
  if (getenv("FUZZ_VERBOSE"))
    for (size_t i = 0; i < ZUM_FUZZ_NUM_CALLS; i++) {
      printf("  %-26s %8" PRIu64 " calls %8" PRIu64 " ZX_OK", zum_fuzz_calls[i].name,
             f.per_call[i], f.per_ok[i]);
      for (int k = 1; k < 64; k++)
        if (f.per_status[i][k]) printf(" %s%d:%u", k == 63 ? "other" : "", k == 63 ? 0 : -k,
                                       f.per_status[i][k]);
      printf("\n");
    }
  fflush(stdout);
  return r;
}

/* The fuzzer runs in a child process, so that when it is gone everything it made is gone too
 * (handles it lost track of, objects inside messages in channels it still held): the
 * supervisor's descriptors must then be back exactly where they were. */
int main(int argc, char** argv) {
  uint64_t calls = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000;
  const char* env = getenv("FUZZ_SEED");
  uint64_t seed;
  if (argc > 2) seed = strtoull(argv[2], NULL, 0);
  else if (env && *env) seed = strtoull(env, NULL, 0);
  else seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
  if (argc > 3 && strcmp(argv[3], "--child") == 0) return fuzz(calls, seed);
  printf("fuzz-hosted: seed %" PRIu64 ", %" PRIu64 " calls\n", seed, calls);
  fflush(stdout);

  char self[4096], ncalls[32], nseed[32];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) {
    say("fuzz-hosted: FAIL: cannot find its own executable");
    return 1;
  }
  self[n] = 0;
  snprintf(ncalls, sizeof(ncalls), "%" PRIu64, calls);
  snprintf(nseed, sizeof(nseed), "%" PRIu64, seed);
  const char* child_argv[] = {self, ncalls, nseed, "--child", NULL};
  /* This process's own descriptors in the supervisor (its agent's userfaultfd comes with the
   * agent's hello, which the first address-space call waits for) are all there before the
   * count. */
  zx_handle_t vmo;
  zx_vaddr_t at;
  if (zx_vmo_create(4096, 0, &vmo) != ZX_OK ||
      zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, 4096, &at) != ZX_OK ||
      zx_vmar_unmap(zx_vmar_root_self(), at, 4096) != ZX_OK || zx_handle_close(vmo) != ZX_OK) {
    say("fuzz-hosted: FAIL: cannot map a VMO");
    return 1;
  }
  /* The supervisor makes its own userfaultfd (host/sv/memfd_insert.c) the first time it pushes
   * a page into a copy-on-write child, and keeps it: have it made before the count, by a write
   * to a VMO whose snapshot still reads that page from it. */
  zx_handle_t child;
  char byte = 1;
  if (zx_vmo_create(4096, 0, &vmo) != ZX_OK || zx_vmo_write(vmo, &byte, 0, 1) != ZX_OK ||
      zx_vmo_create_child(vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 4096, &child) != ZX_OK ||
      zx_vmo_write(vmo, &byte, 0, 1) != ZX_OK || zx_handle_close(child) != ZX_OK ||
      zx_handle_close(vmo) != ZX_OK) {
    say("fuzz-hosted: FAIL: cannot write under a snapshot");
    return 1;
  }
  int fds0 = count_fds();
  /* Its default job (its batches' jobs are made in it) is a job of its own. */
  zx_handle_t proc = ZX_HANDLE_INVALID, job = ZX_HANDLE_INVALID;
  zx_handle_t give[17];
  uint32_t give_info[17];
  uint32_t ngive = 1 + mint_resources(give + 1, give_info + 1, 16);
  zx_status_t s = zx_job_create(zx_job_default(), 0, &job);
  give[0] = job, give_info[0] = PA_HND(PA_JOB_DEFAULT, 0);
  if (s == ZX_OK) s = zum_spawn(zx_job_default(), self, child_argv, give, give_info, ngive, &proc);
  if (s != ZX_OK) {
    printf("fuzz-hosted: FAIL: zum_spawn: %d\n", s);
    return 1;
  }
  zx_info_process_t info;
  if (zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL) != ZX_OK ||
      zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL) != ZX_OK) {
    say("fuzz-hosted: FAIL: cannot wait for the fuzzing process");
    return 1;
  }
  zx_handle_close(proc);
  if (info.return_code != 0) {
    printf("fuzz-hosted: FAIL: the fuzzing process returned %" PRId64 " (seed %" PRIu64 ")\n",
           info.return_code, seed);
    return 1;
  }
  /* A dead process's descriptors go when the supervisor has reaped it: give it a moment. */
  int fds1 = count_fds();
  for (int i = 0; i < 500 && fds0 > 0 && fds1 != fds0; i++) {
    zx_nanosleep(zx_deadline_after(ZX_MSEC(10)));
    fds1 = count_fds();
  }
  char kinds[768];
  fd_kinds(kinds, sizeof(kinds));
  printf("fuzz-hosted: supervisor fds %d before, %d after the fuzzing process (%s)\n", fds0, fds1,
         kinds);
  if (fds0 > 0 && fds1 != fds0) {
    printf("fuzz-hosted: FAIL: the supervisor kept %d descriptors of a process that is gone "
           "(seed %" PRIu64 ")\n",
           fds1 - fds0, seed);
    return 1;
  }
  return 0;
}
