# Tests of shared processes (ZX_PROCESS_SHARED, zx_process_create_shared): a shared region kept
# identical across several Linux processes.

# Guest: code running in several members of a group (run by tests/run-guests.sh under `zum run`
# and bare).
check_PROGRAMS += tests/guests/shared
tests_guests_shared_SOURCES = tests/guests/shared.c tests/guests/guest_test.h
tests_guests_shared_CFLAGS = $(guest_cflags)
tests_guests_shared_LDADD = $(guest_ldadd)
tests_guests_shared_LDFLAGS = $(guest_ldflags)

# Unit tests: create_shared's checks, layouts, the shared table, fan-out per member, replication.
check_PROGRAMS += tests/unit/test_shared
tests_unit_test_shared_SOURCES = tests/unit/test_shared.c $(unit_common)
tests_unit_test_shared_CFLAGS = $(unit_cflags)
tests_unit_test_shared_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_shared
