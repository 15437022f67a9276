/* Address-space work (host/guest/runtime/ops.c) in a plain Linux process, with both policies:
 * MAP of a memfd, PROTECT, RESERVE (unmapped for a pure process, PROT_NONE for a hosted one),
 * the range check, FS/GS only where thread registers are served, and an agent's WORK message
 * with too few and too many fds (nothing leaks). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <zircon/types.h>
#include <cmocka.h>

#include "tests/unit/open_fds.h"

#include "host/guest/runtime/ops.h"

#define P 4096ul

static const zum_ops_policy_t hosted = {.lo = 0, .hi = UINT64_MAX, .unmap_reserved = false};
static const zum_ops_policy_t pure = {.lo = 0, .hi = UINT64_MAX, .unmap_reserved = true,
                                      .thread_regs = true};


/* The permissions /proc/self/maps shows for addr ("rw-s", "---p", ...), or "" when unmapped. */
static const char* perms(uint64_t addr) {
  static char out[8];
  out[0] = 0;
  FILE* f = fopen("/proc/self/maps", "r");
  assert_non_null(f);
  char line[512];
  while (fgets(line, sizeof(line), f)) {
    unsigned long lo, hi;
    char p[8];
    if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 && addr >= lo && addr < hi) {
      snprintf(out, sizeof(out), "%s", p);
      break;
    }
  }
  fclose(f);
  return out;
}

static int memfd_with(const char* text) {
  int fd = memfd_create("ops", MFD_CLOEXEC);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, 4 * P), 0);
  assert_int_equal(pwrite(fd, text, strlen(text), P), (ssize_t)strlen(text));
  return fd;
}

/* Four reserved pages to work in. */
static uint64_t reserve_area(void) {
  void* p = mmap(NULL, 4 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  assert_true(p != MAP_FAILED);
  return (uint64_t)(uintptr_t)p;
}

static int run(const zum_ops_policy_t* p, uint32_t kind, uint64_t addr, uint64_t len, int fd,
               uint64_t offset, uint32_t prot) {
  zum_work_op_t op = {.kind = kind, .addr = addr, .len = len, .fd = fd, .offset = offset,
                      .prot = prot};
  return zum_run_op(&op, p);
}

static void test_map_protect_reserve(void** state) {
  (void)state;
  const zum_ops_policy_t* policies[] = {&hosted, &pure};
  for (int i = 0; i < 2; i++) {
    const zum_ops_policy_t* p = policies[i];
    int before = open_fds();
    uint64_t a = reserve_area();
    int fd = memfd_with("hello");
    assert_int_equal(run(p, ZUM_WORK_MAP, a + P, 2 * P, fd, P,
                         ZX_VM_PERM_READ | ZX_VM_PERM_WRITE), 0);
    assert_int_equal(open_fds(), before); /* a MAP's fd is taken and closed */
    assert_string_equal(perms(a + P), "rw-s");
    assert_string_equal((const char*)(uintptr_t)(a + P), "hello");
    ((char*)(uintptr_t)(a + 2 * P))[0] = 'x';

    assert_int_equal(run(p, ZUM_WORK_PROTECT, a + P, P, -1, 0, ZX_VM_PERM_READ), 0);
    assert_string_equal(perms(a + P), "r--s");
    assert_string_equal(perms(a + 2 * P), "rw-s");

    assert_int_equal(run(p, ZUM_WORK_POPULATE, a + 2 * P, P, -1, 0, ZX_VM_PERM_READ), 0);

    assert_int_equal(run(p, ZUM_WORK_RESERVE, a + P, 2 * P, -1, 0, 0), 0);
    /* A pure process keeps no reservation; a hosted one keeps the range PROT_NONE. */
    assert_string_equal(perms(a + P), p->unmap_reserved ? "" : "---p");
    assert_string_equal(perms(a + 2 * P), p->unmap_reserved ? "" : "---p");
    munmap((void*)(uintptr_t)a, 4 * P);
    assert_int_equal(open_fds(), before);
  }
}

static void test_range(void** state) {
  (void)state;
  int before = open_fds();
  uint64_t a = reserve_area();
  zum_ops_policy_t p = pure;
  p.lo = a;
  p.hi = a + 2 * P;
  int fd = memfd_with("x");
  /* Outside: EINVAL, and the fd is still taken. */
  assert_int_equal(run(&p, ZUM_WORK_MAP, a + P, 2 * P, fd, 0, ZX_VM_PERM_READ), EINVAL);
  fd = memfd_with("x");
  assert_int_equal(run(&p, ZUM_WORK_FAULT_SOURCE, a - P, P, fd, 0, 0), EINVAL);
  assert_int_equal(open_fds(), before);
  assert_int_equal(run(&p, ZUM_WORK_PROTECT, a + 2 * P, P, -1, 0, ZX_VM_PERM_READ), EINVAL);
  assert_int_equal(run(&p, ZUM_WORK_RESERVE, UINT64_MAX - P + 1, 2 * P, -1, 0, 0), EINVAL);
  assert_string_equal(perms(a + 2 * P), "---p");
  /* Inside: fine. */
  fd = memfd_with("x");
  assert_int_equal(run(&p, ZUM_WORK_MAP, a, 2 * P, fd, 0, ZX_VM_PERM_READ), 0);
  assert_string_equal(perms(a), "r--s");
  assert_int_equal(run(&p, 999, a, P, -1, 0, 0), EINVAL);
  munmap((void*)(uintptr_t)a, 4 * P);
  assert_int_equal(open_fds(), before);
}

static void test_thread_regs(void** state) {
  (void)state;
  uint64_t* slot = malloc(sizeof(*slot));
  assert_non_null(slot);
  *slot = 0;
  uint64_t addr = (uint64_t)(uintptr_t)slot;
  assert_int_equal(run(&hosted, ZUM_WORK_GET_FS, addr, 8, -1, 0, 0), EINVAL);
  assert_int_equal(run(&hosted, ZUM_WORK_SET_FS, 0, 0, -1, 0, 0), EINVAL);
  assert_int_equal(*slot, 0);
  assert_int_equal(run(&pure, ZUM_WORK_GET_FS, addr, 8, -1, 0, 0), 0);
  unsigned long fs = 0;
  assert_int_equal(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
  assert_int_equal(*slot, fs);
  free(slot);
}

/* An agent's WORK message: the fds go to the ops that carry one, in order. */
static void test_agent_work(void** state) {
  (void)state;
  int before = open_fds();
  uint64_t a = reserve_area();
  zum_work_t w = {.num_ops = 2};
  w.ops[0] = (zum_work_op_t){.kind = ZUM_WORK_MAP, .addr = a, .len = P, .prot = ZX_VM_PERM_READ};
  w.ops[1] = (zum_work_op_t){.kind = ZUM_WORK_MAP, .addr = a + P, .len = P,
                             .prot = ZX_VM_PERM_READ};
  /* Too few: the op without one fails with EBADF. */
  int fds[3] = {memfd_with("a")};
  assert_int_equal(zum_run_agent_work(&w, fds, 1, &hosted), EBADF);
  assert_string_equal(perms(a), "r--s");
  assert_string_equal(perms(a + P), "---p");
  assert_int_equal(open_fds(), before);
  /* Too many: the extra one is closed. */
  for (int i = 0; i < 3; i++) fds[i] = memfd_with("b");
  assert_int_equal(zum_run_agent_work(&w, fds, 3, &hosted), 0);
  assert_string_equal(perms(a + P), "r--s");
  assert_int_equal(open_fds(), before);
  munmap((void*)(uintptr_t)a, 4 * P);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_map_protect_reserve),
      cmocka_unit_test(test_range),
      cmocka_unit_test(test_thread_regs),
      cmocka_unit_test(test_agent_work),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
