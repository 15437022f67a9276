/* A peer process for the job-policy guest (tests/guests/policy.c). It runs in a job with some
 * policy, tries what argv[1] says and reports the status it got as its return code
 * (zx_process_exit), unless the policy killed it first.
 *
 *   event         zx_event_create
 *   channel       zx_channel_create
 *   port          zx_port_create
 *   vmex          zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID): its status if the VMO
 *                 handle was consumed, 99 if it was not
 *   process       zx_process_create and zum_spawn into the PA_JOB_DEFAULT job: the status if
 *                 both gave the same one, 98 if not
 *   badhandle     zx_handle_close(ZX_HANDLE_INVALID) and zx_handle_check_valid(bad) (neither
 *                 may trip the bad-handle policy), signals ZX_USER_SIGNAL_0 to the peer of its
 *                 PA_USER0 event pair, then closes a bad handle: 0 if it survives
 *   block         sleeps forever
 *   wait-exit N   waits for ZX_USER_SIGNAL_0 on its PA_USER0 event pair, then exits with N
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zum/zum.h>

static zx_status_t try_vmex(void) {
  zx_handle_t v = ZX_HANDLE_INVALID, x = ZX_HANDLE_INVALID;
  zx_status_t s = zx_vmo_create(4096, 0, &v);
  if (s != ZX_OK) return s;
  s = zx_vmo_replace_as_executable(v, ZX_HANDLE_INVALID, &x);
  if (zx_handle_close(v) != ZX_ERR_BAD_HANDLE) return 99; /* the original must be gone */
  if (s == ZX_OK) zx_handle_close(x);
  return s;
}

static zx_status_t try_process(void) {
  zx_handle_t job = zx_job_default(), proc = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  zx_status_t s1 = zx_process_create(job, "child", 5, 0, &proc, &vmar);
  if (s1 == ZX_OK) {
    zx_task_kill(proc);
    zx_handle_close(proc);
    zx_handle_close(vmar);
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  self[n > 0 ? n : 0] = 0;
  const char* argv[] = {"policy_helper", "block", NULL};
  zx_status_t s2 = zum_spawn(job, self, argv, NULL, NULL, 0, &proc);
  if (s2 == ZX_OK) {
    zx_task_kill(proc);
    zx_handle_close(proc);
  }
  return s1 == s2 ? s1 : 98;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: policy_helper MODE [N]\n");
    return 64;
  }
  const char* mode = argv[1];
  zx_handle_t h = ZX_HANDLE_INVALID, h2 = ZX_HANDLE_INVALID;
  if (strcmp(mode, "event") == 0) zx_process_exit(zx_event_create(0, &h));
  if (strcmp(mode, "channel") == 0) zx_process_exit(zx_channel_create(0, &h, &h2));
  if (strcmp(mode, "port") == 0) zx_process_exit(zx_port_create(0, &h));
  if (strcmp(mode, "vmex") == 0) zx_process_exit(try_vmex());
  if (strcmp(mode, "process") == 0) zx_process_exit(try_process());
  if (strcmp(mode, "badhandle") == 0) {
    zx_handle_t peer = zx_take_startup_handle(PA_HND(PA_USER0, 0));
    if (zx_handle_close(ZX_HANDLE_INVALID) != ZX_OK) return 2;
    if (zx_handle_check_valid(peer ^ 0x100000u) == ZX_OK) return 3;
    if (zx_object_signal_peer(peer, 0, ZX_USER_SIGNAL_0) != ZX_OK) return 4;
    zx_handle_close(peer ^ 0x100000u);
    return 0;
  }
  if (strcmp(mode, "block") == 0) {
    zx_nanosleep(ZX_TIME_INFINITE);
    return 5;
  }
  if (strcmp(mode, "wait-exit") == 0) {
    zx_handle_t peer = zx_take_startup_handle(PA_HND(PA_USER0, 0));
    zx_signals_t observed = 0;
    if (zx_object_wait_one(peer, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE, &observed) != ZX_OK) return 6;
    zx_process_exit(argc > 2 ? strtol(argv[2], NULL, 0) : 0);
  }
  fprintf(stderr, "policy_helper: unknown mode %s\n", mode);
  return 64;
}
