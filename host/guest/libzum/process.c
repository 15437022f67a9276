/* <zircon/process.h> for hosted programs: the handles the process started with. */
#include <pthread.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zum/sysno.h>

#include "host/guest/libzum/runtime.h"

static pthread_mutex_t startup_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread zx_handle_t thread_self;

zx_handle_t _zx_process_self(void) { return zum_hosted_info.process_self; }
zx_handle_t zx_process_self(void) __attribute__((weak, alias("_zx_process_self")));

zx_handle_t _zx_vmar_root_self(void) { return zum_hosted_info.vmar_root_self; }
zx_handle_t zx_vmar_root_self(void) __attribute__((weak, alias("_zx_vmar_root_self")));

zx_handle_t _zx_job_default(void) { return zum_hosted_info.job_default; }
zx_handle_t zx_job_default(void) __attribute__((weak, alias("_zx_job_default")));

/* The main thread's handle came with the start-up state; other threads ask once. */
zx_handle_t _zx_thread_self(void) {
  if (thread_self) return thread_self;
  if (gettid() == getpid() && zum_hosted_info.thread_self) {
    thread_self = zum_hosted_info.thread_self;
  } else {
    zx_handle_t h = ZX_HANDLE_INVALID;
    if (zum_hosted_call(ZUM_SYS_thread_self, (uint64_t)(uintptr_t)&h, 0, 0) == ZX_OK)
      thread_self = h;
  }
  return thread_self;
}
zx_handle_t zx_thread_self(void) __attribute__((weak, alias("_zx_thread_self")));

zx_handle_t zx_take_startup_handle(uint32_t hnd_info) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  pthread_mutex_lock(&startup_lock);
  for (uint32_t i = 0; i < zum_hosted_info.num_startup; i++) {
    if (zum_hosted_info.startup_info[i] == hnd_info && zum_hosted_info.startup_handles[i]) {
      h = zum_hosted_info.startup_handles[i];
      zum_hosted_info.startup_handles[i] = ZX_HANDLE_INVALID;
      break;
    }
  }
  pthread_mutex_unlock(&startup_lock);
  return h;
}
