#include "host/sv/platform.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "host/sv/guest.h"

int host_platform_read(void* host, uint64_t a, void* b, size_t n) {
  return host_guest_read(host, a, b, n);
}
int host_platform_write(void* host, uint64_t a, const void* b, size_t n) {
  return host_guest_write(host, a, b, n);
}
void host_platform_kill(void* host) { host_guest_kill(host); }
int host_platform_mem_stats(void* host, uint64_t* m, uint64_t* p, uint64_t* s) {
  return host_guest_mem_stats(host, m, p, s);
}

void host_platform_thread_sched(void* host, pid_t tid, bool set_nice, int nice,
                                const uint64_t* mask, size_t mask_words) {
  struct host_guest* g = host;
  /* Only a thread of this very process: a tid whose thread is gone may name another by now. */
  char path[96];
  snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)g->pid, (int)tid);
  if (tid <= 0 || access(path, F_OK) != 0) return;
  /* Raising a nice value is open to the thread's owner; lowering it needs CAP_SYS_NICE (or
   * RLIMIT_NICE): without them Linux says EACCES and the thread keeps its nice value. */
  if (set_nice) (void)setpriority(PRIO_PROCESS, (id_t)tid, nice);
  if (mask) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (size_t i = 0; i < mask_words * 64 && i < CPU_SETSIZE; i++)
      if (mask[i / 64] & (1ull << (i % 64))) CPU_SET(i, &set);
    /* CPUs the host lacks are ignored by Linux; a mask of none of its CPUs is refused. */
    if (CPU_COUNT(&set) > 0) (void)sched_setaffinity(tid, sizeof(set), &set);
  }
}

int host_platform_thread_info(void* host, pid_t tid, struct platform_thread_info* out) {
  struct host_guest* g = host;
  char path[96];
  snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)g->pid, (int)tid);
  FILE* f = fopen(path, "re");
  if (!f) return -1;
  long long run = 0;
  int n = fscanf(f, "%lld", &run);
  fclose(f);
  if (n != 1) return -1;
  out->runtime_ns = run;
  /* The CPU it last ran on is field 39 of stat, counted after the ")" that ends the name. */
  snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)g->pid, (int)tid);
  f = fopen(path, "re");
  if (!f) return -1;
  char buf[1024];
  size_t len = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[len] = 0;
  char* q = strrchr(buf, ')');
  for (int field = 2; q && field < 39; field++) q = strchr(q + 1, ' ');
  out->last_cpu = q ? (uint32_t)strtoul(q + 1, NULL, 10) : 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof(set), &set) != 0) return -1;
  for (unsigned i = 0; i < CPU_SETSIZE && i < 64 * 8; i++)
    if (CPU_ISSET(i, &set)) out->cpu_mask[i / 64] |= 1ull << (i % 64);
  return 0;
}

void host_platform_debug_write(const char* buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(STDERR_FILENO, buf, len);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    buf += n;
    len -= (size_t)n;
  }
}

void host_platform_report_fault(const char* proc_name, zx_koid_t proc, zx_koid_t thread,
                                uint32_t signo, uint32_t code, uint64_t addr, uint64_t pc) {
  if (signo == 0)
    fprintf(stderr, "zum: process %s (koid %llu) thread %llu: policy exception: zum call 0x%x is "
                    "not available to this kind of process (ZX_EXCP_POLICY_CODE_BAD_SYSCALL)\n",
            proc_name, (unsigned long long)proc, (unsigned long long)thread, code);
  else if (signo == SIGSYS)
    fprintf(stderr, "zum: process %s (koid %llu) thread %llu: policy exception: system call %u "
                    "made outside the vDSO at pc 0x%llx (ZX_EXCP_POLICY_CODE_BAD_SYSCALL)\n",
            proc_name, (unsigned long long)proc, (unsigned long long)thread, code,
            (unsigned long long)pc);
  else
    fprintf(stderr, "zum: process %s (koid %llu) thread %llu: unhandled exception: %s at pc 0x%llx"
                    " (address 0x%llx)\n",
            proc_name, (unsigned long long)proc, (unsigned long long)thread,
            strsignal((int)signo), (unsigned long long)pc, (unsigned long long)addr);
}
