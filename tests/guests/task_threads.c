/* Threads of a hosted program: zx_thread_self in pthreads, thread records, thread termination. */

#include <pthread.h>
#include <sched.h>
#include <zircon/process.h>

#include "task_util.h"

#define NTHREADS 4

struct worker {
  pthread_t pt;
  zx_handle_t self;      /* its zx_thread_self(), read by main once the thread started */
  zx_handle_t go;        /* an event it waits on before exiting */
  zx_handle_t started;   /* an event it signals once self is set */
  cpu_set_t affinity;
};

static void* worker_main(void* arg) {
  struct worker* w = arg;
  w->self = zx_thread_self();
  /* zx_thread_self is stable within a thread. */
  if (zx_thread_self() != w->self) w->self = ZX_HANDLE_INVALID;
  CPU_ZERO(&w->affinity);
  sched_getaffinity(0, sizeof(w->affinity), &w->affinity);
  zx_object_signal(w->started, 0, ZX_EVENT_SIGNALED);
  zx_signals_t obs;
  zx_object_wait_one(w->go, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &obs);
  return NULL;
}

int main(int argc, char** argv) {
  zx_handle_t proc = zx_process_self();
  zx_koid_t pkoid = koid_of(proc);
  zx_handle_t main_thread = zx_thread_self();
  CHECK(main_thread != ZX_HANDLE_INVALID);
  CHECK_EQ(basic_info(main_thread).related_koid, pkoid);
  CHECK_EQ(thread_info(main_thread).state, ZX_THREAD_STATE_RUNNING);

  struct worker w[NTHREADS];
  for (int i = 0; i < NTHREADS; i++) {
    memset(&w[i], 0, sizeof(w[i]));
    CHECK_EQ(zx_event_create(0, &w[i].go), ZX_OK);
    CHECK_EQ(zx_event_create(0, &w[i].started), ZX_OK);
    CHECK_EQ(pthread_create(&w[i].pt, NULL, worker_main, &w[i]), 0);
  }
  for (int i = 0; i < NTHREADS; i++) wait_for(w[i].started, ZX_EVENT_SIGNALED);

  /* Each thread is its own Zircon thread of this process. */
  zx_koid_t koids[NTHREADS + 1];
  koids[0] = koid_of(main_thread);
  for (int i = 0; i < NTHREADS; i++) {
    CHECK(w[i].self != ZX_HANDLE_INVALID);
    zx_info_handle_basic_t b = basic_info(w[i].self);
    CHECK_EQ(b.type, ZX_OBJ_TYPE_THREAD);
    CHECK_EQ(b.related_koid, pkoid);
    CHECK_EQ(b.rights, ZX_DEFAULT_THREAD_RIGHTS);
    koids[i + 1] = b.koid;
    for (int k = 0; k <= i; k++) CHECK(koids[k] != b.koid);
  }

  /* Blocked in a wait; the allowed CPUs are Linux's; stats exist. */
  for (int i = 0; i < NTHREADS; i++) {
    CHECK(await_thread_state(w[i].self, ZX_THREAD_STATE_BLOCKED_WAIT_ONE));
    zx_info_thread_t ti = thread_info(w[i].self);
    CHECK_EQ(ti.wait_exception_channel_type, ZX_EXCEPTION_CHANNEL_TYPE_NONE);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu < ZX_CPU_SET_MAX_CPUS; cpu++) {
      bool zx = (ti.cpu_affinity_mask.mask[cpu / 64] >> (cpu % 64)) & 1;
      if (zx != (bool)CPU_ISSET(cpu, &w[i].affinity)) {
        CHECK(!"cpu_affinity_mask differs from sched_getaffinity");
        break;
      }
    }
    zx_info_thread_stats_t st;
    CHECK_EQ(zx_object_get_info(w[i].self, ZX_INFO_THREAD_STATS, &st, sizeof(st), NULL, NULL),
             ZX_OK);
    CHECK(st.last_scheduled_cpu < (uint32_t)CPU_SETSIZE);
  }
  zx_info_thread_stats_t mst;
  volatile uint64_t spin = 0;
  for (int i = 0; i < 1000000; i++) spin += (uint64_t)i;
  CHECK_EQ(zx_object_get_info(main_thread, ZX_INFO_THREAD_STATS, &mst, sizeof(mst), NULL, NULL),
           ZX_OK);
  CHECK(mst.total_runtime > 0);

  /* The process lists them all, and each can be found by koid. */
  zx_koid_t listed[16];
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_THREADS, listed, sizeof(listed), &actual,
                              &avail),
           ZX_OK);
  CHECK_EQ(avail, NTHREADS + 1);
  for (int i = 0; i <= NTHREADS; i++) {
    bool found = false;
    for (size_t k = 0; k < actual; k++) found |= listed[k] == koids[i];
    CHECK(found);
    zx_handle_t t = ZX_HANDLE_INVALID;
    CHECK_EQ(zx_object_get_child(proc, koids[i], ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT, &t), ZX_OK);
    CHECK_EQ(koid_of(t), koids[i]);
    zx_handle_close(t);
  }

  /* Threads can be named. */
  CHECK_EQ(zx_object_set_property(w[0].self, ZX_PROP_NAME, "worker-0", 8), ZX_OK);
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(w[0].self, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK(strcmp(name, "worker-0") == 0);

  /* A pthread that ends is a terminated Zircon thread. */
  for (int i = 0; i < NTHREADS; i++) {
    CHECK_EQ(zx_object_signal(w[i].go, 0, ZX_EVENT_SIGNALED), ZX_OK);
    CHECK_EQ(pthread_join(w[i].pt, NULL), 0);
    zx_signals_t obs = wait_for(w[i].self, ZX_THREAD_TERMINATED);
    CHECK_EQ(obs & ZX_THREAD_RUNNING, 0);
    zx_info_thread_t ti = thread_info(w[i].self);
    CHECK_EQ(ti.state, ZX_THREAD_STATE_DEAD);
    CHECK_EQ(ti.cpu_affinity_mask.mask[0], 0);
    zx_info_thread_stats_t st;
    CHECK_EQ(zx_object_get_info(w[i].self, ZX_INFO_THREAD_STATS, &st, sizeof(st), NULL, NULL),
             ZX_ERR_BAD_STATE);
    zx_handle_t t = ZX_HANDLE_INVALID;
    CHECK_EQ(zx_object_get_child(proc, koids[i + 1], ZX_RIGHT_SAME_RIGHTS, &t), ZX_ERR_NOT_FOUND);
    zx_handle_close(w[i].self);
    zx_handle_close(w[i].go);
    zx_handle_close(w[i].started);
  }
  CHECK_EQ(zx_object_get_info(proc, ZX_INFO_PROCESS_THREADS, listed, sizeof(listed), &actual,
                              &avail),
           ZX_OK);
  CHECK_EQ(avail, 1);
  CHECK_EQ(listed[0], koids[0]);
  return GUEST_RESULT();
}
