# Zircon calls under Linux signals (DESIGN.md section 10, "Interrupted calls"): the answers a
# restarted call gets (unit), a hosted guest hammered by a handler without SA_RESTART and by
# SIGSTOP/SIGCONT, and a pure process stopped and continued from outside.

check_PROGRAMS += tests/unit/test_restart
tests_unit_test_restart_SOURCES = tests/unit/test_restart.c $(unit_common)
tests_unit_test_restart_CFLAGS = $(unit_cflags)
tests_unit_test_restart_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_restart

check_PROGRAMS += tests/guests/signals
tests_guests_signals_SOURCES = tests/guests/signals.c tests/guests/guest_test.h
tests_guests_signals_CFLAGS = $(guest_cflags) -pthread
tests_guests_signals_LDADD = $(guest_ldadd) -lpthread
tests_guests_signals_LDFLAGS = $(guest_ldflags) -pthread

# A plain Linux program (no libzum) that stops and continues a process until it is gone.
check_PROGRAMS += tests/helpers/stopper
tests_helpers_stopper_SOURCES = tests/helpers/stopper.c

# The pure process (built with the other Fuchsia-target programs, tests/launch.mk).
tests/fuchsia/sigloop.elf: $(srcdir)/tests/fuchsia/sigloop.c $(fuchsia_deps)
	$(AM_V_GEN)src=sigloop ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
check_DATA += tests/fuchsia/sigloop.elf
CLEANFILES += tests/fuchsia/sigloop.elf
TESTS += tests/signals-pure.sh
EXTRA_DIST += tests/signals-pure.sh tests/fuchsia/sigloop.c

# A parked wait under stops, gdb -p and a handler that completes it.
check_PROGRAMS += tests/helpers/blocker
tests_helpers_blocker_SOURCES = tests/helpers/blocker.c
tests_helpers_blocker_CFLAGS = $(guest_cflags)
tests_helpers_blocker_LDADD = $(guest_ldadd)
tests_helpers_blocker_LDFLAGS = $(guest_ldflags)
TESTS += tests/signals-blocked.sh
EXTRA_DIST += tests/signals-blocked.sh
