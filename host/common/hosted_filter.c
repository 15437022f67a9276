/* The hosted filter (host/common/hosted_filter.h). Kept apart from the supervisor's seccomp code
 * (host/sv/seccomp.c, which needs libseccomp) because libzum links it too. */
#include "host/common/hosted_filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zum/sysno.h>


/* A hand-written filter rather than libseccomp's generator: every Linux call a hosted program
 * makes runs it, and this one is six instructions (arch check, one range test). */
int host_seccomp_install_hosted_filter(void) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ZUM_SYSCALL_BASE, 0, 2),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ZUM_SYSCALL_BASE + ZUM_SYS_COUNT, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) return -errno;
  return (int)fd;
}
