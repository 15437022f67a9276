# The kernel, part 2: VMOs and VMAR trees (below kobj/, as Zircon's vm/ sits below its objects).
# Included from Makefile.am.
libzumkernel_la_SOURCES += mm/vmar.c mm/vmar.h mm/vmo.c mm/vmo.h
