# Tests of the pure-process stub (owned by the stub work): a harness that plays the supervisor.
check_PROGRAMS += tests/stub-test
tests_stub_test_SOURCES = tests/stub-test.c host/stub/stub.h
tests_stub_test_CFLAGS = $(AM_CFLAGS) -DZUM_STUB_PATH='"$(abs_builddir)/zum-stub"'
tests_stub_test_LDADD = libzumcore.la $(SECCOMP_LIBS)
TESTS += tests/stub-test

# The guest side of copy-on-write faults (abi/runtime/cow.c, shared by the stub and libzum) in a
# plain Linux process.
check_PROGRAMS += tests/unit/test_cow_fault
tests_unit_test_cow_fault_SOURCES = tests/unit/test_cow_fault.c abi/runtime/cow.c abi/runtime/cow.h
tests_unit_test_cow_fault_CFLAGS = $(unit_cflags)
tests_unit_test_cow_fault_LDADD = $(CMOCKA_LIBS) -lpthread
TESTS += tests/unit/test_cow_fault
