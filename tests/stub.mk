# Tests of the pure-process stub (owned by the stub work): a harness that plays the supervisor.
check_PROGRAMS += tests/stub-test
tests_stub_test_SOURCES = tests/stub-test.c host/stub/stub.h
tests_stub_test_CFLAGS = $(AM_CFLAGS) -DZUM_STUB_PATH='"$(abs_builddir)/zum-stub"'
tests_stub_test_LDADD = libzumcore.la $(SECCOMP_LIBS)
TESTS += tests/stub-test
