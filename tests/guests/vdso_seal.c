/* The vDSO's memory cannot be written by anyone once zum has loaded it (one memfd holds every
 * process's vDSO, so one writer would run its code in all of them):
 *   - its VMO holds exactly libzircon.so's image (the file this program loaded);
 *   - a read-only mapping of it in this hosted program cannot be made writable with Linux's own
 *     mprotect, and the memfd behind it (reopened through /proc/self/map_files where Linux lets
 *     us) carries F_SEAL_WRITE, F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_SEAL and refuses writes;
 *   - a pure process that tries every way it has (tests/fuchsia/vdso.elf, started with
 *     zum-launch) fails, after which the image is still intact and another pure process
 *     (tests/fuchsia/calls.elf) runs. That part is skipped when the Fuchsia programs were not
 *     built (no clang). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zum/zum.h>

#include "guest_test.h"

static zx_handle_t vdso_vmo;
static unsigned char* file_img;
static size_t file_len;

static void load_file(void) {
  Dl_info info;
  CHECK(dladdr((void*)&zx_handle_close, &info) != 0 && info.dli_fname);
  int fd = open(info.dli_fname, O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0);
  struct stat st;
  CHECK_EQ(fstat(fd, &st), 0);
  file_len = (size_t)st.st_size;
  file_img = malloc(file_len);
  CHECK(file_img != NULL);
  CHECK_EQ(pread(fd, file_img, file_len, 0), (ssize_t)file_len);
  close(fd);
}

/* The VMO holds the file's bytes and zeros after them. */
static void check_intact(const char* when) {
  uint64_t size = 0;
  CHECK_EQ(zx_vmo_get_size(vdso_vmo, &size), ZX_OK);
  CHECK(size >= file_len);
  unsigned char* img = malloc(size);
  CHECK_EQ(zx_vmo_read(vdso_vmo, img, 0, size), ZX_OK);
  bool same = memcmp(img, file_img, file_len) == 0;
  for (uint64_t i = file_len; i < size; i++) same = same && img[i] == 0;
  if (!same) fprintf(stderr, "vdso_seal: the vDSO image changed (%s)\n", when);
  CHECK(same);
  free(img);
}

static void check_hosted_mapping(void) {
  zx_vaddr_t addr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vdso_vmo, 0, 4096, &addr),
           ZX_OK);
  /* A writable Zircon mapping is refused by the handle's rights; Linux refuses its own way. */
  zx_vaddr_t waddr = 0;
  CHECK_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vdso_vmo, 0,
                       4096, &waddr),
           ZX_ERR_ACCESS_DENIED);
  errno = 0;
  CHECK_EQ(mprotect((void*)addr, 4096, PROT_READ | PROT_WRITE), -1);
  CHECK(errno == EACCES || errno == EPERM);

  char path[96];
  snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)addr,
           (unsigned long)addr + 4096);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "vdso_seal: note: cannot open %s (%s); not checking the seals\n", path,
            strerror(errno));
  } else {
    int seals = fcntl(fd, F_GET_SEALS);
    int want = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
    CHECK_EQ(seals & want, want);
    close(fd);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
      CHECK_EQ(pwrite(fd, "x", 1, 0), -1);
      CHECK_EQ(ftruncate(fd, 0), -1);
      CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
      close(fd);
    }
  }
  CHECK_EQ(zx_vmar_unmap(zx_vmar_root_self(), addr, 4096), ZX_OK);
}

/* zum-launch PROGRAM ARG...; its return code. */
static int64_t launch(const char* launcher, const char* const* argv) {
  zx_handle_t proc = ZX_HANDLE_INVALID, job = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(zx_job_default(), ZX_RIGHT_SAME_RIGHTS, &job), ZX_OK);
  uint32_t info_job = PA_HND(PA_JOB_DEFAULT, 0);
  CHECK_EQ(zum_spawn(zx_job_default(), launcher, argv, &job, &info_job, 1, &proc), ZX_OK);
  if (proc == ZX_HANDLE_INVALID) return -1;
  CHECK_EQ(zx_object_wait_one(proc, ZX_PROCESS_TERMINATED, ZX_TIME_INFINITE, NULL), ZX_OK);
  zx_info_process_t info;
  memset(&info, 0, sizeof(info));
  info.return_code = -1;
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL), ZX_OK);
  zx_handle_close(proc);
  return info.return_code;
}

int main(void) {
  vdso_vmo = zx_take_startup_handle(PA_HND(PA_VMO_VDSO, 0));
  CHECK(vdso_vmo != ZX_HANDLE_INVALID);
  load_file();
  if (guest_failures) return GUEST_RESULT();
  check_intact("at start");
  check_hosted_mapping();
  check_intact("after the hosted attempts");

  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  self[n > 0 ? n : 0] = 0;
  char* slash = strrchr(self, '/');
  if (slash) *slash = 0;
  char launcher[PATH_MAX + 32], attacker[PATH_MAX + 32], calls[PATH_MAX + 32];
  snprintf(launcher, sizeof(launcher), "%s/../../zum-launch", self);
  snprintf(attacker, sizeof(attacker), "%s/../fuchsia/vdso.elf", self);
  snprintf(calls, sizeof(calls), "%s/../fuchsia/calls.elf", self);
  if (access(launcher, X_OK) != 0 || access(attacker, R_OK) != 0 || access(calls, R_OK) != 0) {
    fprintf(stderr, "vdso_seal: note: %s or the Fuchsia test programs are missing; not running "
                    "pure processes\n", launcher);
    return GUEST_RESULT();
  }
  const char* attack_argv[] = {"zum-launch", attacker, NULL};
  CHECK_EQ(launch(launcher, attack_argv), 0);
  check_intact("after a pure process tried");
  const char* calls_argv[] = {"zum-launch", calls, NULL};
  CHECK_EQ(launch(launcher, calls_argv), 0);
  free(file_img);
  return GUEST_RESULT();
}
