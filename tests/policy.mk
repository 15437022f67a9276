# Tests of job policies: unit tests, guests and helper.

check_PROGRAMS += tests/unit/test_policy
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c $(unit_common)
tests_unit_test_policy_CFLAGS = $(unit_cflags)
tests_unit_test_policy_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_policy

# Guests (run by tests/run-guests.sh under `zum run` and bare). They start
# $ZUM_HELPERS/policy_helper with zum_spawn.
check_PROGRAMS += tests/guests/policy
tests_guests_policy_SOURCES = tests/guests/policy.c tests/guests/guest_test.h
tests_guests_policy_CFLAGS = $(guest_cflags)
tests_guests_policy_LDADD = $(guest_ldadd)
tests_guests_policy_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/helpers/policy_helper
tests_helpers_policy_helper_SOURCES = tests/helpers/policy_helper.c
tests_helpers_policy_helper_CFLAGS = $(guest_cflags)
tests_helpers_policy_helper_LDADD = $(guest_ldadd)
tests_helpers_policy_helper_LDFLAGS = $(guest_ldflags)
