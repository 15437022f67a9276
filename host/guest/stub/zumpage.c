/* The zum page (ZUM_PAGE_ADDR): what the Fuchsia vDSO reads from the stub. */
#include <linux/mman.h>
#include <linux/sysinfo.h>

#include "host/guest/stub/private.h"

/* The fallback clock when there is no usable vDSO: a real system call from the stub's text. */
static int raw_clock_gettime(int clock, void* ts) {
  return (int)sys2(__NR_clock_gettime, clock, ts);
}

/* ---------------------------------------------------------------- the zum page */
int stub_map_zum_page(uint64_t clock_fn) {
  long p = sys6(__NR_mmap, ZUM_PAGE_ADDR, PAGE, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p != (long)ZUM_PAGE_ADDR) return p < 0 ? (int)-p : EEXIST;
  zum_page_t* page = (zum_page_t*)ZUM_PAGE_ADDR;
  page->magic = ZUM_PAGE_MAGIC;
  page->clock_gettime_fn = clock_fn ? clock_fn : (uint64_t)(uintptr_t)raw_clock_gettime;
  struct sysinfo si;
  if (sys1(__NR_sysinfo, &si) == 0)
    page->physmem = (uint64_t)si.totalram * (si.mem_unit ? si.mem_unit : 1);
  static uint64_t mask[1024 / 64];
  long n = sys3(__NR_sched_getaffinity, 0, sizeof(mask), mask);
  uint32_t cpus = 0;
  for (long i = 0; i < n / 8; i++)
    for (uint64_t bits = mask[i]; bits; bits &= bits - 1) cpus++;
  page->num_cpus = cpus ? cpus : 1;
  page->dcache_line_size = 64;
  page->page_size = PAGE;
  page->do_work_fn = (uint64_t)(uintptr_t)stub_do_work;
  page->exit_thread_fn = (uint64_t)(uintptr_t)stub_exit_thread;
  long r = sys3(__NR_mprotect, ZUM_PAGE_ADDR, PAGE, PROT_READ);
  return r < 0 ? (int)-r : 0;
}
