/* The syscall fuzzer as a hosted program (the engine is tests/fuzz/fuzz-engine.h).
 *   fuzz-hosted [CALLS [SEED]]      SEED defaults to $FUZZ_SEED, then to the clock
 * Prints the seed first, so any run can be repeated; exits 0 if the supervisor answered
 * correctly after every batch. FUZZ_VERBOSE=1: how often each call ran and succeeded. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zircon/process.h>

#include "fuzz-engine.h"

static void say(const char* s) {
  printf("%s\n", s);
  fflush(stdout);
}

static struct fz f;

int main(int argc, char** argv) {
  uint64_t calls = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000;
  const char* env = getenv("FUZZ_SEED");
  uint64_t seed;
  if (argc > 2) seed = strtoull(argv[2], NULL, 0);
  else if (env && *env) seed = strtoull(env, NULL, 0);
  else seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
  printf("fuzz-hosted: seed %" PRIu64 ", %" PRIu64 " calls\n", seed, calls);
  fflush(stdout);
  f.say = say;
  fz_protect(&f, zx_process_self());
  fz_protect(&f, zx_thread_self());
  fz_protect(&f, zx_job_default());
  f.parent_job = zx_job_default();
  if (!fz_setup(&f, zx_vmar_root_self())) {
    say("fuzz-hosted: FAIL: cannot set up the scratch mapping");
    return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int r = fz_run(&f, seed, calls);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("fuzz-hosted: %.2f s, %" PRIu64 " calls made, %" PRIu64 " draws skipped\n",
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, f.calls,
         f.skipped);
  if (getenv("FUZZ_VERBOSE"))
    for (size_t i = 0; i < ZUM_FUZZ_NUM_CALLS; i++)
      printf("  %-26s %8" PRIu64 " calls %8" PRIu64 " ZX_OK\n", zum_fuzz_calls[i].name,
             f.per_call[i], f.per_ok[i]);
  return r;
}
