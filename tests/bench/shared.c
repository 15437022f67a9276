/* A hosted guest (run under `zum run`) timing map + unmap of one page in the shared region of a
 * shared-process group with 1, 4 and 16 members (a ZX_PROCESS_SHARED process and
 * zx_process_create_shared members, none started: each is a Linux process whose stub applies
 * the change), against the same in a non-shared pure process in the same run. Every member must
 * have applied each change before the call returns, so the cost grows with the members.
 *
 * Prints `pure_map_unmap_ns` and `shared_<N>_map_unmap_ns` for N = one, four, sixteen (median ns
 * per map + unmap; run.sh takes keys without digits). */
#include <stdio.h>
#include <string.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "tests/bench/bench.h"

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "shared bench: %s: %s\n", what, zx_status_get_string(s));
  return 1;
}

static zx_status_t map_unmap(zx_handle_t vmar, zx_handle_t vmo, int iters) {
  for (int i = 0; i < iters; i++) {
    zx_vaddr_t addr;
    zx_status_t s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 4096, &addr);
    if (s != ZX_OK) return s;
    if ((s = zx_vmar_unmap(vmar, addr, 4096)) != ZX_OK) return s;
  }
  return ZX_OK;
}

#define MAX_MEMBERS 16
static const int sizes[] = {1, 4, 16};
static const char* const size_names[] = {"one", "four", "sixteen"};
#define NGROUPS (int)(sizeof(sizes) / sizeof(sizes[0]))

int main(int argc, char** argv) {
  int iters = 2000;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0) iters = 200;
  zx_handle_t job = zx_job_default();
  zx_status_t s;
  zx_handle_t plain, plain_vmar;
  if ((s = zx_process_create(job, "bench-plain", 11, 0, &plain, &plain_vmar)) != ZX_OK)
    return fail("zx_process_create", s);
  /* The groups: the first process, then members sharing its region. */
  zx_handle_t procs[NGROUPS][MAX_MEMBERS], vmars[NGROUPS][MAX_MEMBERS];
  for (int g = 0; g < NGROUPS; g++) {
    if ((s = zx_process_create(job, "bench-shared", 12, ZX_PROCESS_SHARED, &procs[g][0],
                               &vmars[g][0])) != ZX_OK)
      return fail("zx_process_create(ZX_PROCESS_SHARED)", s);
    for (int m = 1; m < sizes[g]; m++)
      if ((s = zx_process_create_shared(procs[g][0], 0, "bench-member", 12, &procs[g][m],
                                        &vmars[g][m])) != ZX_OK)
        return fail("zx_process_create_shared", s);
  }
  zx_handle_t vmo;
  if ((s = zx_vmo_create(4096, 0, &vmo)) != ZX_OK) return fail("zx_vmo_create", s);

  /* Config 0 is the plain process, 1.. the groups; each repetition starts with the next one, so
   * whatever slows the machine down meanwhile hits all of them alike. */
  double t[NGROUPS + 1][BENCH_REPS];
  for (int r = -1; r < BENCH_REPS; r++) { /* r == -1: warm-up */
    for (int k = 0; k <= NGROUPS; k++) {
      int cfg = (r + 1 + k) % (NGROUPS + 1);
      zx_handle_t vmar = cfg == 0 ? plain_vmar : vmars[cfg - 1][0];
      int64_t t0 = bench_now_ns();
      if ((s = map_unmap(vmar, vmo, iters)) != ZX_OK) return fail("map/unmap", s);
      int64_t t1 = bench_now_ns();
      if (r >= 0) t[cfg][r] = (double)(t1 - t0) / iters;
    }
  }
  printf("pure_map_unmap_ns %.1f\n", bench_median(t[0], BENCH_REPS));
  for (int g = 0; g < NGROUPS; g++)
    printf("shared_%s_map_unmap_ns %.1f\n", size_names[g], bench_median(t[g + 1], BENCH_REPS));
  for (int g = 0; g < NGROUPS; g++)
    for (int m = 0; m < sizes[g]; m++) {
      zx_handle_close(vmars[g][m]);
      zx_handle_close(procs[g][m]);
    }
  zx_handle_close(vmo);
  zx_handle_close(plain_vmar);
  zx_handle_close(plain);
  return 0;
}
