# Tests of suspension (kobj/suspend.c, kobj/sys_suspend.c, host/guest/stub/suspend.c): the
# tokens against the fake platform, and a pure process suspending one of its threads.
check_PROGRAMS += tests/unit/test_suspend
tests_unit_test_suspend_SOURCES = tests/unit/test_suspend.c $(unit_common)
tests_unit_test_suspend_CFLAGS = $(unit_cflags)
tests_unit_test_suspend_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_suspend

# A pure process suspending one of its threads, reading and writing its registers (run by
# tests/fuchsia-run.sh).
tests/fuchsia/suspend.elf: $(srcdir)/tests/fuchsia/suspend.c $(fuchsia_deps)
	$(AM_V_GEN)src=suspend ldflags='$(fuchsia_ldflags)'; $(fuchsia_build)
check_DATA += tests/fuchsia/suspend.elf
CLEANFILES += tests/fuchsia/suspend.elf
EXTRA_DIST += tests/fuchsia/suspend.c
