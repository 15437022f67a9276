# Tests of the port, timer, clock and counter objects: unit tests and guests.

check_PROGRAMS += tests/unit/test_port
tests_unit_test_port_SOURCES = tests/unit/test_port.c $(unit_common)
tests_unit_test_port_CFLAGS = $(unit_cflags)
tests_unit_test_port_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_port

check_PROGRAMS += tests/unit/test_timer
tests_unit_test_timer_SOURCES = tests/unit/test_timer.c $(unit_common)
tests_unit_test_timer_CFLAGS = $(unit_cflags)
tests_unit_test_timer_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_timer

check_PROGRAMS += tests/guests/port
tests_guests_port_SOURCES = tests/guests/port.c tests/guests/guest_test.h
tests_guests_port_CFLAGS = $(guest_cflags) -pthread
tests_guests_port_LDADD = $(guest_ldadd) -lpthread
tests_guests_port_LDFLAGS = $(guest_ldflags) -pthread

check_PROGRAMS += tests/guests/timer
tests_guests_timer_SOURCES = tests/guests/timer.c tests/guests/guest_test.h
tests_guests_timer_CFLAGS = $(guest_cflags)
tests_guests_timer_LDADD = $(guest_ldadd)
tests_guests_timer_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/unit/test_clock
tests_unit_test_clock_SOURCES = tests/unit/test_clock.c $(unit_common)
tests_unit_test_clock_CFLAGS = $(unit_cflags)
tests_unit_test_clock_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_clock

check_PROGRAMS += tests/guests/clock
tests_guests_clock_SOURCES = tests/guests/clock.c tests/guests/guest_test.h
tests_guests_clock_CFLAGS = $(guest_cflags)
tests_guests_clock_LDADD = $(guest_ldadd)
tests_guests_clock_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/guests/counter
tests_guests_counter_SOURCES = tests/guests/counter.c tests/guests/guest_test.h
tests_guests_counter_CFLAGS = $(guest_cflags)
tests_guests_counter_LDADD = $(guest_ldadd)
tests_guests_counter_LDFLAGS = $(guest_ldflags)
