# Tests of the pure-process stub: a harness that plays the supervisor.
check_PROGRAMS += tests/stub-test
tests_stub_test_SOURCES = tests/stub-test.c host/guest/stub/stub.h
tests_stub_test_CFLAGS = $(AM_CFLAGS) -DZUM_STUB_PATH='"$(abs_builddir)/zum-stub"'
tests_stub_test_LDADD = libzumhost.la $(SECCOMP_LIBS)
TESTS += tests/stub-test

# The guest side of copy-on-write faults (host/guest/runtime/cow.c, shared by the stub and libzum) in a
# plain Linux process.
check_PROGRAMS += tests/unit/test_cow_fault
tests_unit_test_cow_fault_SOURCES = tests/unit/test_cow_fault.c tests/unit/open_fds.h host/guest/runtime/cow.c host/guest/runtime/cow.h
tests_unit_test_cow_fault_CFLAGS = $(unit_cflags)
tests_unit_test_cow_fault_LDADD = $(CMOCKA_LIBS) -lpthread
TESTS += tests/unit/test_cow_fault

# The hosted runtime's SIGBUS handler: copy-on-write faults resolved, other bus errors passed on
# to the program's earlier handler.
check_PROGRAMS += tests/guests/cow_sigbus
tests_guests_cow_sigbus_SOURCES = tests/guests/cow_sigbus.c tests/guests/guest_test.h
tests_guests_cow_sigbus_CFLAGS = $(guest_cflags)
tests_guests_cow_sigbus_LDADD = $(guest_ldadd)
tests_guests_cow_sigbus_LDFLAGS = $(guest_ldflags)

# The SCM_RIGHTS helper (host/common/scm.h) shared by the supervisor, the stub and libzum.
check_PROGRAMS += tests/unit/test_scm
tests_unit_test_scm_SOURCES = tests/unit/test_scm.c tests/unit/open_fds.h $(host_common_freestanding)
tests_unit_test_scm_CFLAGS = $(unit_cflags)
tests_unit_test_scm_LDADD = $(CMOCKA_LIBS)
TESTS += tests/unit/test_scm

# Address-space work (host/guest/runtime/ops.c, shared by the stub and libzum) in a plain Linux
# process: map, protect, reserve and their policy on a memfd.
check_PROGRAMS += tests/unit/test_ops
tests_unit_test_ops_SOURCES = tests/unit/test_ops.c tests/unit/open_fds.h host/guest/runtime/ops.c host/guest/runtime/ops.h \
	host/guest/runtime/cow.c host/guest/runtime/cow.h host/guest/runtime/workfd.c
tests_unit_test_ops_CFLAGS = $(unit_cflags)
tests_unit_test_ops_LDADD = $(CMOCKA_LIBS) -lpthread
TESTS += tests/unit/test_ops
