/* Start-up of a hosted Zircon program. Runs as a constructor before main:
 *  1. maps the zum page the vDSO's local calls read;
 *  2. reserves the root VMAR, a large PROT_NONE region glibc will never map into;
 *  3. asks the supervisor for the process's handles. If no supervisor is listening (the program
 *     was run bare, `./t` or `gdb ./t`), starts one first (bare.c) and carries on as its guest;
 *  4. creates the userfaultfd for copy-on-write faults and its SIGBUS handler (after the fork
 *     of a supervisor, which must not inherit them) and starts the agent, whose hello says
 *     whether that worked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <zum/sysno.h>
#include <zum/trap.h>

#include "host/guest/libzum/runtime.h"

/* 64 GiB of address space, committing nothing. */
#define ZUM_HOSTED_VMAR_SIZE (64ull << 30)

zum_hosted_info_t zum_hosted_info;

void zum_hosted_die(const char* what, int err) {
  fprintf(stderr, "zum: %s: %s\n", what, strerror(err));
  _exit(127);
}

static void map_zum_page(void) {
  void* p = mmap((void*)ZUM_PAGE_ADDR, 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED || p != (void*)ZUM_PAGE_ADDR)
    zum_hosted_die("cannot map the zum page at 0x1ff000", errno);
  zum_page_t* page = p;
  page->magic = ZUM_PAGE_MAGIC;
  page->clock_gettime_fn = (uint64_t)(uintptr_t)&clock_gettime;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  long pages = sysconf(_SC_PHYS_PAGES);
  long psz = sysconf(_SC_PAGESIZE);
  long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
  page->num_cpus = ncpu > 0 ? (uint32_t)ncpu : 1;
  page->page_size = psz > 0 ? (uint32_t)psz : 4096;
  page->physmem = pages > 0 ? (uint64_t)pages * page->page_size : 0;
  page->dcache_line_size = line > 0 ? (uint32_t)line : 64;
  page->do_work_fn = (uint64_t)(uintptr_t)&zum_hosted_do_work;
  page->exit_thread_fn = (uint64_t)(uintptr_t)&zum_hosted_exit_thread;
  mprotect(p, 4096, PROT_READ);
}

int64_t zum_hosted_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2) {
  int64_t r = zum_call5(nr, a0, a1, a2, 0, 0);
  if (__builtin_expect(r == ZUM_TRAP_NO_SUPERVISOR, 0))
    for (;;) __asm__ volatile("ud2");
  return zum_trap_status(r);
}

static int64_t hosted_init(void* vmar, uint64_t size) {
  int64_t r = zum_call5(ZUM_SYS_hosted_init, (uint64_t)(uintptr_t)&zum_hosted_info,
                        (uint64_t)(uintptr_t)vmar, size, 0, 0);
  return r == ZUM_TRAP_NO_SUPERVISOR ? r : zum_trap_status(r);
}

__attribute__((constructor(101))) static void zum_hosted_start(void) {
  map_zum_page();
  void* vmar = mmap(NULL, ZUM_HOSTED_VMAR_SIZE, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (vmar == MAP_FAILED) zum_hosted_die("cannot reserve the root VMAR", errno);
  int64_t r = hosted_init(vmar, ZUM_HOSTED_VMAR_SIZE);
  if (r == ZUM_TRAP_NO_SUPERVISOR) {
    zum_hosted_start_supervisor();
    r = hosted_init(vmar, ZUM_HOSTED_VMAR_SIZE);
  }
  if (r != 0) {
    fprintf(stderr, "zum: hosted start-up failed (status %lld)\n", (long long)r);
    _exit(127);
  }
  if (zum_hosted_info.agent_fd >= 0) zum_hosted_cow_start();
  zum_hosted_start_agent(zum_hosted_info.agent_fd);
}
