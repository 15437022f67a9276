/* A tiny test harness for guest programs: CHECK and CHECK_EQ report the failing line on stderr
 * and make the program exit with status 1. A guest passes when it returns 0. */
#ifndef ZUM_TESTS_GUEST_TEST_H_
#define ZUM_TESTS_GUEST_TEST_H_

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

#endif
