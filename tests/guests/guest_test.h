/* A tiny test harness for guest programs: CHECK and CHECK_EQ report the failing line on stderr
 * and make the program exit with status 1. A guest passes when it returns 0. */
#ifndef ZUM_TESTS_GUEST_TEST_H_
#define ZUM_TESTS_GUEST_TEST_H_

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zircon/syscalls.h>

static int guest_failures;

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
      guest_failures++;                                                          \
    }                                                                            \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    int64_t va_ = (int64_t)(a), vb_ = (int64_t)(b);                                      \
    if (va_ != vb_) {                                                                    \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %" PRId64 " (%s), %s = %" PRId64    \
                      " (%s)\n",                                                         \
              __FILE__, __LINE__, #a, va_, zx_status_get_string((zx_status_t)va_), #b,   \
              vb_, zx_status_get_string((zx_status_t)vb_));                              \
      guest_failures++;                                                                  \
    }                                                                                    \
  } while (0)

#define GUEST_RESULT() (guest_failures ? 1 : 0)

/* The path of tests/helpers/<name>: under $ZUM_HELPERS (the test driver exports it), else next to
 * this program's directory (../helpers). The string lives until the next call. */
static inline const char* guest_helper_path(const char* name) {
  static char path[PATH_MAX + 64];
  const char* dir = getenv("ZUM_HELPERS");
  if (dir && *dir) {
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
  }
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  self[n > 0 ? n : 0] = 0;
  char* slash = strrchr(self, '/');
  if (slash) *slash = 0;
  snprintf(path, sizeof(path), "%s/../helpers/%s", self, name);
  return path;
}

#endif
