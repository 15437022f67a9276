# Per-job limits on what guests make the supervisor hold, and the work deadline (kobj/quota.h,
# kobj/workq.h): unit tests, and a guest run under small limits.

check_PROGRAMS += tests/unit/test_quota
tests_unit_test_quota_SOURCES = tests/unit/test_quota.c $(unit_common)
tests_unit_test_quota_CFLAGS = $(unit_cflags)
tests_unit_test_quota_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_quota

check_PROGRAMS += tests/helpers/limits
tests_helpers_limits_SOURCES = tests/helpers/limits.c tests/guests/guest_test.h
tests_helpers_limits_CFLAGS = $(guest_cflags) -pthread
tests_helpers_limits_LDADD = $(guest_ldadd) -lpthread
tests_helpers_limits_LDFLAGS = $(guest_ldflags) -pthread

TESTS += tests/limits.sh
EXTRA_DIST += tests/limits.sh
