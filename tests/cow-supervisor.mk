# The supervisor's side of copy-on-write mappings (kobj/cow.c: the path a mapping takes, write
# protection or guard windows, zum_vm_fault, user copies through mappings; mm/vmo.c fault sources
# and guard windows).
check_PROGRAMS += tests/unit/test_cow_map
tests_unit_test_cow_map_SOURCES = tests/unit/test_cow_map.c $(unit_common)
tests_unit_test_cow_map_CFLAGS = $(unit_cflags)
tests_unit_test_cow_map_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_cow_map

# The address-space work queue (kobj/workq.c) over a fake transport the test answers.
check_PROGRAMS += tests/unit/test_workq
tests_unit_test_workq_SOURCES = tests/unit/test_workq.c $(unit_common)
tests_unit_test_workq_CFLAGS = $(unit_cflags)
tests_unit_test_workq_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_workq
