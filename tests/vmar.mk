# Tests of the vmar objects: unit tests and guests.

# The VMAR tree alone (mm/vmar.c): placement, splits, the Linux operations of each change.
check_PROGRAMS += tests/unit/test_vmar_mm
tests_unit_test_vmar_mm_SOURCES = tests/unit/test_vmar_mm.c
tests_unit_test_vmar_mm_CFLAGS = $(unit_cflags)
tests_unit_test_vmar_mm_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_vmar_mm

# The VMAR syscalls over real VMOs, with the Linux operations recorded per target process.
check_PROGRAMS += tests/unit/test_vmar
tests_unit_test_vmar_SOURCES = tests/unit/test_vmar.c $(unit_common)
tests_unit_test_vmar_CFLAGS = $(unit_cflags)
tests_unit_test_vmar_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_vmar

# Guests: mappings really in the Linux process, faults, sub-VMARs, errors, and a second process
# (tests/helpers/vmar_helper) whose root VMAR the guest maps into.
check_PROGRAMS += tests/guests/vmar
tests_guests_vmar_SOURCES = tests/guests/vmar.c tests/guests/vmar_proto.h tests/guests/vmar_client.h tests/guests/guest_test.h
tests_guests_vmar_CFLAGS = $(guest_cflags)
tests_guests_vmar_LDADD = $(guest_ldadd)
tests_guests_vmar_LDFLAGS = $(guest_ldflags)

check_PROGRAMS += tests/helpers/vmar_helper
tests_helpers_vmar_helper_SOURCES = tests/helpers/vmar_helper.c tests/guests/vmar_proto.h
tests_helpers_vmar_helper_CFLAGS = $(guest_cflags)
tests_helpers_vmar_helper_LDADD = $(guest_ldadd)
tests_helpers_vmar_helper_LDFLAGS = $(guest_ldflags)
