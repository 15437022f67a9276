# Tests of futexes (kobj/futex.c, kobj/sys_futex.c): the table and the calls against the fake
# platform; tests/fuchsia/futex.c (threads of a pure process) and tests/guests/shared.c
# (members of a shared group) run them for real.
check_PROGRAMS += tests/unit/test_futex
tests_unit_test_futex_SOURCES = tests/unit/test_futex.c $(unit_common)
tests_unit_test_futex_CFLAGS = $(unit_cflags)
tests_unit_test_futex_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_futex
