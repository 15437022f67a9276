/* object_get_info and properties on a hosted program's own objects, through the real trap. */
#include <zircon/process.h>

#include "task_util.h"

static void test_handle_topics(void) {
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL), ZX_OK);
  CHECK_EQ(zx_object_get_info(e ^ 0x100, ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL),
           ZX_ERR_BAD_HANDLE);
  zx_info_handle_basic_t b;
  size_t actual = 0, avail = 0;
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), &actual, &avail), ZX_OK);
  CHECK_EQ(actual, 1);
  CHECK_EQ(avail, 1);
  CHECK(b.koid >= ZX_KOID_FIRST);
  CHECK_EQ(b.type, ZX_OBJ_TYPE_EVENT);
  CHECK_EQ(b.rights, ZX_DEFAULT_EVENT_RIGHTS);
  CHECK_EQ(b.related_koid, 0);
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, &b, sizeof(b) - 1, &actual, &avail),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(actual, 0);
  CHECK_EQ(avail, 1);
  /* Bad pointers. */
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, (void*)8, sizeof(b), NULL, NULL),
           ZX_ERR_INVALID_ARGS);
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), (size_t*)8, NULL),
           ZX_ERR_INVALID_ARGS);
  static const size_t ro = 0;
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_BASIC, &b, sizeof(b), NULL, (size_t*)&ro),
           ZX_ERR_INVALID_ARGS);
  /* Handle count. */
  zx_handle_t d = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_handle_duplicate(e, ZX_RIGHT_SAME_RIGHTS, &d), ZX_OK);
  zx_info_handle_count_t hc;
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_HANDLE_COUNT, &hc, sizeof(hc), NULL, NULL), ZX_OK);
  CHECK_EQ(hc.handle_count, 2);
  zx_handle_close(d);
  /* Timers. */
  zx_handle_t t = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_timer_create(ZX_TIMER_SLACK_EARLY, ZX_CLOCK_MONOTONIC, &t), ZX_OK);
  zx_time_t deadline = zx_deadline_after(ZX_SEC(3600));
  CHECK_EQ(zx_timer_set(t, deadline, ZX_MSEC(1)), ZX_OK);
  zx_info_timer_t ti;
  CHECK_EQ(zx_object_get_info(t, ZX_INFO_TIMER, &ti, sizeof(ti), NULL, NULL), ZX_OK);
  CHECK_EQ(ti.options, ZX_TIMER_SLACK_EARLY);
  CHECK_EQ(ti.deadline, deadline);
  CHECK_EQ(ti.slack, ZX_MSEC(1));
  CHECK_EQ(zx_object_get_info(e, ZX_INFO_TIMER, &ti, sizeof(ti), NULL, NULL), ZX_ERR_WRONG_TYPE);
  zx_handle_close(t);
  /* Unknown topic. */
  CHECK_EQ(zx_object_get_info(e, 0xdead, &b, sizeof(b), NULL, NULL), ZX_ERR_NOT_SUPPORTED);
  zx_handle_close(e);
}

static void test_self_topics(void) {
  zx_handle_t self = zx_process_self();
  zx_info_process_t pi = process_info(self);
  CHECK_EQ(pi.flags, ZX_INFO_PROCESS_FLAG_STARTED);
  CHECK_EQ(pi.return_code, 0);
  CHECK(pi.start_time > 0 && pi.start_time <= zx_clock_get_monotonic());
  zx_info_handle_basic_t b = basic_info(self);
  CHECK_EQ(b.type, ZX_OBJ_TYPE_PROCESS);
  CHECK_EQ(b.rights, ZX_DEFAULT_PROCESS_RIGHTS);
  CHECK_EQ(b.related_koid, koid_of(zx_job_default()));
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_THREAD, NULL, 0, NULL, NULL), ZX_ERR_WRONG_TYPE);

  zx_info_task_stats_t ts;
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_TASK_STATS, &ts, sizeof(ts), NULL, NULL), ZX_OK);
  CHECK(ts.mem_mapped_bytes >= ts.mem_private_bytes);
  CHECK(ts.mem_private_bytes > 0);

  zx_info_process_handle_stats_t hs;
  CHECK_EQ(zx_object_get_info(self, ZX_INFO_PROCESS_HANDLE_STATS, &hs, sizeof(hs), NULL, NULL),
           ZX_OK);
  CHECK(hs.handle_count[ZX_OBJ_TYPE_PROCESS] >= 1);
  CHECK(hs.handle_count[ZX_OBJ_TYPE_JOB] >= 1);
  CHECK(hs.handle_count[ZX_OBJ_TYPE_VMAR] >= 1);

  zx_info_vmar_t vi;
  CHECK_EQ(zx_object_get_info(zx_vmar_root_self(), ZX_INFO_VMAR, &vi, sizeof(vi), NULL, NULL),
           ZX_OK);
  CHECK(vi.base != 0 && vi.len != 0);
  CHECK((vi.base & 4095) == 0 && (vi.len & 4095) == 0);

  zx_info_job_t ji;
  CHECK_EQ(zx_object_get_info(zx_job_default(), ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL), ZX_OK);
  CHECK(!ji.exited);
  size_t actual = 0, avail = 0;
  zx_koid_t koids[4];
  CHECK_EQ(zx_object_get_info(zx_job_default(), ZX_INFO_JOB_PROCESSES, koids, sizeof(koids),
                              &actual, &avail),
           ZX_OK);
  CHECK(actual >= 1);
  bool found = false;
  for (size_t i = 0; i < actual; i++) found |= koids[i] == b.koid;
  CHECK(found);
}

static void test_properties(const char* prog) {
  zx_handle_t self = zx_process_self();
  char name[ZX_MAX_NAME_LEN];
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  /* The program's name (bare runs see Linux's comm, cut to 15 characters). */
  const char* base = strrchr(prog, '/');
  base = base ? base + 1 : prog;
  CHECK(strncmp(name, base, 15) == 0);
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_NAME, name, sizeof(name) - 1),
           ZX_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(zx_object_set_property(self, ZX_PROP_NAME, "a-rather-long-process-name-0123456789",
                                  37),
           ZX_OK);
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_NAME, name, sizeof(name)), ZX_OK);
  CHECK(strcmp(name, "a-rather-long-process-name-0123") == 0);
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_NAME, NULL, sizeof(name)), ZX_ERR_INVALID_ARGS);

  uintptr_t v = 0x1234000;
  CHECK_EQ(zx_object_set_property(self, ZX_PROP_PROCESS_DEBUG_ADDR, &v, sizeof(v)), ZX_OK);
  v = 0;
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_PROCESS_DEBUG_ADDR, &v, sizeof(v)), ZX_OK);
  CHECK_EQ(v, 0x1234000);
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_PROCESS_VDSO_BASE_ADDRESS, &v, sizeof(v)), ZX_OK);
  CHECK_EQ(v, 0);
  CHECK_EQ(zx_object_get_property(self, 12345, &v, sizeof(v)), ZX_ERR_NOT_SUPPORTED);

  /* FS/GS: Zircon's checks, then NOT_SUPPORTED for hosted threads. */
  CHECK_EQ(zx_object_get_property(zx_thread_self(), ZX_PROP_REGISTER_FS, &v, sizeof(v)),
           ZX_ERR_NOT_SUPPORTED);
  CHECK_EQ(zx_object_get_property(self, ZX_PROP_REGISTER_FS, &v, sizeof(v)), ZX_ERR_WRONG_TYPE);
  v = 1ull << 60;
  CHECK_EQ(zx_object_set_property(zx_thread_self(), ZX_PROP_REGISTER_GS, &v, sizeof(v)),
           ZX_ERR_INVALID_ARGS);

  /* Events have no name. */
  zx_handle_t e = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_event_create(0, &e), ZX_OK);
  CHECK_EQ(zx_object_get_property(e, ZX_PROP_NAME, name, sizeof(name)), ZX_ERR_ACCESS_DENIED);
  zx_handle_close(e);

  /* A job's kill_on_oom shows in its record. */
  zx_handle_t j = ZX_HANDLE_INVALID;
  CHECK_EQ(zx_job_create(zx_job_default(), 0, &j), ZX_OK);
  size_t one = 1;
  CHECK_EQ(zx_object_set_property(j, ZX_PROP_JOB_KILL_ON_OOM, &one, sizeof(one)), ZX_OK);
  zx_info_job_t ji;
  CHECK_EQ(zx_object_get_info(j, ZX_INFO_JOB, &ji, sizeof(ji), NULL, NULL), ZX_OK);
  CHECK(ji.kill_on_oom);
  zx_handle_close(j);
}

int main(int argc, char** argv) {
  test_handle_topics();
  test_self_topics();
  test_properties(argv[0]);
  return GUEST_RESULT();
}
