/* Bare mode: a hosted program run without `zum` (`./t`, `gdb ./t`) starts its own supervisor.
 * A child of the program execs the zum executable in its internal mode
 *   zum-supervisor --serve-bare=SOCK,GUEST
 * (launcher/main.c); the program installs the filter, hands the listener over SOCK and carries
 * on as the guest, so gdb keeps debugging the original process. libzum itself carries no
 * supervisor code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host/guest/libzum/runtime.h"
#include "host/common/fdpass.h"
#include "host/common/hosted_filter.h"

/* In the forked child. The parent-death signal is set before exec (it survives exec) and
 * getppid() is checked after it, so the supervisor cannot outlive a program that died in
 * between. Only `sock` crosses the exec: no fd of the program leaks into the supervisor. */
static __attribute__((noreturn)) void exec_supervisor(const char* zum, const char* arg, int sock,
                                                      pid_t guest) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != guest) _exit(0);
  host_cloexec_from(3);
  if (fcntl(sock, F_SETFD, 0) != 0) _exit(127);
  char* const argv[] = {(char*)"zum-supervisor", (char*)arg, NULL};
  execv(zum, argv);
  dprintf(2, "zum: cannot start the supervisor %s: %s\n", zum, strerror(errno));
  _exit(127);
}

void zum_hosted_start_supervisor(void) {
  char zum[4096];
  zum_hosted_supervisor_path(zum, sizeof(zum));
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    zum_hosted_die("socketpair", errno);
  pid_t guest = getpid();
  char arg[64];
  snprintf(arg, sizeof(arg), "--serve-bare=%d,%d", sv[1], (int)guest);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) zum_hosted_die("fork", errno);
  if (pid == 0) exec_supervisor(zum, arg, sv[1], guest);
  close(sv[1]);
  /* Let the supervisor read this process's memory where Yama restricts ptrace to ancestors. */
  prctl(PR_SET_PTRACER, pid);
  int listener = host_seccomp_install_hosted_filter();
  if (listener < 0) zum_hosted_die("cannot install zum's seccomp filter", -listener);
  int r = host_send_fd(sv[0], listener);
  if (r != 0) zum_hosted_die("cannot reach the supervisor", -r);
  close(listener);
  close(sv[0]);
}
