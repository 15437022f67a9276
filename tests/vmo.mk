# Tests of the vmo objects: unit tests and guests.

check_PROGRAMS += tests/unit/test_vmo
tests_unit_test_vmo_SOURCES = tests/unit/test_vmo.c $(unit_common)
tests_unit_test_vmo_CFLAGS = $(unit_cflags)
tests_unit_test_vmo_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_vmo

# Guests (run by tests/run-guests.sh under `zum run` and bare).
check_PROGRAMS += tests/guests/vmo
tests_guests_vmo_SOURCES = tests/guests/vmo.c tests/guests/guest_test.h
tests_guests_vmo_CFLAGS = $(guest_cflags)
tests_guests_vmo_LDADD = $(guest_ldadd)
tests_guests_vmo_LDFLAGS = $(guest_ldflags)

# VMO children (zx_vmo_create_child): slices and snapshots.
check_PROGRAMS += tests/unit/test_vmo_child
tests_unit_test_vmo_child_SOURCES = tests/unit/test_vmo_child.c $(unit_common)
tests_unit_test_vmo_child_CFLAGS = $(unit_cflags)
tests_unit_test_vmo_child_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_vmo_child

# Guest: children through zx_vmo_read/write and mappings here and in tests/helpers/vmar_helper.
check_PROGRAMS += tests/guests/vmo_child
tests_guests_vmo_child_SOURCES = tests/guests/vmo_child.c tests/guests/vmar_proto.h tests/guests/vmar_client.h tests/guests/guest_test.h
tests_guests_vmo_child_CFLAGS = $(guest_cflags)
tests_guests_vmo_child_LDADD = $(guest_ldadd)
tests_guests_vmo_child_LDFLAGS = $(guest_ldflags)

# Bench (built by `make`, run by `make bench` through tests/bench/run.sh): VMO children.
noinst_PROGRAMS += tests/bench/cow
tests_bench_cow_SOURCES = tests/bench/cow.c tests/bench/bench.h
tests_bench_cow_CFLAGS = $(guest_cflags)
tests_bench_cow_LDADD = $(guest_ldadd)
tests_bench_cow_LDFLAGS = $(guest_ldflags)

# Copy-on-write faults: mapped children in one process (tests/guests/cow_util.h has the
# expectations of each path). tests/cow-fallback.sh runs the vmo_cow_* guests again with
# ZUM_NO_UFFD=1 (the supervisor's eager fallback).
check_PROGRAMS += tests/guests/vmo_cow_map
tests_guests_vmo_cow_map_SOURCES = tests/guests/vmo_cow_map.c tests/guests/cow_util.h tests/guests/guest_test.h
tests_guests_vmo_cow_map_CFLAGS = $(guest_cflags)
tests_guests_vmo_cow_map_LDADD = $(guest_ldadd)
tests_guests_vmo_cow_map_LDFLAGS = $(guest_ldflags)

# Children across processes: a hosted peer (tests/helpers/cow_helper) and a pure process.
check_PROGRAMS += tests/guests/vmo_cow_proc tests/helpers/cow_helper
tests_guests_vmo_cow_proc_SOURCES = tests/guests/vmo_cow_proc.c tests/guests/cow_proto.h tests/guests/cow_util.h tests/guests/guest_test.h
tests_guests_vmo_cow_proc_CFLAGS = $(guest_cflags)
tests_guests_vmo_cow_proc_LDADD = $(guest_ldadd)
tests_guests_vmo_cow_proc_LDFLAGS = $(guest_ldflags)
tests_helpers_cow_helper_SOURCES = tests/helpers/cow_helper.c tests/guests/cow_proto.h
tests_helpers_cow_helper_CFLAGS = $(guest_cflags)
tests_helpers_cow_helper_LDADD = $(guest_ldadd)
tests_helpers_cow_helper_LDFLAGS = $(guest_ldflags)

# The cow bench runs twice (userfaultfd path and ZUM_NO_UFFD=1) from `make bench`.
bench: tests/bench/cow

# The copy-on-write guests again on the supervisor's eager fallback (ZUM_NO_UFFD=1).
TESTS += tests/cow-fallback.sh
EXTRA_DIST += tests/cow-fallback.sh

# Concurrent first faults on the same child pages from four threads, and against the
# supervisor's user copies.
check_PROGRAMS += tests/guests/vmo_cow_threads
tests_guests_vmo_cow_threads_SOURCES = tests/guests/vmo_cow_threads.c tests/guests/cow_util.h tests/guests/guest_test.h
tests_guests_vmo_cow_threads_CFLAGS = $(guest_cflags) -pthread
tests_guests_vmo_cow_threads_LDADD = $(guest_ldadd) -lpthread
tests_guests_vmo_cow_threads_LDFLAGS = $(guest_ldflags) -pthread

# Streams over VMOs (zx_stream_*): the model unit test and a guest.
check_PROGRAMS += tests/unit/test_stream
tests_unit_test_stream_SOURCES = tests/unit/test_stream.c $(unit_common)
tests_unit_test_stream_CFLAGS = $(unit_cflags)
tests_unit_test_stream_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_stream

check_PROGRAMS += tests/guests/stream
tests_guests_stream_SOURCES = tests/guests/stream.c tests/guests/guest_test.h
tests_guests_stream_CFLAGS = $(guest_cflags)
tests_guests_stream_LDADD = $(guest_ldadd)
tests_guests_stream_LDFLAGS = $(guest_ldflags)
