/* A hosted guest (run under `zum run`) timing the life of a minimal pure Zircon process:
 * zx_process_create, vDSO + code + stack mapped, zx_thread_create, zx_process_start, the
 * process's own zx_process_exit(0) (through its vDSO), and the wait for ZX_PROCESS_TERMINATED,
 * against fork + execve + waitpid of a minimal static Linux binary in the same run.
 *
 * Prints `pure_process_ns` and `native_process_ns` (median ns per process). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>

#include "host/guest/launch/elf_image.h"
#include "tests/bench/bench.h"

/* The child's code: zx_process_exit(0) through the vDSO address it gets in rsi (arg2). */
static const unsigned char child_code[] = {0x31, 0xff, 0xff, 0xe6}; /* xor edi,edi; jmp *rsi */

static int fail(const char* what, zx_status_t s) {
  fprintf(stderr, "proc bench: %s: %s\n", what, zx_status_get_string(s));
  exit(1);
}

static zx_handle_t vdso_vmo, code_vmo, stack_vmo;
static uint64_t ro_len, code_off, code_len, exit_off;

static void setup(void) {
  vdso_vmo = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  if (!vdso_vmo) fail("no vDSO VMO", ZX_ERR_NOT_FOUND);
  uint64_t size;
  zx_vmo_get_size(vdso_vmo, &size);
  uint8_t* img = malloc(size);
  zx_status_t s = zx_vmo_read(vdso_vmo, img, 0, size);
  if (s != ZX_OK) fail("read vDSO", s);
  struct elf_buf mem = {.data = img, .size = size, .base = 0};
  const Elf64_Ehdr* eh;
  if (elf_check_header(mem, &eh)) fail("vDSO header", ZX_ERR_BAD_STATE);
  const Elf64_Phdr* ph = elf_phdrs(mem, eh);
  struct elf_dyn dyn;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type == PT_DYNAMIC) elf_read_dynamic(mem, ph[i].p_vaddr, ph[i].p_filesz, &dyn);
    if (ph[i].p_type != PT_LOAD) continue;
    if (ph[i].p_flags & PF_X) {
      code_off = ph[i].p_vaddr;
      elf_page_ceil(ph[i].p_memsz, &code_len);
    } else {
      elf_page_ceil(ph[i].p_memsz, &ro_len);
    }
  }
  const Elf64_Sym* ex = elf_lookup(mem, &dyn, "_zx_process_exit");
  if (!ex) fail("no _zx_process_exit", ZX_ERR_NOT_FOUND);
  exit_off = ex->st_value;
  zx_handle_t v;
  zx_vmo_create(4096, 0, &v);
  zx_vmo_write(v, child_code, 0, sizeof(child_code));
  if ((s = zx_vmo_replace_as_executable(v, ZX_HANDLE_INVALID, &code_vmo)) != ZX_OK)
    fail("replace_as_executable", s);
  zx_vmo_create(16384, 0, &stack_vmo);
}

static void one_process(void) {
  zx_handle_t proc, vmar, vv, thread;
  zx_vaddr_t base, a, entry, stack;
  zx_status_t s = zx_process_create(zx_job_default(), "bench", 5, 0, &proc, &vmar);
  if (s != ZX_OK) fail("zx_process_create", s);
  zx_vmar_allocate(vmar, ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_EXECUTE | ZX_VM_CAN_MAP_SPECIFIC, 0,
                   code_off + code_len, &vv, &base);
  zx_vmar_map(vv, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0, vdso_vmo, 0, ro_len, &a);
  if ((s = zx_vmar_map(vv, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC, code_off,
                       vdso_vmo, code_off, code_len, &a)) != ZX_OK)
    fail("map vDSO", s);
  zx_handle_close(vv);
  if ((s = zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_EXECUTE, 0, code_vmo, 0, 4096,
                       &entry)) != ZX_OK)
    fail("map code", s);
  zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, stack_vmo, 0, 16384, &stack);
  if ((s = zx_thread_create(proc, "t", 1, 0, &thread)) != ZX_OK) fail("zx_thread_create", s);
  if ((s = zx_process_start(proc, thread, entry, stack + 16384 - 8, ZX_HANDLE_INVALID,
                            base + exit_off)) != ZX_OK)
    fail("zx_process_start", s);
  zx_signals_t obs;
  zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, &obs);
  zx_info_process_t pi;
  zx_object_get_info(proc, ZX_INFO_PROCESS, &pi, sizeof(pi), NULL, NULL);
  if (pi.return_code != 0) fail("child return code", ZX_ERR_INTERNAL);
  zx_handle_close(thread);
  zx_handle_close(vmar);
  zx_handle_close(proc);
}

static void one_native(const char* path) {
  pid_t pid = fork();
  if (pid == 0) {
    char* argv[] = {(char*)path, NULL};
    char* envp[] = {NULL};
    execve(path, argv, envp);
    _exit(127);
  }
  int st;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail("native child", ZX_ERR_INTERNAL);
}

int main(int argc, char** argv) {
  int iters = 200;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0) iters = 20;
  char self[PATH_MAX], native[PATH_MAX + 16];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) fail("readlink", ZX_ERR_NOT_FOUND);
  self[n] = 0;
  *strrchr(self, '/') = 0;
  snprintf(native, sizeof(native), "%s/true_static", self);
  setup();
  double z[BENCH_REPS], l[BENCH_REPS];
  for (int r = -1; r < BENCH_REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) one_process();
    int64_t t1 = bench_now_ns();
    for (int i = 0; i < iters; i++) one_native(native);
    int64_t t2 = bench_now_ns();
    if (r < 0) continue;
    z[r] = (double)(t1 - t0) / iters;
    l[r] = (double)(t2 - t1) / iters;
  }
  printf("pure_process_ns %.1f\n", bench_median(z, BENCH_REPS));
  printf("native_process_ns %.1f\n", bench_median(l, BENCH_REPS));
  return 0;
}
