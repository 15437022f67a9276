# Owned by the task work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
libzumcore_la_SOURCES += kobj/sys_property.c kobj/sys_child.c

check_PROGRAMS += tests/unit/test_info
tests_unit_test_info_SOURCES = tests/unit/test_info.c $(unit_common)
tests_unit_test_info_CFLAGS = $(unit_cflags)
tests_unit_test_info_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_info

check_PROGRAMS += tests/unit/test_task
tests_unit_test_task_SOURCES = tests/unit/test_task.c $(unit_common)
tests_unit_test_task_CFLAGS = $(unit_cflags)
tests_unit_test_task_LDADD = $(unit_ldadd)
TESTS += tests/unit/test_task
