# Owned by the vmar work: its sources (libzumcore_la_SOURCES += ...), unit tests and guests.
libzumcore_la_SOURCES += mm/vmar.c mm/vmar.h kobj/vmar_info.c

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
