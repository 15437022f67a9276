# Tests of the channel, FIFO and socket objects: unit tests and guests.

check_PROGRAMS += tests/unit/test_channel
tests_unit_test_channel_SOURCES = tests/unit/test_channel.c $(unit_common)
tests_unit_test_channel_CFLAGS = $(unit_cflags)
tests_unit_test_channel_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_channel

# One process: every rule through the real trap.
check_PROGRAMS += tests/guests/channel
tests_guests_channel_SOURCES = tests/guests/channel.c tests/guests/guest_test.h
tests_guests_channel_CFLAGS = $(guest_cflags) -pthread
tests_guests_channel_LDADD = $(guest_ldadd) -lpthread
tests_guests_channel_LDFLAGS = $(guest_ldflags) -pthread

# Two processes: the guest spawns this helper ($ZUM_HELPERS/channel_echo) and talks to it.
check_PROGRAMS += tests/helpers/channel_echo
tests_helpers_channel_echo_SOURCES = tests/helpers/channel_echo.c
tests_helpers_channel_echo_CFLAGS = $(guest_cflags)
tests_helpers_channel_echo_LDADD = $(guest_ldadd)
tests_helpers_channel_echo_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/guests/fifo
tests_guests_fifo_SOURCES = tests/guests/fifo.c tests/guests/guest_test.h
tests_guests_fifo_CFLAGS = $(guest_cflags)
tests_guests_fifo_LDADD = $(guest_ldadd)
tests_guests_fifo_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/unit/test_fifo
tests_unit_test_fifo_SOURCES = tests/unit/test_fifo.c $(unit_common)
tests_unit_test_fifo_CFLAGS = $(unit_cflags)
tests_unit_test_fifo_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_fifo

check_PROGRAMS += tests/guests/socket
tests_guests_socket_SOURCES = tests/guests/socket.c tests/guests/guest_test.h
tests_guests_socket_CFLAGS = $(guest_cflags)
tests_guests_socket_LDADD = $(guest_ldadd)
tests_guests_socket_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/unit/test_socket
tests_unit_test_socket_SOURCES = tests/unit/test_socket.c $(unit_common)
tests_unit_test_socket_CFLAGS = $(unit_cflags)
tests_unit_test_socket_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_socket
