# Tests of resources, the debuglog and the privileged calls: the unit test of the range rules
# and the log ring, guests, and the runs with the root resource (tests/privileged.sh).

check_PROGRAMS += tests/unit/test_resource
tests_unit_test_resource_SOURCES = tests/unit/test_resource.c $(unit_common)
tests_unit_test_resource_CFLAGS = $(unit_cflags)
tests_unit_test_resource_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_resource

check_PROGRAMS += tests/guests/resource
tests_guests_resource_SOURCES = tests/guests/resource.c tests/guests/guest_test.h
tests_guests_resource_CFLAGS = $(guest_cflags)
tests_guests_resource_LDADD = $(guest_ldadd)
tests_guests_resource_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/guests/debuglog
tests_guests_debuglog_SOURCES = tests/guests/debuglog.c tests/guests/guest_test.h
tests_guests_debuglog_CFLAGS = $(guest_cflags)
tests_guests_debuglog_LDADD = $(guest_ldadd)
tests_guests_debuglog_LDFLAGS = $(guest_ldflags)

TESTS += tests/privileged.sh
EXTRA_DIST += tests/privileged.sh

check_PROGRAMS += tests/guests/vmo_transfer
tests_guests_vmo_transfer_SOURCES = tests/guests/vmo_transfer.c tests/guests/guest_test.h
tests_guests_vmo_transfer_CFLAGS = $(guest_cflags)
tests_guests_vmo_transfer_LDADD = $(guest_ldadd)
tests_guests_vmo_transfer_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/guests/interrupt
tests_guests_interrupt_SOURCES = tests/guests/interrupt.c tests/guests/guest_test.h
tests_guests_interrupt_CFLAGS = $(guest_cflags)
tests_guests_interrupt_LDADD = $(guest_ldadd) -lpthread
tests_guests_interrupt_LDFLAGS = $(guest_ldflags)
