/* The hosted runtime's SIGBUS handler (host/guest/libzum/work.c): copy-on-write faults of a mapped
 * snapshot are resolved, and a bus error that is not one goes on to the handler the program had
 * before libzum started (installed here from .preinit_array, which runs before any library's
 * constructor), as if zum were not there. */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>

#include "guest_test.h"

#define PG 4096ul

static sigjmp_buf bus_jmp;
static volatile int early_calls;

static void early_handler(int sig) {
  (void)sig;
  early_calls++;
  siglongjmp(bus_jmp, 1);
}

static void install_early(void) { signal(SIGBUS, early_handler); }
__attribute__((section(".preinit_array"), used)) static void (*const preinit)(void) = install_early;

/* A bus error of Linux's own: a shared mapping past the end of its memfd. */
static void linux_bus_error(void) {
  int fd = memfd_create("short", MFD_CLOEXEC);
  CHECK(fd >= 0);
  CHECK_EQ(ftruncate(fd, PG), 0);
  volatile uint8_t* p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED);
  int before = early_calls;
  if (sigsetjmp(bus_jmp, 1) == 0) {
    (void)p[PG];
    CHECK(!"read past the end of a memfd");
  }
  CHECK_EQ(early_calls, before + 1);
  munmap((void*)p, 2 * PG);
  close(fd);
}

/* A snapshot of a VMO with data, mapped: reads see the parent's bytes, writes stay in the child. */
static void snapshot_mapping(void) {
  zx_handle_t p, c;
  CHECK_EQ(zx_vmo_create(8 * PG, 0, &p), ZX_OK);
  static uint8_t buf[8 * PG];
  for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (uint8_t)(i * 7 + (i >> 12));
  CHECK_EQ(zx_vmo_write(p, buf, 0, sizeof(buf)), ZX_OK);
  CHECK_EQ(zx_vmo_create_child(p, ZX_VMO_CHILD_SNAPSHOT, 0, 8 * PG, &c), ZX_OK);
  zx_vaddr_t ca = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, c, 0, 8 * PG,
                       &ca),
           ZX_OK);
  volatile uint8_t* m = (volatile uint8_t*)ca;
  m[5 * PG + 1] = 0xcc; /* a write first */
  for (size_t i = 0; i < sizeof(buf); i++)
    if (m[i] != (i == 5 * PG + 1 ? 0xcc : buf[i])) {
      CHECK(!"a snapshot page differs from its parent");
      break;
    }
  uint8_t b = 0;
  CHECK_EQ(zx_vmo_read(p, &b, 5 * PG + 1, 1), ZX_OK);
  CHECK_EQ(b, buf[5 * PG + 1]);
  CHECK_EQ(zx_vmo_read(c, &b, 5 * PG + 1, 1), ZX_OK);
  CHECK_EQ(b, 0xcc);
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), ca, 8 * PG), ZX_OK);
  zx_handle_close(c);
  zx_handle_close(p);
}

int main(void) {
  snapshot_mapping();
  linux_bus_error();
  /* Still resolved after a bus error went elsewhere, and still passed on. */
  snapshot_mapping();
  linux_bus_error();
  CHECK_EQ(early_calls, 2);
  return GUEST_RESULT();
}
