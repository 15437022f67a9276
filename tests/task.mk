# Tests of the task objects: unit tests and guests.

check_PROGRAMS += tests/unit/test_info
tests_unit_test_info_SOURCES = tests/unit/test_info.c $(unit_common)
tests_unit_test_info_CFLAGS = $(unit_cflags)
tests_unit_test_info_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_info

check_PROGRAMS += tests/unit/test_task
tests_unit_test_task_SOURCES = tests/unit/test_task.c $(unit_common)
tests_unit_test_task_CFLAGS = $(unit_cflags)
tests_unit_test_task_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_task

# Guests (run by tests/run-guests.sh under `zum run` and bare). They start
# $ZUM_HELPERS/task_helper with zum_spawn.
task_guest_headers = tests/guests/guest_test.h tests/guests/task_util.h

check_PROGRAMS += tests/guests/task_lifecycle
tests_guests_task_lifecycle_SOURCES = tests/guests/task_lifecycle.c $(task_guest_headers)
tests_guests_task_lifecycle_CFLAGS = $(guest_cflags)
tests_guests_task_lifecycle_LDADD = $(guest_ldadd)
tests_guests_task_lifecycle_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/guests/task_threads
tests_guests_task_threads_SOURCES = tests/guests/task_threads.c $(task_guest_headers)
tests_guests_task_threads_CFLAGS = $(guest_cflags) -pthread
tests_guests_task_threads_LDADD = $(guest_ldadd) -lpthread
tests_guests_task_threads_LDFLAGS = $(guest_ldflags) -pthread

check_PROGRAMS += tests/guests/task_errors
tests_guests_task_errors_SOURCES = tests/guests/task_errors.c $(task_guest_headers)
tests_guests_task_errors_CFLAGS = $(guest_cflags)
tests_guests_task_errors_LDADD = $(guest_ldadd)
tests_guests_task_errors_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/guests/info_basic
tests_guests_info_basic_SOURCES = tests/guests/info_basic.c $(task_guest_headers)
tests_guests_info_basic_CFLAGS = $(guest_cflags)
tests_guests_info_basic_LDADD = $(guest_ldadd)
tests_guests_info_basic_LDFLAGS = $(guest_ldflags)

# The peer process of the task guests and of tests/exit-codes.sh.
check_PROGRAMS += tests/helpers/task_helper
tests_helpers_task_helper_SOURCES = tests/helpers/task_helper.c
tests_helpers_task_helper_CFLAGS = $(guest_cflags) -pthread
tests_helpers_task_helper_LDADD = $(guest_ldadd) -lpthread
tests_helpers_task_helper_LDFLAGS = $(guest_ldflags) -pthread

# `zum run`'s exit status is the first process's return code.
TESTS += tests/exit-codes.sh
EXTRA_DIST += tests/exit-codes.sh

