# Tests of futexes (kobj/futex.c, kobj/sys_futex.c): the table and the calls against the fake
# platform; tests/fuchsia/futex.c (threads of a pure process), tests/guests/futex.c (pthreads of
# a hosted program) and tests/guests/shared.c (members of a shared group) run them for real.
check_PROGRAMS += tests/unit/test_futex
tests_unit_test_futex_SOURCES = tests/unit/test_futex.c $(unit_common)
tests_unit_test_futex_CFLAGS = $(unit_cflags)
tests_unit_test_futex_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_futex

# Threads of a pure process in futexes (run by tests/fuchsia-run.sh; `make bench` runs its
# ping-pong).
tests/fuchsia/futex.elf: $(srcdir)/tests/fuchsia/futex.c $(fuchsia_deps)
	$(AM_V_GEN)src=futex ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
check_DATA += tests/fuchsia/futex.elf
CLEANFILES += tests/fuchsia/futex.elf
EXTRA_DIST += tests/fuchsia/futex.c

# `make bench`'s Linux baseline for the futex ping-pong of tests/fuchsia/futex.c.
noinst_PROGRAMS += tests/bench/futex_native
tests_bench_futex_native_SOURCES = tests/bench/futex_native.c tests/bench/bench.h
tests_bench_futex_native_LDADD = -lpthread

# Futexes between the pthreads of a hosted program (run by tests/run-guests.sh, zum run and
# bare).
check_PROGRAMS += tests/guests/futex
tests_guests_futex_SOURCES = tests/guests/futex.c tests/guests/guest_test.h
tests_guests_futex_CFLAGS = $(guest_cflags) -pthread
tests_guests_futex_LDADD = $(guest_ldadd) -lpthread
tests_guests_futex_LDFLAGS = $(guest_ldflags) -pthread
