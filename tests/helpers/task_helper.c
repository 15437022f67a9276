/* A peer process for the task tests: it ends in the way argv[1] says.
 *
 *   exit N          exit(N) from libc
 *   zxexit N        zx_process_exit(N) (N may be negative)
 *   segv            dies of SIGSEGV (no core file)
 *   killself        zx_task_kill(zx_process_self())
 *   block           waits forever on the PA_USER0 startup handle (or a fresh event)
 *   signal-exit     signals ZX_USER_SIGNAL_0 to the peer of its PA_USER0 event pair, then exits 0
 *                   without closing anything
 *   threads N       starts N pthreads that make no Zircon call, signals the peer of PA_USER0
 *                   and blocks forever
 *   purecall        makes zum's private fault call, which only a pure process's stub may make
 *                   (an invalid system call for a hosted program: it must die of it)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zum/sysno.h>
#include <zum/trap.h>

static void* idle_thread(void* arg) {
  for (;;) pause();
  return NULL;
}

static int block_forever(zx_handle_t h) {
  if (h == ZX_HANDLE_INVALID && zx_event_create(0, &h) != ZX_OK) return 2;
  zx_signals_t observed = 0;
  zx_status_t s = zx_object_wait_one(h, ZX_USER_SIGNAL_7, ZX_TIME_INFINITE, &observed);
  return s == ZX_OK ? 0 : 3;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: task_helper MODE [N]\n");
    return 64;
  }
  const char* mode = argv[1];
  long n = argc > 2 ? strtol(argv[2], NULL, 0) : 0;
  if (strcmp(mode, "exit") == 0) exit((int)n);
  if (strcmp(mode, "zxexit") == 0) zx_process_exit(n);
  if (strcmp(mode, "segv") == 0) {
    /* A real fault: a store to an inaccessible page (not a NULL store, which sanitizer builds
     * would report instead of faulting), with the default action (sanitizers install their
     * own handler). */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    signal(SIGSEGV, SIG_DFL);
    volatile int* page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return 4;
    *page = 1;
    return 4;
  }
  if (strcmp(mode, "killself") == 0) {
    zx_task_kill(zx_process_self());
    for (;;) pause(); /* the kill is on its way */
  }
  if (strcmp(mode, "purecall") == 0) {
    zum_trap(ZUM_SYS_fault, SIGSEGV, 0, 0, 0, 0, 0);
    return 6;
  }
  if (strcmp(mode, "block") == 0) return block_forever(zx_take_startup_handle(PA_HND(PA_USER0, 0)));
  if (strcmp(mode, "signal-exit") == 0) {
    zx_handle_t peer = zx_take_startup_handle(PA_HND(PA_USER0, 0));
    if (zx_object_signal_peer(peer, 0, ZX_USER_SIGNAL_0) != ZX_OK) return 5;
    return 0; /* the handle stays open: process death must close it */
  }
  if (strcmp(mode, "threads") == 0) {
    for (long i = 0; i < n; i++) {
      pthread_t t;
      if (pthread_create(&t, NULL, idle_thread, NULL) != 0) return 6;
    }
    zx_handle_t peer = zx_take_startup_handle(PA_HND(PA_USER0, 0));
    if (zx_object_signal_peer(peer, 0, ZX_USER_SIGNAL_0) != ZX_OK) return 7;
    return block_forever(ZX_HANDLE_INVALID);
  }
  fprintf(stderr, "task_helper: unknown mode %s\n", mode);
  return 64;
}
