/* Helpers shared by the task guests: finding and starting tests/helpers/task_helper, and
 * reading task records. */
#ifndef ZUM_TESTS_GUESTS_TASK_UTIL_H_
#define ZUM_TESTS_GUESTS_TASK_UTIL_H_

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/processargs.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>
#include <zum/zum.h>

#include "guest_test.h"

/* tests/helpers/task_helper: $ZUM_HELPERS, else next to this program's directory. */
static inline const char* task_helper_path(void) { return guest_helper_path("task_helper"); }

/* Starts task_helper MODE [ARG] in `job`, passing `handle` (if any) as PA_USER0. */
static inline zx_handle_t start_helper(zx_handle_t job, const char* mode, const char* arg,
                                zx_handle_t handle) {
  const char* argv[] = {"task_helper", mode, arg, NULL};
  uint32_t info = PA_HND(PA_USER0, 0);
  zx_handle_t proc = ZX_HANDLE_INVALID;
  zx_status_t s = zum_spawn(job, task_helper_path(), argv, &handle, &info,
                            handle != ZX_HANDLE_INVALID ? 1 : 0, &proc);
  if (s != ZX_OK) {
    fprintf(stderr, "zum_spawn(%s %s): %s\n", mode, arg ? arg : "", zx_status_get_string(s));
    return ZX_HANDLE_INVALID;
  }
  return proc;
}

static inline zx_info_handle_basic_t basic_info(zx_handle_t h) {
  zx_info_handle_basic_t info;
  memset(&info, 0, sizeof(info));
  zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL);
  return info;
}

static inline zx_koid_t koid_of(zx_handle_t h) { return basic_info(h).koid; }

static inline zx_info_process_t process_info(zx_handle_t h) {
  zx_info_process_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_PROCESS, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

static inline zx_info_thread_t thread_info(zx_handle_t h) {
  zx_info_thread_t info;
  memset(&info, 0, sizeof(info));
  CHECK_EQ(zx_object_get_info(h, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL), ZX_OK);
  return info;
}

/* Waits (without a deadline: the driver's timeout bounds it) for `signals` on h. */
static inline zx_signals_t wait_for(zx_handle_t h, zx_signals_t signals) {
  zx_signals_t observed = 0;
  CHECK_EQ(zx_object_wait_one(h, signals, ZX_TIME_INFINITE, &observed), ZX_OK);
  return observed;
}

/* Waits for a helper to end and returns its return code. */
static inline int64_t helper_result(zx_handle_t proc) {
  wait_for(proc, ZX_PROCESS_TERMINATED);
  zx_info_process_t info = process_info(proc);
  CHECK_EQ(info.flags, ZX_INFO_PROCESS_FLAG_STARTED | ZX_INFO_PROCESS_FLAG_EXITED);
  return info.return_code;
}

/* Polls (1 ms apart, for up to ~30 s) until thread `t` reports `state`; false if it never does. */
static inline bool await_thread_state(zx_handle_t t, zx_thread_state_t state) {
  for (int i = 0; i < 30000; i++) {
    zx_info_thread_t info;
    if (zx_object_get_info(t, ZX_INFO_THREAD, &info, sizeof(info), NULL, NULL) == ZX_OK &&
        info.state == state)
      return true;
    zx_nanosleep(zx_deadline_after(ZX_MSEC(1)));
  }
  return false;
}

/* The first thread of process p, as a handle (p needs ENUMERATE). */
static inline zx_handle_t first_thread_of(zx_handle_t p) {
  zx_koid_t koids[8];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(p, ZX_INFO_PROCESS_THREADS, koids, sizeof(koids), &actual, &avail),
           ZX_OK);
  if (actual == 0) return ZX_HANDLE_INVALID;
  zx_handle_t t = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_object_get_child(p, koids[0], ZX_RIGHT_SAME_RIGHTS, &t), ZX_OK);
  return t;
}

#endif
